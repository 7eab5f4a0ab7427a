// SPDX-License-Identifier: MIT
// xmpp/connection.js with XEP-0198, against a scripted stand-in for strophe.js: an account's
// WebSocket session is enabled for resumption after binding; a dropped socket is resumed on a
// new connection (<resume/> instead of binding), with handlers, pending IQs, unacknowledged
// stanzas and stanzas sent meanwhile carried over; <failed/>, a stream error, a guest or the
// window closing end in 'disconnected' (the caller rejoins).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XmppConnection } from '../xmpp/connection.js';
import { parseXml } from './helpers.mjs';

const Status = { ERROR: 0, CONNECTING: 1, CONNFAIL: 2, AUTHENTICATING: 3, AUTHFAIL: 4, CONNECTED: 5,
  DISCONNECTED: 6, DISCONNECTING: 7, ATTACHED: 8, REDIRECT: 9, CONNTIMEOUT: 10, BINDREQUIRED: 11 };

const esc = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const xml = (name, attrs = {}, inner = '') => {
  const a = { xmlns: 'jabber:client', ...attrs };
  return parseXml(`<${name} ${Object.entries(a).map(([k, v]) => `${k}="${esc(v)}"`).join(' ')}>${inner}</${name}>`);
};
const sm = (name, attrs = {}, inner = '') => xml(name, { xmlns: 'urn:xmpp:sm:3', ...attrs }, inner);

/** A fake strophe.js: every Connection made is kept in `made`; tests drive them. */
function fakeStrophe() {
  const made = [];
  class Connection {
    constructor(url, options) {
      this.url = url;
      this.options = options;
      this.sent = [];
      this.handlers = [];
      this.features = null;
      this.jid = null;
      this.authenticated = false;
      this._proto = { socket: { close: () => this.drop() } };
      this.ids = 0;
      made.push(this);
    }

    connect(jid, pass, cb) { this.login = { jid, pass }; this.cb = cb; }

    /** The server accepted the login; `sm` says whether it offers XEP-0198. */
    loggedIn({ sm: offered = true } = {}) {
      this.features = parseXml(`<features xmlns="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/>${offered ? '<sm xmlns="urn:xmpp:sm:3"/>' : ''}</features>`);
      this.cb(Status.BINDREQUIRED);
    }

    bind() {
      this.jid = `${this.login.jid.includes('@') ? this.login.jid : `guest1@${this.login.jid}`}/res1`;
      this.authenticated = true;
      this.cb(Status.CONNECTED);
    }

    send(el) {
      const e = el.tree ? el.tree() : el;
      this.sent.push(e);
      this.xmlOutput?.(e);
    }

    /** An element from the server: the xmlInput hook, then the matching handlers. */
    deliver(el) {
      this.xmlInput?.(el);
      if (!this.authenticated) return;
      for (const h of [...this.handlers]) {
        const [fn, , name, type, id] = h;
        if (name && el.localName !== name) continue;
        if (type && !(Array.isArray(type) ? type : [type]).includes(el.getAttribute('type'))) continue;
        if (id && el.getAttribute('id') !== id) continue;
        if (!fn(el)) this.handlers.splice(this.handlers.indexOf(h), 1);
      }
    }

    drop(status = Status.CONNFAIL, condition = 'socket closed') {
      if (this.dropped) return;
      this.dropped = true;
      this.cb?.(status, condition);
      this.cb?.(Status.DISCONNECTED, null);
    }

    addHandler(fn, ns, name, type, id) { const h = [fn, ns, name, type, id]; this.handlers.push(h); return h; }
    deleteHandler(h) { const i = this.handlers.indexOf(h); if (i >= 0) this.handlers.splice(i, 1); }
    getUniqueId(s) { return `${s}-${++this.ids}`; }
    reset() {}
    flush() {}
    disconnect() { this.drop(Status.DISCONNECTED); }
    sentSm(name) { return this.sent.filter((e) => e.localName === name && e.namespaceURI === 'urn:xmpp:sm:3'); }
    sentStanzas() { return this.sent.filter((e) => ['iq', 'message', 'presence'].includes(e.localName)); }
  }
  const builder = (name, attrs) => ({ tree: () => xml(name, attrs) });
  return { made, lib: { Strophe: { Connection, Status }, $build: builder, $iq: (a) => builder('iq', a), $pres: (a) => builder('presence', a), $msg: (a) => builder('message', a) } };
}

const CFG = { domain: 'meet.example', anonymousdomain: 'guest.meet.example', websocket: 'ws://127.0.0.1:1/xmpp-websocket' };
const ACCOUNT = { jid: 'ada@meet.example', password: 'pw' };
const tick = () => new Promise((r) => setTimeout(r, 0));

/** Connects `x` over its first fake connection; returns that connection. */
async function connected(x, made, { smOffered = true, max = '20' } = {}) {
  const p = x.connect();
  await tick();
  const c = made.at(-1);
  c.loggedIn({ sm: smOffered });
  await p;
  if (c.sentSm('enable').length) c.deliver(sm('enabled', { id: 'sess-1', resume: 'true', max }));
  return c;
}

function events(x) {
  const seen = [];
  for (const t of ['interrupted', 'resumed', 'disconnected']) x.addEventListener(t, (e) => seen.push([t, e.detail]));
  return seen;
}

test('an account over WebSocket asks for a resumable session right after binding; a guest does not', async () => {
  const f = fakeStrophe();
  const x = new XmppConnection(CFG, f.lib, ACCOUNT);
  const c = await connected(x, f.made);
  assert.equal(c.options.explicitResourceBinding, true);
  const en = c.sentSm('enable');
  assert.equal(en.length, 1);
  assert.equal(en[0].getAttribute('resume'), 'true');
  assert.equal(c.sent.indexOf(en[0]), 0, '<enable/> before any stanza');
  assert.equal(x.sm.phase, 'on');
  assert.equal(x.sm.resumable, true);
  await x.disconnect();

  const g = fakeStrophe();
  const y = new XmppConnection(CFG, g.lib, null);
  const gc = await connected(y, g.made);
  assert.equal(gc.sentSm('enable').length, 0, 'anonymous: no stream management');
  assert.equal(y.sm, null);
  const seen = events(y);
  gc.drop();
  assert.deepEqual(seen.map((s) => s[0]), ['disconnected'], 'a guest rejoins at once');
  assert.equal(seen[0][1].unexpected, true);
});

test('<r/> is answered with the count of stanzas received', async () => {
  const f = fakeStrophe();
  const x = new XmppConnection(CFG, f.lib, ACCOUNT);
  const c = await connected(x, f.made);
  for (let i = 0; i < 3; i++) c.deliver(xml('message', { from: 'r@conference.meet.example/a', type: 'groupchat' }, '<body>hi</body>'));
  c.deliver(sm('r'));
  await tick();
  assert.equal(c.sentSm('a').at(-1)?.getAttribute('h'), '3');
  await x.disconnect();
});

test('a dropped socket is resumed: handlers, the pending IQ and unacked stanzas carry over', async () => {
  const f = fakeStrophe();
  const x = new XmppConnection(CFG, f.lib, ACCOUNT);
  const c = await connected(x, f.made);
  const got = [];
  x.addHandler((m) => { got.push(m.getAttribute('id')); return true; }, null, 'message');
  const iq = x.sendIQ(xml('iq', { type: 'get', to: 'focus.meet.example', id: 'q1' }), 5000);
  x.send(xml('presence', { id: 'p1' }));
  c.deliver(xml('message', { id: 'm1' }));
  c.deliver(sm('a', { h: '1' })); // the server got the IQ, not the presence
  const seen = events(x);
  c.drop();
  assert.deepEqual(seen.map((s) => s[0]), ['interrupted'], 'no disconnected: resuming');
  assert.equal(x.connected, false);
  assert.ok(x.resuming);
  await tick();
  const c2 = f.made.at(-1);
  assert.notEqual(c2, c, 'a new connection');
  assert.deepEqual(c2.login, { jid: ACCOUNT.jid, pass: ACCOUNT.password }, 'the same account');
  x.send(xml('message', { id: 'later', to: 'r@conference.meet.example', type: 'groupchat' }));
  c2.loggedIn();
  const res = c2.sentSm('resume');
  assert.equal(res.length, 1);
  assert.equal(res[0].getAttribute('previd'), 'sess-1');
  assert.equal(res[0].getAttribute('h'), '1');
  assert.equal(c2.sent.filter((e) => e.localName === 'iq' && e.getAttribute('type') === 'set').length, 0, 'no resource binding');
  c2.deliver(sm('resumed', { previd: 'sess-1', h: '1' }));
  assert.deepEqual(seen.map((s) => s[0]), ['interrupted', 'resumed']);
  assert.equal(seen[1][1].resent, 1);
  assert.equal(x.conn, c2);
  assert.equal(x.connected, true);
  assert.equal(c2.jid, 'ada@meet.example/res1', 'the session keeps its JID');
  assert.deepEqual(c2.sentStanzas().map((e) => e.getAttribute('id')), ['p1', 'later'], 'unacked, then sent while resuming');
  c2.deliver(xml('message', { id: 'm2' }));
  assert.deepEqual(got, ['m1', 'm2'], 'the message handler carried over');
  c2.deliver(xml('iq', { type: 'result', id: 'q1', from: 'focus.meet.example' }));
  assert.equal((await iq).getAttribute('id'), 'q1', 'the IQ sent before the drop is answered after it');
  c2.deliver(sm('r'));
  await tick();
  assert.equal(c2.sentSm('a').at(-1)?.getAttribute('h'), '3', 'counting continues: m1, m2, the IQ result');
  assert.equal(x.resumes, 1);

  // A second loss on the resumed connection resumes again, from where the first left off.
  c2.deliver(sm('a', { h: '3' }));
  c2.drop();
  assert.deepEqual(seen.map((s) => s[0]), ['interrupted', 'resumed', 'interrupted']);
  await tick();
  const c3 = f.made.at(-1);
  assert.notEqual(c3, c2);
  c3.loggedIn();
  assert.equal(c3.sentSm('resume')[0]?.getAttribute('h'), '3');
  c3.deliver(sm('resumed', { previd: 'sess-1', h: '3' }));
  assert.deepEqual(seen.map((s) => s[0]), ['interrupted', 'resumed', 'interrupted', 'resumed']);
  assert.equal(c3.sentStanzas().length, 0, 'nothing left to send again');
  assert.equal(x.resumes, 2);
  await x.disconnect();
});

test('<failed/> to the resume: disconnected, the caller rejoins', async () => {
  const f = fakeStrophe();
  const x = new XmppConnection(CFG, f.lib, ACCOUNT);
  const c = await connected(x, f.made);
  const seen = events(x);
  c.drop();
  await tick();
  const c2 = f.made.at(-1);
  c2.loggedIn();
  c2.deliver(sm('failed', {}, '<item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>'));
  assert.deepEqual(seen.map((s) => s[0]), ['interrupted', 'disconnected']);
  assert.equal(seen[1][1].unexpected, true);
  assert.equal(seen[1][1].condition, 'resume-failed');
  assert.match(seen[1][1].reason, /item-not-found/);
  assert.equal(x.resuming, null);
});

test('a stream error (the server ended the session) is not resumed', async () => {
  const f = fakeStrophe();
  const x = new XmppConnection(CFG, f.lib, ACCOUNT);
  const c = await connected(x, f.made);
  const seen = events(x);
  c.drop(Status.ERROR, 'system-shutdown');
  assert.deepEqual(seen.map((s) => s[0]), ['disconnected']);
  assert.equal(seen[0][1].condition, 'system-shutdown');
  assert.equal(f.made.length, 1, 'no resume attempt');
});

test('unreachable until the window closes: attempts again, then gives up and rejoins', async () => {
  const f = fakeStrophe();
  const x = new XmppConnection(CFG, f.lib, ACCOUNT);
  const c = await connected(x, f.made, { max: '1' }); // a 1 s window (0.5 s with the margin)
  const seen = events(x);
  c.drop();
  const end = Date.now() + 5000;
  while (!seen.some((s) => s[0] === 'disconnected') && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    const a = f.made.at(-1);
    if (a !== c && !a.dropped && a.cb) a.drop(Status.CONNFAIL, 'refused'); // the network is still down
  }
  assert.deepEqual(seen.map((s) => s[0]), ['interrupted', 'disconnected']);
  assert.match(seen[1][1].reason, /window/);
  assert.ok(f.made.length >= 3, `tried more than once (${f.made.length - 1} attempts)`);
});

test('leaving while resuming stops the attempts and says so as expected', async () => {
  const f = fakeStrophe();
  const x = new XmppConnection(CFG, f.lib, ACCOUNT);
  const c = await connected(x, f.made);
  const seen = events(x);
  c.drop();
  await tick();
  const n = f.made.length;
  await x.disconnect();
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(f.made.length, n, 'no further attempts');
  assert.equal(x.resuming, null);
  assert.ok(!seen.some((s) => s[0] === 'disconnected' && s[1].unexpected));
});
