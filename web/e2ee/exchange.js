// SPDX-License-Identifier: MIT
// Key agreement between two participants (docs/e2ee.md, "Key exchange"): each participant
// has an ephemeral key pair per meeting session (X25519, and P-256 for browsers without
// X25519), published in its MUC presence; two participants derive a pairwise secret with
// ECDH and HKDF, one AES-256-GCM key per direction, and wrap their media keys in it. The
// XMPP server relays the wrapped keys and cannot read them. A short authentication string
// (SAS) from both public keys lets two people check, out of band, that no server swapped
// the keys (a man in the middle would have a different key with each of them).
// Pure: WebCrypto comes in as `subtle`; node tests run it directly. Stateless.

const te = new TextEncoder();
const td = new TextDecoder();
export const CURVES = ['x25519', 'p256'];
const ALGS = { x25519: { name: 'X25519' }, p256: { name: 'ECDH', namedCurve: 'P-256' } };

export function toB64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromB64(text) {
  const s = atob(String(text).trim());
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Length-prefixed concatenation (so no two different inputs give the same bytes). */
function lp(...parts) {
  const bytes = parts.map((p) => (typeof p === 'string' ? te.encode(p) : p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + 4 + b.length, 0));
  let o = 0;
  for (const b of bytes) {
    new DataView(out.buffer).setUint32(o, b.length);
    out.set(b, o + 4);
    o += 4 + b.length;
  }
  return out;
}

/**
 * Our key pairs for one session: { x25519?: { privateKey, pub }, p256?: {...} } where pub is
 * the raw public key (Uint8Array). A curve the browser lacks is left out; none at all throws.
 */
export async function generateIdentity(subtle) {
  const id = {};
  for (const c of CURVES) {
    try {
      const kp = await subtle.generateKey(ALGS[c], false, ['deriveBits']);
      id[c] = { privateKey: kp.privateKey, pub: new Uint8Array(await subtle.exportKey('raw', kp.publicKey)) };
    } catch { /* this browser lacks the curve */ }
  }
  if (!id.x25519 && !id.p256) throw new Error('no ECDH curve available');
  return id;
}

/** The curve two participants use: X25519 when both have it, else P-256, else null. */
export function commonCurve(a, b) {
  return CURVES.find((c) => a?.[c] && b?.[c]) ?? null;
}

/**
 * The pairwise keys between us (`myId`, our identity) and a peer (`peerId`, its public keys
 * { x25519?: Uint8Array, p256?: Uint8Array }): { curve, send, recv } where `send` wraps what
 * we send to the peer and `recv` unwraps what it sends us (non-extractable AES-GCM keys), or
 * null when we share no curve.
 */
export async function pairwise(subtle, myId, me, peerId, peerPubs) {
  const mine = Object.fromEntries(CURVES.filter((c) => me[c]).map((c) => [c, me[c].pub]));
  const curve = commonCurve(mine, peerPubs);
  if (!curve) return null;
  const theirs = await subtle.importKey('raw', peerPubs[curve], ALGS[curve], false, []);
  const shared = new Uint8Array(await subtle.deriveBits({ ...ALGS[curve], public: theirs }, me[curve].privateKey, 256));
  const dir = async (from, fromPub, to, toPub) => {
    const bits = await hkdfBytes(subtle, shared, lp('parley-e2ee/1 wrap', curve, from, fromPub, to, toPub));
    return subtle.importKey('raw', bits, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  };
  return {
    curve,
    send: await dir(myId, me[curve].pub, peerId, peerPubs[curve]),
    recv: await dir(peerId, peerPubs[curve], myId, me[curve].pub),
  };
}

async function hkdfBytes(subtle, ikm, infoBytes) {
  const base = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: infoBytes }, base, 256));
}

/**
 * Wraps media keys for one peer: base64 of IV(12) | AES-GCM(JSON { seq, keys: [[gen, step,
 * key-b64]] }), authenticated with the sender and recipient ids.
 */
export async function wrapKeys(subtle, sendKey, from, to, seq, keys, randomIv) {
  const body = te.encode(JSON.stringify({ seq, keys: keys.map((k) => [k.gen, k.step, toB64(k.raw)]) }));
  const iv = randomIv(12);
  const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: lp('parley-e2ee/1 keys', from, to) }, sendKey, body));
  const out = new Uint8Array(12 + ct.length);
  out.set(iv, 0);
  out.set(ct, 12);
  return toB64(out);
}

/**
 * Unwraps a peer's key message (what wrapKeys made on its side): { seq, keys: [{ gen, step,
 * raw }] }. Rejects when it was not made with the pairwise key, or was altered, or is not
 * well formed.
 */
export async function unwrapKeys(subtle, recvKey, from, to, text) {
  const bytes = fromB64(text);
  if (bytes.length < 12 + 16) throw new Error('key message too short');
  const pt = await subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12), additionalData: lp('parley-e2ee/1 keys', from, to) },
    recvKey, bytes.subarray(12));
  const j = JSON.parse(td.decode(pt));
  if (!Number.isInteger(j?.seq) || !Array.isArray(j.keys) || j.keys.length > 4) throw new Error('bad key message');
  return {
    seq: j.seq,
    keys: j.keys.map(([gen, step, k]) => {
      const raw = fromB64(k);
      if (!Number.isInteger(gen) || !Number.isInteger(step) || gen < 0 || gen > 255 || step < 0 || step > 255 || raw.length !== 32) {
        throw new Error('bad key in key message');
      }
      return { gen, step, raw };
    }),
  };
}

// 64 emoji for the SAS, one per 6 bits, each easy to name on a phone call.
export const SAS_EMOJI = [
  ['🐶', 'dog'], ['🐱', 'cat'], ['🦁', 'lion'], ['🐴', 'horse'], ['🦄', 'unicorn'], ['🐷', 'pig'],
  ['🐘', 'elephant'], ['🐰', 'rabbit'], ['🐼', 'panda'], ['🐓', 'rooster'], ['🐧', 'penguin'],
  ['🐢', 'turtle'], ['🐟', 'fish'], ['🐙', 'octopus'], ['🦋', 'butterfly'], ['🌷', 'tulip'],
  ['🌳', 'tree'], ['🌵', 'cactus'], ['🍄', 'mushroom'], ['🌏', 'globe'], ['🌙', 'moon'],
  ['☁️', 'cloud'], ['🔥', 'fire'], ['🍌', 'banana'], ['🍎', 'apple'], ['🍓', 'strawberry'],
  ['🌽', 'corn'], ['🍕', 'pizza'], ['🎂', 'cake'], ['❤️', 'heart'], ['😀', 'smiley'],
  ['🤖', 'robot'], ['🎩', 'hat'], ['👓', 'glasses'], ['🔧', 'wrench'], ['🎅', 'santa'],
  ['👍', 'thumbs up'], ['☂️', 'umbrella'], ['⌛', 'hourglass'], ['⏰', 'clock'], ['🎁', 'gift'],
  ['💡', 'light bulb'], ['📕', 'book'], ['✏️', 'pencil'], ['📎', 'paperclip'], ['✂️', 'scissors'],
  ['🔒', 'lock'], ['🔑', 'key'], ['🔨', 'hammer'], ['☎️', 'telephone'], ['🏁', 'flag'],
  ['🚂', 'train'], ['🚲', 'bicycle'], ['✈️', 'aeroplane'], ['🚀', 'rocket'], ['🏆', 'trophy'],
  ['⚽', 'ball'], ['🎸', 'guitar'], ['🎺', 'trumpet'], ['🔔', 'bell'], ['⚓', 'anchor'],
  ['🎧', 'headphones'], ['📁', 'folder'], ['📌', 'pin'],
];

/**
 * The short authentication string of a pair: the same on both sides whatever the order of
 * the arguments. `a` and `b` are { id, curve, pub }. Returns { emoji: [[char, name] x7],
 * digits: 'dddd dddd dddd' }: 42 bits as emoji, 39 bits as three groups of digits.
 */
export async function sas(subtle, a, b) {
  if (a.curve !== b.curve) throw new Error('SAS needs both keys on one curve');
  const [x, y] = [a, b].sort((p, q) => (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));
  const h = new Uint8Array(await subtle.digest('SHA-256', lp('parley-e2ee/1 sas', x.curve, x.id, x.pub, y.id, y.pub)));
  let bits = 0n;
  for (let i = 0; i < 11; i++) bits = (bits << 8n) | BigInt(h[i]);
  // 88 bits: the first 42 make the emoji, the next 39 the digits.
  const emoji = [];
  for (let i = 0; i < 7; i++) emoji.push(SAS_EMOJI[Number((bits >> BigInt(82 - 6 * i)) & 63n)]);
  const groups = [];
  for (let i = 0; i < 3; i++) groups.push(String(Number((bits >> BigInt(33 - 13 * i)) & 8191n) + 1000));
  return { emoji, digits: groups.join(' ') };
}
