// SPDX-License-Identifier: MIT
// E2EE key agreement and signalling (web/e2ee/exchange.js, signal.js): pairwise keys from
// ECDH (X25519, P-256 where a browser lacks it) agree on both sides and nobody else has them;
// wrapped key messages open only for their addressee and only unaltered; the short
// authentication string is the same for both people of a pair and changes when a server
// swaps a key; presence and messages on the wire; the meeting's state follows moderators only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { commonCurve, fromB64, generateIdentity, pairwise, sas, SAS_EMOJI, toB64, unwrapKeys, wrapKeys } from '../e2ee/exchange.js';
import { addPresence, buildMessage, meetingState, NS_E2EE, parseMessage, parsePresence, supersedes } from '../e2ee/signal.js';
import { parseXml } from './helpers.mjs';

const subtle = webcrypto.subtle;
const rand = (n) => webcrypto.getRandomValues(new Uint8Array(n));
const pubsOf = (id) => Object.fromEntries(Object.entries(id).map(([c, v]) => [c, v.pub]));
const keys = [{ gen: 2, step: 5, raw: rand(32) }, { gen: 3, step: 0, raw: rand(32) }];

test('pairwise keys: both sides agree, per direction; a third party has other keys', async () => {
  const [a, b, m] = await Promise.all([generateIdentity(subtle), generateIdentity(subtle), generateIdentity(subtle)]);
  assert.ok(a.x25519 && a.p256, 'node has both curves');
  assert.equal(a.x25519.pub.length, 32);
  assert.equal(a.p256.pub.length, 65);
  const ab = await pairwise(subtle, 'alice', a, 'bob', pubsOf(b));
  const ba = await pairwise(subtle, 'bob', b, 'alice', pubsOf(a));
  assert.equal(ab.curve, 'x25519');
  const msg = await wrapKeys(subtle, ab.send, 'alice', 'bob', 7, keys, rand);
  const got = await unwrapKeys(subtle, ba.recv, 'alice', 'bob', msg);
  assert.equal(got.seq, 7);
  assert.deepEqual(got.keys.map((k) => [k.gen, k.step, Buffer.from(k.raw).toString('hex')]),
    keys.map((k) => [k.gen, k.step, Buffer.from(k.raw).toString('hex')]));
  await assert.rejects(unwrapKeys(subtle, ab.recv, 'alice', 'bob', msg), 'the other direction\'s key');
  await assert.rejects(unwrapKeys(subtle, ba.recv, 'alice', 'carol', msg), 'addressed to someone else');
  await assert.rejects(unwrapKeys(subtle, ba.recv, 'mallory', 'bob', msg), 'from someone else');
  // Mallory, with Alice's public key and her own pair, cannot read what Alice sent Bob.
  const ma = await pairwise(subtle, 'bob', m, 'alice', pubsOf(a));
  await assert.rejects(unwrapKeys(subtle, ma.recv, 'alice', 'bob', msg));
  const bytes = fromB64(msg);
  bytes[20] ^= 1;
  await assert.rejects(unwrapKeys(subtle, ba.recv, 'alice', 'bob', toB64(bytes)), 'altered on the way');
  await assert.rejects(unwrapKeys(subtle, ba.recv, 'alice', 'bob', 'AAAA'), 'too short');
});

test('pairwise keys: P-256 when one side has no X25519; none without a common curve', async () => {
  const a = await generateIdentity(subtle);
  const b = await generateIdentity(subtle);
  const bOnlyP256 = { p256: b.p256 };
  const ab = await pairwise(subtle, 'a', a, 'b', { p256: b.p256.pub });
  const ba = await pairwise(subtle, 'b', bOnlyP256, 'a', pubsOf(a));
  assert.equal(ab.curve, 'p256');
  assert.equal(ba.curve, 'p256');
  const msg = await wrapKeys(subtle, ab.send, 'a', 'b', 1, keys.slice(0, 1), rand);
  assert.equal((await unwrapKeys(subtle, ba.recv, 'a', 'b', msg)).keys.length, 1);
  assert.equal(commonCurve({ x25519: 1 }, { p256: 1 }), null);
  assert.equal(await pairwise(subtle, 'a', { x25519: a.x25519 }, 'b', { p256: b.p256.pub }), null);
});

test('key messages: malformed contents are refused', async () => {
  const a = await generateIdentity(subtle);
  const b = await generateIdentity(subtle);
  const ab = await pairwise(subtle, 'a', a, 'b', pubsOf(b));
  const ba = await pairwise(subtle, 'b', b, 'a', pubsOf(a));
  // wrapKeys checks nothing: a peer (or a bug) can send anything the pairwise key wraps.
  const wrapRaw = (obj) => wrapKeys(subtle, ab.send, 'a', 'b', obj.seq, obj.keys, rand);
  await assert.rejects(unwrapKeys(subtle, ba.recv, 'a', 'b', await wrapRaw({ seq: 1, keys: [{ gen: 300, step: 0, raw: rand(32) }] })));
  await assert.rejects(unwrapKeys(subtle, ba.recv, 'a', 'b', await wrapRaw({ seq: 1, keys: [{ gen: 1, step: 0, raw: rand(16) }] })));
  await assert.rejects(unwrapKeys(subtle, ba.recv, 'a', 'b', await wrapRaw({ seq: 1, keys: Array(5).fill(keys[0]) })));
});

test('SAS: the same on both sides, 7 emoji and 3 groups of digits; a swapped key gives another', async () => {
  const [a, b, m] = await Promise.all([generateIdentity(subtle), generateIdentity(subtle), generateIdentity(subtle)]);
  const A = { id: 'alice', curve: 'x25519', pub: a.x25519.pub };
  const B = { id: 'bob', curve: 'x25519', pub: b.x25519.pub };
  const M = { id: 'bob', curve: 'x25519', pub: m.x25519.pub };
  const ab = await sas(subtle, A, B);
  const ba = await sas(subtle, B, A);
  assert.deepEqual(ab, ba);
  assert.equal(ab.emoji.length, 7);
  assert.ok(ab.emoji.every((e) => SAS_EMOJI.includes(e)));
  assert.match(ab.digits, /^\d{4} \d{4} \d{4}$/);
  // A server in the middle gives Alice its own key as Bob's: Alice's string is another.
  const am = await sas(subtle, A, M);
  assert.notDeepEqual(am.emoji, ab.emoji);
  assert.notEqual(am.digits, ab.digits);
  assert.equal(SAS_EMOJI.length, 64);
  assert.equal(new Set(SAS_EMOJI.map((e) => e[1])).size, 64, 'every emoji has its own name');
});

/** A minimal strophe-like builder producing an XML string. */
function builder(name, attrs = {}) {
  const root = { name, attrs, kids: [], text: null, parent: null };
  let cur = root;
  const b = {
    c(n, a = {}) { const el = { name: n, attrs: a, kids: [], text: null, parent: cur }; cur.kids.push(el); cur = el; return b; },
    t(s) { cur.text = s; return b; },
    up() { cur = cur.parent; return b; },
    xml() {
      const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
      const ser = (e) => `<${e.name}${Object.entries(e.attrs).map(([k, v]) => ` ${k}="${esc(v)}"`).join('')}>${e.text ? esc(e.text) : ''}${e.kids.map(ser).join('')}</${e.name}>`;
      return ser(root);
    },
  };
  return b;
}

test('presence: public keys and, from a moderator, the meeting state; a browser without E2EE says so', async () => {
  const a = await generateIdentity(subtle);
  const b = builder('presence', { xmlns: 'jabber:client' });
  addPresence(b, { supported: true, pubs: pubsOf(a) }, { enabled: true, v: 3 });
  const p = parsePresence(parseXml(b.xml()));
  assert.equal(p.supported, true);
  assert.equal(Buffer.from(p.pubs.x25519).toString('hex'), Buffer.from(a.x25519.pub).toString('hex'));
  assert.equal(p.pubs.p256.length, 65);
  assert.deepEqual(p.state, { enabled: true, v: 3 });
  const n = builder('presence', { xmlns: 'jabber:client' });
  addPresence(n, { supported: false, pubs: {} }, null);
  assert.deepEqual(parsePresence(parseXml(n.xml())), { supported: false, pubs: {}, state: null });
  assert.equal(parsePresence(parseXml('<presence xmlns="jabber:client"/>')), null, 'no element: a client that knows nothing of it');
  const bad = parsePresence(parseXml(`<presence xmlns="jabber:client"><e2ee xmlns="${NS_E2EE}" supported="true" x25519="!!" p256="AAAA" enabled="maybe" v="x"/></presence>`));
  assert.deepEqual(bad, { supported: false, pubs: {}, state: null }, 'unusable keys mean no support; a bad state is none');
});

test('meeting state: moderators only; the highest version wins; on beats off at the same version', () => {
  const on1 = { enabled: true, v: 1 };
  const off2 = { enabled: false, v: 2 };
  assert.deepEqual(meetingState([{ role: 'participant', state: { enabled: true, v: 9 } }]), null);
  assert.deepEqual(meetingState([{ role: 'moderator', state: on1 }, { role: 'moderator', state: off2 }]), off2);
  assert.deepEqual(meetingState([{ role: 'moderator', state: off2 }, { role: 'participant', state: { enabled: true, v: 5 } }]), off2);
  assert.deepEqual(meetingState([{ role: 'moderator', state: { enabled: false, v: 2 } }, { role: 'moderator', state: { enabled: true, v: 2 } }]), { enabled: true, v: 2 });
  assert.equal(supersedes(on1, null), true);
  assert.equal(supersedes(on1, off2), false, 'an older declaration changes nothing');
  assert.equal(supersedes({ enabled: false, v: 1 }, on1), false);
});

test('key messages on the wire: private chat message without body, not stored; acks; junk refused', () => {
  const x = { $msg: (attrs) => builder('message', { xmlns: 'jabber:client', ...attrs }) };
  const m = buildMessage(x, 'room@conference.x/bob', { type: 'keys', seq: 4, payload: 'QUJD' });
  const xml = m.xml();
  assert.match(xml, /type="chat"/);
  assert.match(xml, /<no-store xmlns="urn:xmpp:hints">/);
  assert.doesNotMatch(xml, /<body/);
  assert.match(xml, / id="e2ee-keys-4-/);
  assert.deepEqual(parseMessage(parseXml(xml)), { type: 'keys', seq: 4, payload: 'QUJD' });
  assert.deepEqual(parseMessage(parseXml(buildMessage(x, 'r/b', { type: 'ack', seq: 4 }).xml())), { type: 'ack', seq: 4 });
  assert.deepEqual(parseMessage(parseXml(buildMessage(x, 'r/b', { type: 'request', seq: 0 }).xml())), { type: 'request', seq: 0 });
  const msg = (inner) => parseXml(`<message xmlns="jabber:client">${inner}</message>`);
  assert.equal(parseMessage(msg(`<e2ee xmlns="${NS_E2EE}" type="keys" seq="-1">QUJD</e2ee>`)), null);
  assert.equal(parseMessage(msg(`<e2ee xmlns="${NS_E2EE}" type="keys" seq="1"></e2ee>`)), null);
  assert.equal(parseMessage(msg(`<e2ee xmlns="${NS_E2EE}" type="keys" seq="1">${'A'.repeat(5000)}</e2ee>`)), null);
  assert.equal(parseMessage(msg(`<e2ee xmlns="${NS_E2EE}" type="what" seq="1"/>`)), null);
  assert.equal(parseMessage(msg('<e2ee xmlns="urn:other" type="ack" seq="1"/>')), null);
});
