// SPDX-License-Identifier: MIT
// Parley's end-to-end encrypted frame format (docs/e2ee.md): one encoded audio or video frame
// in, one frame out, AES-256-GCM with a per-sender media key. Pure: no DOM, no worker, no
// RTCPeerConnection; WebCrypto comes in as `subtle` so node tests and the worker share it.
//
//   frame = clear | ciphertext | tag(16) | ctr (L bytes, big-endian) | gen | step | clear-len | desc
//
// - `clear` stays readable by the bridge and the depacketizer: for VP8 the uncompressed data
//   chunk of RFC 6386 §9.1 (10 bytes of a keyframe: frame tag, start code, dimensions; 3 of a
//   delta frame: the frame tag); for audio nothing (the bridge reads the RFC 6464 audio level
//   from the RTP header extension, never the Opus payload).
// - `ctr` is the sender's frame counter, minimal length L (1..8). The nonce is the per-key
//   salt XOR ctr (as SFrame, RFC 9605 §4.4.2), so (key, nonce) repeats only if (key, ctr)
//   does: the counter only ever grows while the worker lives, and every worker starts with a
//   fresh random key.
// - `gen` and `step` name the key: `gen` counts the sender's random keys (a new one on every
//   leave), `step` the HKDF ratchets of that key (one on every join).
// - `desc` is 0b10110LLL: a version/magic in the top five bits (a frame without it was not
//   encrypted by this format) and L - 1.
// - The AAD is the media kind byte ('a' or 'v'), the clear bytes and the whole trailer, so
//   none of them can be changed without the receiver noticing.
// Stateless; the caller owns counters and keys.

export const TAG_LEN = 16;
export const DESC_MAGIC = 0xb0; // 0b10110000
export const DESC_MASK = 0xf8;
export const MAX_CTR = 2n ** 64n - 1n;
const te = new TextEncoder();

/** Where a frame's clear prefix ends: VP8 keyframe 10, VP8 delta frame 3, audio 0. */
export function clearBytes(kind, data, codec = 'vp8') {
  if (kind !== 'video' || !data.length) return 0;
  if (String(codec).toLowerCase().replace(/^video\//, '') !== 'vp8') return 0;
  // RFC 6386 §9.1: bit 0 of the frame tag is 0 on a keyframe.
  const key = (data[0] & 0x01) === 0;
  return Math.min(data.length, key ? 10 : 3);
}

/** Bytes needed for a counter (at least one). */
export function ctrLength(ctr) {
  let n = 1;
  for (let c = BigInt(ctr) >> 8n; c > 0n; c >>= 8n) n++;
  return n;
}

/** The 12-byte nonce: salt XOR the counter (right-aligned, big-endian). */
export function nonceFor(salt, ctr) {
  const iv = new Uint8Array(salt);
  let c = BigInt(ctr);
  for (let i = 11; i >= 4 && c > 0n; i--, c >>= 8n) iv[i] ^= Number(c & 0xffn);
  return iv;
}

/** The trailer bytes for a counter and key id. */
export function buildTrailer(ctr, gen, step, clear) {
  const L = ctrLength(ctr);
  const t = new Uint8Array(L + 4);
  let c = BigInt(ctr);
  for (let i = L - 1; i >= 0; i--, c >>= 8n) t[i] = Number(c & 0xffn);
  t[L] = gen & 0xff;
  t[L + 1] = step & 0xff;
  t[L + 2] = clear;
  t[L + 3] = DESC_MAGIC | (L - 1);
  return t;
}

/**
 * Reads the trailer of a frame: { ctr, gen, step, clear, trailerLen } or null when the frame
 * is not in this format (too short, wrong magic, clear prefix beyond the ciphertext).
 */
export function parseTrailer(data) {
  const n = data.length;
  if (n < 1) return null;
  const desc = data[n - 1];
  if ((desc & DESC_MASK) !== DESC_MAGIC) return null;
  const L = (desc & 0x07) + 1;
  const trailerLen = L + 4;
  if (n < trailerLen + TAG_LEN) return null;
  const clear = data[n - 2];
  if (clear + TAG_LEN + trailerLen > n) return null;
  let ctr = 0n;
  for (let i = n - trailerLen; i < n - 4; i++) ctr = (ctr << 8n) | BigInt(data[i]);
  return { ctr, gen: data[n - 4], step: data[n - 3], clear, trailerLen };
}

function aadFor(kind, data, clear, trailer) {
  const aad = new Uint8Array(1 + clear + trailer.length);
  aad[0] = kind === 'audio' ? 0x61 : 0x76;
  aad.set(data.subarray(0, clear), 1);
  aad.set(trailer, 1 + clear);
  return aad;
}

/** HKDF-SHA-256 of `raw` (32 bytes) with `info`: `bits` bits. */
export async function hkdf(subtle, raw, info, bits, salt = new Uint8Array(32)) {
  const base = await subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: te.encode(info) }, base, bits));
}

/**
 * The working form of a media key (32 random or ratcheted bytes): the AES-256-GCM key and
 * the nonce salt, both derived with HKDF so the raw key itself never meets AES.
 */
export async function frameKey(subtle, raw, gen = 0, step = 0) {
  const okm = await hkdf(subtle, raw, 'parley-e2ee/1 frame', 352); // 32 key + 12 salt
  const key = await subtle.importKey('raw', okm.slice(0, 32), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  return { key, salt: okm.slice(32, 44), gen: gen & 0xff, step: step & 0xff, raw };
}

/** The next key of the ratchet: HKDF of the current one. One way: it does not give the old. */
export function ratchet(subtle, raw) {
  return hkdf(subtle, raw, 'parley-e2ee/1 ratchet', 256);
}

/**
 * Encrypts one frame. `k` from frameKey(), `ctr` a counter never used before with this key.
 * Returns the new frame bytes (Uint8Array).
 */
export async function encryptFrame(subtle, k, kind, data, ctr, codec = 'vp8') {
  const clear = clearBytes(kind, data, codec);
  const trailer = buildTrailer(ctr, k.gen, k.step, clear);
  const aad = aadFor(kind, data, clear, trailer);
  const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonceFor(k.salt, ctr), additionalData: aad, tagLength: 128 },
    k.key, data.subarray(clear)));
  const out = new Uint8Array(clear + ct.length + trailer.length);
  out.set(data.subarray(0, clear), 0);
  out.set(ct, clear);
  out.set(trailer, clear + ct.length);
  return out;
}

/**
 * Decrypts one frame whose trailer `t` (parseTrailer) names key `k`. Resolves to the plain
 * frame bytes, or rejects (OperationError) when the key is wrong or anything was altered.
 */
export async function decryptFrame(subtle, k, kind, data, t = parseTrailer(data)) {
  if (!t) throw new Error('not an encrypted frame');
  const trailer = data.subarray(data.length - t.trailerLen);
  const aad = aadFor(kind, data, t.clear, trailer);
  const pt = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: nonceFor(k.salt, t.ctr), additionalData: aad, tagLength: 128 },
    k.key, data.subarray(t.clear, data.length - t.trailerLen)));
  const out = new Uint8Array(t.clear + pt.length);
  out.set(data.subarray(0, t.clear), 0);
  out.set(pt, t.clear);
  return out;
}
