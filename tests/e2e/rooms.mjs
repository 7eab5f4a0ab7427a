#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Rooms and the media server, end to end: Parley's web client in headless Chromium against a
// real Prosody and parley-focus, with parley-bridge started only halfway through.
//   1. no bridge: two people join; the focus says bridgeNotAvailable and both see a clear
//      "waiting for a media server" screen (not "waiting for media" forever); then a bridge is
//      started: the call starts by itself, without a reload, with media both ways;
//   2. room names: "zürich-team-42", "Café 会議" and "team.sync" each hold a meeting (two
//      people who see and hear each other, the room named as typed in the title);
//      "/acme/standup" and "/acme/retro" are two different rooms ([acme]standup and
//      [acme]retro, Jitsi's tenant mapping), and neither is "/standup";
//   3. in a room whose name is easy to guess, someone leaving: the "left" notice does not
//      cover the unsafe-name warning, and the status says "Waiting for others" again.
// Screenshots: the output directory, and docs/images/no-bridge.png with PARLEY_DOCS_SHOTS=1.
// Exit 0 pass, 1 fail, 77 skip. Run through meson (suite e2e) or:
//   PARLEY_FOCUS_BIN=... PARLEY_BRIDGE_BIN=... tests/netns-run.sh node tests/e2e/rooms.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TOP } from '../../web/test/e2e/lib.mjs';
import { check, reached, jingleLog, outDir, receivingFrom, startStack, tileIds, until } from './stack.mjs';

const out = outDir('rooms');
const docs = join(TOP, 'docs', 'images');
const SHOTS_TO_DOCS = process.env.PARLEY_DOCS_SHOTS === '1';
const VIEW = { width: 1024, height: 640 };
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);
const st = await startStack('rooms', { bridge: false });
const deadline = setTimeout(() => { console.log('not ok - rooms test did not finish within 220 s'); st.dump(); process.exit(1); }, 220000);
let error = null;

async function shot(page, name) {
  await page.screenshot({ path: join(out, name) });
  if (SHOTS_TO_DOCS) {
    mkdirSync(docs, { recursive: true });
    await page.screenshot({ path: join(docs, name) });
  }
}

const open = (room, name, opts = {}) => st.join(room, name, { viewport: VIEW, res: 180, ...opts });
const domain = st.prosody.domain;

/** Two people in `room` who see and hear each other; returns [a, b]. */
async function pair(room, names) {
  const a = await open(room, names[0]);
  const b = await open(room, names[1]);
  await receivingFrom(a, [b.id]);
  await receivingFrom(b, [a.id]);
  return [a, b];
}

const close = async (...pages) => { for (const p of pages) await p.ctx.close(); };

try {
  // ---- 1. no bridge, then a bridge ------------------------------------------------------------
  const NB = 'weekly-planning-5117';
  const alice = await open(NB, 'Alice Martin');
  const bob = await open(NB, 'Bob Chen');
  for (const p of [alice, bob]) {
    await until(p, () => !window.parley.bridgeAvailable && !document.querySelector('#no-bridge').hidden, null,
      { timeout: 20000, what: `${p.tag}: the no-bridge screen` });
  }
  const nb = await alice.evaluate(() => ({
    text: document.querySelector('#no-bridge').innerText, pill: document.querySelector('#status-pill').innerText,
    media: window.parley.mediaState,
  }));
  check(/Waiting for a media server/.test(nb.text) && /no need to reload/.test(nb.text) && nb.pill === 'No media server' && nb.media === 'no-bridge',
    `without a bridge the page says so (${nb.pill}; ${nb.media})`);
  check((await jingleLog(alice)).length === 0, 'nobody is invited while there is no bridge');
  await alice.evaluate(() => { window.sameDocument = true; });
  await alice.waitForTimeout(300);
  await shot(alice, 'no-bridge.png');
  step('no bridge shown');
  await st.startBridge();
  step('bridge started');
  await receivingFrom(alice, [bob.id], { timeout: 40000 });
  await receivingFrom(bob, [alice.id], { timeout: 40000 });
  const after = await alice.evaluate(() => ({
    same: window.sameDocument === true, hidden: document.querySelector('#no-bridge').hidden,
    pill: document.querySelector('#status-pill').innerText, avail: window.parley.bridgeAvailable,
  }));
  check(after.same && after.hidden && after.avail && after.pill === 'Connected',
    `a bridge appears: the call starts without a reload, media both ways (${JSON.stringify(after)})`);
  await close(alice, bob);

  // ---- 2. room names --------------------------------------------------------------------------
  for (const [typed, localpart, title] of [
    ['zürich-team-42', 'z%c3%bcrich-team-42', 'zürich-team-42'],
    ['Café 会議', 'caf%c3%a9%20%e4%bc%9a%e8%ad%b0', 'café 会議'],
    ['team.sync', 'team.sync', 'team.sync'],
  ]) {
    const [a, b] = await pair(typed, [`Ann ${typed}`, `Ben ${typed}`]);
    const info = await a.evaluate(() => ({ jid: window.parley.roomJid, title: document.querySelector('.room-title').textContent, path: location.pathname }));
    check(info.jid === `${localpart}@conference.${domain}` && info.title === title,
      `room "${typed}": joined, media both ways, room ${info.jid}, title "${info.title}", path ${info.path}`);
    await close(a, b);
  }
  step('unicode and dotted names done');

  const [s1, s2] = await pair('acme/standup', ['Sam Standup', 'Sue Standup']);
  const r1 = await open('acme/retro', 'Rita Retro');
  const plain = await open('standup', 'Pat Plain');
  await r1.waitForTimeout(1500);
  const jids = await Promise.all([s1, r1, plain].map((p) => p.evaluate(() => window.parley.roomJid)));
  check(jids[0] === `[acme]standup@conference.${domain}` && jids[1] === `[acme]retro@conference.${domain}`
    && jids[2] === `standup@conference.${domain}`, `tenant rooms map as Jitsi's domain mapper does (${jids.join(', ')})`);
  check((await tileIds(s1)).join() === s2.id && (await tileIds(r1)).length === 0 && (await tileIds(plain)).length === 0,
    'acme/standup and acme/retro are two meetings (and neither is /standup)');
  const path = await s1.evaluate(() => ({ path: location.pathname, title: document.querySelector('.room-title').textContent }));
  check(path.path === '/acme/standup' && path.title === 'acme/standup', `the link stays /acme/standup (${JSON.stringify(path)})`);
  await close(s1, s2, r1, plain);
  step('tenant rooms done');

  // ---- 3. someone leaves a room with a guessable name -----------------------------------------
  const [x, y] = await pair('sync', ['Xavier Ng', 'Yara Ode']);
  await until(x, () => !document.querySelector('#room-name-warning').hidden, null, { what: 'x: unsafe-name warning' });
  await y.evaluate(() => window.parley.leave());
  await until(x, () => [...document.querySelectorAll('#toasts .toast')].some((t) => /left/.test(t.textContent)), null,
    { what: 'x: "left" notice' });
  const geo = await x.evaluate(() => {
    const r = (el) => { const b = el.getBoundingClientRect(); return { x: b.x, y: b.y, w: b.width, h: b.height }; };
    const toast = [...document.querySelectorAll('#toasts .toast')].find((t) => /left/.test(t.textContent));
    return { toast: r(toast), warning: r(document.querySelector('#room-name-warning')), pill: document.querySelector('#status-pill').innerText };
  });
  const overlap = geo.toast.y < geo.warning.y + geo.warning.h && geo.warning.y < geo.toast.y + geo.toast.h
    && geo.toast.x < geo.warning.x + geo.warning.w && geo.warning.x < geo.toast.x + geo.toast.w;
  check(!overlap, `the "left" notice does not cover the warning (toast at y=${geo.toast.y}, warning ends at ${geo.warning.y + geo.warning.h})`);
  await until(x, () => document.querySelector('#status-pill').innerText === 'Waiting for others', null, { what: 'x: status when alone again' });
  reached('alone again, the status says "Waiting for others"');
  await x.screenshot({ path: join(out, 'left-notice.png') });
  step('left notice done');
} catch (e) {
  error = e;
}
clearTimeout(deadline);
await st.finish(error, { out });
