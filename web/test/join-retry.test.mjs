// SPDX-License-Identifier: MIT
// Retry rules that differ between Prosody and ejabberd: the conference request treats
// forbidden (ejabberd, focus component disconnected) as "focus unreachable, back off", and a
// MUC join refused with forbidden asks the focus once more before calling it a ban.
// The XMPP connection here is a scripted stand-in; the stanzas it answers with are the ones
// the two servers send (see tests/integration/ejabberd).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestConference, UNREACHABLE } from '../xmpp/focus.js';
import { IqError } from '../xmpp/connection.js';
import { MucRoom } from '../xmpp/muc.js';
import { parseXml } from './helpers.mjs';

/** Chainable stand-in for strophe's $iq/$pres builders; records the top element. */
function builder(name, attrs) {
  const root = { name, attrs, children: [] };
  let cur = root;
  const stack = [];
  const b = {
    root,
    c(n, a) { const el = { name: n, attrs: a ?? {}, children: [], parent: cur }; cur.children.push(el); stack.push(cur); cur = el; return b; },
    t(text) { cur.text = text; return b; },
    up() { cur = stack.pop() ?? root; return b; },
  };
  return b;
}

function fakeXmpp({ iqAnswers = [] } = {}) {
  const x = {
    sent: [],
    iqs: 0,
    handler: null,
    $iq: (a) => builder('iq', a),
    $pres: (a) => builder('presence', a),
    send(b) { x.sent.push(b.root); },
    async sendIQ() {
      const a = iqAnswers[x.iqs++];
      if (a instanceof Error) throw a;
      return parseXml(a);
    },
    addHandler(fn, ns, name) { if (name === 'presence') x.handler = fn; return 1; },
    removeHandler() { x.handler = null; },
  };
  return x;
}

const READY = '<iq xmlns="jabber:client" type="result"><conference xmlns="http://jitsi.org/protocol/focus" ready="true" focusjid="focus.x"/></iq>';
const forbidden = (text) => new IqError('forbidden', 'auth', null, text);

test('conference request: ejabberd forbidden while the focus is away is retried with backoff', async () => {
  assert.ok(UNREACHABLE.has('forbidden'));
  assert.ok(UNREACHABLE.has('remote-server-timeout'));
  const x = fakeXmpp({ iqAnswers: [forbidden('Access denied by service policy'),
    new IqError('remote-server-timeout', 'wait', null), READY] });
  const waits = [];
  const slept = [];
  const res = await requestConference(x, {
    focus: 'focus.x', room: 'r@conference.x', machineUid: 'm', maxUnreachable: 5,
    onWait: (w) => waits.push(w.reason), sleep: async (ms) => { slept.push(ms); },
  });
  assert.equal(res.focusJid, 'focus.x');
  assert.deepEqual(waits, ['forbidden', 'remote-server-timeout']);
  assert.deepEqual(slept, [1000, 2000]);
});

test('conference request: forbidden that never stops ends as focus-unreachable, not rejected', async () => {
  const x = fakeXmpp({ iqAnswers: [forbidden(), forbidden(), forbidden()] });
  await assert.rejects(requestConference(x, {
    focus: 'focus.x', room: 'r@conference.x', machineUid: 'm', maxUnreachable: 3, sleep: async () => {},
  }), (e) => e.code === 'focus-unreachable');
  assert.equal(x.iqs, 3);
});

test('conference request: not-authorized and other refusals still fail at once', async () => {
  for (const [cond, code] of [['not-authorized', 'not-authorized'], ['bad-request', 'rejected']]) {
    const x = fakeXmpp({ iqAnswers: [new IqError(cond, 'cancel', null)] });
    await assert.rejects(requestConference(x, {
      focus: 'focus.x', room: 'r@conference.x', machineUid: 'm', sleep: async () => {},
    }), (e) => e.code === code);
    assert.equal(x.iqs, 1);
  }
});

const ROOM = 'r@conference.x';
const errorPresence = (cond) => parseXml(`<presence xmlns="jabber:client" type="error" from="${ROOM}/me">
  <x xmlns="http://jabber.org/protocol/muc"/>
  <error type="auth"><${cond} xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`);
const selfPresence = () => parseXml(`<presence xmlns="jabber:client" from="${ROOM}/me">
  <x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/><status code="110"/></x></presence>`);
const joins = (x) => x.sent.filter((s) => s.name === 'presence' && !s.attrs.type).length;
const tick = () => new Promise((r) => setImmediate(r));

test('MUC join: first forbidden asks the focus again and re-joins (destroyed room on ejabberd)', async () => {
  const x = fakeXmpp();
  let asked = 0;
  const room = new MucRoom(x, { roomJid: ROOM, nick: 'me', focusJids: ['focus.x'],
    reconference: async () => { asked++; } });
  const joined = room.join();
  assert.equal(joins(x), 1);
  x.handler(errorPresence('forbidden'));
  await tick();
  assert.equal(asked, 1);
  assert.equal(joins(x), 2);
  x.handler(selfPresence());
  await joined;
  assert.equal(room.joined, true);
  room.leave();
});

test('MUC join: a second forbidden is a ban', async () => {
  const x = fakeXmpp();
  let asked = 0;
  const room = new MucRoom(x, { roomJid: ROOM, nick: 'me', focusJids: ['focus.x'],
    reconference: async () => { asked++; } });
  const joined = room.join();
  x.handler(errorPresence('forbidden'));
  await tick();
  x.handler(errorPresence('forbidden'));
  await assert.rejects(joined, (e) => e.code === 'banned' && e.condition === 'forbidden');
  assert.equal(asked, 1);
  assert.equal(joins(x), 2);
  room.leave();
});

test('MUC join: when the second conference request fails, the join fails with its error', async () => {
  const x = fakeXmpp();
  const room = new MucRoom(x, { roomJid: ROOM, nick: 'me', focusJids: ['focus.x'],
    reconference: async () => { throw Object.assign(new Error('focus gone'), { code: 'focus-unreachable' }); } });
  const joined = room.join();
  x.handler(errorPresence('forbidden'));
  await assert.rejects(joined, (e) => e.code === 'focus-unreachable');
  assert.equal(joins(x), 1);
  room.leave();
});

test('MUC join: without a reconference hook forbidden is a ban at once', async () => {
  const x = fakeXmpp();
  const room = new MucRoom(x, { roomJid: ROOM, nick: 'me', focusJids: ['focus.x'] });
  const joined = room.join();
  x.handler(errorPresence('forbidden'));
  await assert.rejects(joined, (e) => e.code === 'banned');
  room.leave();
});
