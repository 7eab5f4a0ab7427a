// SPDX-License-Identifier: MIT
// The remote side of a JVB session as an SDP offer for RTCPeerConnection (unified plan).
//
// Jingle carries one description per media type plus a flat list of remote sources; the
// browser needs one m-line per remote source (its primary SSRC plus FID/SIM partners), all
// BUNDLEd. RemoteOffer keeps that mapping stable across source-add/source-remove:
//   - per media type, the first m-line is the "local" one: it carries the bridge's feedback
//     source (owner "jvb", msid "mixedmslabel ...") if there is one, is offered sendrecv, and
//     is the m-line our own camera/microphone is answered on;
//   - every other remote source gets its own sendonly m-line, in order of arrival; its mid
//     never changes while the source lives;
//   - a removed source's m-line is rejected (port 0, inactive, out of the BUNDLE group); a
//     later source of the same media type recycles it under a fresh mid (JSEP 5.2.2), or a
//     new m-line is appended when none is free. Mids are never reused;
//   - a second local video m-line (role 'desktop') carries our screen share while we share:
//     offered recvonly (the bridge only receives on it), so we answer sendonly. The answerer
//     cannot add m-lines, so this is how a second source of ours gets one, as lib-jitsi-meet
//     does for its desktop track. It is rejected when the share stops (a new one gets a fresh
//     mid, so a new transceiver and new SSRCs).
// One instance per RTCPeerConnection; owned by the Jingle session (browser main thread).
// Pure: no DOM, no RTCPeerConnection, so node tests run it directly.

import { candidateToSdp, parametersToFmtp } from './sdp.js';

const MEDIA_TYPES = ['audio', 'video'];

export function isBridgeSource(src) {
  return src.owner === 'jvb' || (typeof src.msid === 'string' && src.msid.startsWith('mixedmslabel'));
}

function randomSessionId() {
  // 62 bits fit a JS number exactly; SDP session ids are decimal.
  return String(Math.floor(Math.random() * 2 ** 52) + 1);
}

export class RemoteOffer {
  /**
   * @param {object} [opts]
   * @param {boolean} [opts.recycle=true] recycle rejected m-lines for new sources.
   * @param {string} [opts.preferredVideoCodec] e.g. 'VP8': listed first (with its RTX) in the
   *   video m-lines, so the browser's answer, and what it sends, uses it.
   */
  constructor(opts = {}) {
    this.recycle = opts.recycle !== false;
    this.preferredVideoCodec = opts.preferredVideoCodec ?? null;
    this.sessionId = randomSessionId();
    this.version = 0;
    this.descriptions = new Map(); // media -> description model (from the session-initiate)
    this.mediaOrder = [];
    this.transport = null;
    this.cryptex = false;
    this.sources = new Map(); // ssrc -> source
    this.groups = []; // { media, semantics, ssrcs }
    this.slots = []; // { mid, media, key, local, role ('main'|'desktop'|null), rejected }
    this.nextMid = 0;
  }

  /** Builds the offer state from a parsed session-initiate model. */
  static fromSessionInitiate(model, opts) {
    const offer = new RemoteOffer(opts);
    for (const c of model.contents) {
      if (!MEDIA_TYPES.includes(c.media) || !c.description) continue;
      if (c.senders === 'rejected' || !c.description.payloadTypes.length) continue;
      if (offer.descriptions.has(c.media)) continue;
      offer.descriptions.set(c.media, c.description);
      offer.mediaOrder.push(c.media);
      if (!offer.transport && c.transport) offer.transport = structuredCloneTransport(c.transport);
    }
    if (!offer.transport) {
      for (const c of model.contents) {
        if (c.transport?.ufrag) { offer.transport = structuredCloneTransport(c.transport); break; }
      }
    }
    offer.cryptex = !!offer.transport?.fingerprints.some((f) => f.cryptex);
    // Per media type, in content order: the local m-line, then one per remote source.
    for (const media of offer.mediaOrder) {
      offer.slots.push({ mid: offer.allocMid(), media, key: null, local: true, role: 'main', rejected: false });
      offer.addSources(model.sources.filter((s) => s.media === media),
        model.ssrcGroups.filter((g) => g.media === media));
    }
    return offer;
  }

  allocMid() {
    return String(this.nextMid++);
  }

  hasMedia(media) {
    return this.descriptions.has(media);
  }

  /** Stream key of a source: its name, else the smallest SSRC of its group component. */
  keyOf(src) {
    if (src.name) return `${src.media}:${src.name}`;
    let root = src.ssrc;
    const seen = new Set([src.ssrc]);
    const queue = [src.ssrc];
    while (queue.length) {
      const s = queue.pop();
      for (const g of this.groups) {
        if (g.media !== src.media || !g.ssrcs.includes(s)) continue;
        for (const o of g.ssrcs) {
          if (!seen.has(o) && this.sources.has(o)) { seen.add(o); queue.push(o); root = Math.min(root, o); }
        }
      }
    }
    return `${src.media}:ssrc:${root}`;
  }

  /** Current streams: Map key -> { key, media, owner, name, msid, videoType, ssrcs[], bridge }. */
  streams() {
    const out = new Map();
    for (const src of this.sources.values()) {
      const key = this.keyOf(src);
      let st = out.get(key);
      if (!st) {
        st = {
          key, media: src.media, owner: src.owner, name: src.name, msid: src.msid,
          videoType: src.videoType, ssrcs: [], bridge: isBridgeSource(src),
        };
        out.set(key, st);
      }
      st.ssrcs.push(src.ssrc);
      st.msid ??= src.msid;
      st.owner ??= src.owner;
    }
    return out;
  }

  /**
   * Adds remote sources and groups (from session-initiate or source-add). Sources of a
   * media type the session has no description for are ignored. Returns the keys of streams
   * that got a new m-line.
   */
  addSources(sources, groups = []) {
    for (const src of sources) {
      if (!this.descriptions.has(src.media)) continue;
      this.sources.set(src.ssrc, { ...src });
    }
    for (const g of groups) {
      if (!this.descriptions.has(g.media)) continue;
      const dup = this.groups.some((h) => h.semantics === g.semantics
        && h.ssrcs.length === g.ssrcs.length && h.ssrcs.every((s, i) => s === g.ssrcs[i]));
      if (!dup) this.groups.push({ media: g.media, semantics: g.semantics, ssrcs: [...g.ssrcs] });
    }
    const added = [];
    const streams = this.streams();
    const placed = new Set(this.slots.filter((s) => s.key).map((s) => s.key));
    for (const st of streams.values()) {
      if (placed.has(st.key)) continue;
      if (st.bridge) {
        const local = this.slots.find((s) => s.local && s.role === 'main' && s.media === st.media);
        if (local && !local.key) { local.key = st.key; placed.add(st.key); continue; }
      }
      let slot = this.recycle
        ? this.slots.find((s) => s.rejected && s.media === st.media)
        : null;
      if (slot) {
        slot.mid = this.allocMid();
        slot.rejected = false;
        slot.key = st.key;
        slot.local = false;
        slot.role = null;
      } else {
        slot = { mid: this.allocMid(), media: st.media, key: st.key, local: false, role: null, rejected: false };
        this.slots.push(slot);
      }
      placed.add(st.key);
      added.push(st.key);
    }
    return added;
  }

  /**
   * Removes remote sources (by SSRC) and the groups that mention them. Returns the mids of
   * m-lines that were rejected because their stream has no source left.
   */
  removeSources(sources, groups = []) {
    const gone = new Set(sources.map((s) => (typeof s === 'number' ? s : s.ssrc)));
    const sameGroup = (a, b) => a.semantics === b.semantics && a.ssrcs.length === b.ssrcs.length
      && a.ssrcs.every((s, i) => s === b.ssrcs[i]);
    const before = this.streams();
    for (const s of gone) this.sources.delete(s);
    this.groups = this.groups.filter((g) => !g.ssrcs.some((s) => gone.has(s))
      && !groups.some((r) => sameGroup(r, g)));
    const after = this.streams();
    const rejected = [];
    for (const slot of this.slots) {
      if (!slot.key || !before.has(slot.key) || after.has(slot.key)) continue;
      if (slot.local) { slot.key = null; continue; }
      slot.key = null;
      slot.rejected = true;
      rejected.push(slot.mid);
    }
    return rejected;
  }

  /** Replaces ICE credentials and candidates (ICE restart from a transport-info). */
  setTransport(transport) {
    this.transport = structuredCloneTransport(transport);
  }

  /** Adds trickled remote candidates; returns the ones that were new. */
  addCandidates(cands) {
    if (!this.transport) return [];
    const fresh = [];
    for (const c of cands) {
      const dup = this.transport.candidates.some((o) => o.ip === c.ip && o.port === c.port
        && o.protocol === c.protocol && o.component === c.component);
      if (!dup) { this.transport.candidates.push(c); fresh.push(c); }
    }
    return fresh;
  }

  slotByMid(mid) {
    return this.slots.find((s) => s.mid === mid) ?? null;
  }

  /**
   * The mid of the m-line our own track of this media type is answered on, or null; role
   * 'desktop' is the screen-share m-line (video), when there is one.
   */
  localMid(media, role = 'main') {
    return this.slots.find((s) => s.local && s.role === role && s.media === media && !s.rejected)?.mid ?? null;
  }

  /**
   * Adds a local m-line of `role` for `media` (recycling a rejected m-line of that media under
   * a fresh mid, else appending one). Returns its mid; the existing one if there is one.
   * Needs a description of that media type from the session-initiate (else null).
   */
  addLocalSlot(media, role) {
    if (!this.descriptions.has(media)) return null;
    const have = this.localMid(media, role);
    if (have) return have;
    let slot = this.recycle ? this.slots.find((s) => s.rejected && s.media === media) : null;
    if (slot) {
      Object.assign(slot, { mid: this.allocMid(), key: null, local: true, role, rejected: false });
    } else {
      slot = { mid: this.allocMid(), media, key: null, local: true, role, rejected: false };
      this.slots.push(slot);
    }
    return slot.mid;
  }

  /** Rejects the local m-line of `role` (e.g. the screen share stopped). Returns its mid or null. */
  removeLocalSlot(media, role) {
    const slot = this.slots.find((s) => s.local && s.role === role && s.media === media && !s.rejected);
    if (!slot || role === 'main') return null;
    Object.assign(slot, { key: null, local: false, role: null, rejected: true });
    return slot.mid;
  }

  /** Stream carried by the m-line `mid`, or null (free, rejected, or the bare local m-line). */
  streamForMid(mid) {
    const slot = this.slotByMid(mid);
    if (!slot || !slot.key) return null;
    return this.streams().get(slot.key) ?? null;
  }

  /** Payload type ids in m= line order, the preferred video codec and its RTX first. */
  orderedPayloadTypes(media, d) {
    const ids = d.payloadTypes.map((p) => p.id);
    const want = this.preferredVideoCodec?.toLowerCase();
    if (media !== 'video' || !want) return ids;
    const main = d.payloadTypes.filter((p) => p.name.toLowerCase() === want).map((p) => p.id);
    if (!main.length) return ids;
    const rtx = d.payloadTypes.filter((p) => p.name.toLowerCase() === 'rtx'
      && p.parameters.some((x) => x.name === 'apt' && main.includes(Number(x.value)))).map((p) => p.id);
    const first = [...main, ...rtx];
    return [...first, ...ids.filter((id) => !first.includes(id))];
  }

  bundleMids() {
    return this.slots.filter((s) => !s.rejected).map((s) => s.mid);
  }

  /** Serializes the current state; every call bumps the o= version. */
  toSdp() {
    this.version++;
    const streams = this.streams();
    const lines = [
      'v=0',
      `o=- ${this.sessionId} ${this.version} IN IP4 0.0.0.0`,
      's=-',
      't=0 0',
      'a=msid-semantic: WMS *',
      `a=group:BUNDLE ${this.bundleMids().join(' ')}`,
    ];
    if (this.cryptex) lines.push('a=cryptex');
    let first = true;
    for (const slot of this.slots) {
      const st = slot.key ? streams.get(slot.key) : null;
      lines.push(...this.mediaSection(slot, st, first && !slot.rejected));
      if (!slot.rejected) first = false;
    }
    return lines.join('\r\n') + '\r\n';
  }

  mediaSection(slot, stream, withCandidates) {
    const d = this.descriptions.get(slot.media);
    const t = this.transport;
    const pts = this.orderedPayloadTypes(slot.media, d);
    const out = [
      `m=${slot.media} ${slot.rejected ? 0 : 9} UDP/TLS/RTP/SAVPF ${pts.join(' ')}`,
      'c=IN IP4 0.0.0.0',
      'a=rtcp:9 IN IP4 0.0.0.0',
    ];
    if (t) {
      if (t.ufrag) out.push(`a=ice-ufrag:${tok(t.ufrag)}`);
      if (t.pwd) out.push(`a=ice-pwd:${tok(t.pwd)}`);
      for (const f of t.fingerprints) {
        out.push(`a=fingerprint:${tok(f.hash)} ${tok(f.value)}`);
        out.push(`a=setup:${tok(f.setup || 'actpass')}`);
      }
      if (withCandidates) {
        for (const c of t.candidates) out.push(`a=${candidateLine(c)}`);
      }
    }
    // From the bridge's side: it sends and receives on the main m-lines, only receives on our
    // screen-share m-line, only sends on the others.
    const dir = slot.rejected ? 'inactive' : slot.local ? (slot.role === 'main' ? 'sendrecv' : 'recvonly') : 'sendonly';
    out.push(`a=${dir}`);
    out.push(`a=mid:${slot.mid}`);
    out.push('a=rtcp-mux');
    if (d.maxptime && slot.media === 'audio') out.push(`a=maxptime:${d.maxptime}`);
    for (const p of d.payloadTypes) {
      out.push(`a=rtpmap:${p.id} ${tok(p.name)}/${p.clockrate ?? 90000}${p.channels && p.channels > 1 ? `/${p.channels}` : ''}`);
      const fmtp = fmtpOf(p.parameters);
      if (fmtp) out.push(`a=fmtp:${p.id} ${tok(fmtp)}`);
      for (const fb of p.rtcpFb) out.push(`a=rtcp-fb:${p.id} ${tok(fb.type)}${fb.subtype ? ` ${tok(fb.subtype)}` : ''}`);
    }
    for (const fb of d.rtcpFb) out.push(`a=rtcp-fb:* ${tok(fb.type)}${fb.subtype ? ` ${tok(fb.subtype)}` : ''}`);
    for (const h of d.hdrexts) out.push(`a=extmap:${h.id} ${tok(h.uri)}`);
    if (d.extmapAllowMixed) out.push('a=extmap-allow-mixed');
    if (stream && !slot.rejected) {
      const inStream = new Set(stream.ssrcs);
      for (const g of this.groups) {
        if (g.media === slot.media && g.ssrcs.every((s) => inStream.has(s))) {
          out.push(`a=ssrc-group:${g.semantics} ${g.ssrcs.join(' ')}`);
        }
      }
      const msid = stream.msid || `${stream.owner ?? 'remote'} ${stream.name ?? stream.key}`;
      for (const ssrc of orderSsrcs(stream.ssrcs, this.groups)) {
        out.push(`a=ssrc:${ssrc} msid:${sanitizeMsid(msid)}`);
      }
    }
    return out;
  }
}

function candidateLine(c) {
  return tok(candidateToSdp(c));
}

/** Values from the wire go into SDP lines: never let one carry a line break or NUL. */
function tok(s) {
  return String(s).replace(/[\r\n\0]/g, '');
}

function fmtpOf(params) {
  return params.length ? parametersToFmtp(params) : '';
}

/** Primary SSRCs first (group order), so the browser sees the media SSRC before its RTX. */
function orderSsrcs(ssrcs, groups) {
  const order = [];
  const set = new Set(ssrcs);
  for (const g of groups) {
    if (g.semantics !== 'SIM' && g.semantics !== 'FID') continue;
    for (const s of g.ssrcs) if (set.has(s) && !order.includes(s)) order.push(s);
  }
  for (const s of ssrcs) if (!order.includes(s)) order.push(s);
  // FID partners after all primaries: [p1, p2, ..., r1, r2, ...] is what browsers emit.
  const rtx = new Set();
  for (const g of groups) if (g.semantics === 'FID' && g.ssrcs.length > 1) rtx.add(g.ssrcs[1]);
  return [...order.filter((s) => !rtx.has(s)), ...order.filter((s) => rtx.has(s))];
}

function sanitizeMsid(msid) {
  // msid is "<stream id> [<track id>]"; tokens must not contain whitespace or control chars.
  return msid.split(/\s+/).filter(Boolean).slice(0, 2)
    .map((t) => t.replace(/[^\x21-\x7e]/g, '_')).join(' ') || '-';
}

function structuredCloneTransport(t) {
  return {
    ...t,
    fingerprints: t.fingerprints.map((f) => ({ ...f })),
    candidates: t.candidates.map((c) => ({ ...c })),
    webSockets: [...t.webSockets],
  };
}
