#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// End-to-end encryption through the real bridge (web/e2ee, docs/e2ee.md): Parley's web client
// in headless Chromium against real Prosody, parley-focus and parley-bridge, one stack, one
// room, every participant's camera a still picture (red over blue) so a receiver can tell a
// correctly decoded picture from garbage:
//   1. Alice (moderator), Bob and Carol (Carol's browser uses createEncodedStreams, the others
//      RTCRtpScriptTransform); Alice turns E2EE on with the toolbar padlock; everyone sees it
//      on (top-bar badge, padlock per tile), sends only encrypted frames, and decodes the
//      others' video (the picture is right, frames keep coming) and receives their audio;
//      the short authentication strings of a pair agree and show in the participants panel;
//      Carol's screen share (a sender added mid-call) is encrypted and decoded too;
//      every camera is sent as simulcast layers; Alice puts Bob, then Carol on stage: the
//      layers she gets switch, and every frame after the switches still opens;
//   2. Dave joins with a browser that cannot encrypt (?e2ee=0): everyone sees "Can't encrypt"
//      on his tile, nobody sends him keys, he sends nothing and is told why; the bridge
//      forwards him the others' ciphertext: his video receivers get packets but never show the
//      picture (no frame decoded, or garbage), while the others go on decoding each other;
//   3. Carol leaves: Alice and Bob each switch to a new random key; frames Bob records from
//      Alice from then on do not open with the keys Carol held for Alice (checked in Bob's
//      worker), while frames from before did;
//   4. Erin joins: she has every key before the first frame (the time it takes is printed;
//      bench-e2ee.mjs measures it), and cannot open frames of Alice's recorded before she joined (ratchet on join);
//   5. Alice turns E2EE off: everyone sees it off and media flows in clear again.
// Screenshots: the output directory, and docs/images/e2ee-{meeting,verify,unsupported}.png with
// PARLEY_DOCS_SHOTS=1.
// Exit 0 pass, 1 fail, 77 skip. Run through meson (suite e2e) or:
//   PARLEY_FOCUS_BIN=... PARLEY_BRIDGE_BIN=... tests/netns-run.sh node tests/e2e/e2ee.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, reached, failed, outDir, receivingFrom, startStack, stats, until } from './stack.mjs';
import { TOP } from '../../web/test/e2e/lib.mjs';

const out = outDir('e2ee');
const SHOTS_TO_DOCS = process.env.PARLEY_DOCS_SHOTS === '1';

/** A screenshot in the output directory, and in docs/images with PARLEY_DOCS_SHOTS=1. */
async function shot(page, name) {
  await page.screenshot({ path: join(out, name) });
  if (SHOTS_TO_DOCS) {
    mkdirSync(join(TOP, 'docs', 'images'), { recursive: true });
    await page.screenshot({ path: join(TOP, 'docs', 'images', name) });
  }
}

/** A y4m file of a still 640x360 picture: red top half, blue bottom half (BT.601). */
function writePattern(path) {
  const W = 640;
  const H = 360;
  const y = Buffer.alloc(W * H);
  const u = Buffer.alloc((W / 2) * (H / 2));
  const v = Buffer.alloc((W / 2) * (H / 2));
  y.fill(81, 0, W * (H / 2)); // red
  y.fill(41, W * (H / 2)); // blue
  u.fill(90, 0, u.length / 2);
  u.fill(240, u.length / 2);
  v.fill(240, 0, v.length / 2);
  v.fill(110, v.length / 2);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`), frame, frame]));
  return path;
}

const pattern = writePattern(join(tmpdir(), `parley-e2ee-pattern-${process.pid}.y4m`));
const st = await startStack('e2ee', { browserArgs: [`--use-file-for-fake-video-capture=${pattern}`] });
const ROOM = 'e2ee-through-the-bridge-5182';
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);
const deadline = setTimeout(() => { console.log('not ok - e2ee test did not finish within 270 s'); st.dump(); process.exit(1); }, 270000);

const e2ee = (page) => page.evaluate(() => window.parley.e2ee.state);

/**
 * What `page` shows on the tile of `id`: null without a picture, else whether it is the test
 * picture (red above blue) and the mean colours of both halves.
 */
const picture = (page, id) => page.evaluate((who) => {
  const v = document.querySelector(`.tile[data-id="${who}"] video`);
  if (!v || !v.videoWidth) return null;
  const c = document.createElement('canvas');
  c.width = 32;
  c.height = 18;
  const g = c.getContext('2d', { willReadFrequently: true });
  g.drawImage(v, 0, 0, 32, 18);
  const px = g.getImageData(0, 0, 32, 18).data;
  const mean = (r0, r1) => {
    const m = [0, 0, 0];
    for (let r = r0; r < r1; r++) for (let x = 0; x < 32; x++) for (let k = 0; k < 3; k++) m[k] += px[(r * 32 + x) * 4 + k];
    return m.map((s) => Math.round(s / ((r1 - r0) * 32)));
  };
  const top = mean(2, 7);
  const bottom = mean(11, 16);
  const ok = top[0] > top[2] + 80 && top[0] > top[1] + 60 && bottom[2] > bottom[0] + 80;
  return { ok, top, bottom };
}, id);

/** Waits until `page` shows the test picture on the tiles of all `ids`. */
async function seesPicture(page, ids) {
  await until(page, async (who) => who.every((id) => {
    const v = document.querySelector(`.tile[data-id="${id}"] video`);
    return v && v.videoWidth > 0;
  }), ids, { timeout: 20000, what: `${page.tag}: video of ${ids.join(', ')}` });
  const end = Date.now() + 15000;
  for (;;) {
    const got = await Promise.all(ids.map((id) => picture(page, id)));
    if (got.every((g) => g?.ok)) return got;
    if (Date.now() > end) throw new Error(`${page.tag}: not the test picture from ${ids.join(', ')}: ${JSON.stringify(got)}`);
    await page.waitForTimeout(300);
  }
}

/** Waits until `page`'s worker says the latest frames of every id in `ids` were decrypted. */
const statusOf = (page, ids, want, timeout = 30000) => until(page, ([who, w]) => {
  const s = window.parley.e2ee.state;
  return who.every((id) => s?.participants?.[id]?.status === w);
}, [ids, want], { timeout, what: `${page.tag}: E2EE status ${want} for ${ids.join(', ')}` });

/**
 * Simulcast with E2EE: every camera goes out as simulcast layers, each encrypted. `viewer` puts
 * `a` on stage in speaker view (the bridge sends it a's highest layer and b's lowest), then `b`
 * (the layers swap: the bridge switches both streams at key frames of other encodings). Each
 * switch must show on screen, and every frame after it must open with the sender's key: no
 * frame fails to decrypt, none is missing its key, video keeps decoding.
 */
async function layerSwitchStep(viewer, a, b) {
  const sizes = (big, small) => until(viewer, async ([x, y]) => {
    const r = await window.parley.stats();
    const hx = r[x]?.video?.frameHeight ?? 0;
    const hy = r[y]?.video?.frameHeight ?? 0;
    return hx > hy && hy > 0 ? [hx, hy] : null;
  }, [big.id, small.id], { timeout: 60000, what: `${viewer.tag}: ${big.tag} on stage at a higher layer than ${small.tag}` });
  const before = (await e2ee(viewer)).worker.peers;
  await viewer.evaluate((id) => window.parley.pin(id), a.id);
  const [ha, hb] = await sizes(a, b);
  await viewer.evaluate((id) => window.parley.pin(id), b.id);
  const [hb2, ha2] = await sizes(b, a);
  await receivingFrom(viewer, [a.id, b.id], { minFrames: 20 });
  const after = (await e2ee(viewer)).worker.peers;
  const clean = [a.id, b.id].every((id) => after[id].failed === before[id].failed && after[id].noKey === before[id].noKey
    && after[id].videoOk > before[id].videoOk + 20 && after[id].clear === before[id].clear);
  check(clean, `${viewer.tag} sees the layers switch with E2EE on (${a.tag} ${ha} then ${ha2} lines, ${b.tag} ${hb} then ${hb2}) and every frame opens: `
    + [a.id, b.id].map((id) => `${id} ${before[id].videoOk} -> ${after[id].videoOk} video frames, failed ${after[id].failed - before[id].failed}, no key ${after[id].noKey - before[id].noKey}`).join('; '));
  await viewer.evaluate(() => window.parley.setView('tile'));
}

try {
  // 1. Three participants; the moderator turns E2EE on.
  const alice = await st.join(ROOM, 'Alice Martin');
  const bob = await st.join(ROOM, 'Bob Chen');
  const carol = await st.join(ROOM, 'Carol Diaz', { params: { e2ee: 'streams' } });
  step(`Alice ${alice.id}, Bob ${bob.id}, Carol ${carol.id} joined`);
  const everyone = [alice, bob, carol];
  const others = (p, list = everyone) => list.filter((q) => q !== p).map((q) => q.id);
  for (const p of everyone) await receivingFrom(p, others(p));
  const apis = await Promise.all(everyone.map(async (p) => (await e2ee(p)).api));
  check(apis.join() === 'script,script,streams', `encoded transforms: RTCRtpScriptTransform for Alice and Bob, createEncodedStreams for Carol (${apis})`);
  check((await e2ee(alice)).isModerator && !(await e2ee(bob)).isModerator, 'Alice is a moderator, Bob is not');
  check(await bob.evaluate(() => { document.querySelector('#e2ee-button').click(); return !window.parley.e2ee.state.enabled; }),
    'Bob\'s padlock does not turn E2EE on (only moderators can)');

  await alice.click('#e2ee-button');
  step('Alice turned E2EE on');
  for (const p of everyone) {
    await until(p, () => window.parley.e2ee.state?.enabled && !document.querySelector('#e2ee-badge').hidden
      && document.querySelector('#e2ee-button').classList.contains('active'), null, { timeout: 15000, what: `${p.tag}: E2EE on` });
  }
  reached('everyone sees E2EE on: top-bar badge, toolbar padlock');
  for (const p of everyone) await statusOf(p, others(p), 'encrypted');
  for (const p of everyone) {
    await until(p, (who) => who.every((id) => document.querySelector(`.tile[data-id="${id}"]`)?.dataset.e2ee === 'encrypted'
      && !document.querySelector(`.tile[data-id="${id}"] .tile-e2ee`).hidden), others(p), { timeout: 10000, what: `${p.tag}: padlocks on tiles` });
  }
  reached('every tile shows a closed padlock: the latest frames of each participant were decrypted');
  const before = Object.fromEntries(await Promise.all(everyone.map(async (p) => [p.tag, await e2ee(p)])));
  for (const p of everyone) await receivingFrom(p, others(p), { minFrames: 20 });
  for (const p of everyone) {
    const pics = await seesPicture(p, others(p));
    reached(`${p.tag} decodes the right picture from both others (${pics.map((x) => `top ${x.top} bottom ${x.bottom}`).join('; ')})`);
  }
  for (const p of everyone) {
    const s = await e2ee(p);
    const b = before[p.tag];
    const w = s.worker;
    check(w.sent.encrypted > b.worker.sent.encrypted + 50 && w.sent.clear === b.worker.sent.clear,
      `${p.tag} sends only encrypted frames now (${b.worker.sent.encrypted} -> ${w.sent.encrypted} encrypted, clear stays ${w.sent.clear})`);
    check(others(p).every((id) => w.peers[id].videoOk > b.worker.peers[id].videoOk + 20 && w.peers[id].audioOk > b.worker.peers[id].audioOk + 20
      && w.peers[id].clear === b.worker.peers[id].clear),
    `${p.tag} decrypts video and audio from both others and gets no clear frame from them`);
  }
  const [sasAB, sasBA, sasAC] = await Promise.all([alice.evaluate((id) => window.parley.e2ee.sas(id), bob.id),
    bob.evaluate((id) => window.parley.e2ee.sas(id), alice.id), alice.evaluate((id) => window.parley.e2ee.sas(id), carol.id)]);
  check(sasAB.emoji.length === 7 && JSON.stringify(sasAB) === JSON.stringify(sasBA) && sasAB.digits !== sasAC.digits,
    `Alice and Bob compute the same short authentication string (${sasAB.emoji.map((e) => e[1]).join(' ')}, ${sasAB.digits}); Alice and Carol another`);
  await alice.evaluate(() => window.parley.openPanel('participants'));
  await alice.click(`.people-row[data-id="${bob.id}"] .people-verify`);
  await until(alice, (id) => document.querySelectorAll(`.sas-box[data-id="${id}"] .sas-item`).length === 7, bob.id,
    { timeout: 5000, what: 'the SAS in the participants panel' });
  const shown = await alice.evaluate((id) => [...document.querySelectorAll(`.sas-box[data-id="${id}"] .sas-name`)].map((e) => e.textContent), bob.id);
  check(shown.join() === sasAB.emoji.map((e) => e[1]).join(), 'the participants panel shows that string on request ("Verify")');
  await alice.evaluate((id) => document.querySelector(`.sas-box[data-id="${id}"]`).scrollIntoView({ block: 'end' }), bob.id);
  await shot(alice, 'e2ee-verify.png');
  await alice.evaluate(() => window.parley.openPanel('participants', false));
  // A screen share: a new sender (on Carol's createEncodedStreams path) mid-call, encrypted too.
  await carol.evaluate(() => window.parley.toggleScreenShare());
  await until(carol, () => window.parley.local.screen, null, { what: 'Carol sharing' });
  for (const p of [alice, bob]) {
    await until(p, async (id) => ((await window.parley.stats())[id]?.screen?.framesDecoded ?? 0) >= 5, carol.id,
      { timeout: 30000, what: `${p.tag} decoding Carol's screen` });
    const n = (await stats(p))[carol.id].screen.framesDecoded;
    await until(p, async ([id, b]) => ((await window.parley.stats())[id]?.screen?.framesDecoded ?? 0) >= b + 5, [carol.id, n],
      { timeout: 20000, what: `${p.tag}: frames of Carol's screen increasing` });
  }
  const cw = await e2ee(carol);
  check(cw.worker.sent.clear === before.carol.worker.sent.clear, `Carol's screen share is decoded by Alice and Bob, and nothing of hers leaves in clear (${cw.worker.sent.encrypted} frames encrypted)`);
  await carol.evaluate(() => window.parley.toggleScreenShare());
  await until(carol, () => !window.parley.local.screen, null, { what: 'Carol stopping her share' });
  await layerSwitchStep(alice, bob, carol);

  // 2. A browser that cannot encrypt: no keys for it, no picture.
  const dave = await st.join(ROOM, 'Dave Okafor', { params: { e2ee: '0' } });
  step(`Dave ${dave.id} joined without E2EE support`);
  for (const p of everyone) await statusOf(p, [dave.id], 'unsupported', 15000);
  for (const p of everyone) {
    await until(p, (id) => /Can't encrypt/.test(document.querySelector(`.tile[data-id="${id}"] .tile-e2ee-warn`)?.textContent ?? ''),
      dave.id, { timeout: 5000, what: `${p.tag}: "Can't encrypt" on Dave's tile` });
  }
  reached('everyone sees Dave cannot encrypt (tile and status)');
  const ds = await e2ee(dave);
  check(!ds.supported && ds.enabled && ds.sendBlocked, `Dave follows the meeting's state and sends nothing (${JSON.stringify({ s: ds.supported, e: ds.enabled, b: ds.sendBlocked })})`);
  check(await dave.evaluate(() => !document.querySelector('#e2ee-banner').hidden), 'Dave is told why he sees and hears nobody');
  for (const p of everyone) {
    const s = await e2ee(p);
    check(!s.participants[dave.id].paired && s.participants[dave.id].keysAt === null, `${p.tag} has no pairwise key with Dave and sends him no keys`);
  }
  // The bridge forwards the others' frames to Dave as they are: ciphertext.
  const ids = others(dave, [...everyone, dave]);
  await until(dave, async (who) => {
    const s = await window.parley.stats();
    return who.every((id) => (s[id]?.video?.packetsReceived ?? 0) > 150 && (s[id]?.audio?.packetsReceived ?? 0) > 150);
  }, ids, { timeout: 30000, what: 'Dave receiving packets of everyone\'s video and audio' });
  for (const p of everyone) await receivingFrom(p, others(p), { minFrames: 20 });
  const dstats = await stats(dave);
  const dpics = await Promise.all(ids.map((id) => picture(dave, id)));
  check(ids.every((id, i) => !dpics[i]?.ok),
    `Dave never shows the picture: ${ids.map((id, i) => `${id}: ${dstats[id].video.packetsReceived} packets, ${dstats[id].video.framesDecoded ?? 0} frames decoded`
      + ` (${dstats[id].video.keyFramesDecoded ?? 0} key), picture ${dpics[i] ? `top ${dpics[i].top} bottom ${dpics[i].bottom}` : 'none'}`).join('; ')}`);
  reached('meanwhile Alice, Bob and Carol go on decoding each other');
  const dl = (await stats(dave))._local;
  check(!(dl.video.packetsSent > 0) && !(dl.audio.packetsSent > 50), `Dave sends no media while the meeting is encrypted (${JSON.stringify({ v: dl.video.packetsSent ?? 0, a: dl.audio.packetsSent ?? 0 })})`);
  await shot(dave, 'e2ee-unsupported.png');
  await shot(alice, 'e2ee-meeting.png');

  // 3. Carol leaves: new keys that her old ones do not open.
  await bob.evaluate((id) => window.parley.e2ee.record(id, 8), alice.id);
  await until(bob, async (id) => (await window.parley.e2ee.records(id)).length >= 8, alice.id, { timeout: 10000, what: 'Bob recording Alice\'s frames' });
  const carolKeys = await carol.evaluate((id) => window.parley.e2ee.exportKeys(id), alice.id);
  const pre = await bob.evaluate(([id, keys]) => window.parley.e2ee.trial(id, keys), [alice.id, carolKeys]);
  check(carolKeys.length > 0 && pre.ok === 8, `control: the keys Carol holds for Alice (${carolKeys.map((k) => `${k.gen}.${k.step}`)}) open Alice's frames now (${pre.ok}/8)`);
  const genBefore = { a: (await e2ee(alice)).sendKey.gen, b: (await e2ee(bob)).sendKey.gen };
  await carol.evaluate(() => window.parley.leave());
  step('Carol left');
  await until(alice, (g) => window.parley.e2ee.state.sendKey?.gen !== g, genBefore.a, { timeout: 10000, what: 'Alice switching to a new key' });
  await until(bob, (g) => window.parley.e2ee.state.sendKey?.gen !== g, genBefore.b, { timeout: 10000, what: 'Bob switching to a new key' });
  const genAfter = (await e2ee(alice)).sendKey.gen;
  reached(`Alice and Bob rotate their keys when Carol leaves (Alice gen ${genBefore.a} -> ${genAfter})`);
  await bob.evaluate((id) => window.parley.e2ee.record(id, 10), alice.id);
  await until(bob, async (id) => (await window.parley.e2ee.records(id)).length >= 10, alice.id, { timeout: 10000, what: 'Bob recording Alice\'s new frames' });
  const post = await bob.evaluate(([id, keys]) => window.parley.e2ee.trial(id, keys), [alice.id, carolKeys]);
  const own = await bob.evaluate((id) => window.parley.e2ee.trial(id), alice.id);
  check(post.keyIds.every((k) => k.startsWith(`${genAfter}.`)) && post.ok === 0 && post.failed === 10,
    `Alice's frames after the rotation (key ${post.keyIds}) do not open with Carol's keys, even ratcheted (${post.ok}/10 opened)`);
  check(own.ok === 10, `Bob's own keys open them (${own.ok}/10)`);
  await receivingFrom(alice, [bob.id, dave.id].filter((x) => x !== dave.id));
  await receivingFrom(bob, [alice.id]);
  reached('Alice and Bob go on decoding each other after the rotation');

  // 4. Erin joins: keys and media within 3 s; what came before stays closed to her.
  await bob.evaluate((id) => window.parley.e2ee.record(id, 5), alice.id);
  await until(bob, async (id) => (await window.parley.e2ee.records(id)).length >= 5, alice.id, { timeout: 10000, what: 'Bob recording Alice\'s frames before Erin joins' });
  const old = await bob.evaluate((id) => window.parley.e2ee.records(id), alice.id);
  const erin = await st.join(ROOM, 'Erin Walsh', { autojoin: false });
  await erin.waitForFunction(() => window.parley?.screen === 'prejoin' && window.parley.local.video
    && document.querySelector('button.join') && !document.querySelector('button.join').disabled, null, { timeout: 20000 });
  const marks = await erin.evaluate(async (want) => {
    document.querySelector('button.join').click();
    const m = {};
    const end = performance.now() + 30000;
    while (performance.now() < end) {
      const c = window.parleyConference;
      const s = c?.session;
      if (s && m.session === undefined) m.session = performance.timeOrigin + s.startedAt;
      const st = c?.e2ee?.snapshot();
      const st2 = s ? await window.parley.stats() : {};
      for (const id of want) {
        const k = st?.participants?.[id]?.keysAt;
        if (k && m[`keys:${id}`] === undefined) m[`keys:${id}`] = performance.timeOrigin + k;
        const w = st?.worker?.peers?.[id];
        if (w?.firstOk && m[`decrypted:${id}`] === undefined) m[`decrypted:${id}`] = w.firstOk;
        if ((st2[id]?.video?.framesDecoded ?? 0) > 0 && m[`decoded:${id}`] === undefined) m[`decoded:${id}`] = performance.timeOrigin + performance.now();
      }
      if (m.session && want.every((id) => m[`decoded:${id}`] && m[`decrypted:${id}`] && m[`keys:${id}`])) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    return m;
  }, [alice.id, bob.id]);
  erin.id = await erin.evaluate(() => window.parley.endpointId);
  step(`Erin ${erin.id} joined`);
  const rel = (k) => (marks[k] === undefined ? null : Math.round(marks[k] - marks.session));
  const times = [alice.id, bob.id].map((id) => ({ id, keys: rel(`keys:${id}`), decrypted: rel(`decrypted:${id}`), decoded: rel(`decoded:${id}`) }));
  const told = times.map((t) => `${t.id}: keys ${t.keys}, decrypted ${t.decrypted}, decoded ${t.decoded}`).join('; ');
  // The participants' worker counters are refreshed from the worker every few hundred ms: wait
  // for the refresh that shows Erin's first opened frames of both before reading them.
  await until(erin, (ids) => ids.every((id) => (window.parley.e2ee.state?.participants?.[id]?.worker?.videoOk ?? 0) > 0),
    [alice.id, bob.id], { what: 'Erin\'s worker counting opened frames of Alice and Bob' });
  const ew = (await e2ee(erin)).participants;
  check([alice.id, bob.id].every((id) => ew[id].worker && ew[id].worker.noKey === 0 && ew[id].worker.failed === 0 && ew[id].worker.videoOk > 0),
    `Erin's keys come before the media: not one frame of Alice's or Bob's waited for a key or failed (${[alice.id, bob.id].map((id) => `${ew[id].worker?.noKey}/${ew[id].worker?.failed}`)})`);
  // Keys come before media, whatever the machine's load: each of Erin's senders' keys is in
  // place no later than the first frame that opens, which comes before the first decoded one.
  // How long that takes (3 s is the target: ~0.5-1.6 s here even on a busy machine) is a
  // figure, printed here and measured by tests/e2e/bench-e2ee.mjs, not a timed assertion.
  console.log(`# Erin's keys and first frames, ms after her session started: ${told}`);
  check(marks.session && times.every((t) => t.keys !== null && t.decrypted !== null && t.decoded !== null
    && t.keys <= t.decrypted + 50 && t.decrypted <= t.decoded + 50),
  `Erin gets every sender's key, then opens and decodes its frames (${told})`);
  const erinOld = await erin.evaluate(([id, frames]) => window.parley.e2ee.trial(id, null, frames), [alice.id, old]);
  const bobOld = await bob.evaluate(([id, frames]) => window.parley.e2ee.trial(id, null, frames), [alice.id, old]);
  check(erinOld.ok === 0 && bobOld.ok === 5, `frames Alice sent before Erin joined (key ${erinOld.keyIds}) do not open with Erin's keys (${erinOld.ok}/5), Bob's open them (${bobOld.ok}/5)`);
  const now = [alice, bob, erin];
  for (const p of now) await receivingFrom(p, others(p, now));
  for (const p of now) await seesPicture(p, others(p, now));
  reached('Alice, Bob and Erin decode each other\'s pictures');

  // 5. Off again.
  await alice.click('#e2ee-button');
  step('Alice turned E2EE off');
  for (const p of [...now, dave]) {
    await until(p, () => !window.parley.e2ee.state.enabled && document.querySelector('#e2ee-badge').hidden, null,
      { timeout: 15000, what: `${p.tag}: E2EE off` });
  }
  reached('everyone sees E2EE off');
  const offBefore = await e2ee(bob);
  for (const p of now) await receivingFrom(p, others(p, now));
  await receivingFrom(dave, [alice.id, bob.id, erin.id]);
  await seesPicture(dave, [alice.id, bob.id, erin.id]);
  for (const p of now) await receivingFrom(p, [dave.id]);
  await seesPicture(alice, [dave.id]);
  const offAfter = await e2ee(bob);
  check(offAfter.worker.sent.clear > offBefore.worker.sent.clear + 20 && offAfter.worker.peers[alice.id].clear > offBefore.worker.peers[alice.id].clear,
    'frames go in clear again: Dave now sees and hears everyone, and everyone him');

  step('stopping');
  await st.stop();
  reached('parley-focus and parley-bridge stopped cleanly');
} catch (e) {
  console.log(`not ok - ${e.stack ?? e}`);
  st.dump();
  clearTimeout(deadline);
  process.exit(1);
}
clearTimeout(deadline);
if (failed()) {
  st.dump();
  process.exit(1);
}
console.log(`# all passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(0);
