#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Room security in the browser, end to end: real Prosody, real parley-focus and parley-bridge,
// headless Chromium with fake camera and microphone (tests/e2e/stack.mjs). What a user notices:
//   1. a guessable room name shows a warning whose button opens the security panel; a strong
//      name shows none; the first participant is a moderator (star), others are not;
//   2. the moderator sets a password in the panel; the next person is asked for it, a wrong
//      one is refused with a message, the right one joins and media flows both ways; the
//      moderator makes that person a moderator and removes a third from a tile menu; after
//      the password is removed, a newcomer joins directly;
//   3. the moderator turns the lobby on; two people knock; the moderator sees a notification
//      with each name and both in the panel, admits one (who joins, with media both ways) and
//      refuses the other (who is told); with the lobby off, a fourth joins directly.
// Screenshots: docs/images/security-*.png, lobby-waiting.png, knock-notification.png (with
// PARLEY_SECURITY_SHOTS=1, or when docs/images is writable and PARLEY_E2E_OUT is unset) and
// the output directory. Exit 0 pass, 1 fail, 77 skip.
// Run: meson test -C build-x web-security (or tests/netns-run.sh with PARLEY_FOCUS_BIN and
// PARLEY_BRIDGE_BIN set).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TOP, watchConsole } from './lib.mjs';

const { startStack, until, receivingFrom, check, reached, outDir } = await import(join(TOP, 'tests', 'e2e', 'stack.mjs'));

const out = outDir('security');
const docs = join(TOP, 'docs', 'images');
const SHOTS_TO_DOCS = process.env.PARLEY_SECURITY_SHOTS === '1';
const VIEW = { width: 1024, height: 640 };
const t0 = Date.now();
const st = await startStack('security');
let error = null;

async function shot(page, name, opts = {}) {
  await page.screenshot({ path: join(out, name), ...opts });
  if (SHOTS_TO_DOCS) {
    mkdirSync(docs, { recursive: true });
    await page.screenshot({ path: join(docs, name), ...opts });
  }
}

/** Opens /room as `name` with autojoin; does not wait for anything. */
async function open(room, name, tag) {
  const ctx = await st.browser.newContext({ viewport: VIEW });
  const page = await ctx.newPage();
  page.tag = tag;
  page.ctx = ctx;
  st.logs.push(watchConsole(page, tag));
  const q = new URLSearchParams({ name, autojoin: '1', res: '240', debug: '1' });
  await page.goto(`${st.web.url}/${room}?${q}`, { timeout: 90000 });
  return page;
}

const screen = (page) => page.evaluate(() => window.parley.screen);
const sec = (page) => page.evaluate(() => window.parley.security);
const visible = (page, sel) => page.locator(sel).isVisible();
async function joined(page) {
  await until(page, () => window.parley.state === 'joined', null, { what: `${page.tag} joined` });
  page.id = await page.evaluate(() => window.parley.endpointId);
  return page;
}
const waitScreen = (page, s, timeout = 20000) => until(page, (x) => window.parley.screen === x, s, { timeout, what: `${page.tag} on screen ${s}` });
const log = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);

try {
  // ---- 1. room names -------------------------------------------------------------------------
  const ROOM = 'standup';
  const alice = await joined(await open(ROOM, 'Alice Martin', 'alice'));
  await until(alice, () => window.parley.security?.focusRoomNameStrength !== null && window.parley.security?.isModerator,
    null, { what: 'alice: focus verdict and moderator' });
  let s = await sec(alice);
  check(s.focusRoomNameStrength === 'weak' && s.roomNameStrength === 'weak', `the focus calls "${ROOM}" weak (${s.focusRoomNameStrength})`);
  check(s.isModerator, 'the first participant is a moderator');
  const warnText = await alice.locator('#room-name-warning').innerText().catch(() => '');
  check(await visible(alice, '#room-name-warning') && /unsafe/i.test(warnText) && /unwanted participants/i.test(warnText)
    && /security button/i.test(warnText), 'a weak name shows the unsafe-name warning in the meeting');
  check(await visible(alice, '#security-button'), 'the shield button is in the toolbar');
  await alice.waitForTimeout(200);
  await shot(alice, 'security-warning.png', { clip: { x: 0, y: 0, width: VIEW.width, height: 140 } });
  await alice.click('#secure-meeting');
  check(await visible(alice, '#security-panel'), 'the warning\'s button opens the security panel');
  check(!(await visible(alice, '#security-note')) && await alice.locator('#lobby-toggle').isEnabled(),
    'a moderator gets enabled controls');
  await alice.click('#security-close');
  check(!(await visible(alice, '#security-panel')), 'the panel closes');

  const strong = await joined(await open('calm-otter-4821-review', 'Sam Strong', 'sam'));
  await until(strong, () => window.parley.security?.focusRoomNameStrength === 'strong', null, { what: 'sam: strong verdict' });
  check(!(await visible(strong, '#room-name-warning')), 'a strong name shows no warning');
  await strong.ctx.close();
  log('room names done');

  // ---- 2. password -----------------------------------------------------------------------------
  await alice.click('#security-button');
  await alice.fill('#password-input', 'tulip-42');
  await alice.click('#password-set');
  await until(alice, () => window.parley.security.passwordSet, null, { what: 'alice: password set' });
  check(!(await visible(alice, '#room-name-warning')), 'the warning goes once the meeting has a password');
  await alice.click('#security-close');

  const bob = await open(ROOM, 'Bob Stone', 'bob');
  await waitScreen(bob, 'password');
  check(await visible(bob, '#gate-password'), 'a joiner without the password is asked for it');
  check((await bob.evaluate(() => window.parley.participants.length)) === 0, 'nobody is visible before the password');
  await bob.fill('#gate-password', 'wrong-one');
  await bob.click('#gate-join');
  await until(bob, () => !!document.querySelector('#gate-error:not([hidden])'), null, { what: 'bob: wrong-password message' });
  check(/not right/.test(await bob.locator('#gate-error').innerText()) && (await screen(bob)) === 'password',
    'a wrong password is refused with a message and the prompt stays');
  await bob.fill('#gate-password', 'tulip-42');
  await bob.click('#gate-join');
  await joined(bob);
  reached('the right password joins');
  await receivingFrom(bob, [alice.id], { minFrames: 10 });
  await receivingFrom(alice, [bob.id], { minFrames: 10 });
  reached('media flows both ways after the password (frames decoded increasing)');
  check(!(await sec(bob)).isModerator, 'the second participant is not a moderator');
  await until(bob, (id) => !document.querySelector(`.tile[data-id="${id}"] .tile-mod`)?.hidden, alice.id, { what: 'bob sees alice\'s star' });
  reached('moderators carry a star on their tile');
  check(await bob.locator(`.tile[data-id="${alice.id}"] .tile-menu-btn`).isHidden(), 'non-moderators get no tile menu');
  await bob.click('#security-button');
  check(await visible(bob, '#security-note') && await bob.locator('#lobby-toggle').isDisabled()
    && await bob.locator('#password-input').isDisabled(), 'non-moderators see the panel with disabled controls and an explanation');
  check((await sec(bob)).passwordSet, 'participants learn that a password is set');
  await bob.click('#security-close');
  log('password join done');

  // Moderator grants and removals from the tile menu.
  const tile = (id) => `.tile[data-id="${id}"]`;
  await alice.hover(tile(bob.id));
  await alice.click(`${tile(bob.id)} .tile-menu-btn`);
  await alice.click(`${tile(bob.id)} .make-moderator`);
  await until(bob, () => window.parley.security.isModerator, null, { what: 'bob becomes moderator' });
  reached('a moderator makes another participant a moderator (tile menu)');
  await until(alice, (id) => !document.querySelector(`.tile[data-id="${id}"] .tile-mod`)?.hidden, bob.id, { what: 'alice sees bob\'s star' });

  await alice.click('#security-button');
  await alice.click('#password-remove');
  await until(alice, () => !window.parley.security.passwordSet, null, { what: 'password removed' });
  await alice.click('#security-close');
  const carol = await joined(await open(ROOM, 'Carol Diaz', 'carol'));
  const carolLog = await carol.evaluate(() => window.parley.log.join('\n'));
  check(!/join refused/.test(carolLog), 'without the password a newcomer joins directly');
  await until(alice, (id) => !!document.querySelector(`.tile[data-id="${id}"]`), carol.id, { what: 'alice sees carol' });
  await alice.hover(tile(carol.id));
  await alice.click(`${tile(carol.id)} .tile-menu-btn`);
  await alice.click(`${tile(carol.id)} .remove-participant`);
  await until(carol, () => window.parley.screen === 'error', null, { what: 'carol removed' });
  check(/removed/i.test(await carol.locator('h1').innerText()), 'a moderator removes a participant; they are told');
  await carol.ctx.close();
  await bob.ctx.close();
  log('moderation done');

  // ---- 3. lobby --------------------------------------------------------------------------------
  await alice.click('#security-button');
  await alice.click('#lobby-toggle');
  await until(alice, () => window.parley.security.lobbyEnabled, null, { what: 'lobby on' });
  await alice.click('#security-close');

  const dave = await open(ROOM, 'Dave Okafor', 'dave');
  await waitScreen(dave, 'lobby');
  check(await visible(dave, '#lobby-name') && (await dave.inputValue('#lobby-name')) === 'Dave Okafor',
    'with the lobby on, a joiner gets the lobby form with their name');
  check((await dave.evaluate(() => window.parley.participants.length)) === 0, 'nobody is visible in the lobby');
  await dave.click('#lobby-knock');
  await until(dave, () => !!document.querySelector('#lobby-waiting'), null, { what: 'dave waiting' });
  check(/Asking to join/.test(await dave.locator('h1').innerText()), 'the knocker sees the waiting screen');
  await dave.waitForTimeout(400);
  await shot(dave, 'lobby-waiting.png');

  await until(alice, () => !!document.querySelector('.knock-toast'), null, { what: 'alice: knock toast' });
  const toastText = await alice.locator('.knock-toast').first().innerText();
  check(/Dave Okafor/.test(toastText) && /wants to join/.test(toastText), `the moderator is notified with the name (${toastText.replace(/\s+/g, ' ')})`);
  check((await alice.locator('#security-button .tool-badge').innerText()) === '1', 'the shield button shows a badge');
  await until(alice, () => !document.querySelector('#toasts .toast'), null, { what: 'other toasts gone' });
  await alice.waitForTimeout(300);
  await shot(alice, 'knock-notification.png');

  const eve = await open(ROOM, 'Eve Laurent', 'eve');
  await waitScreen(eve, 'lobby');
  await eve.click('#lobby-knock');
  await until(eve, () => !!document.querySelector('#lobby-waiting'), null, { what: 'eve waiting' });
  await until(alice, () => window.parley.security.pendingKnocks.length === 2, null, { what: 'two knocks' });
  const toastNames = await alice.locator('#knocks .knock-toast strong').allInnerTexts();
  check(toastNames.length === 2 && toastNames.includes('Eve Laurent'), `one notification per knock (${toastNames})`);
  check((await alice.locator('#security-button .tool-badge').innerText()) === '2', 'the badge counts both');
  await alice.click('#security-button');
  const names = await alice.locator('#knock-list .knock-name').allInnerTexts();
  check(names.length === 2 && names.includes('Dave Okafor') && names.includes('Eve Laurent'), `the panel lists both knocks (${names})`);
  check(/waiting/.test(await alice.locator('#knock-list .knock-waited').first().innerText()), 'each knock shows the time waited');
  await alice.setViewportSize({ width: VIEW.width, height: 760 });
  await alice.waitForTimeout(300);
  await shot(alice, 'security-panel.png');
  await alice.setViewportSize(VIEW);

  // Admit Dave from the notification, refuse Eve from the panel.
  await alice.click('#security-close');
  await alice.click(`.knock-toast:has-text("Dave Okafor") .admit`);
  await joined(dave);
  reached('the admitted knocker joins');
  await receivingFrom(dave, [alice.id], { minFrames: 10 });
  await receivingFrom(alice, [dave.id], { minFrames: 10 });
  reached('media flows both ways after admission');
  await alice.click('#security-button');
  await alice.click('#knock-list .knock:has-text("Eve Laurent") .refuse');
  await waitScreen(eve, 'error');
  check(/not let in/i.test(await eve.locator('h1').innerText()) && /declined/i.test(await eve.locator('.error-card p').first().innerText()),
    'the refused knocker is told');
  check((await eve.evaluate(() => window.parley.participants.length)) === 0, 'the refused knocker never saw anyone');
  await until(alice, () => window.parley.security.pendingKnocks.length === 0, null, { what: 'no knocks left' });
  check(await alice.locator('#security-button .tool-badge').isHidden(), 'the badge goes when nobody waits');
  await eve.ctx.close();

  // With the lobby on, the focus keeps the password: a knock carrying it gets in at once.
  await alice.fill('#password-input', 'tulip-42');
  await alice.click('#password-set');
  await until(alice, () => window.parley.security.passwordSet, null, { what: 'password set with the lobby on' });
  const gina = await open(ROOM, 'Gina Park', 'gina');
  await waitScreen(gina, 'lobby');
  await gina.check('#lobby-know-password');
  await gina.fill('#lobby-password', 'nope');
  await gina.click('#lobby-knock');
  await until(gina, () => !!document.querySelector('#lobby-error:not([hidden])'), null, { what: 'gina: wrong knock password' });
  check(/not right/.test(await gina.locator('#lobby-error').innerText()) && (await screen(gina)) === 'lobby',
    'a knock with a wrong password is refused on the form');
  await gina.fill('#lobby-password', 'tulip-42');
  await gina.click('#lobby-knock');
  await joined(gina);
  check((await sec(alice)).pendingKnocks.length === 0, 'a knock with the right password joins without a moderator');
  await gina.ctx.close();
  await alice.click('#password-remove');
  await until(alice, () => !window.parley.security.passwordSet, null, { what: 'password removed again' });

  await alice.click('#lobby-toggle');
  await until(alice, () => !window.parley.security.lobbyEnabled, null, { what: 'lobby off' });
  await until(dave, () => !window.parley.security.lobbyEnabled, null, { what: 'dave learns the lobby is off' });
  const frank = await joined(await open(ROOM, 'Frank Ito', 'frank'));
  check(!/join refused/.test(await frank.evaluate(() => window.parley.log.join('\n'))), 'with the lobby off a fourth joins directly');
  log('lobby done');
} catch (e) {
  error = e;
}
await st.finish(error, { out });
