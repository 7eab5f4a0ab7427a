#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// VP9 SVC with real browsers (issue 10): Parley's web client in headless Chromium (fake 720p
// cameras, ?codec=vp9) against a real Prosody, parley-focus and parley-bridge. Each camera
// goes out as ONE VP9 encoding with three spatial and three temporal layers (L3T3_KEY), no SIM
// group; the bridge forwards each receiver the spatial layer within the height it asked for.
// Carol pins Alice: her client asks 720p of Alice and 180p of Bob (ReceiverVideoConstraints),
// and Chromium's getStats says she decodes Alice at >= 540 lines and Bob at <= 270, both VP9.
// Then she pins Bob: the layers swap and the frames keep coming. Alice in tile view gets both
// others at 360p (the middle spatial layer). Nobody then needs Alice above 360 lines: her
// camera stops its top spatial layer (SenderSourceConstraints), and comes back in HD when
// Carol pins her again. Prints the switch times.
// PARLEY_SVC_CODEC=av1 runs the same with AV1 SVC (layers in the dependency descriptor).
// Exit 0 pass, 1 fail, 77 skip (Chromium here cannot encode VP9 SVC). Run through meson
// (suite e2e) or:
//   PARLEY_FOCUS_BIN=... PARLEY_BRIDGE_BIN=... tests/netns-run.sh node tests/e2e/svc.mjs
import { BRIDGE_HTTP_PORT, check, reached, failed, receivingFrom, startStack, stats, until, waitLayers } from './stack.mjs';

const MODE = 'L3T3_KEY';
// PARLEY_SVC_CODEC=av1: the same with AV1 (layers in the dependency descriptor).
const CODEC = (process.env.PARLEY_SVC_CODEC ?? 'vp9').toLowerCase();
const CODEC_RE = new RegExp(CODEC, 'i');
const st = await startStack('svc');
const ROOM = 'svc-layers-7310';
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);
const deadline = setTimeout(() => { console.log('not ok - svc test did not finish within 400 s'); st.dump(); process.exit(1); }, 400000);

async function skipTest(reason) {
  clearTimeout(deadline);
  console.log(`1..0 # SKIP ${reason}`);
  await st.stop().catch(() => {});
  process.exit(77);
}

/** Height and codec `page` decodes from each endpoint in `ids`. */
async function decoded(page, ids) {
  const s = await stats(page);
  return Object.fromEntries(ids.map((id) => [id, {
    height: s[id]?.video?.frameHeight ?? 0, codec: s[id]?.video?.codec ?? null, frames: s[id]?.video?.framesDecoded ?? 0,
  }]));
}

/** The bridge's count of key frames its projections asked senders for (GET /metrics). */
async function keyframeRequests() {
  const text = await (await fetch(`http://127.0.0.1:${BRIDGE_HTTP_PORT}/metrics`)).text();
  const m = /^parley_bridge_switch_keyframe_requests_total (\S+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

// PARLEY_SVC_TRACE=1: the bridge's view of every endpoint (GET /debug/endpoints) every 500 ms,
// on stderr.
let tracer = null;
if (process.env.PARLEY_SVC_TRACE) {
  tracer = setInterval(async () => {
    try {
      const j = await (await fetch(`http://127.0.0.1:${BRIDGE_HTTP_PORT}/debug/endpoints`)).json();
      for (const e of j.endpoints) console.error(`# trace ${((Date.now() - t0) / 1000).toFixed(1)} ${JSON.stringify(e)}`);
    } catch { /* not up yet */ }
  }, 500);
}

try {
  const opts = { res: 720, viewport: { width: 1280, height: 720 }, params: { codec: CODEC } };
  const alice = await st.join(ROOM, 'Alice Martin', opts);
  // Can this Chromium encode VP9 with three spatial layers at all?
  // (getCapabilities lists no scalabilityModes in this Chromium; Media Capabilities says.)
  const caps = await alice.evaluate(async ([mode, codec]) => {
    const c = (RTCRtpSender.getCapabilities('video')?.codecs ?? []).filter((x) => x.mimeType.toLowerCase() === `video/${codec}`);
    const info = await navigator.mediaCapabilities?.encodingInfo({
      type: 'webrtc',
      video: { contentType: `video/${codec.toUpperCase()}`, width: 1280, height: 720, bitrate: 1500000, framerate: 30, scalabilityMode: mode },
    }).catch(() => null);
    return { codec: c.length > 0, svc: info?.supported === true };
  }, [MODE, CODEC]);
  if (!caps.codec) await skipTest(`this Chromium has no ${CODEC} encoder`);
  if (!caps.svc) await skipTest(`this Chromium does not offer ${CODEC} ${MODE}`);
  const bob = await st.join(ROOM, 'Bob Chen', opts);
  const carol = await st.join(ROOM, 'Carol Diaz', opts);
  step(`joined: alice ${alice.id}, bob ${bob.id}, carol ${carol.id}`);
  // Three VP9 SVC encoders on a shared machine: generous deadlines for the first frames.
  await receivingFrom(carol, [alice.id, bob.id], { timeout: 90000 });
  await receivingFrom(alice, [bob.id, carol.id], { timeout: 90000 });
  step('everyone decodes the two others');

  // Alice's camera: one encoding, L3T3_KEY, VP9, 720 lines at the top.
  await until(alice, async () => ((await window.parley.stats())._local?.video?.frameHeight ?? 0) >= 540, [],
    { timeout: 60000, what: 'alice encoding her camera at >= 540 lines' });
  const layers = await alice.evaluate(() => window.parley.cameraLayers());
  const local = (await stats(alice))._local?.video ?? {};
  if (layers.length === 1 && layers[0].scalabilityMode !== MODE) await skipTest(`Chromium kept scalabilityMode ${layers[0].scalabilityMode} for the camera`);
  check(layers.length === 1 && layers[0].scalabilityMode === MODE,
    `alice sends one encoding (no simulcast): ${JSON.stringify(layers.map((l) => l.scalabilityMode))}`);
  check(CODEC_RE.test(local.codec ?? ''), `alice's camera codec is ${local.codec}`);
  step(`alice sends ${local.frameHeight} lines, ${local.codec}, ${layers[0].scalabilityMode}`);

  const kf0 = await keyframeRequests();
  await carol.evaluate((id) => window.parley.pin(id), alice.id);
  const view = await carol.evaluate(() => [window.parley.view, window.parley.stage]);
  check(view[0] === 'speaker' && view[1] === alice.id, `carol: speaker view with alice on stage (${view})`);
  const ms1 = await waitLayers(carol, alice.id, bob.id, 'carol decoding alice >= 540p and bob <= 270p');
  const d1 = await decoded(carol, [alice.id, bob.id]);
  check(CODEC_RE.test(d1[alice.id].codec ?? '') && CODEC_RE.test(d1[bob.id].codec ?? ''),
    `carol decodes ${CODEC} from both (alice ${d1[alice.id].codec}, bob ${d1[bob.id].codec})`);
  reached(`carol decodes alice (on stage) at ${d1[alice.id].height} lines and bob (thumbnail) at ${d1[bob.id].height} (${ms1} ms after the pin)`);

  const kf1 = await keyframeRequests();
  await carol.evaluate((id) => window.parley.pin(id), bob.id);
  const ms2 = await waitLayers(carol, bob.id, alice.id, 'carol decoding bob >= 540p and alice <= 270p', 60000);
  const d2 = await decoded(carol, [alice.id, bob.id]);
  const kf2 = await keyframeRequests();
  reached(`stage moved to bob: bob at ${d2[bob.id].height} lines, alice at ${d2[alice.id].height} (${ms2} ms after the pin)`);
  await receivingFrom(carol, [alice.id, bob.id], { minFrames: 20 });
  const d3 = await decoded(carol, [alice.id, bob.id]);
  check(d3[alice.id].frames > d2[alice.id].frames && d3[bob.id].frames > d2[bob.id].frames,
    `carol keeps decoding both after the switch (alice ${d2[alice.id].frames} -> ${d3[alice.id].frames}, bob ${d2[bob.id].frames} -> ${d3[bob.id].frames} frames)`);
  // Alice in tile view with two others asks 360p of each: the middle spatial layer.
  const t3 = Date.now();
  await until(alice, async ([b, c]) => {
    const r = await window.parley.stats();
    return [b, c].every((id) => { const hh = r[id]?.video?.frameHeight ?? 0; return hh > 180 && hh <= 360; });
  }, [bob.id, carol.id], { timeout: 60000, what: 'alice decoding bob and carol at 360p (tile view)' });
  const d4 = await decoded(alice, [bob.id, carol.id]);
  reached(`alice (tile view) decodes bob at ${d4[bob.id].height} and carol at ${d4[carol.id].height} lines (${Date.now() - t3} ms)`);

  // Nobody watches alice's camera above 360 lines now (carol: thumbnail, bob: tile view): once
  // that held for the client's delay (10 s), her top spatial layer stops (L2T3_KEY from the
  // input at half size); carol still gets her thumbnail. Pinned again, she is back in HD.
  const t5 = Date.now();
  await until(alice, (mode) => window.parley.cameraLayers().then((l) => l.length === 1 && l[0].scalabilityMode === mode),
    'L2T3_KEY', { timeout: 60000, what: 'alice\'s camera dropping its top spatial layer (L2T3_KEY)' });
  const dropMs = Date.now() - t5;
  await until(alice, async () => {
    const h = (await window.parley.stats())._local?.video?.frameHeight ?? 0;
    return h > 0 && h <= 360;
  }, [], { timeout: 30000, what: 'alice encoding at most 360 lines' });
  await receivingFrom(carol, [alice.id], { minFrames: 20 });
  const d5 = await decoded(carol, [alice.id]);
  check(d5[alice.id].height > 0 && d5[alice.id].height <= 270,
    `alice's camera sends two spatial layers, nobody needing the third (${dropMs} ms after the last pin); carol still decodes her thumbnail at ${d5[alice.id].height} lines`);
  await carol.evaluate((id) => window.parley.pin(id), alice.id);
  const ms6 = await waitLayers(carol, alice.id, bob.id, 'carol decoding alice >= 540p again', 60000);
  const l6 = await alice.evaluate(() => window.parley.cameraLayers());
  check(l6.length === 1 && l6[0].scalabilityMode === MODE,
    `pinned again, alice sends all three spatial layers (${l6[0]?.scalabilityMode}) and carol decodes her in HD (${ms6} ms after the pin)`);
  const fz = (await stats(carol));
  console.log(`# figures: switch to alice ${ms1} ms, swap to bob ${ms2} ms, back to alice in HD from two layers ${ms6} ms; key frames the bridge asked for: ${kf1 - kf0} for the first, ${kf2 - kf1} for the swap; carol's freezes of alice ${fz[alice.id]?.video?.freezeCount ?? '?'}, of bob ${fz[bob.id]?.video?.freezeCount ?? '?'}; key frames carol decoded of alice ${fz[alice.id]?.video?.keyFramesDecoded ?? '?'}, of bob ${fz[bob.id]?.video?.keyFramesDecoded ?? '?'}`);
} catch (e) {
  check(false, e.message);
  st.dump();
} finally {
  clearTimeout(deadline);
  clearInterval(tracer);
  await st.stop().catch((e) => check(false, e.message));
}
process.exit(failed() ? 1 : 0);
