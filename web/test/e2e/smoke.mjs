#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Smoke test of the meeting page in headless Chromium, with screenshots:
//   1. pre-join screen with the fake camera and microphone previewing;
//   2. pre-join when camera and microphone are denied (join with what is available);
//   3. joining while the XMPP server is down -> "can't reach the meeting server";
//   4. with a real Prosody and no focus -> "the meeting service isn't answering";
//   5. with Prosody and parley-focus (PARLEY_FOCUS_BIN, or build-web/focus/parley-focus):
//      joined alone, then a second participant: both listed by display name; leave.
// Screenshots go to $PARLEY_E2E_OUT or build-web/e2e/smoke/. Exit 0 pass, 1 fail, 77 skip.
// Run: tests/netns-run.sh node web/test/e2e/smoke.mjs
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, TOP, check, reached, failed, launch, loadPlaywright, outDir, startWeb, watchConsole } from './lib.mjs';

const pw = await loadPlaywright();
const out = outDir('smoke');
const web = await startWeb();
const browser = await launch(pw);
const cleanup = [];
const logs = [];
const VIEW = { width: 1280, height: 800 };

async function newPage(path, tag) {
  const ctx = await browser.newContext({ viewport: VIEW });
  cleanup.push(() => ctx.close());
  const page = await ctx.newPage();
  logs.push(watchConsole(page, tag));
  await page.goto(`${web.url}${path}`, { timeout: 90000 });
  return page;
}

const shot = (page, name) => page.screenshot({ path: join(out, `${name}.png`) });
const waitFor = (page, fn, arg, timeout = 20000) => page.waitForFunction(fn, arg, { timeout, polling: 100 });

let code = 0;
try {
  // 1. Pre-join with camera and microphone.
  const alice = await newPage('/Quarterly-Review?name=Alice%20Martin', 'alice');
  await waitFor(alice, () => window.parley?.screen === 'prejoin' && document.querySelector('.preview-video')?.videoWidth > 0);
  const pre = await alice.evaluate(() => ({
    room: document.querySelector('.room-name')?.textContent,
    name: document.querySelector('#display-name')?.value,
    local: window.parley.local,
    notes: document.querySelectorAll('.note').length,
  }));
  check(pre.room === 'quarterly-review', `room from the path, normalised (${pre.room})`);
  check(pre.name === 'Alice Martin', 'display name from ?name=');
  check(pre.local.audio && pre.local.video && pre.notes === 0, 'camera and microphone preview, no warnings');
  await alice.waitForTimeout(300);
  await shot(alice, '1-prejoin');
  await alice.setViewportSize({ width: 390, height: 844 });
  await alice.waitForTimeout(300);
  await shot(alice, '1-prejoin-phone');
  await alice.setViewportSize(VIEW);

  // 1b. No room in the path: a generated, hard-to-guess room name is proposed.
  const lobby = await newPage('/', 'lobby');
  await waitFor(lobby, () => window.parley?.screen === 'prejoin' && document.querySelector('#room-name'));
  const proposed = await lobby.evaluate(() => document.querySelector('#room-name').value);
  check(/^[a-z]+-[a-z]+-\d{4}$/.test(proposed), `room name proposed: ${proposed}`);
  await shot(lobby, '1-prejoin-no-room');

  // 2. Camera and microphone denied: the page says so and still offers to join.
  const deniedBrowser = await pw.chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream'),
  });
  cleanup.push(() => deniedBrowser.close());
  const dctx = await deniedBrowser.newContext({ viewport: VIEW });
  const denied = await dctx.newPage();
  logs.push(watchConsole(denied, 'denied'));
  await denied.goto(`${web.url}/quarterly-review?name=Dana`);
  await waitFor(denied, () => window.parley?.screen === 'prejoin' && document.querySelector('.join'));
  const dn = await denied.evaluate(() => ({
    notes: [...document.querySelectorAll('.note')].map((n) => n.textContent),
    joinEnabled: !document.querySelector('.join').disabled,
    local: window.parley.local,
  }));
  check(dn.notes.length === 1 && /blocked/.test(dn.notes[0]), `denied media explained: ${JSON.stringify(dn.notes)}`);
  check(dn.joinEnabled && !dn.local.audio && !dn.local.video, 'join still possible without media');
  await shot(denied, '2-prejoin-denied');

  // 3. XMPP server down: the proxy cannot reach it.
  await alice.click('button.join');
  await waitFor(alice, () => window.parley.screen === 'error', null, 30000);
  const e3 = await alice.evaluate(() => ({ code: window.parley.lastError?.code, title: document.querySelector('.error-card h1')?.textContent }));
  check(e3.code === 'server-unreachable', `server down -> ${e3.code}: ${e3.title}`);
  await shot(alice, '3-server-unreachable');

  // 4./5. Real Prosody (and the focus when built).
  let prosody = null;
  let startProsody;
  let startFocus;
  try {
    ({ startProsody } = await import(join(TOP, 'tests', 'lib', 'prosody.mjs')));
    ({ startFocus } = await import(join(TOP, 'tests', 'lib', 'focus.mjs')));
    const dir = mkdtempSync(join(tmpdir(), 'parley-smoke-'));
    prosody = await startProsody(dir);
    cleanup.unshift(() => prosody.stop());
    prosody.tmp = dir;
  } catch (e) {
    console.log(`# no Prosody (${e.message.split('\n')[0]}): steps 4-5 skipped`);
  }
  if (prosody) {
    await alice.click('#rejoin');
    await waitFor(alice, () => window.parley.screen === 'error' && window.parley.lastError?.code !== 'server-unreachable', null, 40000);
    const e4 = await alice.evaluate(() => ({ code: window.parley.lastError?.code, transport: window.parley.transport }));
    check(e4.code === 'focus-unreachable', `no focus -> ${e4.code}`);
    await shot(alice, '4-focus-unreachable');

    process.env.PARLEY_FOCUS_BIN ??= join(TOP, 'build-web', 'focus', 'parley-focus');
    if (existsSync(process.env.PARLEY_FOCUS_BIN)) {
      const focus = await startFocus(prosody.tmp, prosody);
      cleanup.unshift(() => focus.stop());
      await alice.click('#rejoin');
      await waitFor(alice, () => window.parley.screen === 'meeting' && window.parley.state === 'joined', null, 90000);
      await alice.waitForTimeout(500);
      const a5 = await alice.evaluate(() => ({
        transport: window.parley.transport, media: window.parley.mediaState,
        alone: !document.querySelector('.alone').hidden, n: window.parley.participants.length,
      }));
      check(a5.transport === 'websocket', `XMPP over ${a5.transport}`);
      check(a5.alone && a5.n === 0 && a5.media === 'none', `joined alone: ${JSON.stringify(a5)}`);
      await shot(alice, '5-meeting-alone');
      await alice.keyboard.press('m');
      const m1 = await alice.evaluate(() => window.parley.local.audioMuted);
      await alice.keyboard.press('m');
      const m2 = await alice.evaluate(() => window.parley.local.audioMuted);
      check(m1 === true && m2 === false, 'the M key mutes and unmutes the microphone');

      const bob = await newPage('/quarterly-review?name=Bob%20Chen&autojoin=1', 'bob');
      await waitFor(bob, () => window.parley.state === 'joined', null, 90000);
      await waitFor(alice, () => window.parley.participants.some((p) => p.displayName === 'Bob Chen'));
      await waitFor(bob, () => window.parley.participants.some((p) => p.displayName === 'Alice Martin'));
      reached('both see each other by display name');
      await alice.evaluate(() => window.parley.setAudioMuted(true));
      await waitFor(bob, () => window.parley.participants.find((p) => p.displayName === 'Alice Martin')?.audioMuted === true);
      reached('microphone mute reaches the other side (SourceInfo presence)');
      await alice.waitForTimeout(800);
      await shot(alice, '6-meeting-two');
      await shot(bob, '6-meeting-two-bob');
      // WebSocket unusable (here: pointed at a closed port): the client falls back to BOSH.
      const boshWeb = await startWeb({ websocket: 'ws://127.0.0.1:9/xmpp-websocket' });
      cleanup.push(() => boshWeb.close());
      const bctx = await browser.newContext({ viewport: VIEW });
      cleanup.push(() => bctx.close());
      const dana = await bctx.newPage();
      logs.push(watchConsole(dana, 'dana'));
      await dana.goto(`${boshWeb.url}/quarterly-review?name=Dana%20Ito&autojoin=1`);
      await waitFor(dana, () => window.parley.state === 'joined', null, 90000);
      check(await dana.evaluate(() => window.parley.transport) === 'bosh', 'WebSocket failure falls back to BOSH');
      await waitFor(alice, () => window.parley.participants.some((p) => p.displayName === 'Dana Ito'));
      reached('the BOSH participant is in the same meeting');
      await dana.evaluate(() => window.parley.leave());

      await bob.evaluate(() => window.parley.leave());
      await waitFor(alice, () => window.parley.participants.length === 0);
      reached('a participant leaving disappears from the other side');
      await shot(bob, '7-left');

      // The server goes away mid-meeting: the meeting view stays, dimmed, with a
      // "Reconnecting…" banner and a "Reconnect now" button, and the page gets back in by
      // itself once the server (and the focus, which reconnects by itself) are back.
      const mark = focus.mark();
      await prosody.stop();
      await waitFor(alice, () => window.parley.screen === 'reconnecting', null, 30000);
      const e8 = await alice.evaluate(() => ({
        code: window.parley.reconnecting?.code,
        banner: document.querySelector('#reconnect-banner:not([hidden])')?.textContent,
        now: !!document.querySelector('#reconnect-now'),
        dimmed: !!document.querySelector('main.meeting.reconnecting'),
      }));
      check(e8.code === 'connection-lost' && e8.now && e8.dimmed && /Reconnecting/.test(e8.banner ?? ''),
        `call dropped -> ${e8.code}, "${e8.banner}", reconnect offered, meeting view dimmed`);
      await shot(alice, '8-call-dropped');
      await prosody.start();
      await focus.waitForLog(/connected to XMPP server/, { from: mark, timeout: 30000 }).catch(() => {});
      await waitFor(alice, () => window.parley.state === 'joined' && window.parley.screen === 'meeting', null, 60000).then(
        async () => check(await alice.evaluate(() => window.parley.reconnects === 1 && !document.querySelector('main.meeting.reconnecting')),
          'back in the meeting by itself once the server is back'),
        () => check(false, `back in the meeting once the server is back (${focus.log().slice(-300)})`));
    } else {
      console.log(`# ${process.env.PARLEY_FOCUS_BIN} not built: step 5 skipped`);
    }
  }
  if (failed()) code = 1;
} catch (e) {
  console.log(`not ok - ${e.stack ?? e}`);
  code = 1;
}
if (code) for (const l of logs) console.log(l.join('\n'));
for (const f of cleanup.reverse()) {
  try { await f(); } catch { /* best effort */ }
}
await browser.close();
await web.close();
console.log(`# screenshots in ${out}`);
process.exit(code);
