// SPDX-License-Identifier: MIT
// What happens to one frame (docs/e2ee.md, "Frames"), without the worker around it, so node
// tests check the rules the browser runs:
//   SendCipher: E2EE off -> the frame leaves unchanged; on with a key -> encrypted with the
//     next counter value (the counter never goes back, whatever key comes); on without a key
//     yet -> dropped (nothing leaves in clear while the meeting is encrypted).
//   RecvCipher: an encrypted frame is opened with the sender's key ring (forward ratchet
//     included); a frame that is not encrypted, or that no key opens, is dropped while E2EE
//     is on and passed unchanged while it is off.
// Pure; one SendCipher and one RecvCipher per worker (worker.js), on its thread.

import { decryptFrame, encryptFrame, frameKey, parseTrailer } from './frame.js';
import { KeyRing } from './keys.js';

export class SendCipher {
  constructor(subtle) {
    this.subtle = subtle;
    this.on = false;
    this.key = null; // frameKey()
    this.ctr = 0n; // frames encrypted so far: the next frame's counter
  }

  /** Encrypt with { gen, step, raw } from now on (null: no key, so nothing is sent while on). */
  async setKey(k) {
    this.key = k ? await frameKey(this.subtle, k.raw, k.gen, k.step) : null;
  }

  /**
   * One outgoing frame: { data, outcome } with outcome 'clear' (sent as it was), 'encrypted'
   * or 'dropped' (data null: send nothing).
   */
  async process(kind, data, codec) {
    if (!this.on || !data.length) return { data, outcome: 'clear' };
    if (!this.key) return { data: null, outcome: 'dropped' };
    const ctr = this.ctr++;
    return { data: await encryptFrame(this.subtle, this.key, kind, data, ctr, codec), outcome: 'encrypted' };
  }
}

export class RecvCipher {
  constructor(subtle) {
    this.subtle = subtle;
    this.on = false;
    this.rings = new Map(); // sender -> KeyRing
  }

  ring(sender) {
    let r = this.rings.get(sender);
    if (!r) {
      r = new KeyRing(this.subtle);
      this.rings.set(sender, r);
    }
    return r;
  }

  async install(sender, keys) {
    const r = this.ring(sender);
    for (const k of keys) await r.install(k.gen, k.step, k.raw);
  }

  forget(sender) {
    this.rings.delete(sender);
  }

  /**
   * One incoming frame from `sender`: { data, outcome } with outcome 'ok' (decrypted),
   * 'clear' (not encrypted), 'no-key' or 'failed' (encrypted, not opened), 'empty'; data is
   * what goes on to the decoder, null to drop the frame.
   */
  async process(sender, kind, data) {
    if (!data.length) return { data, outcome: 'empty' };
    const t = parseTrailer(data);
    if (!t) return { data: this.on ? null : data, outcome: 'clear' };
    const r = this.rings.get(sender);
    const k = r ? await r.resolve(t.gen, t.step) : null;
    // While off, a frame we cannot open may be a clear one that happens to end like ours.
    if (!k) return { data: this.on ? null : data, outcome: 'no-key', trailer: t };
    try {
      const plain = await decryptFrame(this.subtle, k, kind, data, t);
      r.keep(k);
      return { data: plain, outcome: 'ok', trailer: t };
    } catch {
      return { data: this.on ? null : data, outcome: 'failed', trailer: t };
    }
  }
}
