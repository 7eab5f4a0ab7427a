// SPDX-License-Identifier: MIT
// Jingle (Jitsi dialect) -> model. Reads a <jingle xmlns="urn:xmpp:jingle:1"> Element as
// Jicofo and parley-focus send it: contents with RTP descriptions and ICE-UDP transports, the
// BUNDLE group, bridge-session, start-muted, and remote sources in both the XML form (ssma:0
// <source>/<ssrc-group> inside descriptions) and the JSON form (<json-message> with
// {"sources":{owner:[videoSources, videoGroups, audioSources, audioGroups]}}).
// Pure: no DOM creation, no globals; malformed pieces are dropped and reported in `warnings`.

import { NS } from './ns.js';
import { attr, child, children, int, text, u32 } from './xml.js';

/** Endpoint id from an owner value: an endpoint id itself, or a JID whose resource it is. */
export function ownerEndpoint(owner) {
  if (!owner) return null;
  const slash = owner.indexOf('/');
  return slash >= 0 ? owner.slice(slash + 1) : owner;
}

function parsePayloadType(pt) {
  const id = int(attr(pt, 'id'));
  if (id === null || id < 0 || id > 127) return null;
  return {
    id,
    name: attr(pt, 'name') ?? '',
    clockrate: int(attr(pt, 'clockrate')),
    channels: int(attr(pt, 'channels')),
    ptime: int(attr(pt, 'ptime')),
    maxptime: int(attr(pt, 'maxptime')),
    parameters: children(pt, 'parameter').map((p) => ({
      name: attr(p, 'name'),
      value: attr(p, 'value') ?? '',
    })),
    rtcpFb: children(pt, 'rtcp-fb', NS.RTCP_FB).map((fb) => ({
      type: attr(fb, 'type'),
      subtype: attr(fb, 'subtype'),
    })).filter((fb) => fb.type),
  };
}

export function parseDescription(desc) {
  if (!desc) return null;
  return {
    media: attr(desc, 'media'),
    maxptime: int(attr(desc, 'maxptime')),
    payloadTypes: children(desc, 'payload-type').map(parsePayloadType).filter(Boolean),
    rtcpFb: children(desc, 'rtcp-fb', NS.RTCP_FB).map((fb) => ({
      type: attr(fb, 'type'),
      subtype: attr(fb, 'subtype'),
    })).filter((fb) => fb.type),
    hdrexts: children(desc, 'rtp-hdrext', NS.HDREXT).map((h) => ({
      id: int(attr(h, 'id')),
      uri: attr(h, 'uri'),
      senders: attr(h, 'senders'),
    })).filter((h) => h.id !== null && h.id > 0 && h.id < 256 && h.uri),
    extmapAllowMixed: !!child(desc, 'extmap-allow-mixed', NS.HDREXT),
    rtcpMux: !!child(desc, 'rtcp-mux'),
  };
}

export function parseCandidate(c) {
  const port = int(attr(c, 'port'));
  const component = int(attr(c, 'component'));
  const priority = u32(attr(c, 'priority'));
  const ip = attr(c, 'ip');
  if (port === null || port < 0 || port > 65535 || component === null || priority === null || !ip) {
    return null;
  }
  // An address goes verbatim into SDP: refuse anything that is not a plain host token.
  if (!/^[0-9A-Za-z.:_-]+$/.test(ip)) return null;
  const foundation = attr(c, 'foundation') ?? '1';
  if (!/^[!-~]{1,32}$/.test(foundation)) return null;
  const relAddr = attr(c, 'rel-addr');
  return {
    foundation,
    component,
    protocol: (attr(c, 'protocol') ?? 'udp').toLowerCase(),
    priority,
    ip,
    port,
    type: attr(c, 'type') ?? 'host',
    relAddr: relAddr && /^[0-9A-Za-z.:_-]+$/.test(relAddr) ? relAddr : null,
    relPort: int(attr(c, 'rel-port')),
    generation: int(attr(c, 'generation')) ?? 0,
    network: int(attr(c, 'network')),
    id: attr(c, 'id'),
    tcptype: attr(c, 'tcptype'),
  };
}

export function parseTransport(tr) {
  if (!tr) return null;
  const sctp = child(tr, 'sctpmap', NS.SCTP);
  return {
    ufrag: attr(tr, 'ufrag'),
    pwd: attr(tr, 'pwd'),
    iceGeneration: int(attr(tr, 'ice-generation')),
    rtcpMux: !!child(tr, 'rtcp-mux'),
    fingerprints: children(tr, 'fingerprint', NS.DTLS).map((f) => ({
      hash: attr(f, 'hash'),
      setup: attr(f, 'setup'),
      cryptex: attr(f, 'cryptex') === 'true',
      value: text(f).trim(),
    })).filter((f) => f.hash && f.value),
    candidates: children(tr, 'candidate').map(parseCandidate).filter(Boolean),
    webSockets: children(tr, 'web-socket', NS.COLIBRI).map((w) => attr(w, 'url')).filter(Boolean),
    sctp: sctp ? {
      number: int(attr(sctp, 'number')),
      protocol: attr(sctp, 'protocol'),
      streams: int(attr(sctp, 'streams')),
    } : null,
  };
}

function parseXmlSources(desc, media, warnings) {
  const sources = [];
  const groups = [];
  for (const s of children(desc, 'source', NS.SSMA)) {
    const ssrc = u32(attr(s, 'ssrc'));
    if (ssrc === null) {
      // <source rid=...> (simulcast by rid) carries no SSRC; anything else is malformed.
      if (!attr(s, 'rid')) warnings.push(`${media} source without a valid ssrc`);
      continue;
    }
    let msid = null;
    for (const p of children(s, 'parameter')) {
      if (attr(p, 'name') === 'msid') msid = attr(p, 'value');
    }
    const info = child(s, 'ssrc-info', NS.JITMEET);
    sources.push({
      ssrc,
      name: attr(s, 'name'),
      media,
      owner: ownerEndpoint(attr(info, 'owner')),
      msid,
      videoType: attr(s, 'videoType'),
    });
  }
  for (const g of children(desc, 'ssrc-group', NS.SSMA)) {
    const semantics = attr(g, 'semantics');
    const ssrcs = children(g, 'source').map((s) => u32(attr(s, 'ssrc')));
    if (!semantics || !ssrcs.length || ssrcs.some((x) => x === null)) {
      warnings.push(`${media} ssrc-group malformed`);
      continue;
    }
    groups.push({ media, semantics, ssrcs });
  }
  return { sources, groups };
}

const GROUP_SEMANTICS = { f: 'FID', s: 'SIM' };

/**
 * Parses the compact JSON source map of a <json-message>. Returns { sources, groups } (empty
 * when the message carries no sources) and pushes a warning for each malformed entry.
 */
export function parseJsonSources(jsonText, warnings = []) {
  const out = { sources: [], groups: [] };
  let json;
  try {
    json = JSON.parse(jsonText);
  } catch {
    warnings.push('json-message is not valid JSON');
    return out;
  }
  if (!json || typeof json !== 'object' || !json.sources || typeof json.sources !== 'object') {
    return out;
  }
  for (const [owner, lists] of Object.entries(json.sources)) {
    if (!Array.isArray(lists)) {
      warnings.push(`sources of ${owner} are not an array`);
      continue;
    }
    const perMedia = [['video', lists[0], lists[1]], ['audio', lists[2], lists[3]]];
    for (const [media, srcs, grps] of perMedia) {
      for (const s of Array.isArray(srcs) ? srcs : []) {
        const ssrc = u32(s?.s);
        if (ssrc === null) {
          warnings.push(`${owner}: ${media} source without a valid ssrc`);
          continue;
        }
        out.sources.push({
          ssrc,
          name: typeof s.n === 'string' ? s.n : null,
          media,
          owner: ownerEndpoint(owner),
          msid: typeof s.m === 'string' ? s.m : null,
          videoType: media === 'video' ? (s.v ? 'desktop' : 'camera') : null,
        });
      }
      for (const g of Array.isArray(grps) ? grps : []) {
        const semantics = Array.isArray(g) ? GROUP_SEMANTICS[g[0]] : null;
        const ssrcs = Array.isArray(g) ? g.slice(1).map(u32) : [];
        if (!semantics || ssrcs.length < 1 || ssrcs.some((x) => x === null)) {
          warnings.push(`${owner}: ${media} group malformed`);
          continue;
        }
        out.groups.push({ media, semantics, ssrcs });
      }
    }
  }
  return out;
}

/**
 * Parses a <jingle> element into a session model:
 * { action, sid, initiator, responder, contents[], groups[], bridgeSession, startMuted,
 *   sources[], ssrcGroups[], reason, warnings[] }.
 * Each content: { name, creator, senders, media, description, transport }.
 * Sources are { ssrc, name, media, owner, msid, videoType }; groups { media, semantics, ssrcs }.
 */
export function parseJingle(jingle) {
  if (!jingle || (jingle.localName || jingle.nodeName) !== 'jingle') {
    throw new Error('not a jingle element');
  }
  const warnings = [];
  const model = {
    action: attr(jingle, 'action'),
    sid: attr(jingle, 'sid'),
    initiator: attr(jingle, 'initiator'),
    responder: attr(jingle, 'responder'),
    contents: [],
    groups: [],
    bridgeSession: null,
    startMuted: null,
    sources: [],
    ssrcGroups: [],
    reason: null,
    warnings,
  };
  for (const c of children(jingle, 'content')) {
    const desc = child(c, 'description', NS.RTP);
    const description = parseDescription(desc);
    const transport = parseTransport(child(c, 'transport', NS.ICE_UDP));
    const name = attr(c, 'name');
    const media = description?.media ?? (transport?.sctp || name === 'data' ? 'application' : name);
    model.contents.push({
      name,
      creator: attr(c, 'creator'),
      senders: attr(c, 'senders'),
      media,
      description,
      transport,
    });
    if (desc && (media === 'audio' || media === 'video')) {
      const { sources, groups } = parseXmlSources(desc, media, warnings);
      model.sources.push(...sources);
      model.ssrcGroups.push(...groups);
    }
  }
  for (const g of children(jingle, 'group', NS.GROUPING)) {
    model.groups.push({
      semantics: attr(g, 'semantics') ?? attr(g, 'type'),
      contents: children(g, 'content').map((c) => attr(c, 'name')).filter(Boolean),
    });
  }
  const bs = child(jingle, 'bridge-session', NS.FOCUS);
  if (bs) {
    model.bridgeSession = {
      id: attr(bs, 'id'),
      region: attr(bs, 'region'),
      restart: attr(bs, 'restart') === 'true',
    };
  }
  const sm = child(jingle, 'startmuted', NS.START_MUTED);
  if (sm) {
    model.startMuted = { audio: attr(sm, 'audio') === 'true', video: attr(sm, 'video') === 'true' };
  }
  for (const jm of children(jingle, 'json-message', NS.JITMEET)) {
    const { sources, groups } = parseJsonSources(text(jm), warnings);
    model.sources.push(...sources);
    model.ssrcGroups.push(...groups);
  }
  const reason = child(jingle, 'reason');
  if (reason) {
    const kids = children(reason);
    const cond = kids.find((k) => (k.localName || k.nodeName) !== 'text');
    model.reason = {
      condition: cond ? (cond.localName || cond.nodeName) : null,
      text: text(child(reason, 'text')) || null,
    };
  }
  return model;
}

/** The content of a model for a media type ('audio' | 'video'), or null. */
export function contentFor(model, media) {
  return model.contents.find((c) => c.media === media) ?? null;
}

/** The first ICE-UDP transport of the model (all contents share it under BUNDLE). */
export function firstTransport(model) {
  for (const c of model.contents) if (c.transport && c.transport.ufrag) return c.transport;
  for (const c of model.contents) if (c.transport) return c.transport;
  return null;
}
