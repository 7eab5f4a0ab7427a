// SPDX-License-Identifier: MIT
// XEP-0198 stream resumption as the generated configs set it up (--secure-domain: accounts
// on DOMAIN, anonymous guests on guest.DOMAIN), on Prosody (mod_smacks) and on ejabberd
// (mod_stream_mgmt), over WebSocket as the web client uses it:
//  - an account gets a resumable session (<enabled resume="true" id max/>, max at most 20 s);
//    after its socket drops, a new connection logged in as the same account resumes it
//    (<resumed previd h/>) and gets a message sent to it while it was away;
//  - an anonymous guest gets an id too, but its resume on a new anonymous login (a new user
//    name) fails: the server keys resumable sessions by user. This is why the web client
//    only asks accounts to resume (web/README.md, docs/protocol.md) and guests rejoin.
//  - the web client's own connection (web/xmpp/connection.js on strophe.js, run in node)
//    through tests/lib/tcp-proxy.mjs: the account's connection cut for a moment is resumed
//    ('interrupted', then 'resumed', and its handler gets what was sent meanwhile); a guest's
//    cut goes straight to 'disconnected' (the page rejoins).
// The XEP-0198 elements of the first part are written by hand (tests/lib/xmpp-client.mjs
// binds as soon as it logs in; resuming must come instead of binding).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenario, step } from '../focus/scenario.mjs';
import { XmppClient } from '../../lib/xmpp-client.mjs';
import { startTcpProxy } from '../../lib/tcp-proxy.mjs';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web', 'package.json'));
const WebSocket = require('ws');
const { DOMParser } = require('@xmldom/xmldom');

const USER = 'ada';
const kids = (el) => Array.from({ length: el.childNodes.length }, (_, i) => el.childNodes[i]).filter((n) => n.nodeType === 1);
const offersSm = (features) => kids(features).some((n) => n.localName === 'sm' && n.namespaceURI === SM);
const PASSWORD = 'resume-me-17';
const SM = 'urn:xmpp:sm:3';
const FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';

/** A bare RFC 7395 WebSocket stream: send raw XML, wait for the next element matching. */
class RawStream {
  constructor(url, domain) {
    this.domain = domain;
    this.queue = [];
    this.waiter = null;
    this.ws = new WebSocket(url, 'xmpp');
    this.ws.on('message', (data) => {
      const el = new DOMParser().parseFromString(String(data), 'text/xml').documentElement;
      this.queue.push(el);
      this.waiter?.();
    });
    this.closed = new Promise((r) => this.ws.on('close', r));
  }

  async open() {
    await new Promise((resolve, reject) => { this.ws.once('open', resolve); this.ws.once('error', reject); });
    this.restart();
  }

  restart() {
    this.send(`<open xmlns="${FRAMING}" to="${this.domain}" version="1.0"/>`);
  }

  send(xml) {
    this.ws.send(xml);
  }

  next(pred, what, timeout = 10000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiter = null; reject(new Error(`no ${what} within ${timeout} ms`)); }, timeout);
      const take = () => {
        const i = this.queue.findIndex(pred);
        if (i < 0) return;
        clearTimeout(timer);
        this.waiter = null;
        resolve(this.queue.splice(i, 1)[0]);
      };
      this.waiter = take;
      take();
    });
  }

  /** Logs in (SASL PLAIN with user, else ANONYMOUS) and restarts the stream; resolves the features. */
  async login(user, password) {
    await this.open();
    await this.next((e) => e.localName === 'features', 'stream features');
    if (user) {
      const token = Buffer.from(`\0${user}\0${password}`).toString('base64');
      this.send(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">${token}</auth>`);
    } else {
      this.send('<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="ANONYMOUS"/>');
    }
    const outcome = await this.next((e) => e.localName === 'success' || e.localName === 'failure', 'SASL outcome');
    assert.equal(outcome.localName, 'success', 'logged in');
    this.restart();
    return this.next((e) => e.localName === 'features', 'features after SASL');
  }

  async bind() {
    this.send('<iq xmlns="jabber:client" type="set" id="b1"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>');
    const r = await this.next((e) => e.localName === 'iq' && e.getAttribute('id') === 'b1', 'bind result');
    assert.equal(r.getAttribute('type'), 'result');
    return r.getElementsByTagName('jid')[0].textContent;
  }

  async enable() {
    this.send(`<enable xmlns="${SM}" resume="true"/>`);
    return this.next((e) => e.namespaceURI === SM && (e.localName === 'enabled' || e.localName === 'failed'), '<enabled/>');
  }

  /** Drops the socket as a network failure would (no stream close). */
  drop() {
    this.ws.terminate();
    return this.closed;
  }

  close() {
    try { this.send(`<close xmlns="${FRAMING}"/>`); } catch { /* gone */ }
    this.ws.terminate();
  }
}

/** Logs in again on a new connection and asks to resume `previd`; resolves <resumed/> or <failed/>. */
async function resume(url, domain, user, password, previd, h) {
  const s = new RawStream(url, domain);
  const features = await s.login(user, password);
  assert.ok(offersSm(features), 'stream management offered after login');
  s.send(`<resume xmlns="${SM}" previd="${previd}" h="${h}"/>`);
  const answer = await s.next((e) => e.namespaceURI === SM && (e.localName === 'resumed' || e.localName === 'failed'), 'an answer to <resume/>');
  return { s, answer };
}

await scenario('xmpp-stream-resume', async (ctx) => {
  const url = `ws://127.0.0.1:${ctx.server.httpPort}/xmpp-websocket`;
  const guestDomain = `guest.${ctx.domain}`;

  // An account: resumable, resumed after a drop, with what arrived meanwhile.
  const a = new RawStream(url, ctx.domain);
  const features = await a.login(USER, PASSWORD);
  assert.ok(offersSm(features), 'the account is offered stream management');
  const jid = await a.bind();
  const enabled = await a.enable();
  assert.equal(enabled.localName, 'enabled', `enable answered ${enabled.localName}`);
  const previd = enabled.getAttribute('id');
  const max = Number(enabled.getAttribute('max'));
  assert.ok(previd && ['true', '1'].includes(enabled.getAttribute('resume')), 'resumable, with an id');
  assert.ok(max > 0 && max <= 20, `resumption window ${max} s (at most the 20 s the config sets)`);
  step(`${jid}: resumable session, window ${max} s`);
  await a.drop();

  const sender = await ctx.connect('websocket', { domain: guestDomain, name: 'sender' });
  sender.send(`<message type="chat" to="${jid}"><body>while you were away</body></message>`);
  const { s: b, answer } = await resume(url, ctx.domain, USER, PASSWORD, previd, 0);
  assert.equal(answer.localName, 'resumed', `the account's session resumed (${answer.localName})`);
  assert.equal(answer.getAttribute('previd'), previd);
  const msg = await b.next((e) => e.localName === 'message' && /while you were away/.test(e.textContent), 'the message sent meanwhile');
  assert.ok(msg, 'the message sent while it was away arrives on the resumed stream');
  b.send(`<r xmlns="${SM}"/>`);
  const ack = await b.next((e) => e.localName === 'a' && e.namespaceURI === SM, '<a/> to <r/>');
  assert.ok(Number(ack.getAttribute('h')) >= 0, 'acks go on on the resumed stream');
  step('an account resumes its session after a drop; a message sent meanwhile arrives');
  b.close();

  // An anonymous guest: the resume of a new anonymous login fails.
  const g = new RawStream(url, guestDomain);
  await g.login();
  const gjid = await g.bind();
  const genabled = await g.enable();
  const gid = genabled.localName === 'enabled' ? genabled.getAttribute('id') : null;
  step(`guest ${gjid}: <${genabled.localName}${gid ? ` id` : ''}/> (resume="${genabled.getAttribute('resume')}")`);
  if (gid) {
    await g.drop();
    const { s: g2, answer: ganswer } = await resume(url, guestDomain, null, null, gid, 0);
    assert.equal(ganswer.localName, 'failed', `a new anonymous login cannot resume the guest's session (${ganswer.localName})`);
    const cond = kids(ganswer)[0]?.localName ?? '(none)';
    step(`a guest cannot resume on a new anonymous login: <failed><${cond}/></failed>`);
    g2.close();
  } else {
    g.close();
    step('a guest is not offered a resumable session at all');
  }

  // The web client's connection code, on strophe.js in node, through a relay we can cut.
  // strophe.js reads firstElementChild of a stanza arriving while it disconnects; browsers
  // have it, @xmldom/xmldom (strophe's DOM in node, its own copy) does not.
  const stropheMain = require.resolve('strophe.js');
  const StropheDOMParser = createRequire(stropheMain)('@xmldom/xmldom').DOMParser;
  const elementProto = Object.getPrototypeOf(new StropheDOMParser().parseFromString('<x/>', 'text/xml').documentElement);
  if (!('firstElementChild' in elementProto)) {
    Object.defineProperty(elementProto, 'firstElementChild', {
      get() { for (let n = this.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) return n; return null; },
    });
  }
  const strophe = await import(stropheMain);
  const { XmppConnection } = await import('../../../web/xmpp/connection.js');
  const relay = await startTcpProxy({ port: 0, targetPort: ctx.server.httpPort });
  const cfg = { domain: ctx.domain, anonymousdomain: guestDomain, websocket: `ws://127.0.0.1:${relay.port}/xmpp-websocket`, transport: 'websocket' };
  const until = async (cond, what, timeout = 20000) => {
    const end = Date.now() + timeout;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const events = (x) => {
    const seen = [];
    for (const t of ['interrupted', 'resumed', 'disconnected']) x.addEventListener(t, (e) => seen.push([t, e.detail]));
    return seen;
  };

  const acct = new XmppConnection(cfg, strophe, { jid: `${USER}@${ctx.domain}`, password: PASSWORD });
  await acct.connect();
  await until(() => acct.sm?.phase === 'on', 'the client\'s <enabled/>');
  assert.ok(acct.sm.resumable, 'the client\'s session is resumable');
  const bodies = [];
  acct.addHandler((m) => { bodies.push(m.getElementsByTagName('body')[0]?.textContent); return true; }, null, 'message');
  const seen = events(acct);
  relay.pause();
  relay.cut();
  await until(() => seen.length > 0, 'the client noticing the cut');
  assert.equal(seen[0][0], 'interrupted', `the account's client resumes rather than rejoins (${seen[0][0]})`);
  sender.send(`<message type="chat" to="${acct.jid}"><body>during the cut</body></message>`);
  relay.resume();
  await until(() => seen.length > 1, 'the resume\'s outcome');
  assert.equal(seen[1][0], 'resumed', `resumed (${JSON.stringify(seen[1])})`);
  await until(() => bodies.includes('during the cut'), 'the message sent during the cut, at the old handler');
  const pong = await acct.sendIQ(strophe.$iq({ type: 'get', to: ctx.domain }).c('ping', { xmlns: 'urn:xmpp:ping' }), 10000);
  assert.equal(pong.getAttribute('type'), 'result', 'IQs work on the resumed stream');
  step(`the web client's account connection resumed after a cut in ${seen[1][1].ms} ms; handlers and IQs carry on`);
  await acct.disconnect();

  const guest = new XmppConnection(cfg, strophe, null);
  await guest.connect();
  assert.equal(guest.sm, null, 'the web client asks no resumable session for a guest');
  const gseen = events(guest);
  relay.cut();
  await until(() => gseen.length > 0, 'the guest\'s client noticing the cut');
  assert.equal(gseen[0][0], 'disconnected', 'a guest\'s cut is a disconnect: the page rejoins');
  assert.equal(gseen[0][1].unexpected, true);
  step('the web client\'s guest connection goes straight to the rejoin');
  await relay.close();
}, {
  focus: false,
  serverOptions: { genArgs: ['--secure-domain'], accounts: [`${USER}@meet.parley.test:${PASSWORD}`] },
});
