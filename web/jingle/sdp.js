// SPDX-License-Identifier: MIT
// Minimal SDP reading and writing for what Parley needs: parse the browser's local answer
// (per m-line: codecs, header extensions, direction, ICE/DTLS, SSRCs, groups, candidates)
// and convert ICE candidates between SDP and Jingle. Pure functions, no state.

/** SDP candidate attribute value (without "a=") from a Jingle candidate model. */
export function candidateToSdp(c) {
  let s = `candidate:${c.foundation} ${c.component} ${c.protocol} ${c.priority} ${c.ip} ${c.port}`
    + ` typ ${c.type}`;
  if (c.relAddr !== null && c.relAddr !== undefined && c.relPort !== null && c.relPort !== undefined) {
    s += ` raddr ${c.relAddr} rport ${c.relPort}`;
  }
  if (c.protocol === 'tcp' && c.tcptype) s += ` tcptype ${c.tcptype}`;
  s += ` generation ${c.generation ?? 0}`;
  return s;
}

let candidateCounter = 0;

/**
 * Parses an SDP candidate ("candidate:..." or "a=candidate:...") into a Jingle candidate
 * model, or null when it is not a well-formed candidate.
 */
export function candidateFromSdp(line) {
  let s = line.trim();
  if (s.startsWith('a=')) s = s.slice(2);
  if (!s.startsWith('candidate:')) return null;
  const f = s.slice('candidate:'.length).split(/\s+/);
  if (f.length < 8 || f[6] !== 'typ') return null;
  const c = {
    foundation: f[0],
    component: Number(f[1]),
    protocol: f[2].toLowerCase(),
    priority: Number(f[3]),
    ip: f[4],
    port: Number(f[5]),
    type: f[7],
    relAddr: null,
    relPort: null,
    generation: 0,
    network: 1,
    id: null,
    tcptype: null,
  };
  if (!Number.isInteger(c.component) || !Number.isInteger(c.port) || !Number.isFinite(c.priority)) {
    return null;
  }
  for (let i = 8; i + 1 < f.length; i += 2) {
    const v = f[i + 1];
    switch (f[i]) {
      case 'raddr': c.relAddr = v; break;
      case 'rport': c.relPort = Number(v); break;
      case 'generation': c.generation = Number(v); break;
      case 'tcptype': c.tcptype = v; break;
      case 'network-id': c.network = Number(v); break;
      default: break;
    }
  }
  candidateCounter = (candidateCounter + 1) % 0x7fffffff;
  c.id = `${Math.random().toString(36).slice(2, 10)}${candidateCounter.toString(36)}`;
  return c;
}

/** Jingle <candidate> attributes from a candidate model. */
export function candidateAttrs(c) {
  return {
    component: c.component,
    foundation: c.foundation,
    generation: c.generation ?? 0,
    id: c.id,
    ip: c.ip,
    network: c.network ?? 0,
    port: c.port,
    priority: c.priority,
    protocol: c.protocol,
    type: c.type,
    'rel-addr': c.relAddr,
    'rel-port': c.relPort,
    tcptype: c.tcptype,
  };
}

function splitLines(sdp) {
  return sdp.split(/\r?\n/).filter((l) => l.length);
}

/**
 * Parses an SDP into { session: { lines, ufrag, pwd, fingerprint, setup, extmapAllowMixed,
 * groups }, media: [ m-line models ] }. Each m-line model:
 * { index, type, port, proto, fmts[], mid, direction, rtcpMux, ufrag, pwd, fingerprint:{hash,
 *   value}, setup, extmapAllowMixed, rtpmaps: Map<pt,{name,clockrate,channels}>,
 *   fmtps: Map<pt,string>, rtcpFbs: [{pt,type,subtype}], extmaps: [{id,uri,direction}],
 *   ssrcs: Map<ssrc,{msid,cname,name,videoType}>, ssrcGroups: [{semantics,ssrcs}],
 *   msid, candidates: [string], lines[] }.
 */
export function parseSdp(sdp) {
  const session = {
    lines: [], ufrag: null, pwd: null, fingerprint: null, setup: null,
    extmapAllowMixed: false, groups: [],
  };
  const media = [];
  let cur = null;
  for (const line of splitLines(sdp)) {
    if (line.startsWith('m=')) {
      const [type, port, proto, ...fmts] = line.slice(2).split(' ');
      cur = {
        index: media.length, type, port: Number(port), proto, fmts,
        mid: null, direction: 'sendrecv', rtcpMux: false, ufrag: null, pwd: null,
        fingerprint: null, setup: null, extmapAllowMixed: false,
        rtpmaps: new Map(), fmtps: new Map(), rtcpFbs: [], extmaps: [],
        ssrcs: new Map(), ssrcGroups: [], msid: null, candidates: [], lines: [line],
      };
      media.push(cur);
      continue;
    }
    const target = cur ?? session;
    target.lines.push(line);
    if (!line.startsWith('a=')) continue;
    const a = line.slice(2);
    const colon = a.indexOf(':');
    const key = colon >= 0 ? a.slice(0, colon) : a;
    const val = colon >= 0 ? a.slice(colon + 1) : '';
    switch (key) {
      case 'group':
        if (!cur) {
          const [semantics, ...mids] = val.split(' ');
          session.groups.push({ semantics, mids });
        }
        break;
      case 'ice-ufrag': target.ufrag = val; break;
      case 'ice-pwd': target.pwd = val; break;
      case 'fingerprint': {
        const sp = val.indexOf(' ');
        target.fingerprint = { hash: val.slice(0, sp), value: val.slice(sp + 1) };
        break;
      }
      case 'setup': target.setup = val; break;
      case 'extmap-allow-mixed': target.extmapAllowMixed = true; break;
      default: break;
    }
    if (!cur) continue;
    switch (key) {
      case 'mid': cur.mid = val; break;
      case 'sendrecv': case 'sendonly': case 'recvonly': case 'inactive':
        cur.direction = key; break;
      case 'rtcp-mux': cur.rtcpMux = true; break;
      case 'rtpmap': {
        const m = /^(\d+) ([^/]+)\/(\d+)(?:\/(\d+))?/.exec(val);
        if (m) {
          cur.rtpmaps.set(Number(m[1]), {
            name: m[2], clockrate: Number(m[3]), channels: m[4] ? Number(m[4]) : null,
          });
        }
        break;
      }
      case 'fmtp': {
        const sp = val.indexOf(' ');
        if (sp > 0) cur.fmtps.set(Number(val.slice(0, sp)), val.slice(sp + 1));
        break;
      }
      case 'rtcp-fb': {
        const [pt, type, subtype] = val.split(' ');
        cur.rtcpFbs.push({ pt, type, subtype: subtype ?? null });
        break;
      }
      case 'extmap': {
        const m = /^(\d+)(?:\/(\w+))? (\S+)/.exec(val);
        if (m) cur.extmaps.push({ id: Number(m[1]), direction: m[2] ?? null, uri: m[3] });
        break;
      }
      case 'msid': cur.msid = val; break;
      case 'ssrc': {
        const m = /^(\d+) ([^:]+)(?::(.*))?$/.exec(val);
        if (m) {
          const ssrc = Number(m[1]);
          if (!cur.ssrcs.has(ssrc)) cur.ssrcs.set(ssrc, { msid: null, cname: null, name: null, videoType: null });
          const info = cur.ssrcs.get(ssrc);
          if (m[2] === 'msid') info.msid = m[3] ?? null;
          else if (m[2] === 'cname') info.cname = m[3] ?? null;
          else if (m[2] === 'name') info.name = m[3] ?? null;
          else if (m[2] === 'videoType') info.videoType = m[3] ?? null;
        }
        break;
      }
      case 'ssrc-group': {
        const [semantics, ...ssrcs] = val.split(' ');
        cur.ssrcGroups.push({ semantics, ssrcs: ssrcs.map(Number) });
        break;
      }
      case 'candidate': cur.candidates.push(a); break;
      default: break;
    }
  }
  // Session-level ICE/DTLS values apply to every m-line that does not repeat them.
  for (const m of media) {
    m.ufrag ??= session.ufrag;
    m.pwd ??= session.pwd;
    m.fingerprint ??= session.fingerprint;
    m.setup ??= session.setup;
    m.extmapAllowMixed ||= session.extmapAllowMixed;
  }
  return { session, media };
}

/** Parses an fmtp value ("a=1;b=2" or "111/111") into Jingle parameters [{name, value}]. */
export function fmtpToParameters(fmtp) {
  const out = [];
  for (const part of fmtp.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out.push({ name: null, value: p });
    else out.push({ name: p.slice(0, eq).trim(), value: p.slice(eq + 1).trim() });
  }
  return out;
}

/** Joins Jingle parameters into an fmtp value, the inverse of fmtpToParameters. */
export function parametersToFmtp(params) {
  // Jicofo packs several H264 parameters into one value ("42e01f;packetization-mode=1;"):
  // re-split so that the result has no empty segments.
  return params.map((p) => (p.name ? `${p.name}=${p.value}` : p.value)).join(';')
    .split(';').map((x) => x.trim()).filter(Boolean).join(';');
}
