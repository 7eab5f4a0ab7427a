// SPDX-License-Identifier: MIT
// A minimal XEP-0114 external component client for tests (node): TCP to the XMPP server's
// component port, handshake with the shared secret, a streaming splitter that cuts the
// stream into top-level stanzas, @xmldom/xmldom to parse them, promise-based IQs.
// Used by the scripted focus (fake-focus.mjs). Node event loop; one instance per connection.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { DOMParser } from '@xmldom/xmldom';

export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }[c]));
}

/**
 * Cuts complete top-level elements out of an XML stream. Returns { elements, rest, open, closed }:
 * `open` is the stream header tag when it was seen, `closed` when </stream:stream> arrived.
 */
export function splitStream(buf) {
  const elements = [];
  let open = null;
  let closed = false;
  let pos = 0;
  for (;;) {
    const lt = buf.indexOf('<', pos);
    if (lt < 0) { pos = buf.length; break; }
    if (buf.startsWith('<?', lt)) {
      const e = buf.indexOf('?>', lt);
      if (e < 0) { pos = lt; break; }
      pos = e + 2;
      continue;
    }
    if (buf.startsWith('<stream:stream', lt)) {
      const e = tagEnd(buf, lt);
      if (e < 0) { pos = lt; break; }
      open = buf.slice(lt, e + 1);
      pos = e + 1;
      continue;
    }
    if (buf.startsWith('</stream:stream', lt)) {
      closed = true;
      pos = buf.length;
      break;
    }
    const end = elementEnd(buf, lt);
    if (end < 0) { pos = lt; break; }
    elements.push(buf.slice(lt, end));
    pos = end;
  }
  return { elements, rest: buf.slice(pos), open, closed };
}

/** Index of the '>' closing the tag that starts at `i` (quotes respected), or -1. */
function tagEnd(s, i) {
  let q = null;
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (q) { if (c === q) q = null; } else if (c === '"' || c === "'") q = c; else if (c === '>') return j;
  }
  return -1;
}

/** End index (exclusive) of the element starting at `i`, or -1 when incomplete. */
function elementEnd(s, i) {
  let depth = 0;
  let j = i;
  while (j < s.length) {
    const lt = s.indexOf('<', j);
    if (lt < 0) return -1;
    if (s.startsWith('<!--', lt)) {
      const e = s.indexOf('-->', lt);
      if (e < 0) return -1;
      j = e + 3;
      continue;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      const e = s.indexOf(']]>', lt);
      if (e < 0) return -1;
      j = e + 3;
      continue;
    }
    const e = tagEnd(s, lt);
    if (e < 0) return -1;
    if (s[lt + 1] === '/') depth--;
    else if (s[e - 1] !== '/') depth++;
    j = e + 1;
    if (depth === 0) return j;
  }
  return -1;
}

export function parseStanza(xml) {
  const doc = new DOMParser().parseFromString(
    `<w xmlns="jabber:component:accept" xmlns:stream="http://etherx.jabber.org/streams">${xml}</w>`, 'text/xml');
  for (let n = doc.documentElement.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) return n;
  return null;
}

export class Component extends EventEmitter {
  constructor({ host = '127.0.0.1', port = 5347, jid, secret }) {
    super();
    this.host = host;
    this.port = port;
    this.jid = jid;
    this.secret = secret;
    this.sock = null;
    this.buf = '';
    this.pending = new Map();
    this.counter = 0;
    this.trace = process.env.PARLEY_E2E_TRACE ? [] : null;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: this.host, port: this.port });
      this.sock = sock;
      let authed = false;
      const fail = (e) => { if (!authed) reject(e); else this.emit('error', e); };
      sock.on('error', fail);
      sock.on('close', () => this.emit('close'));
      sock.on('connect', () => {
        sock.write(`<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='${this.jid}'>`);
      });
      sock.setEncoding('utf8');
      sock.on('data', (d) => {
        this.buf += d;
        const r = splitStream(this.buf);
        this.buf = r.rest;
        if (r.open) {
          const id = /\sid=['"]([^'"]+)['"]/.exec(r.open)?.[1];
          if (!id) return fail(new Error('no stream id'));
          const digest = createHash('sha1').update(id + this.secret).digest('hex');
          sock.write(`<handshake>${digest}</handshake>`);
        }
        for (const x of r.elements) {
          if (!authed) {
            if (x.startsWith('<handshake')) { authed = true; resolve(); continue; }
            if (x.startsWith('<stream:error')) return fail(new Error(`component refused: ${x}`));
            continue;
          }
          this.trace?.push(`<< ${x}`);
          const st = parseStanza(x);
          if (st) this.dispatch(st);
        }
        if (r.closed) sock.end();
      });
    });
  }

  dispatch(st) {
    const id = st.getAttribute('id');
    const type = st.getAttribute('type');
    if (st.localName === 'iq' && (type === 'result' || type === 'error') && this.pending.has(id)) {
      const p = this.pending.get(id);
      this.pending.delete(id);
      clearTimeout(p.timer);
      if (type === 'result') p.resolve(st); else p.reject(Object.assign(new Error(`iq error: ${serializeQuick(st)}`), { stanza: st }));
      return;
    }
    this.emit('stanza', st);
  }

  send(xml) {
    this.trace?.push(`>> ${xml}`);
    this.sock.write(xml);
  }

  nextId() {
    return `ff${(++this.counter).toString(36)}${randomBytes(3).toString('hex')}`;
  }

  /** Sends an IQ (xml must not carry an id: it is added); resolves with the result stanza. */
  iq(attrs, inner, timeoutMs = 10000) {
    const id = this.nextId();
    const a = Object.entries({ ...attrs, id }).map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`iq ${id} to ${attrs.to} timed out`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send(`<iq${a}>${inner}</iq>`);
    });
  }

  result(st, inner = '') {
    this.send(`<iq type="result" from="${esc(st.getAttribute('to'))}" to="${esc(st.getAttribute('from'))}" id="${esc(st.getAttribute('id'))}">${inner}</iq>`);
  }

  close() {
    try { this.sock?.end('</stream:stream>'); } catch { /* gone */ }
    this.sock?.destroy();
  }
}

function serializeQuick(st) {
  return st.toString().slice(0, 400);
}
