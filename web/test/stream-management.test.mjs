// SPDX-License-Identifier: MIT
// stream-management.js: XEP-0198 counters (and their wrap at 2^32), the queue of stanzas the
// server has not acknowledged, and when to resume or give up (rejoin).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOD32, NS_SM, StreamManagement, ackDelta, inc32, isStanza } from '../xmpp/stream-management.js';
import { parseXml } from './helpers.mjs';

const sm = (xml) => parseXml(xml.replace(/^<(\w+)/, `<$1 xmlns="${NS_SM}"`));
const stanza = (i) => parseXml(`<message xmlns="jabber:client" id="m${i}"><body>${i}</body></message>`);

/** A StreamManagement on a hand-driven clock, enabled (resumable for `max` s). */
function enabled({ max = '20', now = { t: 1000 }, ...opts } = {}) {
  const s = new StreamManagement({ now: () => now.t, ...opts });
  const en = s.enable();
  assert.equal(en.name, 'enable');
  assert.deepEqual(en.attrs, { xmlns: NS_SM, resume: 'true' });
  const r = s.received(sm(`<enabled id="sess-1" resume="true"${max ? ` max="${max}"` : ''}/>`));
  assert.deepEqual(r, { enabled: true });
  return { s, now };
}

test('counters wrap to 0 after 2^32 - 1', () => {
  assert.equal(inc32(0), 1);
  assert.equal(inc32(MOD32 - 1), 0);
  assert.equal(ackDelta(5, 9), 4);
  assert.equal(ackDelta(MOD32 - 2, 1), 3, 'an ack across the wrap');
  assert.equal(ackDelta(7, 7), 0);
});

test('only iq, message and presence count as stanzas', () => {
  assert.ok(isStanza(stanza(1)));
  assert.ok(isStanza(parseXml('<iq xmlns="jabber:client" type="get" id="x"/>')));
  assert.ok(isStanza(parseXml('<presence xmlns="jabber:client"/>')));
  assert.ok(!isStanza(sm('<r/>')));
  assert.ok(!isStanza(sm('<a h="1"/>')));
  assert.ok(!isStanza(parseXml('<enable xmlns="urn:xmpp:sm:3"/>')));
});

test('<r/> is answered with the number of stanzas received since <enabled/>', () => {
  const s = new StreamManagement();
  s.enable();
  s.received(stanza(0)); // before <enabled/>: not counted
  s.received(sm('<enabled id="x" resume="true"/>'));
  for (let i = 0; i < 3; i++) s.received(stanza(i));
  s.received(sm('<a h="0"/>')); // not a stanza
  const r = s.received(sm('<r/>'));
  assert.deepEqual(r.send, { name: 'a', attrs: { xmlns: NS_SM, h: '3' } });
});

test('the inbound count wraps at 2^32 in the <a/> it sends', () => {
  const { s } = enabled();
  s.inbound = MOD32 - 2;
  for (let i = 0; i < 3; i++) s.received(stanza(i));
  assert.equal(s.received(sm('<r/>')).send.attrs.h, '1');
});

test('acks trim the queue of unacknowledged stanzas, oldest first', () => {
  const { s } = enabled();
  for (let i = 0; i < 6; i++) s.sent(stanza(i));
  s.sent(sm('<r/>')); // not queued
  assert.equal(s.queue.length, 6);
  s.received(sm('<a h="4"/>'));
  assert.deepEqual(s.queue.map((e) => e.getAttribute('id')), ['m4', 'm5']);
  s.received(sm('<a h="4"/>')); // a repeated ack changes nothing
  assert.equal(s.queue.length, 2);
  s.received(sm('<a h="6"/>'));
  assert.equal(s.queue.length, 0);
  s.received(sm('<a h="bogus"/>'));
  assert.equal(s.acked, 6);
});

test('acks across the 2^32 wrap trim the right stanzas', () => {
  const { s } = enabled();
  s.acked = MOD32 - 2; // the server had acked 2^32 - 2 stanzas
  for (let i = 0; i < 5; i++) s.sent(stanza(i));
  s.received(sm('<a h="1"/>')); // 2^32 - 2 → 1: three more
  assert.deepEqual(s.queue.map((e) => e.getAttribute('id')), ['m3', 'm4']);
});

test('an ack for more than was sent empties the queue and goes on', () => {
  const lines = [];
  const { s } = enabled({ log: (l) => lines.push(l) });
  s.sent(stanza(0));
  s.received(sm('<a h="9"/>'));
  assert.equal(s.queue.length, 0);
  assert.equal(s.acked, 9);
  assert.ok(lines.some((l) => /acked 9 stanzas, only 1/.test(l)));
});

test('a burst asks for an ack once; the periodic tick asks too, and calls a silent link dead', () => {
  const { s, now } = enabled({ burst: 3, requestEveryMs: 10000, ackTimeoutMs: 25000 });
  assert.equal(s.sent(stanza(0)), false);
  assert.equal(s.sent(stanza(1)), false);
  assert.equal(s.sent(stanza(2)), true, 'third stanza: ask');
  assert.equal(s.request().name, 'r');
  assert.equal(s.sent(stanza(3)), false, 'an <r/> is out: no second one');
  now.t += 5000;
  assert.equal(s.tick(), null);
  s.received(sm('<a h="4"/>'));
  now.t += 10000;
  assert.equal(s.tick(), 'request');
  s.request();
  now.t += 20000;
  assert.equal(s.tick(), null, 'still within the ack timeout');
  now.t += 6000;
  assert.equal(s.tick(), 'dead');
});

test('nothing is counted or queued before <enable/>, nor without stream management', () => {
  const s = new StreamManagement();
  assert.equal(s.sent(stanza(0)), false);
  assert.equal(s.queue.length, 0);
  assert.equal(s.received(sm('<r/>')), null);
  assert.equal(s.canResume(), false);
});

test('resume within the window; <resumed h/> returns what the server did not get', () => {
  const { s, now } = enabled({ max: '20' });
  for (let i = 0; i < 4; i++) s.received(stanza(i));
  for (let i = 0; i < 5; i++) s.sent(stanza(i));
  s.received(sm('<a h="2"/>'));
  s.lost();
  now.t += 3000;
  assert.equal(s.canResume(), true);
  const req = s.resumeRequest();
  assert.deepEqual(req, { name: 'resume', attrs: { xmlns: NS_SM, previd: 'sess-1', h: '4' } });
  const r = s.received(sm('<resumed previd="sess-1" h="3"/>'));
  assert.deepEqual(r.resumed.map((e) => e.getAttribute('id')), ['m3', 'm4']);
  assert.equal(s.queue.length, 0, 'sent again through sent(), which queues them anew');
  for (const e of r.resumed) s.sent(e);
  s.received(sm('<a h="5"/>'));
  assert.equal(s.queue.length, 0);
  s.received(stanza(9));
  assert.equal(s.received(sm('<r/>')).send.attrs.h, '5', 'counting goes on after the resume');
});

test('the resumption window comes from <enabled max/> (else 20 s), measured from the loss', () => {
  const { s, now } = enabled({ max: '10' });
  s.lost();
  now.t += 9400;
  assert.equal(s.canResume(), true);
  now.t += 200; // 9.6 s: inside the window but within the safety margin
  assert.equal(s.canResume(), false);
  const d = enabled({ max: null });
  assert.equal(d.s.maxMs, 20000);
  d.s.lost();
  d.now.t += 19000;
  assert.equal(d.s.canResume(), true);
  d.now.t += 1000;
  assert.equal(d.s.canResume(), false);
});

test('no resume without resume="true" and an id, nor after <failed/> to enable', () => {
  const s = new StreamManagement();
  s.enable();
  s.received(sm('<enabled/>'));
  assert.equal(s.canResume(), false, 'acks only');
  const t = new StreamManagement();
  t.enable();
  assert.deepEqual(t.received(sm('<failed><unexpected-request xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></failed>')), { enableFailed: true });
  assert.equal(t.phase, 'off');
  assert.equal(t.canResume(), false);
});

test('<failed/> to a resume ends the session: the unacked stanzas are reported, nothing is resumable', () => {
  const { s } = enabled();
  s.sent(stanza(0));
  s.sent(stanza(1));
  s.lost();
  const r = s.received(sm('<failed h="0"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></failed>'));
  assert.equal(r.condition, 'item-not-found');
  assert.equal(r.resumeFailed.length, 2);
  assert.equal(s.canResume(), false);
  assert.equal(s.phase, 'off');
  assert.equal(s.sent(stanza(2)), false);
  assert.equal(s.queue.length, 0);
});

test('while the link is down nothing is counted and no ack is requested', () => {
  const { s, now } = enabled();
  s.lost();
  s.received(stanza(0));
  assert.equal(s.inbound, 0);
  now.t += 60000;
  assert.equal(s.tick(), null);
});
