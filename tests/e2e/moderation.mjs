#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Moderators acting on others through the focus, end to end: Parley's web client in headless
// Chromium (fake camera and microphone) against a real Prosody, parley-focus and
// parley-bridge. One room, Alice (the moderator), Bob and Carol:
//   1. the focus advertises the actions (disco#info), so Alice's participants panel offers
//      "Mute everyone else" and "End meeting for everyone" and her menus "Mute"; Bob's do not;
//   2. Bob, who is not a moderator, tries each anyway through the page's hooks: mute Carol,
//      mute everyone, end the meeting: each is refused (forbidden) and nothing happens;
//   3. Alice mutes Bob (participants panel): Bob sees the notice and his microphone is off;
//      Alice and Carol stop hearing him (the audio energy they receive from him stops rising);
//      Bob turns his microphone on again and they hear him again; Alice turns Carol's camera
//      off (tile menu): the others stop decoding her video;
//   4. Alice mutes everyone else: neither Bob nor Carol is heard any more;
//   5. Alice ends the meeting for everyone: every page says "The meeting has ended", the room
//      is destroyed and the bridge holds no conference.
// Screenshots: the output directory, and docs/images/ with PARLEY_DOCS_SHOTS=1.
// Exit 0 pass, 1 fail, 77 skip. Run through meson (suite e2e) or:
//   PARLEY_FOCUS_BIN=... PARLEY_BRIDGE_BIN=... tests/netns-run.sh node tests/e2e/moderation.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TOP } from '../../web/test/e2e/lib.mjs';
import {
  BRIDGE_HTTP_PORT, check, reached, errorParts, outDir, rawIq, receivingFrom, startStack, stats, until,
} from './stack.mjs';

const out = outDir('moderation');
const docs = join(TOP, 'docs', 'images');
const SHOTS_TO_DOCS = process.env.PARLEY_DOCS_SHOTS === '1';
const VIEW = { width: 1280, height: 720 };
const ROOM = 'weekly-planning-6183';
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);
const st = await startStack('moderation');
const deadline = setTimeout(() => { console.log('not ok - moderation test did not finish within 230 s'); st.dump(); process.exit(1); }, 230000);
let error = null;

async function shot(page, name) {
  await page.screenshot({ path: join(out, name) });
  if (SHOTS_TO_DOCS) {
    mkdirSync(docs, { recursive: true });
    await page.screenshot({ path: join(docs, name) });
  }
}

/**
 * The audio `page` receives from endpoint `id`, straight from WebRTC: total audio energy
 * (what a listener hears; silence adds nothing) and packets, or null before there is any.
 */
function audioFrom(page, id) {
  return page.evaluate(async (who) => {
    const s = window.parleyConference?.session;
    if (!s?.pc) return null;
    const report = await s.pc.getStats();
    let found = false;
    let energy = 0;
    let packets = 0;
    report.forEach((x) => {
      if (x.type !== 'inbound-rtp' || x.kind !== 'audio' || !x.mid) return;
      if (s.offer.streamForMid(x.mid)?.owner !== who) return;
      found = true;
      energy += x.totalAudioEnergy ?? 0;
      packets += x.packetsReceived ?? 0;
    });
    return found ? { energy, packets } : null;
  }, id);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether `page` hears `id`: the energy received from it rises within `ms`. */
async function hears(page, id, ms = 12000) {
  const a = await audioFrom(page, id);
  const end = Date.now() + ms;
  for (;;) {
    await sleep(500);
    const b = await audioFrom(page, id);
    if (a && b && b.energy > a.energy + 1e-6) return { ...b, rise: b.energy - a.energy };
    if (Date.now() > end) return null;
  }
}

/**
 * Whether `page` no longer hears `id`: the energy received from it stops rising and then stays
 * flat for `ms` while its packets keep coming (the connection is fine; the sound is gone). What
 * was already in the jitter buffer may play out first: the flat stretch is waited for, up to
 * `deadline` ms (generous: a loaded machine plays out slowly).
 */
async function silent(page, id, ms = 4000, deadline = 30000) {
  const end = Date.now() + deadline;
  let a = await audioFrom(page, id);
  let since = Date.now();
  for (;;) {
    await sleep(250);
    const b = await audioFrom(page, id);
    if (!a || !b) return { flat: false, packets: 0 };
    if (b.energy - a.energy >= 1e-6) {
      a = b;
      since = Date.now();
    } else if (Date.now() - since >= ms) {
      return { flat: true, packets: b.packets - a.packets };
    }
    if (Date.now() > end) return { flat: false, packets: b.packets - a.packets };
  }
}

const participant = (page, id) => page.evaluate((x) => window.parley.participants.find((p) => p.id === x) ?? null, id);
const framesFrom = async (page, id) => (await stats(page))[id]?.video?.framesDecoded ?? 0;

try {
  const join3 = (name) => st.join(ROOM, name, { viewport: VIEW, res: 240 });
  const alice = await join3('Alice Moreau');
  const bob = await join3('Bob Ishikawa');
  const carol = await join3('Carol Nwosu');
  const everyone = [alice, bob, carol];
  const others = (p) => everyone.filter((q) => q !== p).map((q) => q.id);
  for (const p of everyone) await receivingFrom(p, others(p));
  for (const [p, q] of [[alice, bob], [carol, bob], [alice, carol], [bob, carol]]) {
    check(!!(await hears(p, q.id)), `${p.tag} hears ${q.tag} (audio energy rising)`);
  }
  step('three people in the meeting, hearing each other');

  // ---- 1. what the UI offers ------------------------------------------------------------------
  for (const p of everyone) {
    await until(p, () => window.parley.capabilities.remoteMuteAudio && window.parley.capabilities.remoteMuteVideo
      && window.parley.capabilities.endConference, null, { what: `${p.tag}: the focus's moderator actions known` });
  }
  reached('the focus advertises remote mute and end-conference; every client knows');
  await alice.click('#participants-button');
  await until(alice, () => !!document.querySelector('#mute-everyone') && !!document.querySelector('#end-meeting'), null,
    { what: 'alice: meeting-wide moderator actions' });
  await alice.waitForTimeout(300);
  await shot(alice, 'moderation.png');
  await alice.click(`.people-row[data-id="${bob.id}"] .people-menu-btn`);
  check(await alice.locator(`.people-row[data-id="${bob.id}"] .people-mute-audio`).isVisible(), 'Alice\'s menu for Bob offers "Mute"');
  await bob.click('#participants-button');
  await bob.waitForTimeout(500);
  const bobUi = await bob.evaluate(() => ({
    all: document.querySelectorAll('#mute-everyone, #end-meeting').length,
    menus: document.querySelectorAll('.people-menu-btn').length,
  }));
  check(bobUi.all === 0 && bobUi.menus === 0, `Bob (not a moderator) is offered no moderator action (${JSON.stringify(bobUi)})`);
  await bob.click('#participants-close');

  // ---- 2. a non-moderator's requests are refused ---------------------------------------------
  const roomJid = await bob.evaluate(() => window.parley.roomJid);
  const tryIt = (page, fn, arg) => page.evaluate(async ([f, a]) => {
    try {
      await window.parleyConference[f](...a);
      return 'done';
    } catch (e) {
      return e.message;
    }
  }, [fn, arg]);
  check(await tryIt(bob, 'muteParticipant', [carol.id, 'audio']) === 'Only moderators can do that.', 'Bob cannot mute Carol');
  check(await tryIt(bob, 'muteEveryone', []) === 'Only moderators can do that.', 'Bob cannot mute everyone');
  check(await tryIt(bob, 'endForEveryone', []) === 'Only moderators can do that.', 'Bob cannot end the meeting');
  const rawMute = errorParts(await rawIq(bob, `<iq type="set" to="${roomJid}/focus"><mute xmlns="http://jitsi.org/jitmeet/audio" jid="${roomJid}/${carol.id}">true</mute></iq>`));
  const rawEnd = errorParts(await rawIq(bob, `<iq type="set" to="focus.${st.prosody.domain}"><end-conference xmlns="urn:parley:end-conference:0" room="${roomJid}"/></iq>`));
  check(rawMute.type === 'auth' && rawMute.condition === 'forbidden', `the focus answers Bob's mute auth/forbidden (${JSON.stringify(rawMute)})`);
  check(rawEnd.type === 'auth' && rawEnd.condition === 'forbidden', `the focus answers Bob's end-conference auth/forbidden (${JSON.stringify(rawEnd)})`);
  check(!(await participant(alice, carol.id)).audioMuted && !(await carol.evaluate(() => window.parley.local.audioMuted)),
    'Carol is still unmuted');
  check(!!(await hears(alice, carol.id)), 'Alice still hears Carol');
  check(await carol.evaluate(() => window.parley.state) === 'joined', 'the meeting goes on');
  step('a non-moderator\'s mute, mute-everyone and end are refused');

  // ---- 3. mute one, unmute, camera off ------------------------------------------------------
  await alice.click(`.people-row[data-id="${bob.id}"] .people-mute-audio`);
  await until(bob, () => window.parley.local.audioMuted, null, { what: 'bob: microphone off by the moderator' });
  await until(bob, () => [...document.querySelectorAll('#toasts .toast')].some((t) => /moderator turned off your microphone/.test(t.textContent)),
    null, { what: 'bob: the notice', timeout: 5000 });
  reached('Bob sees "A moderator turned off your microphone. You can turn it on again."');
  await bob.waitForTimeout(200);
  await shot(bob, 'remote-mute-notice.png');
  await until(alice, (id) => window.parley.participants.find((p) => p.id === id)?.audioMuted, bob.id, { what: 'alice: Bob shown muted' });
  for (const p of [alice, carol]) {
    const s = await silent(p, bob.id);
    check(s.flat, `${p.tag} no longer hears Bob (audio energy flat; ${s.packets} packets meanwhile)`);
  }
  check(!!(await hears(carol, alice.id)), 'Carol still hears Alice');
  await bob.click('#mic-button');
  await until(bob, () => !window.parley.local.audioMuted, null, { what: 'bob: microphone on again' });
  for (const p of [alice, carol]) check(!!(await hears(p, bob.id)), `${p.tag} hears Bob again after he unmuted himself`);
  step('mute one: Bob is silent for the others, told so, and can unmute');

  await alice.click('#participants-close');
  await alice.click(`.tile[data-id="${carol.id}"] .tile-menu-btn`);
  await alice.click(`.tile[data-id="${carol.id}"] .mute-video`);
  await until(carol, () => window.parley.local.videoMuted, null, { what: 'carol: camera off by the moderator' });
  await sleep(1500);
  const f0 = await framesFrom(bob, carol.id);
  await sleep(3000);
  const f1 = await framesFrom(bob, carol.id);
  check(f1 - f0 <= 1, `Bob no longer decodes Carol's video (${f1 - f0} frames in 3 s)`);
  check(!!(await hears(bob, carol.id)), 'Bob still hears Carol');
  step('camera off: Carol\'s video stops for the others');

  // ---- 4. mute everyone ----------------------------------------------------------------------
  await alice.click('#participants-button');
  await alice.click('#mute-everyone');
  for (const p of [bob, carol]) await until(p, () => window.parley.local.audioMuted, null, { what: `${p.tag}: muted by "mute everyone"` });
  for (const [p, q] of [[alice, bob], [alice, carol], [bob, carol], [carol, bob]]) {
    const s = await silent(p, q.id, 3000);
    check(s.flat, `after "mute everyone" ${p.tag} no longer hears ${q.tag}`);
  }
  check(!(await alice.evaluate(() => window.parley.local.audioMuted)), 'Alice herself stays unmuted');
  check(!!(await hears(bob, alice.id)), 'Bob still hears Alice');
  step('mute everyone: nobody but Alice is heard');

  // ---- 5. end for everyone --------------------------------------------------------------------
  const roomLog = st.focus.mark();
  await alice.click('#end-meeting');
  for (const p of everyone) {
    await until(p, () => window.parley.screen === 'error' && window.parley.lastError?.code === 'room-destroyed', null,
      { what: `${p.tag}: the meeting has ended`, timeout: 15000 });
    check(/The meeting has ended/.test(await p.locator('#app').innerText()), `${p.tag} sees "The meeting has ended"`);
  }
  await shot(bob, 'meeting-ended.png');
  await st.focus.waitForLog(new RegExp(`room gone room=${roomJid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(destroyed\\)`),
    { from: roomLog, timeout: 10000 });
  reached('the focus destroyed the room');
  const deadlineBridge = Date.now() + 15000;
  let conferences = null;
  for (;;) {
    const m = /^parley_bridge_conferences (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${BRIDGE_HTTP_PORT}/metrics`)).text());
    conferences = m ? Number(m[1]) : null;
    if (conferences === 0 || Date.now() > deadlineBridge) break;
    await sleep(200);
  }
  check(conferences === 0, `the bridge holds no conference any more (${conferences})`);
  step('end for everyone');
} catch (e) {
  error = e;
}
clearTimeout(deadline);
await st.finish(error, { out });
