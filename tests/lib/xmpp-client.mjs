// SPDX-License-Identifier: MIT
// A scripted XMPP client for integration tests: connects to a real XMPP server over WebSocket
// (RFC 7395) or BOSH (XEP-0124/0206), logs in with SASL ANONYMOUS (or PLAIN), binds a
// resource, sends stanzas, awaits IQ replies and waits for stanzas matching a predicate.
// Every received stanza is kept in `received` so a test can wait for something that already
// arrived. State belongs to the single Node.js event loop thread.
//
//   const c = await XmppClient.connect({ transport: 'websocket', domain, host, port });
//   const reply = await c.iq('set', `focus.${domain}`, '<conference xmlns=... room=.../>');
//   const self = await c.joinRoom(`room@conference.${domain}`, 'nick');
//   await c.close();
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { SkipError } from './prosody.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// npm modules live in web/node_modules; resolve them from web/package.json.
const require = createRequire(path.join(here, '..', '..', 'web', 'package.json'));
let WebSocket;
let DOMParser;
let XMLSerializer;
/** Why the client cannot work (npm modules not installed), or null. */
export let missingModules = null;
try {
  WebSocket = require('ws');
  ({ DOMParser, XMLSerializer } = require('@xmldom/xmldom'));
} catch (e) {
  missingModules = `npm modules missing (run scripts/install-deps.sh): ${e.message.split('\n')[0]}`;
}

export const NS = {
  client: 'jabber:client',
  framing: 'urn:ietf:params:xml:ns:xmpp-framing',
  streams: 'http://etherx.jabber.org/streams',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  session: 'urn:ietf:params:xml:ns:xmpp-session',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  httpbind: 'http://jabber.org/protocol/httpbind',
  xbosh: 'urn:xmpp:xbosh',
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  mucOwner: 'http://jabber.org/protocol/muc#owner',
  mucAdmin: 'http://jabber.org/protocol/muc#admin',
  focus: 'http://jitsi.org/protocol/focus',
  ping: 'urn:xmpp:ping',
};

/** Escapes text for an XML attribute value or text node. */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;',
  })[c]);
}

/** The XML text of an element (for messages in failed assertions). */
export function xmlOf(el) {
  return el ? new XMLSerializer().serializeToString(el) : String(el);
}

function parseXml(text) {
  const errors = [];
  const doc = new DOMParser({
    onError: (level, msg) => { if (level !== 'warning') errors.push(msg); },
    errorHandler: {
      warning: () => {},
      error: (m) => errors.push(m),
      fatalError: (m) => errors.push(m),
    },
  }).parseFromString(text, 'text/xml');
  if (errors.length || !doc || !doc.documentElement) {
    throw new Error(`unparsable XML from server: ${errors.join('; ')}: ${text.slice(0, 300)}`);
  }
  return doc.documentElement;
}

/** Child elements of el, optionally filtered by local name and namespace. */
export function children(el, name, ns) {
  const out = [];
  if (!el) return out;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    if (name && n.localName !== name) continue;
    if (ns && n.namespaceURI !== ns) continue;
    out.push(n);
  }
  return out;
}

/** The first child element with that name (and namespace), or null. */
export function child(el, name, ns) {
  return children(el, name, ns)[0] || null;
}

/** Text content of an element, or '' for null. */
export function text(el) {
  return el ? el.textContent : '';
}

/** Error details of an error stanza: { type, condition, text } or null. */
export function stanzaError(stanza) {
  if (!stanza || stanza.getAttribute('type') !== 'error') return null;
  const err = child(stanza, 'error');
  if (!err) return { type: '', condition: '', text: '' };
  const cond = children(err).find((c) => c.namespaceURI === NS.stanzas && c.localName !== 'text');
  return {
    type: err.getAttribute('type') || '',
    condition: cond ? cond.localName : '',
    text: text(child(err, 'text', NS.stanzas)),
  };
}

export function bareJid(jid) {
  const i = jid.indexOf('/');
  return i < 0 ? jid : jid.slice(0, i);
}
export function resourceOf(jid) {
  const i = jid.indexOf('/');
  return i < 0 ? '' : jid.slice(i + 1);
}

/**
 * What a MUC presence says (XEP-0045): { from, room, nick, type, jid, affiliation, role,
 * statuses: Set of codes, self (status 110), error }.
 */
export function mucPresence(p) {
  const from = p.getAttribute('from') || '';
  const x = child(p, 'x', NS.mucUser);
  const item = x && child(x, 'item');
  const statuses = new Set(children(x, 'status').map((s) => s.getAttribute('code')));
  return {
    from,
    room: bareJid(from),
    nick: resourceOf(from),
    type: p.getAttribute('type') || 'available',
    jid: item ? item.getAttribute('jid') || '' : '',
    affiliation: item ? item.getAttribute('affiliation') || '' : '',
    role: item ? item.getAttribute('role') || '' : '',
    statuses,
    self: statuses.has('110'),
    error: stanzaError(p),
  };
}

export class TimeoutError extends Error {}

/** Minimum time between a BOSH request and a second one sent while it is pending (ms). */
const BOSH_SPACING_MS = 25;

let clientCounter = 0;

export class XmppClient extends EventEmitter {
  /**
   * Connects and logs in. opts: transport ('websocket' | 'bosh'), domain, host (127.0.0.1),
   * port (5280), url (overrides host/port), username + password (SASL PLAIN instead of
   * ANONYMOUS), resource, timeout (ms per step, default 10000), log (function for a trace).
   */
  static async connect(opts) {
    if (missingModules) throw new SkipError(missingModules);
    const c = new XmppClient(opts);
    await c._connect();
    return c;
  }

  constructor(opts) {
    super();
    this.transport = opts.transport || 'websocket';
    this.domain = opts.domain;
    this.host = opts.host || '127.0.0.1';
    this.port = opts.port || 5280;
    this.username = opts.username;
    this.password = opts.password;
    this.resource = opts.resource;
    this.timeout = opts.timeout || 10000;
    this.trace = opts.log || (process.env.PARLEY_XMPP_TRACE ? (l) => console.error(l) : null);
    this.name = opts.name || `client${++clientCounter}`;
    this.url = opts.url || (this.transport === 'bosh'
      ? `http://${this.host}:${this.port}/http-bind`
      : `ws://${this.host}:${this.port}/xmpp-websocket`);
    this.jid = null;
    this.received = [];     // every stanza received after login, in order
    this.closed = false;
    this._streamQueue = []; // elements received before login completes
    this._waiters = [];     // { pred, resolve, reject, from, timer }
    this._pendingIq = new Map();
    this._idCounter = 0;
    this._transportError = null;
  }

  _log(dir, s) {
    if (this.trace) this.trace(`[${this.name} ${dir}] ${s}`);
  }

  nextId(prefix = 't') {
    return `${prefix}${++this._idCounter}-${Math.random().toString(36).slice(2, 8)}`;
  }

  // ---- transport-independent login ----

  async _connect() {
    if (this.transport === 'bosh') await this._boshOpen();
    else await this._wsOpen();
    let features = await this._nextStreamElement('features');
    const mechs = children(child(features, 'mechanisms', NS.sasl), 'mechanism').map(text);
    if (this.username) {
      if (!mechs.includes('PLAIN')) throw new Error(`server offers no SASL PLAIN (${mechs})`);
      const token = Buffer.from(`\0${this.username}\0${this.password}`).toString('base64');
      this._sendRaw(`<auth xmlns="${NS.sasl}" mechanism="PLAIN">${token}</auth>`);
    } else {
      if (!mechs.includes('ANONYMOUS')) throw new Error(`server offers no SASL ANONYMOUS (${mechs})`);
      this._sendRaw(`<auth xmlns="${NS.sasl}" mechanism="ANONYMOUS"/>`);
    }
    const outcome = await this._nextStreamElement();
    if (outcome.localName !== 'success') {
      throw new Error(`SASL failed: ${xmlOf(outcome)}`);
    }
    if (this.transport === 'bosh') await this._boshRestart();
    else this._wsSendOpen();
    features = await this._nextStreamElement('features');
    if (!child(features, 'bind', NS.bind)) throw new Error(`no resource binding offered: ${xmlOf(features)}`);
    const bindId = this.nextId('bind');
    const res = this.resource ? `<resource>${esc(this.resource)}</resource>` : '';
    this._sendRaw(`<iq xmlns="${NS.client}" type="set" id="${bindId}"><bind xmlns="${NS.bind}">${res}</bind></iq>`);
    const bound = await this._nextStreamElement('iq');
    if (bound.getAttribute('type') !== 'result') throw new Error(`bind failed: ${xmlOf(bound)}`);
    this.jid = text(child(child(bound, 'bind', NS.bind), 'jid'));
    const session = child(features, 'session', NS.session);
    this._loggedIn = true;
    if (session && !child(session, 'optional')) {
      const r = await this.iq('set', null, `<session xmlns="${NS.session}"/>`);
      if (r.getAttribute('type') !== 'result') throw new Error(`session failed: ${xmlOf(r)}`);
    }
    // Anything the server sent along with the bind result is a normal stanza.
    for (const el of this._streamQueue.splice(0)) this._dispatch(el);
  }

  _nextStreamElement(name) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._streamWaiter = null;
        reject(new TimeoutError(`${this.name}: no <${name || 'element'}> from the server during login within ${this.timeout} ms`));
      }, this.timeout);
      const tryTake = () => {
        if (this._transportError) {
          clearTimeout(timer);
          this._streamWaiter = null;
          reject(this._transportError);
          return true;
        }
        while (this._streamQueue.length) {
          const el = this._streamQueue.shift();
          if (el.localName === 'open' || el.localName === 'stream') continue;
          if (el.localName === 'error' && el.namespaceURI === NS.streams) {
            clearTimeout(timer);
            this._streamWaiter = null;
            reject(new Error(`${this.name}: stream error during login: ${xmlOf(el)}`));
            return true;
          }
          if (name && el.localName !== name) continue;
          clearTimeout(timer);
          this._streamWaiter = null;
          resolve(el);
          return true;
        }
        return false;
      };
      if (!tryTake()) this._streamWaiter = tryTake;
    });
  }

  _incoming(el) {
    this._log('<-', xmlOf(el));
    if (!this._loggedIn) {
      this._streamQueue.push(el);
      if (this._streamWaiter) this._streamWaiter();
      return;
    }
    this._dispatch(el);
  }

  _dispatch(el) {
    if (el.localName === 'error' && el.namespaceURI === NS.streams) {
      this._fail(new Error(`${this.name}: stream error: ${xmlOf(el)}`));
      return;
    }
    if (el.localName === 'close' || el.localName === 'open') return;
    this.received.push(el);
    // Answer pings (XEP-0199) so the server keeps us; answer other IQ gets/sets with
    // service-unavailable as RFC 6120 requires, unless a test handler takes them.
    const type = el.getAttribute('type');
    if (el.localName === 'iq' && (type === 'result' || type === 'error')) {
      const id = el.getAttribute('id');
      const pending = this._pendingIq.get(id);
      if (pending) {
        this._pendingIq.delete(id);
        clearTimeout(pending.timer);
        pending.resolve(el);
      }
    } else if (el.localName === 'iq' && (type === 'get' || type === 'set')) {
      if (child(el, 'ping', NS.ping)) {
        this._replyIq(el, 'result');
      } else if (this.listenerCount('iq') === 0) {
        this._replyIq(el, 'error',
          `<error type="cancel"><service-unavailable xmlns="${NS.stanzas}"/></error>`);
      }
      this.emit('iq', el);
    }
    this.emit('stanza', el);
    for (const w of [...this._waiters]) {
      let ok = false;
      try { ok = w.pred(el); } catch { ok = false; }
      if (ok) {
        this._waiters.splice(this._waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(el);
      }
    }
  }

  _replyIq(iq, type, inner = '') {
    if (this.closed) return; // an IQ that raced with close(): nobody is left to answer
    const to = iq.getAttribute('from');
    this.send(`<iq type="${type}" id="${esc(iq.getAttribute('id') || '')}"${to ? ` to="${esc(to)}"` : ''}>${inner}</iq>`);
  }

  _fail(err) {
    if (this._transportError) return;
    this._transportError = err;
    this.closed = true;
    if (this._streamWaiter) this._streamWaiter();
    for (const [, p] of this._pendingIq) { clearTimeout(p.timer); p.reject(err); }
    this._pendingIq.clear();
    for (const w of this._waiters.splice(0)) { clearTimeout(w.timer); w.reject(err); }
    this.emit('disconnected', err);
  }

  // ---- public API ----

  /**
   * Sends one stanza given as XML text. A top-level element without xmlns gets
   * xmlns="jabber:client": RFC 7395 requires it over WebSocket and XEP-0206 over BOSH.
   */
  send(xml) {
    if (this.closed) throw new Error(`${this.name}: send on a closed connection`);
    this._sendRaw(withClientNs(xml));
  }

  /**
   * Sends an IQ and resolves with the reply stanza (type result or error). Rejects with a
   * TimeoutError if nothing comes within the timeout. `to` may be null (the account itself).
   */
  iq(type, to, inner, { timeout = this.timeout } = {}) {
    const id = this.nextId('iq');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pendingIq.delete(id);
        reject(new TimeoutError(`${this.name}: no reply to IQ ${id} to ${to} within ${timeout} ms: ${inner}`));
      }, timeout);
      this._pendingIq.set(id, { resolve, reject, timer });
      try {
        this.send(`<iq type="${type}" id="${id}"${to ? ` to="${esc(to)}"` : ''}>${inner}</iq>`);
      } catch (e) {
        clearTimeout(timer);
        this._pendingIq.delete(id);
        reject(e);
      }
    });
  }

  /** Index into `received` from which a later waitFor starts looking. */
  mark() {
    return this.received.length;
  }

  /**
   * Resolves with the first stanza satisfying pred, looking first at stanzas already received
   * from index `from` (default 0), then at new ones. Rejects after `timeout` ms with a message
   * naming `what` and listing the last stanzas received.
   */
  waitFor(pred, { timeout = this.timeout, from = 0, what = 'matching stanza' } = {}) {
    for (let i = from; i < this.received.length; i++) {
      let ok = false;
      try { ok = pred(this.received[i]); } catch { ok = false; }
      if (ok) return Promise.resolve(this.received[i]);
    }
    if (this._transportError) return Promise.reject(this._transportError);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve, reject };
      w.timer = setTimeout(() => {
        this._waiters.splice(this._waiters.indexOf(w), 1);
        const recent = this.received.slice(-6).map(xmlOf).join('\n  ');
        reject(new TimeoutError(`${this.name}: no ${what} within ${timeout} ms; last stanzas:\n  ${recent}`));
      }, timeout);
      this._waiters.push(w);
    });
  }

  /** Sends the conference request (Jitsi focus protocol) and resolves with the reply. */
  conferenceRequest(focusJid, roomJid, { properties = {}, extraAttrs = '', timeout } = {}) {
    const room = roomJid === null ? '' : ` room="${esc(roomJid)}"`;
    const props = Object.entries(properties)
      .map(([k, v]) => `<property name="${esc(k)}" value="${esc(v)}"/>`).join('');
    return this.iq('set', focusJid,
      `<conference xmlns="${NS.focus}"${room} machine-uid="${this.name}-uid"${extraAttrs}>${props}</conference>`,
      { timeout });
  }

  /**
   * Joins a MUC room and resolves with the parsed self-presence (mucPresence) or, if the
   * server refuses, with the parsed error presence (its `error` set). Never rejects on a
   * refusal; rejects on timeout.
   */
  async joinRoom(roomJid, nick, { timeout = this.timeout, password } = {}) {
    const occupant = `${roomJid}/${nick}`;
    const from = this.mark();
    const pw = password ? `<password>${esc(password)}</password>` : '';
    this.send(`<presence to="${esc(occupant)}"><x xmlns="${NS.muc}">${pw}</x></presence>`);
    const p = await this.waitFor((s) => s.localName === 'presence'
      && s.getAttribute('from') === occupant
      && (s.getAttribute('type') === 'error' || mucPresence(s).self),
    { timeout, from, what: `self-presence from ${occupant}` });
    return mucPresence(p);
  }

  /** Leaves a room (unavailable presence) and waits for the server's confirmation. */
  async leaveRoom(roomJid, nick, { timeout = this.timeout } = {}) {
    const occupant = `${roomJid}/${nick}`;
    const from = this.mark();
    this.send(`<presence to="${esc(occupant)}" type="unavailable"/>`);
    await this.waitFor((s) => s.localName === 'presence' && s.getAttribute('from') === occupant
      && s.getAttribute('type') === 'unavailable', { timeout, from, what: `unavailable from ${occupant}` });
  }

  /**
   * Presences received from occupants of a room, latest per nick, as mucPresence objects;
   * occupants that left are dropped.
   */
  occupants(roomJid) {
    const byNick = new Map();
    for (const s of this.received) {
      if (s.localName !== 'presence') continue;
      const p = mucPresence(s);
      if (p.room !== roomJid || !p.nick) continue;
      if (p.type === 'unavailable' || p.type === 'error') byNick.delete(p.nick);
      else byNick.set(p.nick, p);
    }
    return byNick;
  }

  /** Closes the stream (and the BOSH session or WebSocket). Idempotent. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.transport === 'bosh') await this._boshClose();
    else await this._wsClose();
    for (const w of this._waiters.splice(0)) { clearTimeout(w.timer); w.reject(new Error(`${this.name}: closed`)); }
    for (const [, p] of this._pendingIq) { clearTimeout(p.timer); p.reject(new Error(`${this.name}: closed`)); }
    this._pendingIq.clear();
  }

  /** Drops the connection without closing the stream, as a crashed browser would. */
  abort() {
    this.closed = true;
    this._aborted = true;
    if (this.ws) this.ws.terminate();
    if (this._boshAbort) this._boshAbort.abort();
  }

  // ---- WebSocket (RFC 7395) ----

  _wsOpen() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, 'xmpp');
      this.ws = ws;
      const timer = setTimeout(() => reject(new TimeoutError(`${this.name}: WebSocket ${this.url} did not open`)), this.timeout);
      ws.on('open', () => {
        clearTimeout(timer);
        if (ws.protocol !== 'xmpp') {
          reject(new Error(`${this.name}: server did not accept the xmpp subprotocol`));
          return;
        }
        this._wsSendOpen();
        resolve();
      });
      ws.on('message', (data) => {
        let el;
        try { el = parseXml(data.toString('utf8')); } catch (e) { this._fail(e); return; }
        this._incoming(el);
      });
      ws.on('error', (e) => { clearTimeout(timer); reject(e); this._fail(e); });
      ws.on('close', (code) => {
        if (!this.closed) this._fail(new Error(`${this.name}: WebSocket closed by the server (${code})`));
        this.closed = true;
      });
    });
  }

  _wsSendOpen() {
    this._sendRaw(`<open xmlns="${NS.framing}" to="${esc(this.domain)}" version="1.0"/>`);
  }

  async _wsClose() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    await new Promise((resolve) => {
      const timer = setTimeout(() => { ws.terminate(); resolve(); }, 2000);
      ws.once('close', () => { clearTimeout(timer); resolve(); });
      // The server answers <close/> and closes the WebSocket.
      ws.on('message', (d) => { if (String(d).includes('<close')) ws.close(); });
      ws.send(`<close xmlns="${NS.framing}"/>`);
    });
  }

  // ---- BOSH (XEP-0124 + XEP-0206) ----

  async _boshOpen() {
    this._rid = Math.floor(Math.random() * 1e9) + 1;
    this._outQueue = [];
    this._inflight = 0;
    this._boshAbort = new AbortController();
    const body = await this._boshRequest(
      `<body xmlns="${NS.httpbind}" xmlns:xmpp="${NS.xbosh}" content="text/xml; charset=utf-8" `
      + `hold="1" rid="${this._rid}" to="${esc(this.domain)}" ver="1.6" wait="20" `
      + `xml:lang="en" xmpp:version="1.0"/>`);
    if (body.getAttribute('type') === 'terminate') throw new Error(`BOSH session refused: ${xmlOf(body)}`);
    this.sid = body.getAttribute('sid');
    if (!this.sid) throw new Error(`BOSH: no sid in ${xmlOf(body)}`);
    this._boshHandleBody(body);
    this._boshPump();
  }

  async _boshRestart() {
    // The restart request is sent alone; its response carries the new stream features.
    this._outQueue.push({ restart: true });
    this._boshPump();
  }

  _boshRequest(xml) {
    this._log('->', xml);
    return fetch(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8' },
      body: xml,
      signal: this._boshAbort.signal,
    }).then(async (r) => {
      const t = await r.text();
      if (!r.ok) throw new Error(`${this.name}: BOSH HTTP ${r.status}: ${t.slice(0, 200)}`);
      return parseXml(t);
    });
  }

  _boshHandleBody(body) {
    if (body.getAttribute('type') === 'terminate') {
      if (!this.closed) {
        this._fail(new Error(`${this.name}: BOSH session terminated by the server: ${xmlOf(body)}`));
      }
      return;
    }
    for (const el of children(body)) this._incoming(el);
  }

  /**
   * Keeps one request waiting at the server (hold=1) and sends queued stanzas in a second
   * request at most; rids increase by one per request.
   *
   * Two requests sent back to back travel on two HTTP connections and may reach the server
   * in the opposite order. XEP-0124 says the server must sort them by rid, but ejabberd 23.01
   * parks the later one until the earlier one is answered, and the earlier one (an empty
   * poll) is only answered when data arrives or after `wait` seconds: the stanza in the later
   * request is stuck that long (seen as a bind or a MUC join hanging for 20 s). So an empty
   * poll waits for the current tick to end (stanzas queued meanwhile ride along), and a
   * second request is sent only once the first has been on its way for BOSH_SPACING_MS.
   */
  _boshPump() {
    if (this.closed || this._transportError) return;
    const haveOut = this._outQueue.length > 0;
    if (!(this._inflight === 0 || (haveOut && this._inflight < 2))) return;
    if (!haveOut) {
      if (!this._pollPending) {
        this._pollPending = true;
        setImmediate(() => { this._pollPending = false; this._boshPumpNow(); });
      }
      return;
    }
    const since = performance.now() - (this._lastSentAt || 0);
    if (this._inflight === 1 && since < BOSH_SPACING_MS) {
      if (!this._spacingTimer) {
        this._spacingTimer = setTimeout(() => { this._spacingTimer = null; this._boshPump(); },
          BOSH_SPACING_MS - since);
      }
      return;
    }
    this._boshPumpNow();
  }

  _boshPumpNow() {
    if (this.closed || this._transportError) return;
    const haveOut = this._outQueue.length > 0;
    if (!(this._inflight === 0 || (haveOut && this._inflight < 2))) return;
    let attrs = '';
    let payload = '';
    if (haveOut && this._outQueue[0].restart) {
      this._outQueue.shift();
      attrs = ` xmlns:xmpp="${NS.xbosh}" xmpp:restart="true" to="${esc(this.domain)}" xml:lang="en"`;
    } else {
      while (this._outQueue.length && !this._outQueue[0].restart) payload += this._outQueue.shift().xml;
    }
    const rid = ++this._rid;
    this._inflight++;
    this._lastSentAt = performance.now();
    this._boshRequest(`<body xmlns="${NS.httpbind}" rid="${rid}" sid="${this.sid}"${attrs}>${payload}</body>`)
      .then((body) => {
        this._inflight--;
        this._boshHandleBody(body);
        this._boshPump();
      }, (e) => {
        this._inflight--;
        if (!this.closed) this._fail(e);
      });
  }

  async _boshClose() {
    clearTimeout(this._spacingTimer);
    const since = performance.now() - (this._lastSentAt || 0);
    if (since < BOSH_SPACING_MS) await new Promise((r) => setTimeout(r, BOSH_SPACING_MS - since));
    const payload = this._outQueue.map((o) => o.xml || '').join('');
    this._outQueue = [];
    const rid = ++this._rid;
    try {
      await this._boshRequest(`<body xmlns="${NS.httpbind}" rid="${rid}" sid="${this.sid}" type="terminate">`
        + `${payload}<presence xmlns="${NS.client}" type="unavailable"/></body>`);
    } catch { /* the server may already have ended the session */ }
    this._boshAbort.abort();
  }

  _sendRaw(xml) {
    if (this.transport === 'bosh') {
      if (!this._outQueue) throw new Error('BOSH session not open');
      this._outQueue.push({ xml });
      this._boshPump();
    } else {
      this._log('->', xml);
      this.ws.send(xml);
    }
  }
}

function withClientNs(xml) {
  const m = /^\s*<([A-Za-z][\w.-]*)([\s>/])/.exec(xml);
  if (!m) return xml;
  const head = xml.slice(0, xml.indexOf('>') + 1);
  if (/\sxmlns\s*=/.test(head)) return xml;
  const at = m.index + 1 + m[1].length;
  return `${xml.slice(0, at)} xmlns="${NS.client}"${xml.slice(at)}`;
}
