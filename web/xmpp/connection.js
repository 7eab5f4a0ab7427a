// SPDX-License-Identifier: MIT
// XMPP connection for the browser client: strophe.js over WebSocket (RFC 7395), falling back
// to BOSH when the WebSocket cannot be opened; anonymous SASL login (on `anonymousdomain` when
// the deployment is a secure domain, else on `domain`), or a password login for moderators of
// a secure domain (a wrong password fails with code 'auth-failed'); promise-based IQs.
// XEP-0198 stream management (stream-management.js) for logged-in accounts over WebSocket: a
// connection lost without a stream error is resumed on a new connection within the server's
// resumption window ('interrupted', then 'resumed' events; handlers, pending IQs and the
// stanzas the server had not acknowledged carry over); only when that fails does
// 'disconnected' fire and the caller rejoin. Anonymous logins get a new user name on every
// connection, and Prosody and ejabberd key resumable sessions by user, so guests skip it.
// Lives on the page's main thread; one instance per meeting attempt (never reused after
// disconnect). strophe.js is loaded as a classic script (/vendor/strophe.js) and found on
// globalThis, or injected for tests.
import { NS_SM, StreamManagement } from './stream-management.js';

const CONNECT_TIMEOUT_MS = 10000;
const IQ_TIMEOUT_MS = 15000;
const RESUME_ANSWER_MS = 10000; // a resume attempt without <resumed/> or <failed/> by then
const RESUME_RETRY_MS = [250, 500, 1000]; // between resume attempts (then the last, until the window closes)
const SM_TICK_MS = 2000;

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
    this.$build = lib.$build;
    if (!this.S) throw new Error('strophe.js is not loaded');
    this.conn = null;
    this.transport = null;
    this.jid = null;
    this.connected = false;
    this.closing = false;
    this.log = [];
    this.url = null;
    this.userHandlers = new Set(); // { wrapped, args, ref }: re-added on a resumed connection
    this.sm = null; // StreamManagement while the session is resumable
    this.smTimer = null;
    this.resuming = null; // { since, attempt, timer, conn } while resuming
    this.pending = []; // stanzas sent while resuming, for after it
    this.resumes = 0;
    this.lastResumeMs = null;
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
        this.url = url;
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
      const conn = new S.Connection(url, this.connOptions(transport, url));
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
          if (status === S.Status.BINDREQUIRED) {
            conn.bind();
          } else if (status === S.Status.CONNECTED) {
            settled = true;
            clearTimeout(timer);
            this.conn = conn;
            this.jid = conn.jid;
            this.connected = true;
            if (transport === 'websocket') this.enableSm(conn);
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
        this.onLiveStatus(conn, status, condition);
      });
    });
  }

  connOptions(transport, url) {
    if (transport !== 'websocket') return {};
    // Binding is ours to do: a resumed session skips it (XEP-0198 resumes instead of binding).
    return { protocol: url.startsWith('wss') ? 'wss' : 'ws', explicitResourceBinding: true };
  }

  /** A status change of a connection after it was established (the live one or an old one). */
  onLiveStatus(conn, status, condition) {
    const S = this.S;
    if (conn !== this.conn) return;
    if (status !== S.Status.DISCONNECTED && status !== S.Status.CONNFAIL && status !== S.Status.ERROR) return;
    if (!this.connected) return;
    this.connected = false;
    this.stopSmTimer();
    this.note(`disconnected (${condition ?? status})`);
    // A stream error is the server ending the session on purpose (shutdown, conflict, policy):
    // nothing to resume. A dropped socket is what resumption is for.
    if (!this.closing && status !== S.Status.ERROR && this.sm?.canResume()) {
      this.startResume();
      return;
    }
    this.dispatchEvent(new CustomEvent('disconnected', {
      detail: { unexpected: !this.closing, condition: condition ?? null },
    }));
  }

  // ---- XEP-0198 ------------------------------------------------------------------------------

  /** After binding on a WebSocket: asks for a resumable session (accounts only, see above). */
  enableSm(conn) {
    let offered = false;
    for (let n = conn.features?.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 1 && n.localName === 'sm' && n.namespaceURI === NS_SM) offered = true;
    }
    if (!offered || !this.auth) return;
    this.sm = new StreamManagement({
      build: (name, attrs) => this.$build(name, attrs).tree(),
      log: (l) => this.note(l),
    });
    this.hookSm(conn);
    conn.send(this.sm.enable());
    this.startSmTimer();
  }

  /** Routes a connection's traffic through the stream-management counters. */
  hookSm(conn) {
    conn.xmlOutput = (el) => {
      if (conn === this.conn && this.sm?.sent(el)) {
        // Not from inside strophe's send loop: it is iterating its queue right now.
        queueMicrotask(() => this.requestAck());
      }
    };
    conn.xmlInput = (el) => this.smInput(conn, el);
  }

  smInput(conn, el) {
    if (!this.sm) return;
    const r = this.sm.received(el);
    if (!r) return;
    if (r.send) queueMicrotask(() => { if (conn === this.conn && this.connected) conn.send(r.send); });
    if (r.enableFailed) {
      this.note('the server refused stream management');
      this.sm = null;
      this.stopSmTimer();
    }
    if ((r.resumed || r.resumeFailed) && this.resuming?.conn === conn) this.resuming.answer?.(r);
  }

  requestAck() {
    if (!this.sm || !this.connected || !this.conn) return;
    this.conn.send(this.sm.request());
  }

  startSmTimer() {
    this.stopSmTimer();
    this.smTimer = setInterval(() => {
      const what = this.sm?.tick();
      if (what === 'request') this.requestAck();
      else if (what === 'dead') {
        this.note(`no answer to <r/> for ${this.sm.opts.ackTimeoutMs} ms: dropping the connection`);
        try { this.conn?._proto?.socket?.close(); } catch { /* already closed */ }
      }
    }, SM_TICK_MS);
  }

  stopSmTimer() {
    clearInterval(this.smTimer);
    this.smTimer = null;
  }

  startResume() {
    const since = Date.now();
    this.sm.lost();
    this.resuming = { since, attempt: 0, timer: null, conn: null, answer: null };
    this.note('connection lost: resuming the stream');
    this.dispatchEvent(new CustomEvent('interrupted', { detail: { since } }));
    this.resumeStep();
  }

  resumeStep() {
    const r = this.resuming;
    if (!r || this.closing) return;
    if (!this.sm?.canResume()) {
      this.resumeGaveUp('the resumption window is over');
      return;
    }
    const attempt = r.attempt++;
    this.tryResume(r).then((outcome) => {
      if (this.resuming !== r || !outcome.error) return; // resumed or refused: already handled
      this.note(`resume attempt ${attempt + 1}: ${outcome.error}`);
      r.timer = setTimeout(() => this.resumeStep(), RESUME_RETRY_MS[Math.min(attempt, RESUME_RETRY_MS.length - 1)]);
    });
  }

  /**
   * One attempt: a new WebSocket, the same login, then <resume/> where binding would be.
   * Resolves { resumed: conn, again }, { failed, condition } or { error }.
   */
  tryResume(r) {
    const S = this.S;
    return new Promise((resolve) => {
      const conn = new S.Connection(this.url, this.connOptions('websocket', this.url));
      let done = false;
      const finish = (v) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        r.answer = null;
        if (!v.resumed) {
          r.conn = null;
          try { conn.reset(); } catch { /* torn down */ }
          try { conn._proto?.socket?.close(); } catch { /* torn down */ }
        }
        // At once, not after a promise turn: the stanzas the server sends again right after
        // <resumed/> must find the handlers in place.
        if (this.resuming === r && v.resumed) this.resumeDone(v);
        else if (this.resuming === r && v.failed) this.resumeGaveUp(`the server refused (${v.condition ?? 'failed'})`);
        resolve(v);
      };
      const timer = setTimeout(() => finish({ error: 'no answer' }), RESUME_ANSWER_MS);
      r.conn = conn;
      r.answer = (a) => finish(a.resumed ? { resumed: conn, again: a.resumed } : { failed: true, condition: a.condition });
      this.hookSm(conn);
      const login = this.auth ? [this.auth.jid, this.auth.password] : [this.cfg.anonymousdomain || this.cfg.domain, null];
      conn.connect(login[0], login[1], (status, condition) => {
        if (done) {
          if (conn === this.conn) this.onLiveStatus(conn, status, condition);
          return;
        }
        if (status === S.Status.BINDREQUIRED) {
          conn.send(this.sm.resumeRequest());
        } else if (status === S.Status.AUTHFAIL) {
          finish({ failed: true, condition: 'auth-failed' });
        } else if ([S.Status.CONNFAIL, S.Status.ERROR, S.Status.CONNTIMEOUT, S.Status.DISCONNECTED].includes(status)) {
          finish({ error: condition || `status ${status}` });
        }
      });
    });
  }

  resumeDone({ resumed: conn, again }) {
    const r = this.resuming;
    clearTimeout(r.timer);
    this.resuming = null;
    // What binding would have set: the session's JID, and user handlers may run.
    conn.jid = this.jid;
    conn.authenticated = true;
    const old = this.conn;
    this.conn = conn;
    this.connected = true;
    try { old?.reset(); } catch { /* torn down */ }
    for (const h of this.userHandlers) h.ref = conn.addHandler(h.wrapped, ...h.args);
    for (const el of again) conn.send(el);
    const pending = this.pending;
    this.pending = [];
    for (const el of pending) conn.send(el);
    this.startSmTimer();
    this.resumes++;
    this.lastResumeMs = Date.now() - r.since;
    this.note(`stream resumed after ${this.lastResumeMs} ms (${r.attempt} attempt(s), ${again.length} stanza(s) sent again)`);
    this.dispatchEvent(new CustomEvent('resumed', { detail: { ms: this.lastResumeMs, attempts: r.attempt, resent: again.length } }));
  }

  resumeGaveUp(why) {
    const r = this.resuming;
    if (r) clearTimeout(r.timer);
    this.resuming = null;
    this.pending = [];
    this.sm = null;
    this.note(`stream not resumed: ${why}; rejoining`);
    this.dispatchEvent(new CustomEvent('disconnected', {
      detail: { unexpected: !this.closing, condition: 'resume-failed', reason: why },
    }));
  }

  // ---- stanzas -------------------------------------------------------------------------------

  /**
   * Registers a stanza handler (see Strophe addHandler); returns a token for removeHandler.
   * Handlers live as long as the session: a resumed connection gets them all again.
   */
  addHandler(fn, ns, name, type, id, from, options) {
    const h = { args: [ns, name, type, id, from, options], ref: null };
    h.wrapped = (el) => {
      let keep = false;
      try {
        keep = fn(el);
      } finally {
        if (!keep) this.userHandlers.delete(h);
      }
      return keep;
    };
    this.userHandlers.add(h);
    h.ref = this.conn.addHandler(h.wrapped, ...h.args);
    return h;
  }

  removeHandler(h) {
    if (!h) return;
    this.userHandlers.delete(h);
    if (h.ref) this.conn?.deleteHandler(h.ref);
  }

  send(stanza) {
    if (this.resuming && !this.closing) {
      this.pending.push(stanza.tree ? stanza.tree() : stanza);
      return true;
    }
    if (!this.conn || !this.connected) return false;
    this.conn.send(stanza);
    return true;
  }

  /** Sends an IQ; resolves with the result stanza, rejects with IqError. */
  sendIQ(stanza, timeoutMs = IQ_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      if (!this.conn || (!this.connected && !this.resuming)) {
        reject(new IqError('not-connected', 'cancel', null));
        return;
      }
      const el = stanza.tree ? stanza.tree() : stanza;
      let id = el.getAttribute('id');
      if (!id) {
        id = this.conn.getUniqueId('sendIQ');
        el.setAttribute('id', id);
      }
      let timer = null;
      const h = this.addHandler((res) => {
        clearTimeout(timer);
        if (res.getAttribute('type') === 'result') resolve(res);
        else {
          const e = errorOf(res);
          reject(new IqError(e.condition, e.type, res, e.text));
        }
        return false;
      }, null, 'iq', ['error', 'result'], id);
      if (timeoutMs) {
        timer = setTimeout(() => {
          this.removeHandler(h);
          reject(new IqError('timeout', 'wait', null));
        }, timeoutMs);
      }
      this.send(el);
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
    this.stopSmTimer();
    if (this.resuming) {
      clearTimeout(this.resuming.timer);
      const attempt = this.resuming.conn;
      this.resuming = null;
      this.pending = [];
      try { attempt?.reset(); attempt?._proto?.socket?.close(); } catch { /* torn down */ }
    }
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
