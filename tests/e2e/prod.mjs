#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Parley as docs/production.md deploys it (tests/e2e/prod-stack.mjs: the `meson install`ed
// programs and web client, nginx with TLS from a test CA, the generated XMPP server
// configuration as a secure domain with TURN credentials, coturn), driven through
// https://meet.parley.test by headless Chromium:
//   1. nginx alone serves the installed web client: the page, /config.js, a meeting path
//      with a dot, 404 for a missing module, security headers; plain HTTP redirects to HTTPS;
//   2. secure domain: a guest alone is held on "Waiting for the host" (and the focus opens no
//      room for it); the host's wrong password is refused on the form; the host signs in and
//      the guest gets in by itself; the host is moderator, the guest is not;
//   3. (full) a third participant: three browsers hold a meeting with media, over WebSocket
//      (host, third) and BOSH (guest) through nginx, colibri-ws through nginx too; the focus's
//      /metrics follows rooms, participants and Jingle sessions as people come and go;
//   4. (full) relay only (?relay=1): two browsers meet through coturn started here, with TURN
//      credentials from the XMPP server (XEP-0215); their selected ICE pairs are relayed.
// Usage: prod.mjs [full|secure]  ("secure": phases 1-2 only, for the ejabberd run).
// Exit 0 pass, 1 fail, 77 skip. Run through meson (suite e2e), inside tests/netns-run.sh.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { DOMAIN, ORIGIN, HOST_USER, HOST_PASSWORD, check, reached, failed, selectedCandidateType, startProdStack } from './prod-stack.mjs';
import { receivingFrom, until } from './stack.mjs';

const mode = process.argv[2] ?? 'full';
const st = await startProdStack(`prod-${mode}`, { turn: mode === 'full' });
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);
const deadline = setTimeout(() => { console.log('not ok - prod test did not finish within 280 s'); st.dump(); process.exit(1); }, 280000);

/** GET over HTTPS from nginx on 127.0.0.1, for meet.parley.test, trusting only the test CA. */
function get(path) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: 443, path, servername: DOMAIN, ca: readFileSync(st.tls.ca),
      headers: { Host: DOMAIN } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: () => res.statusCode, headers: () => res.headers, text: async () => body.toString('utf8'), body: async () => body });
      });
    });
    req.on('error', reject);
  });
}

/** Waits until the focus's /metrics satisfies `pred` (metrics -> bool). */
async function metricsUntil(pred, what, timeout = 20000) {
  const end = Date.now() + timeout;
  let m = null;
  while (Date.now() < end) {
    m = await st.metrics();
    if (pred(m)) return m;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/metrics: timed out waiting for ${what}; last: ${JSON.stringify(m)}`);
}

const screen = (page) => page.evaluate(() => window.parley.screen);
const joined = (page) => until(page, () => window.parley.state === 'joined', null, { timeout: 90000, what: `${page.tag} in the meeting` })
  .then(async () => { page.id = await page.evaluate(() => window.parley.endpointId); });

async function signIn(page, user, password) {
  await page.click('#host-sign-in');
  await page.fill('#login-user', user);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
}

try {
  // 1. The installed web client, from nginx alone.
  const index = await get('/');
  check(index.status() === 200 && (await index.text()).includes('/vendor/strophe.js'), 'nginx serves the installed index.html');
  const csp = index.headers()['content-security-policy'] ?? '';
  check(csp.includes("default-src 'self'") && index.headers()['strict-transport-security'], `security headers (CSP ${csp.slice(0, 40)}…, HSTS)`);
  const cfg = await get('/config.js');
  const cfgText = await cfg.text();
  check(cfg.status() === 200 && /javascript/.test(cfg.headers()['content-type'])
    && cfgText.includes("anonymousdomain: 'guest.meet.parley.test'"), '/config.js is the generated one (secure domain)');
  const strophe = await get('/vendor/strophe.js');
  check(strophe.status() === 200 && (await strophe.body()).length > 50000, 'vendor/strophe.js is installed and served');
  const room = await get('/team.sync');
  check(room.status() === 200 && (await room.text()).includes('<div id="app"'), 'a meeting path with a dot gets the page');
  check((await get('/ui/no-such-module.js')).status() === 404, 'a missing module is a 404, not the page');
  check((await get('/a/b/c')).status() === 404, 'deeper paths are a 404');
  const plain = await new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port: 80, path: '/x', headers: { Host: DOMAIN } },
    (res) => { res.resume(); resolve(res); }).on('error', reject));
  check(plain.statusCode === 301 && plain.headers.location === `${ORIGIN}/x`, `plain HTTP redirects to HTTPS (${plain.statusCode} ${plain.headers.location})`);
  step('static site checked');

  // 2. Secure domain: the guest waits, the host signs in.
  const ROOM = 'quarterly-planning-8841';
  const guest = await st.open(ROOM, 'Grace Guest', { transport: 'bosh' });
  await until(guest, () => window.parley.screen === 'waiting-for-host', null, { what: 'the guest\'s waiting screen' });
  check(await guest.isVisible('#wait-host'), 'a guest alone sees "Waiting for the host"');
  let m = await st.metrics();
  check(m['parley_focus_conference_requests_total{result="not_authorized"}'] >= 1 && m['parley_focus_rooms{state="ready"}'] === 0,
    `the focus refused the guest and opened no room (not_authorized ${m['parley_focus_conference_requests_total{result="not_authorized"}']})`);

  const host = await st.open(ROOM, 'Hana Host');
  await until(host, () => window.parley.screen === 'waiting-for-host', null, { what: 'the host\'s waiting screen' });
  await signIn(host, HOST_USER, 'not-the-password');
  await until(host, () => window.parley.screen === 'sign-in' && !document.querySelector('#login-error')?.hidden, null,
    { what: 'the wrong-password message' });
  const errText = await host.textContent('#login-error');
  check(/wrong user name or password/i.test(errText), `a wrong password is refused with a clear message ("${errText.trim()}")`);
  check(await guest.evaluate(() => window.parley.screen) === 'waiting-for-host', 'the guest is still waiting');
  await host.fill('#login-user', HOST_USER);
  await host.fill('#login-password', HOST_PASSWORD);
  await host.click('#login-submit');
  await joined(host);
  check(await host.evaluate(() => window.parley.signedInAs) === `${HOST_USER}@meet.parley.test`, 'the host is signed in');
  await joined(guest);
  reached('the guest got in by itself once the host opened the meeting');
  await until(guest, (id) => window.parley.participants.find((p) => p.id === id)?.moderator, host.id,
    { what: 'the host shown as moderator' });
  const guestRole = await host.evaluate((id) => window.parley.participants.find((p) => p.id === id)?.role, guest.id);
  check(guestRole === 'participant', `the guest is a participant, not a moderator (${guestRole})`);
  await receivingFrom(host, [guest.id]);
  await receivingFrom(guest, [host.id]);
  reached('host and guest see and hear each other through nginx');
  step('secure domain checked');

  if (mode === 'full') {
    // 3. Three participants, WebSocket and BOSH, and /metrics.
    const third = await st.open(ROOM, 'Theo Third');
    await joined(third);
    const everyone = [host, guest, third];
    const transports = await Promise.all(everyone.map((p) => p.evaluate(() => window.parley.transport)));
    check(transports.join() === 'websocket,bosh,websocket', `transports through nginx: ${transports}`);
    for (const p of everyone) await receivingFrom(p, everyone.filter((q) => q !== p).map((q) => q.id));
    const channels = await Promise.all(everyone.map((p) => p.evaluate(() => window.parley.bridgeChannelOpen)));
    check(channels.every(Boolean), 'every bridge channel (colibri-ws through nginx) is open');
    reached('three browsers over https:// decode each other\'s video and receive each other\'s audio');
    // The bridge's own count reaches the focus with its next presence (every few seconds; later
    // on a loaded machine): waited for with the rest.
    const onBridge = 'parley_focus_bridge_participants{bridge="jvb1",region="default"}';
    m = await metricsUntil((x) => x.parley_focus_participants === 3 && x['parley_focus_jingle_sessions{state="active"}'] === 3
      && x[onBridge] >= 3, 'three participants with active Jingle sessions, the bridge reporting its endpoints', 60000);
    check(m['parley_focus_rooms{state="ready"}'] === 1 && m.parley_focus_conferences_on_bridge === 1,
      `/metrics: 1 room on 1 bridge, 3 participants, 3 active sessions, the bridge reports ${m[onBridge]} endpoints`);
    await third.evaluate(() => window.parley.leave());
    await metricsUntil((x) => x.parley_focus_participants === 2 && x['parley_focus_jingle_sessions{state="active"}'] === 2,
      'two participants after one left');
    reached('/metrics: participants and sessions go down when someone leaves');
    step('meeting checked');

    // 4. Relay only, in another room.
    const RELAY_ROOM = 'relay-only-5521';
    const rh = await st.open(RELAY_ROOM, 'Rita Relay', { relay: true, tag: 'rhost' });
    await until(rh, () => window.parley.screen === 'waiting-for-host', null, { what: 'waiting screen' });
    await signIn(rh, HOST_USER, HOST_PASSWORD);
    await joined(rh);
    const rg = await st.open(RELAY_ROOM, 'Rene Relay', { relay: true, tag: 'rguest' });
    await joined(rg);
    await metricsUntil((x) => x['parley_focus_rooms{state="ready"}'] === 2, 'a second room');
    const servers = await rg.evaluate(() => window.parley.iceServers);
    check(servers.includes('turn:127.0.0.1:3478?transport=udp'), `TURN servers from the XMPP server: ${servers.join(' ')}`);
    await receivingFrom(rh, [rg.id]);
    await receivingFrom(rg, [rh.id]);
    const types = [await selectedCandidateType(rh), await selectedCandidateType(rg)];
    check(types.every((t) => t === 'relay'), `relay only: both selected ICE pairs go through coturn (${types})`);
    check(/ALLOCATE processed, success/.test(st.coturn.log()), 'coturn granted allocations with the handed-out credentials');
    step('relay checked');

    for (const p of [host, guest, rh, rg]) await p.evaluate(() => window.parley.leave());
    m = await metricsUntil((x) => x.parley_focus_participants === 0
      && x['parley_focus_rooms{state="ready"}'] + x['parley_focus_rooms{state="destroying"}'] === 0,
    'no participant and no room after everyone left', 30000);
    check(m['parley_focus_conference_requests_total{result="ready"}'] >= 5, '/metrics: rooms go when everyone has left');
  }

  step('stopping');
  await st.stop();
  reached('the installed parley-focus and parley-bridge stopped cleanly');
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
