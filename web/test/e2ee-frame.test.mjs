// SPDX-License-Identifier: MIT
// The E2EE frame format (web/e2ee/frame.js, cipher.js; docs/e2ee.md): which bytes stay clear,
// that everything else is encrypted and everything is authenticated, that nonces never
// repeat, that the key id travels with the frame, and what senders and receivers do with
// frames while E2EE is on and off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import {
  buildTrailer, clearBytes, ctrLength, decryptFrame, encryptFrame, frameKey, nonceFor, parseTrailer, ratchet, TAG_LEN,
} from '../e2ee/frame.js';
import { RecvCipher, SendCipher } from '../e2ee/cipher.js';

const subtle = webcrypto.subtle;
const rand = (n) => webcrypto.getRandomValues(new Uint8Array(n));
const hex = (b) => Buffer.from(b).toString('hex');

/** A VP8 frame as the encoder makes it: frame tag (bit 0 = 0 on keyframes), then payload. */
function vp8(key, len = 600) {
  const f = rand(len);
  f[0] = key ? (f[0] & 0xfe) : (f[0] | 0x01);
  if (key && len >= 10) f.set([0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01], 3); // start code, 640x360
  return f;
}

test('clear bytes: VP8 keyframe 10 (RFC 6386 uncompressed chunk), delta 3, audio and other codecs none', () => {
  assert.equal(clearBytes('video', vp8(true), 'video/VP8'), 10);
  assert.equal(clearBytes('video', vp8(false), 'video/VP8'), 3);
  assert.equal(clearBytes('video', vp8(true), 'vp8'), 10);
  assert.equal(clearBytes('video', vp8(true, 6), 'video/VP8'), 6, 'never more than the frame');
  assert.equal(clearBytes('audio', rand(80), 'audio/opus'), 0);
  assert.equal(clearBytes('video', vp8(true), 'video/VP9'), 0);
  assert.equal(clearBytes('video', vp8(true), 'video/AV1'), 0);
  assert.equal(clearBytes('video', new Uint8Array(0), 'video/VP8'), 0);
});

test('a VP8 keyframe: header clear and unchanged, the rest encrypted, trailer says counter, key id and split', async () => {
  const k = await frameKey(subtle, rand(32), 7, 3);
  const f = vp8(true, 1200);
  const out = await encryptFrame(subtle, k, 'video', f, 1234n, 'video/VP8');
  assert.equal(hex(out.subarray(0, 10)), hex(f.subarray(0, 10)), 'frame tag, start code and size stay readable');
  assert.notEqual(hex(out.subarray(10, 1200)), hex(f.subarray(10)), 'the rest is not');
  const t = parseTrailer(out);
  assert.deepEqual({ ctr: t.ctr, gen: t.gen, step: t.step, clear: t.clear }, { ctr: 1234n, gen: 7, step: 3, clear: 10 });
  assert.equal(out.length, f.length + TAG_LEN + ctrLength(1234n) + 4);
  assert.equal(hex(await decryptFrame(subtle, k, 'video', out)), hex(f));
  // A delta frame keeps its 3-byte frame tag, audio keeps nothing.
  const d = vp8(false, 300);
  const dout = await encryptFrame(subtle, k, 'video', d, 1235n, 'video/VP8');
  assert.equal(parseTrailer(dout).clear, 3);
  assert.equal(hex(dout.subarray(0, 3)), hex(d.subarray(0, 3)));
  const a = rand(90);
  const aout = await encryptFrame(subtle, k, 'audio', a, 1236n, 'audio/opus');
  assert.equal(parseTrailer(aout).clear, 0);
  assert.notEqual(hex(aout.subarray(0, 4)), hex(a.subarray(0, 4)), 'audio: not even the Opus TOC byte stays clear');
  assert.equal(hex(await decryptFrame(subtle, k, 'audio', aout)), hex(a));
});

test('every byte is authenticated: clear header, ciphertext, tag and trailer; and the media kind', async () => {
  const k = await frameKey(subtle, rand(32), 1, 0);
  const f = vp8(true, 200);
  const out = await encryptFrame(subtle, k, 'video', f, 99n, 'video/VP8');
  for (let i = 0; i < out.length; i++) {
    const bad = out.slice();
    bad[i] ^= 0x20;
    const t = parseTrailer(bad);
    if (!t) continue; // the trailer no longer parses: refused before decryption
    await assert.rejects(decryptFrame(subtle, k, 'video', bad, t), `byte ${i} changed`);
  }
  await assert.rejects(decryptFrame(subtle, k, 'audio', out), 'a video frame passed off as audio');
  await assert.rejects(decryptFrame(subtle, await frameKey(subtle, rand(32), 1, 0), 'video', out), 'another key');
});

test('frames not in this format are recognised: plain VP8 and Opus, too short, clear split beyond the frame', () => {
  assert.equal(parseTrailer(new Uint8Array([0x50, 0x01, 0x02])), null);
  const opus = rand(40);
  opus[39] = 0x00;
  assert.equal(parseTrailer(opus), null);
  const t = buildTrailer(5n, 0, 0, 200);
  const short = new Uint8Array(30);
  short.set(t, 30 - t.length);
  assert.equal(parseTrailer(short), null, 'a clear prefix longer than the frame');
  assert.equal(parseTrailer(new Uint8Array(0)), null);
});

test('nonces: salt XOR counter, distinct for every counter, the counter never truncated', async () => {
  const k = await frameKey(subtle, rand(32));
  const seen = new Set();
  for (let c = 0n; c < 5000n; c++) seen.add(hex(nonceFor(k.salt, c)));
  for (const c of [2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n, 2n ** 40n, 2n ** 63n, 2n ** 64n - 1n]) seen.add(hex(nonceFor(k.salt, c)));
  assert.equal(seen.size, 5006);
  assert.equal(hex(nonceFor(k.salt, 0n)), hex(k.salt));
  assert.equal(ctrLength(0n), 1);
  assert.equal(ctrLength(255n), 1);
  assert.equal(ctrLength(256n), 2);
  assert.equal(ctrLength(2n ** 64n - 1n), 8);
  const big = await encryptFrame(subtle, k, 'audio', rand(50), 2n ** 40n + 5n);
  assert.equal(parseTrailer(big).ctr, 2n ** 40n + 5n);
  // Every key has its own salt: a counter value shared by two keys gives two nonces.
  const k2 = await frameKey(subtle, rand(32));
  assert.notEqual(hex(nonceFor(k.salt, 1n)), hex(nonceFor(k2.salt, 1n)));
});

test('SendCipher: the counter only grows, across ratchets, rotations and off/on; nothing clear while on', async () => {
  const s = new SendCipher(subtle);
  const f = vp8(false, 100);
  assert.deepEqual(await s.process('video', f, 'video/VP8'), { data: f, outcome: 'clear' }, 'off: unchanged');
  s.on = true;
  assert.deepEqual(await s.process('video', f, 'video/VP8'), { data: null, outcome: 'dropped' }, 'on without key: dropped');
  const raw = rand(32);
  const nonces = new Set();
  const use = async (gen, step, r) => {
    await s.setKey({ gen, step, raw: r });
    for (let i = 0; i < 20; i++) {
      const { data, outcome } = await s.process('video', f, 'video/VP8');
      assert.equal(outcome, 'encrypted');
      const t = parseTrailer(data);
      assert.equal(t.gen, gen);
      assert.equal(t.step, step);
      nonces.add(`${hex(s.key.raw)}:${t.ctr}`);
    }
  };
  await use(0, 0, raw);
  await use(0, 1, await ratchet(subtle, raw));
  await use(1, 0, rand(32));
  s.on = false;
  await s.process('video', f, 'video/VP8');
  s.on = true;
  await use(2, 0, rand(32));
  await use(0, 0, raw); // even the first key again (cannot happen in a session) would not repeat a nonce
  assert.equal(nonces.size, 100);
  assert.equal(s.ctr, 100n);
});

test('RecvCipher: opens what it has keys for; while on drops clear and unopenable frames, while off passes them', async () => {
  const s = new SendCipher(subtle);
  s.on = true;
  const raw = rand(32);
  await s.setKey({ gen: 3, step: 0, raw });
  const f = vp8(true, 400);
  const enc = (await s.process('video', f, 'video/VP8')).data;
  const r = new RecvCipher(subtle);
  r.on = true;
  assert.equal((await r.process('alice', 'video', enc)).outcome, 'no-key');
  assert.equal((await r.process('alice', 'video', enc)).data, null);
  await r.install('alice', [{ gen: 3, step: 0, raw }]);
  const ok = await r.process('alice', 'video', enc);
  assert.equal(ok.outcome, 'ok');
  assert.equal(hex(ok.data), hex(f));
  assert.equal((await r.process('bob', 'video', enc)).outcome, 'no-key', 'keys are per sender');
  const clear = vp8(false, 100);
  assert.deepEqual(await r.process('alice', 'video', clear), { data: null, outcome: 'clear' });
  const bad = enc.slice();
  bad[20] ^= 1;
  assert.equal((await r.process('alice', 'video', bad)).outcome, 'failed');
  assert.equal((await r.process('alice', 'video', bad)).data, null);
  r.on = false;
  assert.equal((await r.process('alice', 'video', clear)).data, clear, 'off: clear frames pass');
  assert.equal(hex((await r.process('alice', 'video', enc)).data), hex(f), 'off: encrypted frames still open');
  r.forget('alice');
  assert.equal((await r.process('alice', 'video', enc)).outcome, 'no-key');
});
