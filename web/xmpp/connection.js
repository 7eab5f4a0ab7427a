// SPDX-License-Identifier: MIT
// XMPP connection for the browser client: strophe.js over WebSocket (RFC 7395), falling back
// to BOSH when the WebSocket cannot be opened; anonymous SASL login (on `anonymousdomain` when
// the deployment is a secure domain, else on `domain`), or a password login for moderators of
// a secure domain (a wrong password fails with code 'auth-failed'); promise-based IQs.
// Lives on the page's main thread; one instance per meeting attempt (never reused after
// disconnect). strophe.js is loaded as a classic script (/vendor/strophe.js) and found on
// globalThis, or injected for tests.

const CONNECT_TIMEOUT_MS = 10000;
const IQ_TIMEOUT_MS = 15000;

export class IqError extends Error {
  /** @param {string} condition XMPP error condition or 'timeout' */
  constructor(condition, type, stanza, text) {
    super(`IQ error: ${condition}${text ? ` (${text})` : ''}`);
    this.condition = condition;
    this.type = type;
    this.stanza = stanza;
  }
}

/** Condition, type and text of an <iq type="error"> (or a timeout when stanza is null). */
export function errorOf(stanza) {
  if (!stanza) return { condition: 'timeout', type: 'wait', text: null };
  const err = stanza.getElementsByTagName('error')[0];
  if (!err) return { condition: 'undefined-condition', type: 'cancel', text: null };
  let condition = 'undefined-condition';
  let text = null;
  for (let n = err.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    if (n.namespaceURI !== 'urn:ietf:params:xml:ns:xmpp-stanzas') continue;
    if (n.localName === 'text') text = n.textContent;
    else condition = n.localName;
  }
  return { condition, type: err.getAttribute('type'), text };
}

/** Absolute ws:// or wss:// URL for a WebSocket path relative to the page. */
export function websocketUrl(pathOrUrl, base = globalThis.location?.href) {
  const u = new URL(pathOrUrl, base);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  return u.toString();
}

/**
 * The one transport the page must use: `transport` from the page URL's query, else from the
 * config; 'websocket', 'bosh' or null (try WebSocket, then BOSH).
 */
export function transportOverride(cfg = {}, search = globalThis.location?.search ?? '') {
  const v = new URLSearchParams(search).get('transport') ?? cfg.transport ?? null;
  return v === 'bosh' || v === 'websocket' ? v : null;
}

export class XmppConnection extends EventTarget {
  /**
   * @param {object} cfg { domain, anonymousdomain, websocket, bosh } from /config.js
   * @param {object} [lib] strophe.js exports (default: the globals the UMD bundle sets)
   * @param {object} [auth] { jid, password }: log in with an account (else anonymously)
   */
  constructor(cfg, lib = globalThis, auth = null) {
    super();
    this.cfg = cfg;
    this.auth = auth;
    this.S = lib.Strophe;
    this.$iq = lib.$iq;
    this.$pres = lib.$pres;
    this.$msg = lib.$msg;
    if (!this.S) throw new Error('strophe.js is not loaded');
    this.conn = null;
    this.transport = null;
    this.jid = null;
    this.connected = false;
    this.closing = false;
    this.log = [];
  }

  /**
   * Connects (WebSocket first, then BOSH). `?transport=bosh` or `?transport=websocket` in the
   * page URL (or `transport` in the config) uses only that one, e.g. to test BOSH behind a
   * proxy that passes WebSockets. Resolves { jid, transport }.
   */
  async connect() {
    const only = transportOverride(this.cfg);
    const attempts = [];
    if (this.cfg.websocket && only !== 'bosh') attempts.push(['websocket', websocketUrl(this.cfg.websocket)]);
    if (this.cfg.bosh && only !== 'websocket') attempts.push(['bosh', new URL(this.cfg.bosh, globalThis.location?.href).toString()]);
    let lastError = null;
    for (const [transport, url] of attempts) {
      try {
        await this.tryConnect(transport, url);
        this.transport = transport;
        return { jid: this.jid, transport };
      } catch (e) {
        lastError = e;
        this.note(`${transport} ${url} failed: ${e.message}`);
        if (e.code === 'auth-failed') throw e; // the other transport would say the same
      }
    }
    const err = new Error(`cannot reach the XMPP server (${lastError?.message ?? 'no endpoint configured'})`);
    err.code = 'unreachable';
    throw err;
  }

  note(line) {
    this.log.push(`${new Date().toISOString()} ${line}`);
    if (this.log.length > 200) this.log.shift();
  }

  tryConnect(transport, url) {
    const S = this.S;
    return new Promise((resolve, reject) => {
      const conn = new S.Connection(url, transport === 'websocket' ? { protocol: url.startsWith('wss') ? 'wss' : 'ws' } : {});
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        try { conn.reset(); } catch { /* already torn down */ }
        reject(new Error('timed out'));
      }, CONNECT_TIMEOUT_MS);
      const login = this.auth ? [this.auth.jid, this.auth.password]
        : [this.cfg.anonymousdomain || this.cfg.domain, null];
      conn.connect(login[0], login[1], (status, condition) => {
        if (!settled) {
          if (status === S.Status.CONNECTED) {
            settled = true;
            clearTimeout(timer);
            this.conn = conn;
            this.jid = conn.jid;
            this.connected = true;
            // Test and debugging hook (?debug=1): the live connection, e.g. to send a raw IQ.
            if (globalThis.PARLEY_DEBUG) globalThis.parleyXmpp = this;
            resolve();
          } else if (status === S.Status.AUTHFAIL) {
            settled = true;
            clearTimeout(timer);
            try { conn.reset(); } catch { /* already torn down */ }
            reject(Object.assign(new Error(this.auth ? 'wrong user name or password'
              : `the server refused the login (${condition || status})`), { code: 'auth-failed' }));
          } else if ([S.Status.CONNFAIL, S.Status.ERROR, S.Status.CONNTIMEOUT,
            S.Status.DISCONNECTED].includes(status)) {
            settled = true;
            clearTimeout(timer);
            reject(new Error(condition || `status ${status}`));
          }
          return;
        }
        if (conn !== this.conn) return;
        if (status === S.Status.DISCONNECTED || status === S.Status.CONNFAIL || status === S.Status.ERROR) {
          if (!this.connected) return;
          this.connected = false;
          this.note(`disconnected (${condition ?? status})`);
          this.dispatchEvent(new CustomEvent('disconnected', {
            detail: { unexpected: !this.closing, condition: condition ?? null },
          }));
        }
      });
    });
  }

  /** Registers a stanza handler (see Strophe addHandler); returns a token for removeHandler. */
  addHandler(fn, ns, name, type, id, from, options) {
    return this.conn.addHandler(fn, ns, name, type, id, from, options);
  }

  removeHandler(h) {
    this.conn?.deleteHandler(h);
  }

  send(stanza) {
    if (!this.conn || !this.connected) return false;
    this.conn.send(stanza);
    return true;
  }

  /** Sends an IQ; resolves with the result stanza, rejects with IqError. */
  sendIQ(stanza, timeoutMs = IQ_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      if (!this.conn || !this.connected) {
        reject(new IqError('not-connected', 'cancel', null));
        return;
      }
      this.conn.sendIQ(stanza, resolve, (res) => {
        const e = errorOf(res);
        reject(new IqError(e.condition, e.type, res, e.text));
      }, timeoutMs);
    });
  }

  /** Replies to an incoming IQ with an empty result. */
  ack(iq) {
    this.send(this.$iq({ type: 'result', to: iq.getAttribute('from'), id: iq.getAttribute('id') }));
  }

  /**
   * Replies to an incoming IQ with an error.
   * @param {Element} iq
   * @param {string} type error type (cancel, modify, ...)
   * @param {string} condition RFC 6120 condition
   * @param {{name:string, xmlns:string}} [app] application-specific condition
   */
  replyError(iq, type, condition, app) {
    const b = this.$iq({ type: 'error', to: iq.getAttribute('from'), id: iq.getAttribute('id') })
      .c('error', { type })
      .c(condition, { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }).up();
    if (app) b.c(app.name, { xmlns: app.xmlns }).up();
    this.send(b);
  }

  /** Closes the stream; waits briefly so the unavailable presence and close get out. */
  async disconnect(reason = 'leaving') {
    this.closing = true;
    if (!this.conn) return;
    const conn = this.conn;
    if (this.connected) {
      try {
        conn.flush();
        conn.disconnect(reason);
      } catch { /* socket already gone */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.connected = false;
  }
}
