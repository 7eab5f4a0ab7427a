#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// End-to-end test of the browser client's whole meeting path against a real Prosody, with
// a scripted focus (fake-focus.mjs, an XEP-0114 component speaking the Jitsi Jingle dialect)
// and a loopback bridge made of RTCPeerConnections in a separate Chromium page. Checks what a
// user would notice: everyone sees and hears everyone (frames decoded, audio packets), names
// and mute state, EndpointMessages over colibri-ws, a third participant joining (source-add)
// and leaving (source-remove), the camera going off and on, being moved to another bridge
// (session-terminate "moving" + new session-initiate), and Jingle errors for unknown sessions.
// Exit 0 pass, 1 fail, 77 skip. Run: tests/netns-run.sh node web/test/e2e/loopback.mjs
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOP, WEB, check, reached, failed, launch, loadPlaywright, outDir, skip, startWeb, watchConsole } from './lib.mjs';
import { FakeFocus } from './fake-focus.mjs';

const pw = await loadPlaywright();
const { startProsody, SkipError } = await import(join(TOP, 'tests', 'lib', 'prosody.mjs'));
const out = outDir('loopback');
let prosody;
try {
  prosody = await startProsody(mkdtempSync(join(tmpdir(), 'parley-loopback-')));
} catch (e) {
  if (e instanceof SkipError) skip(e.message);
  throw e;
}
const web = await startWeb();
const browser = await launch(pw);
const logs = [];
let focus;
let code = 0;
const ROOM = 'loopback-review-4821';
const ROOM_JID = `${ROOM}@conference.${prosody.domain}`;
const VIEW = { width: 1280, height: 800 };

const pages = [];
async function participant(name, tag) {
  const ctx = await browser.newContext({ viewport: VIEW });
  const page = await ctx.newPage();
  logs.push(watchConsole(page, tag));
  // 360p keeps three clients plus the re-encoding loopback bridge light enough for 2 cores;
  // one stream per camera too (the stand-in bridge does no layer selection).
  await page.goto(`${web.url}/${ROOM}?name=${encodeURIComponent(name)}&autojoin=1&res=360&simulcast=0`, { timeout: 90000 });
  await page.waitForFunction(() => window.parley?.state === 'joined', null, { timeout: 90000 });
  page.ctx = ctx;
  page.id = await page.evaluate(() => window.parley.endpointId);
  page.tag = tag;
  pages.push(page);
  return page;
}

/** Polls `fn` (may be async) in the page until it returns something truthy. */
async function until(page, fn, arg, timeout = 30000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await page.evaluate(fn, arg);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for: ${fn.toString().slice(0, 160)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
/** Waits until `page` has decoded video frames and received audio from endpoint `id`. */
function receiving(page, id, minFrames = 15) {
  return until(page, async ([who, n]) => {
    const s = await window.parley.stats();
    return (s[who]?.video?.framesDecoded ?? 0) >= n && (s[who]?.audio?.packetsReceived ?? 0) > 20;
  }, [id, minFrames]);
}
const frames = async (page, id) => (await page.evaluate(() => window.parley.stats()))[id]?.video?.framesDecoded ?? 0;

try {
  const bridgePage = await (await browser.newContext({ bypassCSP: true })).newPage();
  logs.push(watchConsole(bridgePage, 'bridge'));
  await bridgePage.goto(`${web.url}/about/health`);
  await bridgePage.addScriptTag({ path: join(WEB, 'test', 'e2e', 'loopback-bridge-page.js') });
  focus = new FakeFocus({ prosody, bridgePage, notReady: 2 });
  await focus.start();

  // Alice alone: joined, no media session (the focus waits for a second participant).
  const alice = await participant('Alice Martin', 'alice');
  check(focus.requests.get(ROOM_JID) === 3, `ready="false" twice, joined on the third request (${focus.requests.get(ROOM_JID)})`);
  check(await alice.evaluate(() => window.parley.mediaState === 'none' && window.parley.participants.length === 0), 'alone: no media session');

  // Bob joins: both are invited, media flows both ways through the loopback bridge.
  const bob = await participant('Bob Chen', 'bob');
  await receiving(alice, bob.id);
  await receiving(bob, alice.id);
  reached('Alice decodes Bob\'s video and receives his audio, and vice versa');
  const a1 = await alice.evaluate(() => ({ media: window.parley.mediaState, ch: window.parley.bridgeChannelOpen, p: window.parley.participants, log: window.parley.log }));
  if (process.env.PARLEY_E2E_VERBOSE) console.log(a1.log.join('\n'));
  check(a1.media === 'connected', `media state connected (${a1.media})`);
  check(a1.ch, 'bridge channel (colibri-ws) open');
  check(a1.p.length === 1 && a1.p[0].displayName === 'Bob Chen' && a1.p[0].hasVideo && a1.p[0].hasAudio, `Bob's tile has video and audio: ${JSON.stringify(a1.p)}`);
  const tileOk = await until(alice, (id) => document.querySelector(`.tile[data-id="${id}"] video`)?.videoWidth > 0, bob.id).then(() => true, () => false);
  check(tileOk, 'Bob\'s video element is playing in Alice\'s tile');
  check(focus.constraints.get(alice.id)?.defaultConstraints?.maxHeight > 0, `client sent ReceiverVideoConstraints: ${JSON.stringify(focus.constraints.get(alice.id))}`);
  const accept = focus.received.find((x) => x.ep === alice.id && x.action === 'session-accept');
  check(accept && accept.model.sources.some((s) => s.name === `${alice.id}-v0`) && accept.model.sources.some((s) => s.name === `${alice.id}-a0`),
    'session-accept carries <ep>-a0 / <ep>-v0 sources');
  check(accept && accept.model.ssrcGroups.some((g) => g.semantics === 'FID'), 'session-accept carries the FID group');
  check(focus.received.some((x) => x.ep === alice.id && x.action === 'transport-info' && x.model.contents[0]?.transport?.candidates.length),
    'candidates trickled in transport-info');

  // EndpointMessage through the bridge channel, to one and to all.
  await alice.evaluate((to) => window.parley.sendEndpointMessage({ type: 'hello', text: 'hi Bob' }, to), bob.id);
  await until(bob, (from) => window.parley.lastEndpointMessages.some((m) => m.from === from && m.payload?.text === 'hi Bob'), alice.id);
  reached('EndpointMessage to one endpoint arrives with `from`');

  // Carol joins: source-add to Alice and Bob, everyone sees everyone.
  const carol = await participant('Carol Diaz', 'carol');
  await receiving(alice, carol.id);
  await receiving(bob, carol.id);
  await receiving(carol, alice.id);
  await receiving(carol, bob.id);
  reached('three participants: every pair decodes video and receives audio');
  await bob.evaluate(() => window.parley.sendEndpointMessage({ type: 'all', n: 3 }));
  await until(carol, (from) => window.parley.lastEndpointMessages.some((m) => m.from === from && m.payload?.n === 3), bob.id);
  await until(alice, (from) => window.parley.lastEndpointMessages.some((m) => m.from === from && m.payload?.n === 3), bob.id);
  reached('broadcast EndpointMessage reaches both others');
  focus.dominant(carol.id);
  await until(alice, (id) => document.querySelector(`.tile[data-id="${id}"]`)?.classList.contains('speaking'), carol.id);
  reached('dominant speaker highlighted');
  await alice.evaluate(() => window.parley.setAudioMuted(true));
  await until(bob, (id) => window.parley.participants.find((p) => p.id === id)?.audioMuted === true, alice.id);
  await alice.waitForTimeout(1000);
  await alice.screenshot({ path: join(out, '1-three-party-alice.png') });
  await carol.screenshot({ path: join(out, '1-three-party-carol.png') });
  await carol.setViewportSize({ width: 390, height: 844 });
  await carol.waitForTimeout(500);
  await carol.screenshot({ path: join(out, '1-three-party-carol-phone.png') });

  // Bob turns his camera off and on again: avatar in between, video again after.
  await bob.evaluate(() => window.parley.setVideoMuted(true));
  await until(alice, (id) => window.parley.participants.find((p) => p.id === id)?.videoMuted === true, bob.id);
  const avatarShown = await alice.evaluate((id) => !document.querySelector(`.tile[data-id="${id}"] .avatar`).hidden, bob.id);
  check(avatarShown, 'camera off: others see Bob\'s avatar');
  await alice.screenshot({ path: join(out, '2-bob-camera-off.png') });
  const before = await frames(alice, bob.id);
  await bob.evaluate(() => window.parley.setVideoMuted(false));
  await until(alice, (id) => window.parley.participants.find((p) => p.id === id)?.videoMuted === false, bob.id);
  await until(alice, async ([id, n]) => ((await window.parley.stats())[id]?.video?.framesDecoded ?? 0) > n + 15, [bob.id, before]);
  reached('camera on again: Bob\'s video resumes on the same source');
  check(!focus.received.some((x) => x.ep === bob.id && (x.action === 'source-remove' || x.action === 'source-add')),
    'camera off/on keeps the signalled source (no source-remove/source-add)');

  // Carol leaves: source-remove, her tile goes away, the others keep media.
  await carol.evaluate(() => window.parley.leave());
  await until(alice, (id) => !window.parley.participants.some((p) => p.id === id) && !document.querySelector(`.tile[data-id="${id}"]`), carol.id);
  check(focus.received.some((x) => x.ep === carol.id && x.action === 'session-terminate'), 'leaving sends session-terminate');
  const f1 = await frames(alice, bob.id);
  await until(alice, async ([id, n]) => ((await window.parley.stats())[id]?.video?.framesDecoded ?? 0) > n + 15, [bob.id, f1]);
  reached('after source-remove Alice still decodes Bob');

  // Alice is moved to another bridge endpoint: session-terminate "moving" + session-initiate.
  const movedSid = focus.rooms.get(ROOM_JID).sessions.get(alice.id).sid;
  await focus.move(ROOM_JID, alice.id);
  await until(alice, () => window.parley.mediaState === 'connected', null, 30000);
  const newSid = focus.rooms.get(ROOM_JID).sessions.get(alice.id).sid;
  check(newSid !== movedSid, 'moved: a new Jingle session');
  await receiving(alice, bob.id, 30);
  const f2 = await frames(bob, alice.id);
  await until(bob, async ([id, n]) => ((await window.parley.stats())[id]?.video?.framesDecoded ?? 0) > n + 15, [alice.id, f2]);
  reached('after the move both directions have media again');

  // In-place ICE restart (transport-info with new credentials and ice-generation).
  await focus.iceRestart(ROOM_JID, bob.id);
  const sB = () => focus.rooms.get(ROOM_JID).sessions.get(bob.id);
  const restartEnd = Date.now() + 20000;
  while (!sB().restartAnswered && Date.now() < restartEnd) await new Promise((r) => setTimeout(r, 200));
  check(sB().restartAnswered?.generation === 1, `ICE restart answered with new credentials, generation ${sB().restartAnswered?.generation}`);
  const f3 = await frames(bob, alice.id);
  await until(bob, async ([id, n]) => ((await window.parley.stats())[id]?.video?.framesDecoded ?? 0) > n + 15, [alice.id, f3]);
  const bst = await focus.bridge.evaluate((e) => window.loopbackBridge.state(e), bob.id);
  check(bst.ice === 'connected' || bst.ice === 'completed', `after the ICE restart media flows (${bst.ice})`);

  // A Jingle action for a session the client does not know gets the proper error.
  const err = await focus.unknownSession(ROOM_JID, alice.id);
  const errXml = err ? err.toString() : '';
  check(/item-not-found/.test(errXml) && /unknown-session xmlns="urn:xmpp:jingle:errors:1"/.test(errXml), `unknown sid -> item-not-found + unknown-session`);

  await alice.screenshot({ path: join(out, '3-after-move.png') });
  check(focus.errors.length === 0, `scripted focus saw no errors${focus.errors.length ? `: ${focus.errors[0]}` : ''}`);
  if (failed()) code = 1;
} catch (e) {
  console.log(`not ok - ${e.stack ?? e}`);
  code = 1;
}
if (code) {
  for (const p of pages) {
    try {
      const d = await p.evaluate(async () => ({ log: window.parley.log, stats: await window.parley.stats() }));
      console.log(`---- ${p.tag} ${p.id}\n${d.log.join('\n')}\n${JSON.stringify(d.stats)}`);
      if (focus) console.log(JSON.stringify(await focus.bridge.evaluate((e) => window.loopbackBridge.state(e), p.id)));
    } catch (e) { console.log(`${p.tag}: ${e.message}`); }
  }
  for (const l of logs) console.log(l.filter((x) => !/debug:/.test(x)).slice(-40).join('\n'));
  if (focus) console.log(focus.log.join('\n'));
}
if (focus) writeFileSync(join(out, 'focus.log'), `${focus.log.join('\n')}\n`);
focus?.stop();
await browser.close();
await web.close();
await prosody.stop();
console.log(`# screenshots in ${out}`);
process.exit(code);
