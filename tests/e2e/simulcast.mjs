#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Simulcast and layer selection with real browsers: Parley's web client in headless Chromium
// (fake 720p cameras) against a real Prosody, parley-focus and parley-bridge. Three
// participants; each sends its camera as three VP8 simulcast layers (SIM group munged into its
// answer, web/jingle/simulcast.js). Carol switches to speaker view with Alice on stage: her
// client asks the bridge for Alice at 720p and the others at 180p (ReceiverVideoConstraints),
// and Chromium's getStats says she decodes Alice at >= 540 lines and Bob at <= 270. Then she
// puts Bob on stage: the layers swap, without the video stopping, her browser asking for no key
// frame and no picture freezing over 500 ms (against Alice's tiles, which do not switch).
// Alice in tile view (two others: 360p each) gets both at <= 360 and above 180. Nobody watching Alice above 360p, the
// bridge tells her (SenderSourceConstraints) and her browser stops encoding its 720p layer;
// Carol staging her again brings it back and Carol decodes her at >= 540 lines. Last, Carol
// asks for last-N 1: Bob's tile shows his avatar and his video stops, until she lifts it.
// Exit 0 pass, 1 fail, 77 skip. Run through meson (suite e2e) or:
//   PARLEY_FOCUS_BIN=... PARLEY_BRIDGE_BIN=... tests/netns-run.sh node tests/e2e/simulcast.mjs
import { check, reached, failed, receivingFrom, startPresenting, startStack, stats, stopPresenting, until, waitLayers } from './stack.mjs';

const st = await startStack('simulcast');
const ROOM = 'simulcast-layers-5521';
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);
const deadline = setTimeout(() => { console.log('not ok - simulcast test did not finish within 560 s'); st.dump(); process.exit(1); }, 560000);

/** The frame height `page` decodes from each endpoint in `ids` (0 when none yet). */
async function heights(page, ids) {
  const s = await stats(page);
  return Object.fromEntries(ids.map((id) => [id, s[id]?.video?.frameHeight ?? 0]));
}

try {
  const opts = { res: 720, viewport: { width: 1280, height: 720 } };
  const alice = await st.join(ROOM, 'Alice Martin', opts);
  const bob = await st.join(ROOM, 'Bob Chen', opts);
  const carol = await st.join(ROOM, 'Carol Diaz', opts);
  step(`joined: alice ${alice.id}, bob ${bob.id}, carol ${carol.id}`);
  await receivingFrom(carol, [alice.id, bob.id]);
  await receivingFrom(alice, [bob.id, carol.id]);
  step('everyone decodes the two others');

  // Each camera goes out as three layers: the SIM group in the session-accept.
  const sim = await alice.evaluate(() => window.parley.log.some((l) => l.includes('SIM')) || null);
  const local = (await stats(alice))._local?.video ?? {};
  step(`alice sends ${local.frameHeight ?? '?'} lines at most (SIM in log: ${!!sim})`);

  await carol.evaluate((id) => window.parley.pin(id), alice.id);
  const view = await carol.evaluate(() => [window.parley.view, window.parley.stage]);
  check(view[0] === 'speaker' && view[1] === alice.id, `carol: speaker view with alice on stage (${view})`);
  const ms1 = await waitLayers(carol, alice.id, bob.id, 'carol decoding alice >= 540p and bob <= 270p');
  const h1 = await heights(carol, [alice.id, bob.id]);
  reached(`carol decodes alice (on stage) at ${h1[alice.id]} lines and bob (thumbnail) at ${h1[bob.id]} (${ms1} ms)`);

  const sw0 = await stats(carol);
  const ctl0 = await stats(alice); // the control: Alice's tiles of Bob and Carol do not switch
  await startPresenting(carol, [alice.id, bob.id]);
  await startPresenting(alice, [bob.id, carol.id]);
  await carol.evaluate((id) => window.parley.pin(id), bob.id);
  // Bob's 720p layer may have stopped meanwhile (nobody watched it for 10 s: a slow join): his
  // browser then ramps up to it again first.
  const ms2 = await waitLayers(carol, bob.id, alice.id, 'carol decoding bob >= 540p and alice <= 270p', 120000);
  const h2 = await heights(carol, [alice.id, bob.id]);
  reached(`stage moved to bob: bob at ${h2[bob.id]} lines, alice at ${h2[alice.id]} (${ms2} ms)`);
  await receivingFrom(carol, [alice.id, bob.id], { minFrames: 20 });
  // The switches (Alice down, Bob up, each at a key frame the bridge asked for) are clean: the
  // receiving browser never had to ask for a key frame itself (it does when it cannot decode),
  // and no picture stayed on screen longer than 500 ms (frames as presented). Alice's view of
  // Bob and Carol, which does not switch, is the control: on a starved machine browsers
  // freeze and drop packets whatever the bridge does.
  const sw1 = await stats(carol);
  const ctl1 = await stats(alice);
  const gaps = await stopPresenting(carol);
  const ctlGaps = await stopPresenting(alice);
  const gap = Math.max(...Object.values(gaps).map((g) => g.max));
  const ctlGap = Math.max(...Object.values(ctlGaps).map((g) => g.max));
  const delta = (a, b, id, k) => (b[id]?.video?.[k] ?? 0) - (a[id]?.video?.[k] ?? 0);
  const sum = (a, b, ids) => ({ pli: ids.reduce((n, id) => n + delta(a, b, id, 'pliCount'), 0),
    freezes: ids.reduce((n, id) => n + delta(a, b, id, 'freezeCount'), 0),
    freezeMs: Math.round(ids.reduce((n, id) => n + delta(a, b, id, 'totalFreezesDuration'), 0) * 1000),
    frames: ids.map((id) => delta(a, b, id, 'framesDecoded')) });
  const sw = sum(sw0, sw1, [alice.id, bob.id]);
  const ctl = sum(ctl0, ctl1, [bob.id, carol.id]);
  console.log(`# figures: over the stage move: carol decoded ${sw.frames.join('/')} frames of alice/bob, sent ${sw.pli} PLIs, `
    + `${sw.freezes} freezes (${sw.freezeMs} ms); the control (alice's tiles) ${ctl.frames.join('/')} frames, ${ctl.pli} PLIs, `
    + `${ctl.freezes} freezes (${ctl.freezeMs} ms); longest time a picture stayed on screen: ${gap} ms, control ${ctlGap} ms`);
  check(sw.frames.every((f) => f > 0), 'carol keeps decoding both after the switch');
  check(sw.pli <= ctl.pli + 1, `carol's browser asked for no key frame over the switches (decoded cleanly): ${sw.pli} PLIs, control ${ctl.pli}`);
  check(gap <= 500 + ctlGap, `no picture stayed frozen over 500 ms longer than the control's longest over the switches (${gap} ms; control ${ctlGap} ms)`);

  // Alice in tile view with two others asks 360p of each: neither at 720p, neither at 180p.
  await until(alice, async ([b, c]) => {
    const r = await window.parley.stats();
    return [b, c].every((id) => { const hh = r[id]?.video?.frameHeight ?? 0; return hh > 180 && hh <= 360; });
  }, [bob.id, carol.id], { timeout: 60000, what: 'alice decoding bob and carol at 360p (tile view)' });
  const h3 = await heights(alice, [bob.id, carol.id]);
  reached(`alice (tile view) decodes bob at ${h3[bob.id]} and carol at ${h3[carol.id]} lines`);

  // Nobody watches Alice above 360 lines now (Bob's tiles ask 360, Carol's thumbnail 180): the
  // bridge says so (SenderSourceConstraints) and, once that has lasted 10 s
  // (CAMERA_LAYER_OFF_DELAY_MS), her browser stops encoding its 720p layer.
  const enc = (page) => page.evaluate(async () => (await window.parley.cameraLayers())
    .map((l) => ({ active: l.active, frames: l.framesEncoded, height: l.frameHeight })));
  const t4 = Date.now();
  await until(alice, async () => {
    const l = await window.parley.cameraLayers();
    return l.length === 3 && l[0].active && l[1].active && !l[2].active;
  }, [], { timeout: 60000, what: 'alice encoding only her 180p and 360p layers (nobody watches more)' });
  reached(`alice stopped her top layer ${Date.now() - t4} ms after nobody watched it: ${JSON.stringify(await enc(alice))}`);
  // A frame the encoder had started may still come out right after: counted from here.
  await receivingFrom(alice, [bob.id, carol.id], { minFrames: 5 });
  const idle = await enc(alice);
  await receivingFrom(alice, [bob.id, carol.id], { minFrames: 10 });
  const later = await enc(alice);
  check(later[2].frames === idle[2].frames && later[1].frames > idle[1].frames,
    `alice's 720p layer encodes nothing while the others go on (frames ${idle[2].frames} -> ${later[2].frames}; 360p ${idle[1].frames} -> ${later[1].frames})`);

  // Carol puts Alice on stage again: the layer comes back, and Carol gets Alice in HD.
  const t5 = Date.now();
  await carol.evaluate((id) => window.parley.pin(id), alice.id);
  await until(alice, async () => (await window.parley.cameraLayers()).every((l) => l.active), [],
    { timeout: 60000, what: 'alice encoding all three layers again' });
  const msOn = Date.now() - t5;
  // Chromium's own bandwidth estimate ramps up before it sends 720p again: a generous deadline.
  const ms5 = await waitLayers(carol, alice.id, bob.id, 'carol decoding alice >= 540p again', 120000);
  const h5 = await heights(carol, [alice.id, bob.id]);
  reached(`alice's top layer back ${msOn} ms after Carol staged her; Carol decodes her at ${h5[alice.id]} lines after ${Date.now() - t5} ms (${ms5} ms waiting for it)`);

  // Last-N: Carol wants one video at most. The bridge forwards Alice (on stage) only; Bob's tile
  // shows his avatar and his frames stop, until Carol lifts the limit.
  await carol.evaluate(() => window.parley.setLastN(1));
  const tile = (id) => carol.evaluate((i) => {
    const t = document.querySelector(`.tile[data-id="${i}"]`);
    return t ? { video: !t.querySelector('video').hidden, avatar: !t.querySelector('.avatar').hidden } : null;
  }, id);
  await until(carol, (id) => document.querySelector(`.tile[data-id="${id}"]`)?.classList.contains('video-paused'), bob.id,
    { timeout: 60000, what: 'carol: bob\'s tile marked video paused (last-N 1)' });
  const paused = await tile(bob.id);
  check(!paused.video && paused.avatar, `last-N 1: bob's tile at carol shows his avatar (${JSON.stringify(paused)})`);
  // What was in flight (or waiting for the decoder of a loaded machine) when the bridge paused
  // him still plays out: windows of 30 of Alice's frames until one sees none of his, at most 4.
  const seen = [];
  for (let k = 0; k < 4; k++) {
    const a = (await stats(carol))[bob.id]?.video?.framesDecoded ?? 0;
    await receivingFrom(carol, [alice.id], { minFrames: 30 });
    const b = (await stats(carol))[bob.id]?.video?.framesDecoded ?? 0;
    seen.push(b - a);
    if (b - a <= 1) break;
  }
  const fwd = await carol.evaluate((id) => window.parley.participants.find((p) => p.id === id)?.videoForwarded, bob.id);
  check(seen.at(-1) <= 1 && fwd === false,
    `last-N 1: carol decodes no more of bob while alice goes on (bob's frames per window: ${seen.join(', ')}; forwarded: ${fwd})`);
  await carol.evaluate(() => window.parley.setLastN(-1));
  await receivingFrom(carol, [alice.id, bob.id], { minFrames: 10 });
  const back = await tile(bob.id);
  check(back.video && !back.avatar, `last-N lifted: bob's video back at carol (${JSON.stringify(back)})`);
} catch (e) {
  check(false, e.message);
  st.dump();
} finally {
  clearTimeout(deadline);
  await st.stop().catch((e) => check(false, e.message));
}
process.exit(failed() ? 1 : 0);
