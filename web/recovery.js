// SPDX-License-Identifier: MIT
// Recovering a call after a fault, the parts without DOM or network (unit-tested in
// test/recovery.test.mjs):
//  - reconnectDelay(): the back-off between attempts to get back into a meeting after the XMPP
//    connection (or the focus) was lost: 0.5 s doubling to a 3 s cap, each delay spread by ±25 % so
//    that a whole meeting dropped by a server restart does not come back in lock-step;
//  - IceWatch: one media session's ICE state → when to ask the focus for a new session
//    (Jingle session-info <ice-state>failed</ice-state>, as lib-jitsi-meet does): at once on
//    `failed`, after DISCONNECTED_MS of `disconnected`; again every RENOTIFY_MS while no new
//    session came (the focus rate-limits restarts), and "give up" after MAX_NOTIFIES.
// Main thread; an IceWatch belongs to one MediaSession (conference.js makes one per session)
// and its timers are the injected ones.

export const RECONNECT = { baseMs: 500, capMs: 3000, jitter: 0.25, maxAttempts: 30 };

/**
 * Delay before reconnect attempt `attempt` (0-based): base * 2^attempt capped, times a random
 * factor in [1 - jitter, 1 + jitter). `random` is injectable for tests.
 */
export function reconnectDelay(attempt, opts = {}, random = Math.random) {
  const { baseMs, capMs, jitter } = { ...RECONNECT, ...opts };
  const d = Math.min(baseMs * 2 ** Math.max(0, attempt), capMs);
  return Math.round(d * (1 - jitter + 2 * jitter * random()));
}

/** Error codes after which the client reconnects by itself (the fault is not the user's). */
export const RECONNECT_CODES = new Set(['connection-lost', 'focus-left', 'server-unreachable',
  'focus-unreachable']);

export const ICE_WATCH = { disconnectedMs: 5000, renotifyMs: 10000, maxNotifies: 4 };

export class IceWatch {
  /**
   * @param {object} p { onNotify(reason), onGiveUp(), setTimer?(fn, ms), clearTimer?(t),
   *                     disconnectedMs?, renotifyMs?, maxNotifies? }
   */
  constructor(p) {
    this.opts = { ...ICE_WATCH, ...p };
    this.setTimer = p.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = p.clearTimer ?? ((t) => clearTimeout(t));
    this.timer = null;
    this.state = 'new';
    this.notifies = 0;
    this.phase = 'ok'; // ok | waiting (disconnected) | notified | gave-up | closed
  }

  /** The session's iceConnectionState changed. */
  update(s) {
    if (this.phase === 'closed') return;
    this.state = s;
    if (s === 'connected' || s === 'completed') {
      this.stop();
      this.notifies = 0;
      this.phase = 'ok';
    } else if (s === 'failed') {
      if (this.phase === 'ok' || this.phase === 'waiting') this.notify('failed');
    } else if (s === 'disconnected') {
      if (this.phase === 'ok') {
        this.phase = 'waiting';
        this.arm(this.opts.disconnectedMs, () => this.notify('disconnected'));
      }
    } else if (s === 'closed') {
      this.close();
    }
  }

  notify(reason) {
    this.stop();
    this.notifies++;
    this.phase = 'notified';
    this.opts.onNotify(reason, this.notifies);
    this.arm(this.opts.renotifyMs, () => {
      if (this.notifies >= this.opts.maxNotifies) {
        this.phase = 'gave-up';
        this.opts.onGiveUp?.();
      } else {
        this.notify(this.state);
      }
    });
  }

  arm(ms, fn) {
    this.stop();
    this.timer = this.setTimer(() => { this.timer = null; fn(); }, ms);
  }

  stop() {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  close() {
    this.stop();
    this.phase = 'closed';
  }
}
