// SPDX-License-Identifier: MIT
// XEP-0198 stream management, the part without a socket (unit-tested in
// test/stream-management.test.mjs): the counters, the queue of stanzas the server has not
// acknowledged, and the decisions (ask for an ack, the link is dead, resume or rejoin).
// connection.js feeds it every element that goes out or comes in over the WebSocket
// transport (strophe.js's xmlOutput/xmlInput hooks) and sends what it returns.
//
// Protocol, as used here:
//  - after resource binding the client sends <enable resume="true"/>; from then on it counts
//    the stanzas it sends (the server counts them too) and, once <enabled/> arrived, the
//    stanzas it receives (h, modulo 2^32);
//  - <r/> from the server is answered with <a h="received"/>; the client sends <r/> after a
//    burst of stanzas and periodically, and drops from its queue the stanzas an <a h/> covers;
//  - after a connection loss, within the resumption window the server announced (`max`), a
//    new connection authenticates and sends <resume previd="id" h="received"/> instead of
//    binding a resource; <resumed h/> acknowledges what the server got, the rest is sent again;
//    <failed/> (or the window gone) means the session is over: the caller rejoins.
// Main thread; one instance per XMPP session (it survives the connections a resume replaces).

export const NS_SM = 'urn:xmpp:sm:3';

export const SM_DEFAULTS = {
  burst: 5, // stanzas sent without an <r/> before asking for one
  requestEveryMs: 10000, // ask for an ack this often while enabled
  ackTimeoutMs: 25000, // an <r/> unanswered this long: the link is dead (silent drop)
  defaultMaxS: 20, // resumption window when <enabled/> carries no max (the generated configs' value)
  marginMs: 500, // stop trying to resume this long before the window closes
};

export const MOD32 = 2 ** 32;

/** n + 1 modulo 2^32 (XEP-0198 counters wrap to 0). */
export const inc32 = (n) => (n + 1) % MOD32;

/** How many stanzas the server acknowledged going from h `from` to h `to`, modulo 2^32. */
export const ackDelta = (from, to) => (((to - from) % MOD32) + MOD32) % MOD32;

const STANZAS = new Set(['iq', 'message', 'presence']);

/** An element that counts as a stanza for XEP-0198 (iq, message, presence). */
export function isStanza(el) {
  return !!el && el.nodeType === 1 && STANZAS.has(el.localName ?? el.nodeName);
}

function parseH(el) {
  const v = el.getAttribute('h');
  if (v === null || !/^\d{1,10}$/.test(v)) return null;
  const n = Number(v);
  return n < MOD32 ? n : null;
}

export class StreamManagement {
  /**
   * @param {object} [p] { build(name, attrs) → element to send, now() → ms, log(line), and
   *                     any of SM_DEFAULTS }
   */
  constructor(p = {}) {
    this.opts = { ...SM_DEFAULTS, ...p };
    this.build = p.build ?? ((name, attrs) => ({ name, attrs }));
    this.now = p.now ?? (() => Date.now());
    this.log = p.log ?? (() => {});
    this.reset();
  }

  reset() {
    this.phase = 'off'; // off | enabling | on
    this.id = null; // resumption id (previd)
    this.resumable = false;
    this.maxMs = this.opts.defaultMaxS * 1000;
    this.inbound = 0; // stanzas received since <enabled/>, mod 2^32
    this.acked = 0; // the server's last h
    this.queue = []; // sent, not yet acknowledged, oldest first
    this.sinceRequest = 0;
    this.requestedAt = null; // an <r/> is out since then
    this.lastRequest = this.now();
    this.lostAt = null;
  }

  /** The <enable/> to send right after resource binding; counting outbound starts here. */
  enable() {
    this.reset();
    this.phase = 'enabling';
    return this.build('enable', { xmlns: NS_SM, resume: 'true' });
  }

  /**
   * An element went out. Stanzas are queued until acknowledged. Returns true when it is time
   * to ask for an ack (a burst was sent).
   */
  sent(el) {
    if (this.phase === 'off' || !isStanza(el)) return false;
    this.queue.push(el);
    this.sinceRequest++;
    return this.sinceRequest >= this.opts.burst && this.requestedAt === null;
  }

  /**
   * An element came in. Returns null, or what the caller must do:
   * { send: element } (answer to <r/>), { enabled: true }, { enableFailed: true },
   * { resumed: [stanzas to send again] }, { resumeFailed: [stanzas lost], condition }.
   */
  received(el) {
    if (!el || el.nodeType !== 1) return null;
    if (isStanza(el)) {
      if (this.phase === 'on' && this.lostAt === null) this.inbound = inc32(this.inbound);
      return null;
    }
    if (el.namespaceURI !== NS_SM) return null;
    switch (el.localName) {
      case 'r':
        if (this.phase !== 'on') return null;
        return { send: this.build('a', { xmlns: NS_SM, h: String(this.inbound) }) };
      case 'a': {
        const h = parseH(el);
        if (h !== null && this.phase === 'on') this.ack(h);
        return null;
      }
      case 'enabled':
        if (this.phase !== 'enabling') return null;
        this.phase = 'on';
        this.id = el.getAttribute('id');
        this.resumable = !!this.id && ['true', '1'].includes(el.getAttribute('resume'));
        {
          const max = Number(el.getAttribute('max'));
          this.maxMs = (Number.isFinite(max) && max > 0 ? max : this.opts.defaultMaxS) * 1000;
        }
        this.log(`stream management on${this.resumable ? `, resumable for ${this.maxMs / 1000} s` : ''}`);
        return { enabled: true };
      case 'resumed':
        return { resumed: this.onResumed(parseH(el)) };
      case 'failed': {
        if (this.phase === 'enabling') {
          this.phase = 'off';
          return { enableFailed: true };
        }
        let condition = null;
        for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) condition = n.localName;
        return { resumeFailed: this.onResumeFailed(), condition };
      }
      default:
        return null;
    }
  }

  /** The server acknowledged up to h: drop what it covers from the queue. */
  ack(h) {
    let n = ackDelta(this.acked, h);
    if (n > this.queue.length) {
      // More than we sent: a server bug; trust what we know and carry on.
      this.log(`stream management: server acked ${n} stanzas, only ${this.queue.length} unacked`);
      n = this.queue.length;
    }
    this.queue.splice(0, n);
    this.acked = h;
    this.requestedAt = null;
  }

  /**
   * Called periodically (every second or two) while connected. Returns null, 'request'
   * (send request()) or 'dead' (an <r/> went unanswered for ackTimeoutMs: drop the socket).
   */
  tick() {
    if (this.phase !== 'on' || this.lostAt !== null) return null;
    const now = this.now();
    if (this.requestedAt !== null && now - this.requestedAt > this.opts.ackTimeoutMs) return 'dead';
    if (this.requestedAt === null && now - this.lastRequest >= this.opts.requestEveryMs) return 'request';
    return null;
  }

  /** The <r/> to send (and notes that one is out). */
  request() {
    const now = this.now();
    if (this.requestedAt === null) this.requestedAt = now;
    this.lastRequest = now;
    this.sinceRequest = 0;
    return this.build('r', { xmlns: NS_SM });
  }

  /** The connection was lost (not closed by us). */
  lost() {
    if (this.lostAt === null) this.lostAt = this.now();
    this.requestedAt = null;
  }

  /** Whether to try to resume now (else: rejoin). */
  canResume() {
    if (this.phase !== 'on' || !this.resumable || !this.id) return false;
    const lostAt = this.lostAt ?? this.now();
    return this.now() < lostAt + this.maxMs - this.opts.marginMs;
  }

  /** The <resume/> to send on the new connection, after authentication. */
  resumeRequest() {
    return this.build('resume', { xmlns: NS_SM, previd: this.id, h: String(this.inbound) });
  }

  /** <resumed h/>: returns the stanzas to send again (each goes through sent() again). */
  onResumed(h) {
    if (h !== null) this.ack(h);
    const again = this.queue;
    this.queue = [];
    this.sinceRequest = 0;
    this.requestedAt = null;
    this.lastRequest = this.now();
    this.lostAt = null;
    return again;
  }

  /** <failed/> to a resume: the session is gone. Returns the stanzas that never arrived. */
  onResumeFailed() {
    const lost = this.queue;
    this.reset();
    return lost;
  }
}
