// SPDX-License-Identifier: MIT
// Simulcast for the camera by SDP munging, the way lib-jitsi-meet does it for Chromium when it
// answers the focus's offer (its transceivers come from the offer, so sendEncodings cannot be
// given): before setLocalDescription, the camera's m-line of our answer gets two more SSRCs,
// each with its RTX SSRC (FID groups), and a SIM group over the three. Chromium then encodes
// three layers, the first SSRC of the group at a quarter of the camera's resolution, the
// second at half, the third at full (180p, 360p, 720p from a 720p camera), each with temporal
// layers; the Jingle answer carries the SSRCs and groups (localSources() reads them), the focus
// passes them to the bridge and shows other participants only the first SSRC and its RTX, and
// the bridge forwards each receiver the one layer it asked for.
// Pure: SDP text in, SDP text out. The extra SSRCs live in `state` (the caller keeps one object
// per session), so every renegotiation munges the same ones and no source-remove/-add follows.

const LAYERS = 3;

function randomSsrc(taken) {
  for (;;) {
    const v = (Math.floor(Math.random() * 0xfffffffe) + 1) >>> 0;
    if (!taken.has(v)) return v;
  }
}

/**
 * Adds simulcast to the m-section whose a=mid is `mid`, when it sends (sendrecv/sendonly), has
 * an SSRC and no SIM group yet. Returns the SDP (unchanged when there is nothing to do).
 * `state` is { primary, extra: [[ssrc, rtx|0], ...] } (filled here).
 */
export function addSimulcast(sdp, mid, state = {}) {
  if (mid === null || mid === undefined) return sdp;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const starts = [];
  lines.forEach((l, i) => { if (l.startsWith('m=')) starts.push(i); });
  for (let k = 0; k < starts.length; k++) {
    const from = starts[k];
    const to = k + 1 < starts.length ? starts[k + 1] : lines.length;
    const sec = lines.slice(from, to);
    if (!sec[0].startsWith('m=video') || !sec.includes(`a=mid:${mid}`)) continue;
    if (!sec.some((l) => l === 'a=sendrecv' || l === 'a=sendonly')) return sdp;
    if (sec.some((l) => l.startsWith('a=ssrc-group:SIM'))) return sdp;
    const attrs = new Map(); // ssrc -> [attribute text]
    for (const l of sec) {
      const m = /^a=ssrc:(\d+) (.*)$/.exec(l);
      if (!m) continue;
      const s = Number(m[1]);
      if (!attrs.has(s)) attrs.set(s, []);
      attrs.get(s).push(m[2]);
    }
    const fid = new Map(); // media ssrc -> rtx ssrc
    for (const l of sec) {
      const m = /^a=ssrc-group:FID (\d+) (\d+)$/.exec(l);
      if (m) fid.set(Number(m[1]), Number(m[2]));
    }
    const rtxSet = new Set(fid.values());
    const primary = [...attrs.keys()].find((s) => !rtxSet.has(s));
    if (primary === undefined) return sdp;
    const rtx = fid.get(primary) ?? 0;
    const taken = new Set(attrs.keys());
    if (state.primary !== primary || !Array.isArray(state.extra) || state.extra.length !== LAYERS - 1) {
      state.primary = primary;
      state.extra = [];
      for (let i = 1; i < LAYERS; i++) {
        const s = randomSsrc(taken);
        taken.add(s);
        let r = 0;
        if (rtx) { r = randomSsrc(taken); taken.add(r); }
        state.extra.push([s, r]);
      }
    }
    const add = [];
    const copy = (from, to) => {
      for (const a of attrs.get(from) ?? []) add.push(`a=ssrc:${to} ${a}`);
    };
    for (const [s, r] of state.extra) {
      copy(primary, s);
      if (rtx && r) copy(rtx, r);
    }
    for (const [s, r] of state.extra) if (rtx && r) add.push(`a=ssrc-group:FID ${s} ${r}`);
    add.push(`a=ssrc-group:SIM ${primary} ${state.extra.map(([s]) => s).join(' ')}`);
    // After the section's last SSRC line (or at its end).
    let at = -1;
    sec.forEach((l, i) => { if (l.startsWith('a=ssrc')) at = i; });
    if (at < 0) return sdp;
    const out = [...sec.slice(0, at + 1), ...add, ...sec.slice(at + 1)];
    lines.splice(from, to - from, ...out);
    return lines.join(eol);
  }
  return sdp;
}

/**
 * The codec the m-section whose a=mid is `mid` sends with: the name of its first payload type
 * (lower case), or null.
 */
export function cameraCodec(sdp, mid) {
  if (mid === null || mid === undefined) return null;
  const sections = sdp.split(/\r?\n(?=m=)/);
  const sec = sections.find((x) => x.startsWith('m=video') && x.split(/\r?\n/).includes(`a=mid:${mid}`));
  if (!sec) return null;
  const pt = sec.split(/\r?\n/, 1)[0].split(' ')[3];
  const map = new RegExp(`^a=rtpmap:${pt} ([^/\\s]+)/`, 'm').exec(sec);
  return map ? map[1].toLowerCase() : null;
}

/** The scalability mode for each simulcast encoding (Chromium 111+ takes it in setParameters). */
export const SIMULCAST_SCALABILITY_MODE = 'L1T3';

/**
 * The scalability mode of the camera's one encoding when it goes out as SVC instead of
 * simulcast: three spatial layers (a quarter, half and full resolution), three temporal layers,
 * the spatial layers depending on each other only at key frames (K-SVC, as Jitsi Meet sends
 * VP9), so the bridge can forward any spatial layer alone.
 */
export const SVC_SCALABILITY_MODE = 'L3T3_KEY';

/**
 * The SVC mode for the camera when the preferred video codec is `codec`, or null for
 * simulcast. VP9 and AV1 go out as SVC (one encoding, no SIM group; AV1's layers travel in
 * the dependency descriptor); VP8 and H.264 as simulcast.
 */
export function svcModeFor(codec) {
  return ['vp9', 'av1'].includes(String(codec ?? '').toLowerCase()) ? SVC_SCALABILITY_MODE : null;
}

/**
 * The height of each simulcast layer, lowest first, for a camera capturing `trackHeight` lines:
 * from each encoding's scaleResolutionDownBy, or (when the browser does not report it) the
 * factors the munged SIM group gets (4, 2, 1 for three layers).
 */
export function layerHeights(encodings, trackHeight) {
  const n = encodings.length;
  return encodings.map((e, i) => {
    const by = typeof e.scaleResolutionDownBy === 'number' && e.scaleResolutionDownBy >= 1
      ? e.scaleResolutionDownBy : 2 ** (n - 1 - i);
    return Math.floor(trackHeight / by);
  });
}

/**
 * Which layers to keep encoding when no receiver needs more than `maxHeight` lines (the
 * bridge's SenderSourceConstraints): every layer up to the first that reaches `maxHeight`.
 * A limit of 0, or one below every layer, keeps the lowest layer only (a receiver that starts
 * watching gets a picture at once, while the bridge raises the limit); null, undefined or a
 * negative limit keeps them all. `heights` is lowest first; returns one boolean per layer.
 */
export function activeLayers(heights, maxHeight) {
  if (maxHeight === null || maxHeight === undefined || !(maxHeight >= 0)) return heights.map(() => true);
  let top = heights.findIndex((h) => h >= maxHeight);
  if (top < 0) top = heights.length - 1;
  if (maxHeight === 0) top = 0;
  return heights.map((_, i) => i <= top);
}

/**
 * The SVC camera's encoding when no receiver needs more than `maxHeight` lines of a camera
 * capturing `trackHeight`: as many spatial layers of `mode` (e.g. L3T3_KEY: a quarter, half and
 * full resolution) as activeLayers keeps, the top ones dropped by scaling the input down, so
 * the layers that stay keep their heights (L2T3_KEY at half the input: a quarter and a half;
 * L1T3 at a quarter). Returns { scalabilityMode, scaleResolutionDownBy }.
 */
export function svcEncodingFor(mode, trackHeight, maxHeight) {
  const m = /^L(\d)T(\d)(_KEY)?$/.exec(mode ?? '');
  if (!m) return { scalabilityMode: mode, scaleResolutionDownBy: 1 };
  const spatial = Number(m[1]);
  const heights = Array.from({ length: spatial }, (_, i) => Math.floor(trackHeight / 2 ** (spatial - 1 - i)));
  const keep = activeLayers(heights, maxHeight).filter(Boolean).length;
  if (keep >= spatial) return { scalabilityMode: mode, scaleResolutionDownBy: 1 };
  return {
    scalabilityMode: keep > 1 ? `L${keep}T${m[2]}${m[3] ?? ''}` : `L1T${m[2]}`,
    scaleResolutionDownBy: 2 ** (spatial - keep),
  };
}
