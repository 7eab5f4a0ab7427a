// SPDX-License-Identifier: MIT
// E2EE media keys (web/e2ee/keys.js): the receiver's key ring and its forward ratchet, and the
// sender's key schedule (fresh key on, rotation on leave with acknowledgements or a timeout,
// ratchet on join) played against a fake transport and clock, with the properties that matter:
// a leaver cannot open what follows, a joiner cannot open what came before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { encryptFrame, frameKey, ratchet } from '../e2ee/frame.js';
import { RecvCipher } from '../e2ee/cipher.js';
import { ACK_TIMEOUT_MS, KeyRing, KeySchedule, RATCHET_WINDOW, RING_SIZE } from '../e2ee/keys.js';

const subtle = webcrypto.subtle;
const rand = (n) => webcrypto.getRandomValues(new Uint8Array(n));
const hex = (b) => Buffer.from(b).toString('hex');

async function frameWith(k, ctr = 1n) {
  return encryptFrame(subtle, await frameKey(subtle, k.raw, k.gen, k.step), 'audio', rand(60), ctr);
}

/** Whether a receiver holding `keys` (as sent to it) opens a frame made with key `k`. */
async function opens(keys, k) {
  const r = new RecvCipher(subtle);
  r.on = true;
  await r.install('s', keys);
  return (await r.process('s', 'audio', await frameWith(k))).outcome === 'ok';
}

test('ratchet: deterministic, one way, and a ring derives later steps of a generation but never earlier ones', async () => {
  const k0 = rand(32);
  const k1 = await ratchet(subtle, k0);
  const k2 = await ratchet(subtle, k1);
  assert.equal(hex(await ratchet(subtle, k0)), hex(k1));
  assert.notEqual(hex(k1), hex(k0));
  const ring = new KeyRing(subtle);
  await ring.install(4, 0, k0);
  const d2 = await ring.resolve(4, 2);
  assert.equal(hex(d2.raw), hex(k2), 'two steps ahead, derived');
  assert.equal(await ring.resolve(5, 1), null, 'another generation: not derivable');
  assert.equal(await ring.resolve(4, RATCHET_WINDOW + 1), null, 'beyond the window');
  const late = new KeyRing(subtle);
  await late.install(4, 1, k1);
  assert.equal(await late.resolve(4, 0), null, 'a joiner holding step 1 cannot go back to step 0');
  assert.equal(hex((await late.resolve(4, 2)).raw), hex(k2));
  assert.equal(await opens([{ gen: 4, step: 1, raw: k1 }], { gen: 4, step: 0, raw: k0 }), false);
  assert.equal(await opens([{ gen: 4, step: 0, raw: k0 }], { gen: 4, step: 3, raw: await ratchet(subtle, k2) }), true);
});

test('ring: a derived key is kept only once a frame opened with it; at most RING_SIZE keys, oldest out', async () => {
  const ring = new KeyRing(subtle);
  const k0 = rand(32);
  await ring.install(0, 0, k0);
  const d = await ring.resolve(0, 1);
  assert.equal(ring.has(0, 1), false, 'a guess is not kept');
  assert.equal(await ring.resolve(0, 1), d, 'but not derived again for the next frame');
  ring.keep(d);
  assert.equal(ring.has(0, 1), true);
  for (let g = 1; g <= RING_SIZE; g++) await ring.install(g, 0, rand(32));
  assert.equal(ring.count, RING_SIZE);
  assert.equal(ring.has(0, 0), false, 'the oldest key went');
  assert.equal(ring.has(RING_SIZE, 0), true);
});

/** A KeySchedule with a fake transport and clock; `sent` collects what each peer got. */
function harness() {
  const timers = [];
  const h = {
    subtle,
    random: rand,
    sent: [], // { peer, keys, seq }
    used: [], // keys passed to use()
    send(peer, keys, seq) { h.sent.push({ peer, keys, seq }); },
    use(k) { h.used.push(k); },
    setTimeout(fn, ms) { const t = { fn, ms, done: false }; timers.push(t); return t; },
    clearTimeout(t) { if (t) t.done = true; },
    fire() { for (const t of timers.splice(0)) if (!t.done) t.fn(); },
  };
  const s = new KeySchedule(h);
  h.to = (peer) => h.sent.filter((m) => m.peer === peer);
  return { s, h };
}

test('schedule: E2EE on sends a fresh key to everyone, and uses it only once all acknowledged', async () => {
  const { s, h } = harness();
  await s.enable(['bob', 'carol']);
  assert.deepEqual(h.used, [null], 'nothing to encrypt with yet');
  assert.deepEqual(h.sent.map((m) => m.peer).sort(), ['bob', 'carol']);
  const k = h.sent[0].keys[0];
  assert.equal(hex(k.raw), hex(h.sent[1].keys[0].raw), 'one key for everyone');
  assert.deepEqual([k.gen, k.step], [0, 0]);
  await s.ack('bob', h.to('bob')[0].seq);
  assert.equal(h.used.length, 1, 'Carol has not acknowledged yet');
  await s.ack('carol', h.to('carol')[0].seq - 1);
  assert.equal(h.used.length, 1, 'an ack of an older message does not count');
  await s.ack('carol', h.to('carol')[0].seq);
  assert.equal(hex(h.used.at(-1).raw), hex(k.raw));
  assert.equal(s.switches, 1);
});

test('schedule: a join ratchets our key; only the newcomer is sent it; the others derive it', async () => {
  const { s, h } = harness();
  await s.enable(['bob']);
  await s.ack('bob', h.to('bob')[0].seq);
  const k0 = h.used.at(-1);
  await s.join('dave');
  const k1 = h.used.at(-1);
  assert.deepEqual([k1.gen, k1.step], [k0.gen, 1]);
  assert.equal(hex(k1.raw), hex(await ratchet(subtle, k0.raw)));
  assert.equal(h.to('bob').length, 1, 'Bob is sent nothing new');
  assert.deepEqual(h.to('dave').map((m) => m.keys.map((k) => [k.gen, k.step])), [[[0, 1]]]);
  assert.equal(await opens(h.to('bob')[0].keys, k1), true, 'Bob opens what follows (ratchet)');
  assert.equal(await opens(h.to('dave')[0].keys, k1), true, 'Dave opens what follows');
  assert.equal(await opens(h.to('dave')[0].keys, k0), false, 'Dave cannot open what came before he joined');
  await s.join('dave');
  assert.equal(h.to('dave').length, 1, 'the same peer again: nothing');
});

test('schedule: a leave rotates to a new random key for those who stay; the leaver cannot open it', async () => {
  const { s, h } = harness();
  await s.enable(['bob', 'carol']);
  for (const p of ['bob', 'carol']) await s.ack(p, h.to(p)[0].seq);
  await s.join('dave');
  const carolHad = h.to('carol').flatMap((m) => m.keys);
  await s.leave('carol');
  const rot = h.to('bob').at(-1).keys.at(-1);
  assert.deepEqual([rot.gen, rot.step], [1, 0]);
  assert.equal(hex(h.to('dave').at(-1).keys.at(-1).raw), hex(rot.raw));
  assert.equal(h.to('carol').length, 1, 'nothing more for Carol');
  assert.equal(h.used.at(-1).gen, 0, 'not used before the others have it');
  await s.ack('bob', h.to('bob').at(-1).seq);
  await s.ack('dave', h.to('dave').at(-1).seq);
  const now = h.used.at(-1);
  assert.equal(hex(now.raw), hex(rot.raw));
  assert.equal(await opens(carolHad, now), false, 'Carol\'s keys do not open frames after her leave');
  let raw = now.raw;
  for (let i = 1; i <= 3; i++) {
    raw = await ratchet(subtle, raw);
    assert.equal(await opens(carolHad, { ...now, step: i, raw }), false, `nor after ${i} joins`);
  }
  assert.equal(await opens(h.to('bob').flatMap((m) => m.keys), now), true);
});

test('schedule: without every ack the new key is used after the timeout; a join while waiting gets both keys', async () => {
  const { s, h } = harness();
  await s.enable(['bob', 'carol', 'dave']);
  for (const p of ['bob', 'carol', 'dave']) await s.ack(p, h.to(p)[0].seq);
  await s.leave('carol');
  const pendingForBob = h.to('bob').at(-1).keys.at(-1);
  await s.join('erin');
  const erinGot = h.to('erin')[0].keys;
  assert.deepEqual(erinGot.map((k) => [k.gen, k.step]), [[0, 1], [1, 1]], 'the current key and the one coming, both ratcheted');
  await s.ack('bob', h.to('bob').at(-1).seq);
  await s.ack('erin', h.to('erin')[0].seq);
  assert.equal(h.used.at(-1).gen, 0, 'Dave has not acknowledged');
  assert.ok(ACK_TIMEOUT_MS >= 500);
  h.fire();
  await s.ops;
  const now = h.used.at(-1);
  assert.deepEqual([now.gen, now.step], [1, 1]);
  assert.equal(await opens([pendingForBob], now), true, 'Bob derives the step Erin caused');
  assert.equal(await opens(erinGot, { gen: 1, step: 0, raw: pendingForBob.raw }), false, 'Erin cannot open the step before her');
});

test('schedule: off means clear and no more keys; on again starts a new generation', async () => {
  const { s, h } = harness();
  await s.enable(['bob']);
  await s.ack('bob', h.to('bob')[0].seq);
  await s.disable();
  assert.equal(h.used.at(-1), null);
  await s.join('carol');
  assert.equal(h.to('carol').length, 0, 'no keys while off');
  await s.enable(['bob', 'carol']);
  assert.equal(h.to('carol')[0].keys[0].gen, 1);
  await s.leave('nobody');
  assert.equal(h.to('bob').length, 2, 'someone we never exchanged keys with leaving changes nothing');
});

test('schedule: alone, a new key is used at once', async () => {
  const { s, h } = harness();
  await s.enable([]);
  assert.equal(h.used.at(-1).gen, 0);
  assert.equal(h.sent.length, 0);
});
