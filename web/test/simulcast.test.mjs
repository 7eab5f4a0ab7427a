// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localSources } from '../jingle/answer.js';
import { parseSdp } from '../jingle/sdp.js';
import { activeLayers, addSimulcast, cameraCodec, layerHeights, SVC_SCALABILITY_MODE,
  svcEncodingFor, svcModeFor } from '../jingle/simulcast.js';
import { fixtureText } from './helpers.mjs';

// A real Chromium answer (mids 0: our audio, 3: our camera with an RTX FID group).
const ANSWER = fixtureText('chromium-answer.sdp').replace(/\r?\n/g, '\r\n');

test('simulcast: the camera gets a SIM group of three SSRCs, each with its RTX', () => {
  const state = {};
  const sdp = addSimulcast(ANSWER, '3', state);
  const m = parseSdp(sdp).media[3];
  assert.equal(m.ssrcs.size, 6);
  const sim = m.ssrcGroups.find((g) => g.semantics === 'SIM');
  assert.ok(sim);
  assert.equal(sim.ssrcs.length, 3);
  assert.equal(sim.ssrcs[0], 1967674311); // the original SSRC stays first: receivers know it
  const fids = m.ssrcGroups.filter((g) => g.semantics === 'FID');
  assert.equal(fids.length, 3);
  assert.deepEqual(fids.map((g) => g.ssrcs[0]).sort(), [...sim.ssrcs].sort());
  // Every new SSRC carries the same cname and msid as the original.
  const orig = m.ssrcs.get(1967674311);
  for (const s of sim.ssrcs) assert.equal(m.ssrcs.get(s).msid, orig.msid);
  // The rest of the SDP is untouched: the same lines, plus the new ones.
  const before = new Set(ANSWER.split('\r\n'));
  const after = sdp.split('\r\n');
  assert.ok([...before].every((l) => after.includes(l)));
  assert.ok(sdp.endsWith('\r\n') === ANSWER.endsWith('\r\n'));
  // The audio m-line has no SIM.
  assert.ok(!parseSdp(sdp).media[0].ssrcGroups.some((g) => g.semantics === 'SIM'));
});

test('simulcast: the Jingle answer carries the SSRCs and the SIM and FID groups', () => {
  const l = localSources(addSimulcast(ANSWER, '3', {}), 'ab12cd34');
  const video = l.sources.filter((s) => s.media === 'video');
  assert.equal(video.length, 6);
  assert.ok(video.every((s) => s.name === 'ab12cd34-v0'));
  assert.deepEqual(l.groups.map((g) => g.semantics).sort(), ['FID', 'FID', 'FID', 'SIM']);
});

test('simulcast: a renegotiation munges the same SSRCs; a second pass adds nothing', () => {
  const state = {};
  const a = addSimulcast(ANSWER, '3', state);
  const b = addSimulcast(ANSWER, '3', state);
  assert.equal(a, b);
  assert.equal(addSimulcast(a, '3', state), a);
});

test('simulcast: nothing for a receive-only m-line, an unknown mid, or no mid', () => {
  assert.equal(addSimulcast(ANSWER, '1', {}), ANSWER); // recvonly
  assert.equal(addSimulcast(ANSWER, '9', {}), ANSWER);
  assert.equal(addSimulcast(ANSWER, null, {}), ANSWER);
  assert.equal(addSimulcast(ANSWER, '0', {}), ANSWER); // audio
});

test('layerHeights: from scaleResolutionDownBy, else the munged 4/2/1', () => {
  assert.deepEqual(layerHeights([{}, {}, {}], 720), [180, 360, 720]);
  assert.deepEqual(layerHeights([{ scaleResolutionDownBy: 4 }, { scaleResolutionDownBy: 2 }, { scaleResolutionDownBy: 1 }], 540),
    [135, 270, 540]);
  assert.deepEqual(layerHeights([{ scaleResolutionDownBy: 0.5 }, {}], 720), [360, 720]);
});

test('activeLayers: the layers up to the first that reaches the limit', () => {
  const h = [180, 360, 720];
  assert.deepEqual(activeLayers(h, 720), [true, true, true]);
  assert.deepEqual(activeLayers(h, 1080), [true, true, true]);
  assert.deepEqual(activeLayers(h, 540), [true, true, true]);
  assert.deepEqual(activeLayers(h, 360), [true, true, false]);
  assert.deepEqual(activeLayers(h, 270), [true, true, false]);
  assert.deepEqual(activeLayers(h, 180), [true, false, false]);
  assert.deepEqual(activeLayers(h, 90), [true, false, false]);
});

test('activeLayers: nobody watching keeps the lowest, no limit keeps all', () => {
  const h = [180, 360, 720];
  assert.deepEqual(activeLayers(h, 0), [true, false, false]);
  assert.deepEqual(activeLayers(h, null), [true, true, true]);
  assert.deepEqual(activeLayers(h, undefined), [true, true, true]);
  assert.deepEqual(activeLayers(h, -1), [true, true, true]);
  assert.deepEqual(activeLayers(h, NaN), [true, true, true]);
});

test('svc: VP9 or AV1 preferred gives L3T3_KEY, anything else simulcast', () => {
  assert.equal(svcModeFor('VP9'), 'L3T3_KEY');
  assert.equal(svcModeFor('vp9'), SVC_SCALABILITY_MODE);
  assert.equal(svcModeFor('AV1'), SVC_SCALABILITY_MODE);
  for (const c of ['VP8', 'H264', undefined, null]) assert.equal(svcModeFor(c), null);
});

test('svc: cameraCodec reads the first payload type of the camera m-line', () => {
  assert.equal(cameraCodec(ANSWER, '3'), 'av1'); // this answer sends AV1 (41) first
  assert.equal(cameraCodec(ANSWER, '0'), null); // audio, not video
  assert.equal(cameraCodec(ANSWER, '42'), null);
  assert.equal(cameraCodec(ANSWER, null), null);
  // The same answer with VP9 (101) first on the camera.
  const vp9 = ANSWER.replace(/^(m=video 9 UDP\/TLS\/RTP\/SAVPF) 41 100 107 101 /m, '$1 101 41 100 107 ');
  assert.notEqual(vp9, ANSWER);
  assert.equal(cameraCodec(vp9, '3'), 'vp9');
});

test('svcEncodingFor: the SVC camera drops the spatial layers nobody needs', () => {
  const all = { scalabilityMode: 'L3T3_KEY', scaleResolutionDownBy: 1 };
  assert.deepEqual(svcEncodingFor('L3T3_KEY', 720, null), all);
  assert.deepEqual(svcEncodingFor('L3T3_KEY', 720, 720), all);
  assert.deepEqual(svcEncodingFor('L3T3_KEY', 720, 540), all);
  // 360 lines: the quarter and the half (180, 360) from the input at half size.
  assert.deepEqual(svcEncodingFor('L3T3_KEY', 720, 360), { scalabilityMode: 'L2T3_KEY', scaleResolutionDownBy: 2 });
  assert.deepEqual(svcEncodingFor('L3T3_KEY', 720, 270), { scalabilityMode: 'L2T3_KEY', scaleResolutionDownBy: 2 });
  assert.deepEqual(svcEncodingFor('L3T3_KEY', 720, 180), { scalabilityMode: 'L1T3', scaleResolutionDownBy: 4 });
  assert.deepEqual(svcEncodingFor('L3T3_KEY', 720, 0), { scalabilityMode: 'L1T3', scaleResolutionDownBy: 4 });
  assert.deepEqual(svcEncodingFor('L3T3_KEY', 360, 180), { scalabilityMode: 'L2T3_KEY', scaleResolutionDownBy: 2 });
  assert.deepEqual(svcEncodingFor('L2T2', 720, 180), { scalabilityMode: 'L1T2', scaleResolutionDownBy: 2 });
  assert.deepEqual(svcEncodingFor('weird', 720, 180), { scalabilityMode: 'weird', scaleResolutionDownBy: 1 });
});
