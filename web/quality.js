// SPDX-License-Identifier: MIT
// Connection quality per participant, from WebRTC getStats (MediaSession.stats()): packet
// loss over the last interval, round-trip time to the bridge, and the resolution and frame
// rate being received (or, for ourselves, sent). qualityOf() turns the numbers into a level
// and a one-line explanation for the tile's tooltip. Pure functions plus a small sampler that
// keeps the previous counters; no DOM.
//
// Levels: 'good' (loss < 2 %, RTT < 300 ms), 'fair' (loss < 8 %, RTT < 700 ms), 'poor'
// (worse), 'lost' (the bridge says the participant's connection is inactive, or nothing was
// received for a whole interval while media was expected), 'unknown' (no numbers yet).

export const QUALITY_LABEL = {
  good: 'Good connection',
  fair: 'Fair connection',
  poor: 'Poor connection',
  lost: 'Connection lost',
  unknown: 'Connection: no data yet',
};

/**
 * Level for { loss (0..1, or null), rtt (seconds, or null), active (bridge's view), stalled }.
 */
export function qualityLevel({ loss = null, rtt = null, active = true, stalled = false } = {}) {
  if (active === false || stalled) return 'lost';
  if (loss === null && rtt === null) return 'unknown';
  const l = loss ?? 0;
  const r = rtt ?? 0;
  if (l < 0.02 && r < 0.3) return 'good';
  if (l < 0.08 && r < 0.7) return 'fair';
  return 'poor';
}

/** "Loss 0.4 % · RTT 23 ms · 640×360 at 30 fps" (parts that are known). */
export function qualityText(q) {
  const parts = [];
  if (q.loss !== null && q.loss !== undefined) parts.push(`Loss ${(q.loss * 100).toFixed(q.loss < 0.1 ? 1 : 0)} %`);
  if (q.rtt !== null && q.rtt !== undefined) parts.push(`RTT ${Math.round(q.rtt * 1000)} ms`);
  if (q.width && q.height) parts.push(`${q.width}×${q.height}${q.fps ? ` at ${Math.round(q.fps)} fps` : ''}`);
  if (q.screen?.width) parts.push(`screen ${q.screen.width}×${q.screen.height}`);
  return parts.join(' · ');
}

const num = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

/**
 * Keeps the previous stats sample and computes, per remote endpoint id and for ourselves
 * ('_local'), { level, loss, rtt, width, height, fps, text } over the interval.
 */
export class QualitySampler {
  constructor() {
    this.prev = null;
    this.prevAt = 0;
  }

  /**
   * @param {object} stats   MediaSession.stats() output
   * @param {Map|object} participants  id -> { connectionActive, audioMuted, videoMuted, ... }
   * @param {number} now     ms
   */
  sample(stats, participants, now = Date.now()) {
    const out = {};
    const prev = this.prev ?? {};
    const dt = this.prevAt ? (now - this.prevAt) / 1000 : 0;
    const rtt = stats?._transport?.rtt ?? null;
    const list = participants instanceof Map ? [...participants.values()] : Object.values(participants ?? {});
    for (const p of list) {
      const cur = stats?.[p.id] ?? {};
      const before = prev[p.id] ?? {};
      let received = 0;
      let lost = 0;
      let bytes = 0;
      for (const kind of ['audio', 'video', 'screen']) {
        const c = cur[kind] ?? {};
        const b = before[kind] ?? {};
        received += Math.max(0, num(c.packetsReceived) - num(b.packetsReceived));
        lost += Math.max(0, num(c.packetsLost) - num(b.packetsLost));
        bytes += Math.max(0, num(c.bytesReceived) - num(b.bytesReceived));
      }
      const haveBefore = !!prev[p.id];
      const loss = haveBefore && received + lost > 0 ? lost / (received + lost) : null;
      const v = cur.video ?? {};
      const fps = haveBefore && dt > 0 ? Math.max(0, num(v.framesDecoded) - num(before.video?.framesDecoded)) / dt : null;
      // Media expected (audio or video not muted) but not a packet for a whole interval.
      const expecting = (!p.audioMuted && p.hasAudio !== false) || (!p.videoMuted && p.hasVideo !== false);
      const stalled = haveBefore && dt >= 1 && expecting && received === 0 && !!(stats?.[p.id]);
      const q = {
        loss, rtt, width: v.frameWidth ?? null, height: v.frameHeight ?? null, fps,
        bitrate: haveBefore && dt > 0 ? (bytes * 8) / dt : null,
        screen: cur.screen?.frameWidth ? { width: cur.screen.frameWidth, height: cur.screen.frameHeight } : null,
      };
      q.level = qualityLevel({ loss, rtt, active: p.connectionActive !== false, stalled });
      q.text = qualityText(q);
      out[p.id] = q;
    }
    // Ourselves: what the bridge reports back about our sending (remote-inbound-rtp).
    const l = stats?._local ?? {};
    const lv = l.video ?? {};
    const lossUp = l.remoteLoss ?? null;
    const mine = {
      loss: lossUp, rtt: l.remoteRtt ?? rtt, width: lv.frameWidth ?? null, height: lv.frameHeight ?? null,
      fps: this.prev && dt > 0 ? Math.max(0, num(lv.framesEncoded) - num(prev._local?.video?.framesEncoded)) / dt : null,
      screen: l.screen?.frameWidth ? { width: l.screen.frameWidth, height: l.screen.frameHeight } : null,
    };
    mine.level = qualityLevel({ loss: mine.loss, rtt: mine.rtt });
    mine.text = qualityText(mine);
    out._local = mine;
    this.prev = stats ?? {};
    this.prevAt = now;
    return out;
  }
}
