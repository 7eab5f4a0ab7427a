#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A meeting people work in, end to end: Parley's web client in headless Chromium (fake camera,
// microphone and screen) against a real Prosody, parley-focus and parley-bridge. One stack,
// one room, four people (Alice the moderator, Bob, Carol, then Dave who comes late):
//   1. chat: a message reaches everyone with the sender's name; HTML in a message is shown as
//      text (no element made from it) and a web link becomes a link; a private message reaches
//      only its addressee; the unread badge counts and clears when the chat opens;
//   2. raise hand: Bob's hand (toolbar button) shows on his tile and in the participants panel
//      of the others, and goes when he lowers it; Alice (moderator) lowers Carol's hand from
//      Carol's tile menu (Jitsi's lower-hand EndpointMessage);
//   3. screen share: Bob shares (toolbar button); Alice and Carol get a large screen tile and
//      decode it at 720p or more with frames increasing, while Bob's camera goes on as a
//      thumbnail; he stops: the screen tile goes; he shares again: it works again;
//   4. a late joiner (Dave) sees the running share (decoded at 720p or more) and the room's chat
//      history (Alice's message, with her name, marked as earlier), not the private message;
//   5. two people share at once: both screens are shown;
//   6. devices in the call: Carol switches microphone and camera and Alice picks a speaker in
//      the settings panel; the tracks are replaced without any renegotiation (no source-add or
//      source-remove reaches the others) and the others keep receiving her audio and video;
//   7. connection quality: every tile has an indicator whose tooltip gives loss, RTT and the
//      resolution received.
// Screenshots: the output directory, and docs/images/ with PARLEY_DOCS_SHOTS=1.
// Exit 0 pass, 1 fail, 77 skip. Run through meson (suite e2e) or:
//   PARLEY_FOCUS_BIN=... PARLEY_BRIDGE_BIN=... tests/netns-run.sh node tests/e2e/collaboration.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TOP } from '../../web/test/e2e/lib.mjs';
import { QUALITY_LABEL, qualityLevel } from '../../web/quality.js';
import { check, reached, jingleLog, outDir, receivingFrom, startStack, stats, until } from './stack.mjs';

const out = outDir('collaboration');
const docs = join(TOP, 'docs', 'images');
const SHOTS_TO_DOCS = process.env.PARLEY_DOCS_SHOTS === '1';
const VIEW = { width: 1280, height: 720 };
const ROOM = 'design-review-7342';
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);
const st = await startStack('collaboration');
const deadline = setTimeout(() => { console.log('not ok - collaboration test did not finish within 280 s'); st.dump(); process.exit(1); }, 280000);
let error = null;

async function shot(page, name, opts = {}) {
  await page.screenshot({ path: join(out, name), ...opts });
  if (SHOTS_TO_DOCS) {
    mkdirSync(docs, { recursive: true });
    await page.screenshot({ path: join(docs, name), ...opts });
  }
}

const join2 = (name, opts = {}) => st.join(ROOM, name, { viewport: VIEW, res: 240, ...opts });
const participant = (page, id) => page.evaluate((x) => window.parley.participants.find((p) => p.id === x) ?? null, id);
const visible = (page, sel) => page.locator(sel).first().isVisible();

/** Waits until `page` decodes `id`'s shared screen at >= 720 lines with frames increasing. */
async function decodingScreen(page, id, what) {
  await until(page, async (x) => {
    const s = (await window.parley.stats())[x]?.screen;
    return s && s.framesDecoded >= 5 && s.frameHeight >= 720;
  }, id, { timeout: 40000, what: `${page.tag} decoding ${what} at >= 720p` });
  const before = (await stats(page))[id].screen.framesDecoded;
  await until(page, async ([x, b]) => ((await window.parley.stats())[x]?.screen?.framesDecoded ?? 0) >= b + 5,
    [id, before], { timeout: 30000, what: `${page.tag}: frames of ${what} increasing` });
  await until(page, (x) => document.querySelector(`.screen-tile[data-screen="${x}"] video`)?.videoHeight >= 720, id,
    { timeout: 20000, what: `${page.tag}: the screen tile of ${what} playing` });
  const s = (await stats(page))[id].screen;
  return `${s.frameWidth}x${s.frameHeight}, ${s.framesDecoded} frames`;
}

/** The number of source-add / source-remove the focus sent to `page`. */
async function sourceChanges(page) {
  return (await jingleLog(page)).filter((l) => / jingle source-(add|remove) /.test(l)).length;
}

try {
  const alice = await join2('Alice Martin');
  const bob = await join2('Bob Chen');
  const carol = await join2('Carol Diaz');
  const everyone = [alice, bob, carol];
  const others = (p) => everyone.filter((q) => q !== p).map((q) => q.id);
  for (const p of everyone) await receivingFrom(p, others(p));
  step('three people in the meeting with media');

  // ---- 1. chat -------------------------------------------------------------------------------
  await alice.click('#chat-button');
  await alice.fill('#chat-input', 'Hello everyone, the agenda: https://example.org/agenda.');
  await alice.press('#chat-input', 'Enter');
  for (const p of [bob, carol]) {
    await until(p, () => window.parley.chat.some((m) => m.text.startsWith('Hello everyone')), null, { what: `${p.tag} gets Alice's message` });
    const m = (await p.evaluate(() => window.parley.chat)).find((x) => x.text.startsWith('Hello everyone'));
    check(m.name === 'Alice Martin' && !m.private && !m.mine, `${p.tag} gets Alice's message with her name (${m.name})`);
  }
  // Her own group message shows when the room reflects it to her, which may come after the
  // others have it.
  const own = await until(alice, () => window.parley.chat.some((m) => m.mine && m.text.startsWith('Hello')), null,
    { timeout: 15000, what: 'alice: her own message reflected' }).then(() => true, () => false);
  check(own, 'Alice sees her own message');
  check(await bob.locator('#chat-badge').innerText() === '1' && await visible(bob, '#chat-badge'), 'Bob\'s chat button shows 1 unread');
  await bob.evaluate(() => window.parley.sendChat('<b>bold</b> <img src=x onerror="window.pwned=1"> & <script>window.pwned=2</script>'));
  await until(alice, () => !!document.querySelector('#chat-list .chat-msg:last-child .chat-text')?.textContent.includes('<img'), null,
    { what: 'alice shows Bob\'s HTML message' });
  const html = await alice.evaluate(() => {
    const t = [...document.querySelectorAll('#chat-list .chat-text')].at(-1);
    return { text: t.textContent, elements: t.querySelectorAll('*').length, pwned: window.pwned ?? null };
  });
  check(html.elements === 0 && html.text.includes('<b>bold</b>') && html.text.includes('<script>') && html.pwned === null,
    `HTML in a message is shown as text, nothing interpreted (${JSON.stringify(html)})`);
  const link = await alice.evaluate(() => {
    const a = document.querySelector('#chat-list .chat-text a');
    return a ? { href: a.href, text: a.textContent, rel: a.rel, target: a.target } : null;
  });
  check(link?.href === 'https://example.org/agenda' && link.text === 'https://example.org/agenda' && /noopener/.test(link.rel),
    `a web link becomes a link (trailing dot left out) (${JSON.stringify(link)})`);

  await bob.evaluate((to) => window.parley.sendChat('Carol, can you take the notes?', to), carol.id);
  await until(carol, () => window.parley.chat.some((m) => m.private && m.text.includes('take the notes')), null, { what: 'carol gets the private message' });
  const pm = (await carol.evaluate(() => window.parley.chat)).find((m) => m.private);
  check(pm.name === 'Bob Chen' && pm.from === bob.id, `a private message reaches its addressee, from Bob (${pm.name})`);
  check((await bob.evaluate(() => window.parley.chat)).some((m) => m.private && m.mine && m.to), 'the sender sees the private message, marked as to Carol');
  await alice.waitForTimeout(1500);
  check(!(await alice.evaluate(() => window.parley.chat.some((m) => m.text.includes('take the notes')))), 'the private message does not reach Alice');
  check(await carol.locator('#chat-badge').innerText() === '3', 'Carol\'s badge counts three unread messages');
  await carol.click('#chat-button');
  await until(carol, () => document.querySelector('#chat-badge').hidden && window.parley.unread === 0, null, { what: 'carol: badge cleared' });
  check(await visible(carol, '#chat-list .chat-msg.private'), 'opening the chat clears the badge; the private message is marked');
  await carol.waitForTimeout(300);
  await shot(carol, 'chat.png');
  await carol.click('#chat-close');
  await alice.click('#chat-close');
  step('chat done');

  // ---- 2. raise hand -------------------------------------------------------------------------
  await bob.click('#hand-button');
  for (const p of [alice, carol]) {
    await until(p, (id) => !document.querySelector(`.tile[data-id="${id}"] .tile-hand`).hidden, bob.id, { what: `${p.tag} sees Bob's hand` });
  }
  check((await participant(alice, bob.id)).raisedHand > 1e12, 'a raised hand carries a timestamp (Jitsi\'s jitsi_participant_raisedHand)');
  await alice.click('#participants-button');
  await until(alice, (id) => document.querySelector(`#people-list .people-row[data-id="${id}"]`)?.classList.contains('raised'), bob.id,
    { what: 'alice: Bob raised in the panel' });
  const first = await alice.evaluate(() => document.querySelector('#people-list .people-row')?.dataset.id);
  check(first === bob.id, 'the participants panel lists raised hands first');
  check(/1 raised hand: Bob Chen/.test(await alice.locator('#people-hands').innerText()), 'the panel says who raised a hand');
  check(await alice.locator('#people-badge').innerText() === '1', 'the participants button counts raised hands');
  await alice.waitForTimeout(300);
  await shot(alice, 'participants.png');
  await bob.click('#hand-button');
  for (const p of [alice, carol]) {
    await until(p, (id) => document.querySelector(`.tile[data-id="${id}"] .tile-hand`).hidden, bob.id, { what: `${p.tag} sees Bob's hand go down` });
  }
  reached('the others see the hand go up and down');
  await carol.keyboard.press('r');
  await until(alice, (id) => !document.querySelector(`.tile[data-id="${id}"] .tile-hand`).hidden, carol.id, { what: 'alice sees Carol\'s hand (R key)' });
  await alice.hover(`.tile[data-id="${carol.id}"]`);
  await alice.click(`.tile[data-id="${carol.id}"] .tile-menu-btn`);
  await alice.click(`.tile[data-id="${carol.id}"] .lower-hand`);
  await until(carol, () => !window.parley.local.raisedHand, null, { what: 'carol\'s hand lowered by the moderator' });
  await until(bob, (id) => document.querySelector(`.tile[data-id="${id}"] .tile-hand`).hidden, carol.id, { what: 'bob sees Carol\'s hand go down' });
  reached('a moderator lowers someone\'s hand (tile menu), everyone sees it go down');
  await alice.evaluate(() => window.parley.setHandRaised(true));
  await until(bob, (id) => !document.querySelector(`.tile[data-id="${id}"] .tile-hand`).hidden, alice.id, { what: 'bob sees Alice\'s hand' });
  const sentReq = await bob.evaluate((id) => window.parley.lowerHandOf(id), alice.id);
  await alice.waitForTimeout(1500);
  check(sentReq && (await alice.evaluate(() => window.parley.local.raisedHand)) > 0, 'a lower-hand request from a non-moderator is ignored');
  await alice.evaluate(() => window.parley.setHandRaised(false));
  await alice.click('#participants-close');
  step('raise hand done');

  // ---- 3. screen share -----------------------------------------------------------------------
  const adds = await sourceChanges(alice);
  await bob.click('#screen-button');
  await until(bob, () => window.parley.local.screen, null, { what: 'bob sharing' });
  for (const p of [alice, carol]) {
    const r = await decodingScreen(p, bob.id, 'Bob\'s screen');
    reached(`${p.tag} decodes Bob's screen (${r})`);
    const thumb = await p.evaluate((id) => document.querySelector(`.tile[data-id="${id}"]`)?.classList.contains('thumb'), bob.id);
    check(thumb, `${p.tag}: the screen is large, Bob's camera a thumbnail`);
  }
  await receivingFrom(alice, [bob.id, carol.id], { minFrames: 5 });
  reached('Bob\'s camera keeps going next to his screen');
  check(await visible(bob, '#share-banner') && /sharing your screen/.test(await bob.locator('#share-banner').innerText()), 'the sharer is told that everyone sees the screen');
  const sent = (await stats(bob))._local.screen;
  check(sent.frameHeight >= 720 && sent.framesEncoded > 0, `Bob sends the screen at ${sent.frameWidth}x${sent.frameHeight}`);
  await alice.mouse.move(640, 300);
  await alice.waitForTimeout(300);
  await shot(alice, 'screen-share.png');

  await bob.click('#stop-sharing');
  for (const p of [alice, carol]) {
    await until(p, (id) => !document.querySelector(`.screen-tile[data-screen="${id}"]`) && !window.parley.participants.find((x) => x.id === id).sharing,
      bob.id, { timeout: 15000, what: `${p.tag}: Bob's screen tile gone` });
  }
  check((await sourceChanges(alice)) >= adds + 2, 'start and stop reach the others as source-add and source-remove');
  check(!(await bob.evaluate(() => window.parley.local.screen)) && !(await visible(bob, '#share-banner')), 'stopping: the sharer\'s banner goes');
  await receivingFrom(alice, [bob.id], { minFrames: 5 });
  reached('after the share stops the others see Bob\'s camera and the meeting goes on');
  await bob.click('#screen-button');
  for (const p of [alice, carol]) {
    const r = await decodingScreen(p, bob.id, 'Bob\'s second share');
    reached(`sharing again works: ${p.tag} decodes it (${r})`);
  }
  step('screen share done');

  // ---- 4. a late joiner ----------------------------------------------------------------------
  const dave = await join2('Dave Okafor');
  const r4 = await decodingScreen(dave, bob.id, 'the running share');
  reached(`a late joiner sees the share that was running (${r4})`);
  await until(dave, () => window.parley.chat.length >= 2, null, { what: 'dave: chat history' });
  const hist = await dave.evaluate(() => window.parley.chat);
  const hello = hist.find((m) => m.text.startsWith('Hello everyone'));
  check(hello?.name === 'Alice Martin' && hello.history, `the late joiner gets the chat history with names (${hello?.name}, history ${hello?.history})`);
  check(!hist.some((m) => m.text.includes('take the notes')), 'history has no private messages');
  check(await dave.locator('#chat-badge').isHidden(), 'history does not count as unread');

  // ---- 5. two sharers ------------------------------------------------------------------------
  await carol.click('#screen-button');
  const r5 = await decodingScreen(dave, carol.id, 'Carol\'s screen');
  await decodingScreen(dave, bob.id, 'Bob\'s screen');
  const tiles = await dave.evaluate(() => [...document.querySelectorAll('.screen-tile')].map((t) => t.dataset.screen).sort());
  check(tiles.join() === [bob.id, carol.id].sort().join(), `two people share at once: both screens shown (${r5})`);
  await dave.waitForTimeout(300);
  await shot(dave, 'two-screens.png');
  await carol.click('#screen-button');
  await bob.click('#screen-button');
  await until(dave, () => !document.querySelector('.screen-tile'), null, { what: 'dave: screens gone' });
  step('late joiner and two sharers done');

  // ---- 6. devices in the call ----------------------------------------------------------------
  const changes = [await sourceChanges(alice), await sourceChanges(bob)];
  const before = await carol.evaluate(() => window.parley.local);
  await carol.click('#settings-button');
  await until(carol, () => document.querySelectorAll('#camera-select option').length >= 2
    && document.querySelectorAll('#mic-select option').length >= 2, null, { what: 'carol: device lists' });
  const mics = await carol.evaluate(() => [...document.querySelectorAll('#mic-select option')].map((o) => [o.value, o.textContent]));
  const cams = await carol.evaluate(() => [...document.querySelectorAll('#camera-select option')].map((o) => [o.value, o.textContent]));
  check(mics.length >= 2 && cams.length >= 2, `the settings panel lists microphones and cameras (${mics.map((m) => m[1])}; ${cams.map((m) => m[1])})`);
  const mic = mics.find(([v]) => v !== before.devices.audio && v !== 'default');
  // Chromium's fake_device_1 is a depth camera (Y16) no encoder takes: switch to fake_device_2.
  const cam = cams.find(([v, label]) => v !== before.devices.video && label === 'fake_device_2');
  await carol.selectOption('#mic-select', mic[0]);
  await until(carol, (t) => window.parley.local.trackIds.audio !== t, before.trackIds.audio, { what: 'carol: new microphone track' });
  await carol.selectOption('#camera-select', cam[0]);
  await until(carol, (t) => window.parley.local.trackIds.video !== t, before.trackIds.video, { what: 'carol: new camera track' });
  const after = await carol.evaluate(() => window.parley.local);
  check(after.devices.audio === mic[0] && after.devices.video === cam[0], `Carol now uses ${mic[1]} and ${cam[1]}`);
  await carol.waitForTimeout(300);
  await shot(carol, 'settings.png');
  await receivingFrom(alice, [carol.id], { minFrames: 15 });
  await receivingFrom(bob, [carol.id], { minFrames: 15 });
  reached('the others keep receiving Carol\'s audio and video after the switch');
  const changes2 = [await sourceChanges(alice), await sourceChanges(bob)];
  check(changes2.join() === changes.join(),
    `no renegotiation: the others got no source-add or source-remove (${changes} -> ${changes2})`);
  await alice.click('#settings-button');
  await until(alice, () => document.querySelectorAll('#speaker-select option').length >= 2, null, { what: 'alice: speaker list' });
  const outs = await alice.evaluate(() => [...document.querySelectorAll('#speaker-select option')].map((o) => o.value));
  const spk = outs.find((v) => v !== 'default');
  await alice.selectOption('#speaker-select', spk);
  await until(alice, (v) => [...document.querySelectorAll('.tile audio')].every((a) => a.sinkId === v), spk, { what: 'alice: speaker chosen' });
  check(outs.length >= 2, `the speaker choice plays every participant on it (setSinkId, ${outs.length} outputs)`);
  await receivingFrom(alice, [bob.id, carol.id, dave.id], { minFrames: 5 });
  await alice.click('#settings-close');
  step('devices done');

  // ---- 7. connection quality -----------------------------------------------------------------
  await until(alice, () => [...document.querySelectorAll('.tile[data-id] .tile-quality')].every((q) => q.dataset.level === 'good'), null,
    { what: 'alice: every tile\'s quality known and good on loopback' });
  // The round-trip time comes with the browser's next ICE consent check (every few seconds).
  await until(alice, (id) => /RTT \d+ ms/.test(document.querySelector(`.tile[data-id="${id}"] .tile-quality`)?.getAttribute('aria-label') ?? ''),
    carol.id, { timeout: 30000, what: 'alice: carol\'s quality tooltip with a round-trip time' }).catch(() => {});
  const tip = await alice.locator(`.tile[data-id="${carol.id}"] .tile-quality`).getAttribute('aria-label');
  // The label is the one its own figures call for (a loaded machine's loopback can take a
  // few hundred ms to answer a consent check: then it reads Fair, rightly).
  const fig = /^(.+): Loss ([\d.]+) % · RTT (\d+) ms · \d+×\d+/.exec(tip ?? '');
  // (the figures are rounded: at a threshold either side of it is right)
  const levelAt = (d) => QUALITY_LABEL[qualityLevel({ loss: Math.max(0, Number(fig[2]) - 0.05 * d) / 100, rtt: Math.max(0, Number(fig[3]) - 0.5 * d) / 1000 })];
  const want = fig ? [...new Set([levelAt(0), levelAt(1)])].join(' or ') : null;
  check(fig !== null && [levelAt(0), levelAt(1)].includes(fig[1]), `the quality tooltip gives loss, RTT, resolution, and the level they make (${tip}; ${want ?? 'unparsed'})`);
  await alice.hover(`.tile[data-id="${carol.id}"] .tile-quality`);
  check(await visible(alice, `.tile[data-id="${carol.id}"] .quality-tip`), 'hovering the indicator shows the tooltip');
  await alice.waitForTimeout(200);
  const box = await alice.locator(`.tile[data-id="${carol.id}"]`).boundingBox();
  await shot(alice, 'quality-tooltip.png', { clip: { x: Math.max(0, box.x - 8), y: Math.max(0, box.y - 8), width: Math.min(420, VIEW.width - box.x + 8), height: 180 } });
  step('quality done');
} catch (e) {
  error = e;
}
clearTimeout(deadline);
await st.finish(error, { out });
