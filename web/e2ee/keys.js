// SPDX-License-Identifier: MIT
// Media keys (docs/e2ee.md, "Keys"): the receiver's ring of one sender's keys, with the
// forward ratchet a receiver runs itself when a frame names a later step; and the sender's
// key schedule: a fresh random key when E2EE comes on and whenever someone leaves (sent to
// everyone still there, used once they all acknowledged it or after a timeout), one HKDF
// ratchet step whenever someone joins (only the newcomer is sent the new key; everyone else
// derives it from the one they have, so the newcomer never learns the old one).
// Pure: WebCrypto, randomness and timers are passed in, so node tests drive it directly.
// KeyRing lives in the worker (one per remote sender); KeySchedule on the main thread (one
// per conference, our own key).

import { frameKey, ratchet } from './frame.js';

export const RING_SIZE = 16;
export const RATCHET_WINDOW = 16;
export const ACK_TIMEOUT_MS = 2000;

const id = (gen, step) => ((gen & 0xff) << 8) | (step & 0xff);

/** One sender's keys as a receiver holds them, by (gen, step); at most RING_SIZE. */
export class KeyRing {
  constructor(subtle, size = RING_SIZE) {
    this.subtle = subtle;
    this.size = size;
    this.keys = new Map(); // id -> frame key (frameKey())
    this.order = []; // ids, oldest first
    // Keys derived for frames that did not open (a bogus key id, or not ours yet): kept apart
    // so a stream of such frames costs one derivation, not one per frame.
    this.candidates = new Map();
  }

  get count() { return this.keys.size; }

  put(k) {
    const i = id(k.gen, k.step);
    if (!this.keys.has(i)) this.order.push(i);
    this.keys.set(i, k);
    while (this.order.length > this.size) this.keys.delete(this.order.shift());
    return k;
  }

  /** Installs a key the sender sent us (32 raw bytes). */
  async install(gen, step, raw) {
    const have = this.keys.get(id(gen, step));
    if (have && equal(have.raw, raw)) return have;
    this.candidates.delete(id(gen, step));
    return this.put(await frameKey(this.subtle, raw, gen, step));
  }

  has(gen, step) { return this.keys.has(id(gen, step)); }

  /**
   * The key of (gen, step): held, or derived by ratcheting forward the latest earlier step of
   * the same generation (at most RATCHET_WINDOW steps). Derived keys are not kept: the caller
   * keeps one with keep() once a frame decrypted with it (a wrong guess must not push real
   * keys out of the ring). Null when neither.
   */
  async resolve(gen, step) {
    const have = this.keys.get(id(gen, step)) ?? this.candidates.get(id(gen, step));
    if (have) return have;
    let base = null;
    let dist = Infinity;
    for (const k of this.keys.values()) {
      if (k.gen !== (gen & 0xff)) continue;
      const d = ((step - k.step) & 0xff);
      if (d > 0 && d <= RATCHET_WINDOW && d < dist) { base = k; dist = d; }
    }
    if (!base) return null;
    let raw = base.raw;
    for (let i = 0; i < dist; i++) raw = await ratchet(this.subtle, raw);
    const k = await frameKey(this.subtle, raw, gen, step);
    this.candidates.set(id(gen, step), k);
    while (this.candidates.size > 4) this.candidates.delete(this.candidates.keys().next().value);
    return k;
  }

  keep(k) {
    const i = id(k.gen, k.step);
    if (this.keys.has(i)) return;
    this.candidates.delete(i);
    this.put(k);
  }

  /** The raw keys held, for tests: [{ gen, step, raw }]. */
  export() {
    return [...this.keys.values()].map((k) => ({ gen: k.gen, step: k.step, raw: k.raw }));
  }
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/**
 * Our own media key over a meeting. Operations are serialized (each waits for the one
 * before). The host gives:
 *   subtle, random(n) -> Uint8Array,
 *   send(peer, keys, seq)      deliver [{gen, step, raw}] to one peer (encrypted pairwise),
 *   use(key | null)            encrypt from now on with { gen, step, raw } (null: send clear),
 *   setTimeout / clearTimeout.
 * `peers` are the ids we exchange keys with (they have a pairwise key with us).
 */
export class KeySchedule {
  constructor(host) {
    this.h = host;
    this.current = null; // { gen, step, raw } we encrypt with
    this.pending = null; // { gen, step, raw, waiting: Map(peer -> seq), timer }
    this.nextGen = 0;
    this.seq = 0;
    this.peers = new Set();
    this.enabled = false;
    this.ops = Promise.resolve();
    this.switches = 0; // how many times `use` changed the key (tests, stats)
  }

  run(fn) {
    const p = this.ops.then(fn);
    this.ops = p.catch(() => {});
    return p;
  }

  freshKey() {
    const gen = this.nextGen++ & 0xff;
    return { gen, step: 0, raw: this.h.random(32) };
  }

  /** E2EE on: a fresh key to everyone; we keep sending clear until they have it. */
  enable(peers) {
    return this.run(async () => {
      if (this.enabled) return;
      this.enabled = true;
      this.peers = new Set(peers);
      this.current = null;
      this.h.use(null);
      this.startRotation();
    });
  }

  /** E2EE off: clear from now on; the keys are forgotten (on again means a new generation). */
  disable() {
    return this.run(async () => {
      this.enabled = false;
      this.cancelPending();
      this.current = null;
      this.h.use(null);
    });
  }

  /** Someone we can exchange keys with joined: ratchet, send them what they need. */
  join(peer) {
    return this.run(async () => {
      if (this.peers.has(peer)) return;
      this.peers.add(peer);
      if (!this.enabled) return;
      if (this.current && this.current.step === 255) {
        // The step byte is spent: a new generation for everyone instead.
        this.startRotation();
        return;
      }
      if (this.current) {
        this.current = await this.step(this.current);
        this.h.use(this.current);
      }
      if (this.pending) {
        // The others derive this step from the pending key they were sent.
        Object.assign(this.pending, await this.step(this.pending));
      }
      this.sendTo(peer);
    });
  }

  /** Someone left: a new random key for everyone still here, so they cannot read on. */
  leave(peer) {
    return this.run(async () => {
      const known = this.peers.delete(peer);
      this.pending?.waiting.delete(peer);
      if (!this.enabled || !known) return;
      this.startRotation();
    });
  }

  /** A peer acknowledged our key message `seq`. */
  ack(peer, seq) {
    return this.run(async () => {
      const p = this.pending;
      if (!p || !p.waiting.has(peer) || seq < p.waiting.get(peer)) return;
      p.waiting.delete(peer);
      if (!p.waiting.size) this.commit();
    });
  }

  async step(k) {
    return { gen: k.gen, step: (k.step + 1) & 0xff, raw: await ratchet(this.h.subtle, k.raw) };
  }

  startRotation() {
    this.cancelPending();
    const k = this.freshKey();
    this.pending = { ...k, waiting: new Map(), timer: null };
    for (const peer of this.peers) this.sendTo(peer);
    if (!this.pending.waiting.size) {
      this.commit();
      return;
    }
    const p = this.pending;
    p.timer = this.h.setTimeout(() => this.run(async () => { if (this.pending === p) this.commit(); }), ACK_TIMEOUT_MS);
  }

  cancelPending() {
    if (this.pending?.timer) this.h.clearTimeout(this.pending.timer);
    this.pending = null;
  }

  commit() {
    const p = this.pending;
    this.cancelPending();
    this.current = { gen: p.gen, step: p.step, raw: p.raw };
    this.switches++;
    this.h.use(this.current);
  }

  /** Sends `peer` every key it needs for what we send now and next. */
  sendTo(peer) {
    const keys = [this.current, this.pending].filter(Boolean).map((k) => ({ gen: k.gen, step: k.step, raw: k.raw }));
    if (!keys.length) return;
    const seq = ++this.seq;
    if (this.pending) this.pending.waiting.set(peer, seq);
    this.h.send(peer, keys, seq);
  }

  /** A peer's pairwise channel was (re)established: send it our keys again (no ratchet). */
  resend(peer) {
    return this.run(async () => {
      if (this.enabled && this.peers.has(peer)) this.sendTo(peer);
    });
  }
}
