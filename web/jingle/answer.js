// SPDX-License-Identifier: MIT
// The browser's local SDP answer -> Jingle (session-accept, transport-info, source-add,
// source-remove), plus session-terminate and session-info. Builds plain trees with xml.el();
// the XMPP layer wraps them in an IQ. Pure functions: no DOM, no globals.

import { NS } from './ns.js';
import { el } from './xml.js';
import { candidateAttrs, candidateFromSdp, fmtpToParameters, parseSdp } from './sdp.js';

const LETTER = { audio: 'a', video: 'v' };

/** Jingle 'senders' for the responder from our local (answer) direction. */
export function sendersFromDirection(direction) {
  switch (direction) {
    case 'sendrecv': return 'both';
    case 'sendonly': return 'responder';
    case 'recvonly': return 'initiator';
    default: return 'none';
  }
}

/**
 * Our own sources in the local SDP. Only m-lines we send on count. `names` maps a mid to
 * { name, videoType } (Jitsi's naming: the microphone "<endpointId>-a0", the camera "-v0", a
 * screen share "-v1" with videoType desktop); an m-line not in it is named by its position:
 * the n-th sending m-line of a media type is "<endpointId>-a<n>" / "-v<n>".
 * Returns { sources: [{ ssrc, name, media, msid, videoType }], groups: [{ media, semantics, ssrcs }] }.
 */
export function localSources(sdpOrParsed, endpointId, names = {}) {
  const parsed = typeof sdpOrParsed === 'string' ? parseSdp(sdpOrParsed) : sdpOrParsed;
  const sources = [];
  const groups = [];
  const count = { audio: 0, video: 0 };
  for (const m of parsed.media) {
    if (!(m.type in LETTER) || m.port === 0) continue;
    if (m.direction !== 'sendrecv' && m.direction !== 'sendonly') continue;
    if (!m.ssrcs.size) continue;
    const given = m.mid !== null && m.mid !== undefined ? names[m.mid] : null;
    const name = given?.name ?? `${endpointId}-${LETTER[m.type]}${count[m.type]}`;
    count[m.type]++;
    for (const [ssrc, info] of m.ssrcs) {
      sources.push({
        ssrc,
        name,
        media: m.type,
        msid: info.msid ?? m.msid,
        videoType: m.type === 'video' ? (given?.videoType ?? 'camera') : null,
      });
    }
    for (const g of m.ssrcGroups) {
      if (g.ssrcs.every((s) => m.ssrcs.has(s))) groups.push({ media: m.type, semantics: g.semantics, ssrcs: g.ssrcs });
    }
  }
  return { sources, groups };
}

/** Differences between two local source sets: { added, removed } each { sources, groups }. */
export function diffSources(before, after) {
  const key = (g) => `${g.media}|${g.semantics}|${g.ssrcs.join(',')}`;
  const bs = new Set(before.sources.map((s) => s.ssrc));
  const as = new Set(after.sources.map((s) => s.ssrc));
  const bg = new Set(before.groups.map(key));
  const ag = new Set(after.groups.map(key));
  return {
    added: {
      sources: after.sources.filter((s) => !bs.has(s.ssrc)),
      groups: after.groups.filter((g) => !bg.has(key(g))),
    },
    removed: {
      sources: before.sources.filter((s) => !as.has(s.ssrc)),
      groups: before.groups.filter((g) => !ag.has(key(g))),
    },
  };
}

function sourceNodes(sources, groups, media) {
  const out = [];
  for (const s of sources) {
    if (s.media !== media) continue;
    out.push(el('source', { xmlns: NS.SSMA, ssrc: s.ssrc, name: s.name, videoType: s.videoType }, [
      s.msid ? el('parameter', { name: 'msid', value: s.msid }) : null,
    ]));
  }
  for (const g of groups) {
    if (g.media !== media) continue;
    out.push(el('ssrc-group', { xmlns: NS.SSMA, semantics: g.semantics },
      g.ssrcs.map((s) => el('source', { ssrc: s }))));
  }
  return out;
}

/** <description> for an m-line of a parsed SDP, with the given sources (XML form). */
export function descriptionNode(m, sources, groups) {
  const kids = [];
  for (const fmt of m.fmts) {
    const pt = Number(fmt);
    const map = m.rtpmaps.get(pt);
    if (!map) continue;
    const params = m.fmtps.has(pt) ? fmtpToParameters(m.fmtps.get(pt)) : [];
    kids.push(el('payload-type', {
      id: pt, name: map.name, clockrate: map.clockrate, channels: map.channels ?? undefined,
    }, [
      params.map((p) => el('parameter', { name: p.name ?? undefined, value: p.value })),
      m.rtcpFbs.filter((fb) => fb.pt === fmt).map((fb) => el('rtcp-fb', {
        xmlns: NS.RTCP_FB, type: fb.type, subtype: fb.subtype ?? undefined,
      })),
    ]));
  }
  kids.push(...sourceNodes(sources, groups, m.type));
  if (m.rtcpMux) kids.push(el('rtcp-mux'));
  for (const fb of m.rtcpFbs.filter((f) => f.pt === '*')) {
    kids.push(el('rtcp-fb', { xmlns: NS.RTCP_FB, type: fb.type, subtype: fb.subtype ?? undefined }));
  }
  for (const x of m.extmaps) kids.push(el('rtp-hdrext', { xmlns: NS.HDREXT, id: x.id, uri: x.uri }));
  if (m.extmapAllowMixed) kids.push(el('extmap-allow-mixed', { xmlns: NS.HDREXT }));
  return el('description', { xmlns: NS.RTP, media: m.type }, kids);
}

/** ICE-UDP <transport> from { ufrag, pwd, fingerprint:{hash,value}, setup } and candidates. */
export function transportNode(ice, candidates) {
  return el('transport', { xmlns: NS.ICE_UDP, ufrag: ice.ufrag, pwd: ice.pwd }, [
    el('rtcp-mux'),
    ice.fingerprint ? el('fingerprint', {
      xmlns: NS.DTLS, hash: ice.fingerprint.hash, setup: ice.setup ?? 'active',
    }, [ice.fingerprint.value]) : null,
    candidates.map((c) => el('candidate', candidateAttrs(c))),
  ]);
}

/**
 * session-accept from the local answer.
 * @param {object} p
 * @param {string} p.sid, p.initiator, p.responder   values for the <jingle> attributes
 * @param {string} p.sdp             the local description (answer)
 * @param {string} p.endpointId      our MUC nickname
 * @param {{audio?:string, video?:string}} p.mids  mids of our local m-lines (RemoteOffer.localMid)
 * @param {object} [p.names]         mid -> { name, videoType } (see localSources)
 * @param {number} [p.initialLastN]
 * @returns {{ jingle: object, sources: object }}  the tree and our signalled sources
 */
export function buildSessionAccept(p) {
  const parsed = parseSdp(p.sdp);
  const local = localSources(parsed, p.endpointId, p.names);
  const contents = [];
  for (const media of ['audio', 'video']) {
    const mid = p.mids?.[media];
    const m = parsed.media.find((x) => x.mid === mid && x.type === media);
    if (!m || m.port === 0) continue;
    const cands = m.candidates.map(candidateFromSdp).filter(Boolean);
    contents.push(el('content', {
      creator: 'responder', name: media, senders: sendersFromDirection(m.direction),
    }, [
      media === 'video' && Number.isInteger(p.initialLastN)
        ? el('initial-last-n', { xmlns: NS.COLIBRI2, value: p.initialLastN }) : null,
      descriptionNode(m, local.sources, local.groups),
      transportNode(m, cands),
    ]));
  }
  const jingle = el('jingle', {
    xmlns: NS.JINGLE, action: 'session-accept', initiator: p.initiator, responder: p.responder, sid: p.sid,
  }, [
    el('group', { xmlns: NS.GROUPING, semantics: 'BUNDLE' },
      contents.map((c) => el('content', { name: c.attrs.name }))),
    contents,
  ]);
  return { jingle, sources: local };
}

/**
 * transport-info carrying trickled local candidates (all on the BUNDLE transport).
 * @param {object} p { sid, initiator, media, ufrag, pwd, fingerprint:{hash,value}, setup,
 *                     candidates: [string SDP candidate lines], iceGeneration? }
 */
export function buildTransportInfo(p) {
  const cands = p.candidates.map(candidateFromSdp).filter(Boolean);
  const transport = transportNode({ ufrag: p.ufrag, pwd: p.pwd, fingerprint: p.fingerprint, setup: p.setup }, cands);
  // After an in-place ICE restart we answer with the generation the focus announced.
  if (Number.isInteger(p.iceGeneration)) transport.attrs['ice-generation'] = String(p.iceGeneration);
  return el('jingle', { xmlns: NS.JINGLE, action: 'transport-info', initiator: p.initiator, sid: p.sid }, [
    el('content', { creator: 'responder', name: p.media ?? 'audio' }, [transport]),
  ]);
}

/** source-add / source-remove with our sources in the XML form. */
export function buildSourceChange(action, p) {
  const contents = [];
  for (const media of ['audio', 'video']) {
    const kids = sourceNodes(p.sources, p.groups ?? [], media);
    if (!kids.length) continue;
    contents.push(el('content', { name: media, creator: 'responder' }, [
      el('description', { xmlns: NS.RTP, media }, kids),
    ]));
  }
  return el('jingle', { xmlns: NS.JINGLE, action, initiator: p.initiator, sid: p.sid }, contents);
}

/**
 * session-terminate. `restart` asks the focus for a new session on the bridge session
 * `bridgeSessionId` (Jicofo re-invites, rate-limited).
 */
export function buildSessionTerminate(p) {
  return el('jingle', { xmlns: NS.JINGLE, action: 'session-terminate', initiator: p.initiator, sid: p.sid }, [
    el('reason', {}, [el(p.reason ?? 'success'), p.text ? el('text', {}, [p.text]) : null]),
    p.bridgeSessionId && p.restart
      ? el('bridge-session', { xmlns: NS.FOCUS, id: p.bridgeSessionId, restart: 'true' }) : null,
  ]);
}

/** session-info telling the focus that ICE failed (it re-invites us). */
export function buildIceFailed(p) {
  return el('jingle', { xmlns: NS.JINGLE, action: 'session-info', initiator: p.initiator, sid: p.sid }, [
    el('ice-state', { xmlns: NS.FOCUS }, ['failed']),
    p.bridgeSessionId ? el('bridge-session', { xmlns: NS.FOCUS, id: p.bridgeSessionId }) : null,
  ]);
}
