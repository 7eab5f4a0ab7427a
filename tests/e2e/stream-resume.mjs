#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// XEP-0198 stream resumption in the web client (issue 9): a host logged in with an account
// on a secure domain (real Prosody, its generated config: mod_smacks, 20 s window) is in a
// call with a guest; the host's XMPP WebSocket goes through tests/lib/tcp-proxy.mjs (its own
// web/serve.mjs instance proxies /xmpp-websocket to the relay), the guest's does not.
//   1. the relay drops the host's connection and refuses new ones for ~3 s: the host shows
//      "Reconnecting…", then the server answers <resumed/> (window.parley.stream.resumes);
//      no rejoin: the same endpoint, no new session-initiate, the guest never saw the host
//      leave (no "left" notice, never missing from its participant list), and media frames
//      keep rising both ways;
//   2. a cut longer than the resumption window: the host falls back to the rejoin path
//      (same room and name, re-invited by the focus) and media flows again.
// Anonymous guests cannot resume (a new user name per connection; Prosody keys resumable
// sessions by user name), so only the logged-in page resumes: docs/protocol.md.
// Exit 0 pass, 1 fail, 77 skip. Run through meson (suite e2e) or:
//   PARLEY_FOCUS_BIN=... PARLEY_BRIDGE_BIN=... tests/netns-run.sh node tests/e2e/stream-resume.mjs
import { join } from 'node:path';
import { TOP, startWeb, watchConsole } from '../../web/test/e2e/lib.mjs';
import { BRIDGE_HTTP_PORT, check, reached, currentSid, jingleLog, outDir, receivingFrom, startStack, until } from './stack.mjs';
import { frameWatch } from './fault-watch.mjs';

const { startTcpProxy } = await import(join(TOP, 'tests', 'lib', 'tcp-proxy.mjs'));

const DOMAIN = 'meet.parley.test';
const HOST_USER = 'hana';
const HOST_PASSWORD = 'resume-me-e2e';
const ROOM = 'stream-resume-4127';
const CUT_MS = 3000; // the network loss the host lives through (a fault, not a wait)
const WINDOW_MS = 20000; // smacks_hibernation_time of the generated config

const out = outDir('stream-resume');
process.env.PARLEY_GEN_ARGS = `${process.env.PARLEY_GEN_ARGS ?? ''} --secure-domain`.trim();
process.env.PARLEY_EXTRA_ACCOUNTS = `${process.env.PARLEY_EXTRA_ACCOUNTS ?? ''} ${HOST_USER}@${DOMAIN}:${HOST_PASSWORD}`.trim();
const st = await startStack('stream-resume', { focusSettings: { auth: { login_domain: DOMAIN } } });
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);
const deadline = setTimeout(() => { console.log('not ok - stream-resume did not finish within 280 s'); st.dump(); process.exit(1); }, 280000);

let error = null;
const relay = await startTcpProxy({ port: 0, targetPort: st.prosody.httpPort });
const webViaRelay = await startWeb({ domain: DOMAIN, xmpp: `http://127.0.0.1:${relay.port}`,
  bridge: `http://127.0.0.1:${BRIDGE_HTTP_PORT}` });

/** Opens the room in a new context whose /config.js names the guest domain (a secure domain). */
async function open(base, displayName) {
  const ctx = await st.browser.newContext({ viewport: { width: 960, height: 540 } });
  await ctx.route('**/config.js', async (route) => {
    const res = await route.fetch();
    const body = (await res.text()).replace('export default {', `export default {\n  "anonymousdomain": "guest.${DOMAIN}",`);
    await route.fulfill({ response: res, body });
  });
  const page = await ctx.newPage();
  page.tag = displayName.split(' ')[0].toLowerCase();
  page.name = displayName;
  st.logs.push(watchConsole(page, page.tag));
  const q = new URLSearchParams({ name: displayName, res: '360', debug: '1', autojoin: '1' });
  await page.goto(`${base}/${ROOM}?${q}`, { timeout: 90000 });
  page.ctx = ctx;
  st.pages.push(page);
  return page;
}

const joined = (page) => until(page, () => window.parley.state === 'joined', null, { timeout: 90000, what: `${page.tag} in the meeting` })
  .then(async () => { page.id = await page.evaluate(() => window.parley.endpointId); });
const streamOf = (page) => page.evaluate(() => window.parley.stream);
const sessionInitiates = async (page) => (await jingleLog(page)).filter((l) => l.includes('jingle session-initiate')).length;

/** Records, in the guest's page, every moment the host is missing from its participant list. */
function watchPresence(page, id) {
  return page.evaluate((who) => {
    window.hostMissing = 0;
    window.hostWatch = setInterval(() => {
      if (!window.parley.participants.some((p) => p.id === who)) window.hostMissing++;
    }, 50);
  }, id);
}

/**
 * Drops the host's XMPP connection and refuses new ones for `ms` (longer if `whileDown`, which
 * checks what the page shows meanwhile, takes longer on a loaded machine).
 */
async function cut(ms, whileDown) {
  relay.pause();
  relay.cut();
  const at = Date.now();
  await whileDown?.();
  const left = ms - (Date.now() - at);
  if (left > 0) await new Promise((r) => setTimeout(r, left));
  relay.resume();
  return { at, up: Date.now() };
}

try {
  // The host signs in (a guest alone would wait for the host), then a guest joins.
  const host = await open(webViaRelay.url, 'Hana Host');
  await until(host, () => window.parley.screen === 'waiting-for-host', null, { what: 'the host\'s waiting screen' });
  await host.click('#host-sign-in');
  await host.fill('#login-user', HOST_USER);
  await host.fill('#login-password', HOST_PASSWORD);
  await host.click('#login-submit');
  await joined(host);
  check(await host.evaluate(() => window.parley.signedInAs) === `${HOST_USER}@${DOMAIN}`, 'the host is signed in with an account');
  const guest = await open(st.web.url, 'Gus Guest');
  await joined(guest);
  await receivingFrom(host, [guest.id]);
  await receivingFrom(guest, [host.id]);
  const hs = await until(host, () => window.parley.stream.resumable && window.parley.stream, null, { what: 'a resumable stream' });
  check(hs.sm === 'on' && hs.resumable, `the host's stream has stream management, resumable (${JSON.stringify(hs)})`);
  const gs = await streamOf(guest);
  check(gs.sm === 'off', `the anonymous guest does not ask for a resumable stream (${gs.sm})`);
  check(relay.connections() === 1, `the host's XMPP WebSocket goes through the relay (${relay.connections()} connection)`);
  step('host (account, through the relay) and guest in a call');

  // 1. A short loss: resumed, not rejoined.
  const sid = await currentSid(host);
  const initiates = await sessionInitiates(host);
  const guestLogBefore = (await guest.evaluate(() => window.parley.log)).length;
  await watchPresence(guest, host.id);
  await host.evaluate(() => {
    window.toastsSeen = [];
    new MutationObserver((list) => {
      for (const m of list) for (const n of m.addedNodes) window.toastsSeen.push(n.textContent);
    }).observe(document.getElementById('toasts'), { childList: true });
  });
  const watch = frameWatch([host, guest]);
  const acceptedBefore = relay.accepted();
  let shown = null;
  const { at: cutAt, up } = await cut(CUT_MS, async () => {
    shown = await until(host, () => window.parley.stream.resuming && !document.querySelector('#reconnect-banner')?.hidden
      && document.querySelector('#reconnect-banner > span:not(.spinner)')?.textContent, null, { timeout: 15000, what: 'the host\'s "Reconnecting…" while resuming' })
      .catch((e) => { check(false, e.message); return null; });
  });
  check(/Reconnecting/.test(shown ?? ''), `the host sees "${(shown ?? '').trim()}" while the stream is being resumed`);
  await until(host, () => window.parley.stream.resumes === 1, null, { timeout: 30000, what: 'the stream resumed' });
  const back = Date.now();
  const s1 = await streamOf(host);
  step(`resumed ${s1.lastResumeMs} ms after the loss (${back - up} ms after the network came back)`);
  check(s1.resumes === 1 && s1.resuming === null, 'the server answered <resumed/> (window.parley.stream.resumes = 1)');
  check(relay.accepted() > acceptedBefore, `the host opened a new connection to resume (${relay.accepted() - acceptedBefore} attempt(s))`);
  await until(host, () => document.querySelector('#reconnect-banner')?.hidden, null, { timeout: 10000, what: 'the banner gone' });
  const toasts = await until(host, () => window.toastsSeen.length && window.toastsSeen, null, { timeout: 10000, what: 'a toast' })
    .catch(() => []);
  check(toasts.includes('Reconnected.'), `the "Reconnecting…" banner is gone once resumed, and the host is told "Reconnected." (${JSON.stringify(toasts)})`);
  const hostState = await host.evaluate(() => ({ reconnects: window.parley.reconnects, id: window.parley.endpointId, state: window.parley.state }));
  check(hostState.reconnects === 0 && hostState.state === 'joined', `no rejoin (reconnects ${hostState.reconnects}, state ${hostState.state})`);
  check(hostState.id === host.id, `the same endpoint (${hostState.id})`);
  await receivingFrom(host, [guest.id]);
  await receivingFrom(guest, [host.id]);
  check(await currentSid(host) === sid && await sessionInitiates(host) === initiates,
    `the same Jingle session continues (sid ${sid}, no new session-initiate)`);
  const missing = await guest.evaluate(() => { clearInterval(window.hostWatch); return window.hostMissing; });
  const guestLog = (await guest.evaluate(() => window.parley.log)).slice(guestLogBefore);
  check(missing === 0 && !guestLog.some((l) => /notice (left|joined): Hana/.test(l)),
    `the guest never saw the host leave or join again (missing from its list in ${missing} samples, no left/joined notice)`);
  // Media does not go through the XMPP connection: it must not have stalled meanwhile.
  const gapHost = watch.maxGap(host, guest.name, cutAt, Date.now());
  const gapGuest = watch.maxGap(guest, host.name, cutAt, Date.now());
  watch.stop();
  step(`figures (ms): ${JSON.stringify({ resumeMs: s1.lastResumeMs, afterNetworkBack: back - up, stallHost: gapHost, stallGuest: gapGuest })}`);
  check(gapHost < 3000 && gapGuest < 3000, `media kept flowing during the loss (longest stall: host ${gapHost} ms, guest ${gapGuest} ms)`);
  step('short loss resumed');

  // 2. Longer than the resumption window: back to the rejoin path, and the call recovers.
  const cut2 = await cut(WINDOW_MS + 4000, async () => {
    await until(host, () => window.parley.stream.resuming, null, { timeout: 10000, what: 'the host resuming' });
  });
  await until(host, () => window.parley.reconnects === 1 && window.parley.state === 'joined', null,
    { timeout: 90000, what: 'the host rejoined' });
  step(`rejoined ${Date.now() - cut2.at} ms after the cut (${Date.now() - cut2.up} ms after the network came back)`);
  const s2 = await streamOf(host);
  check(s2.resumes === 1, `no second resume: the window was over (${s2.resumes})`);
  const hostLog = await host.evaluate(() => window.parley.log);
  check(hostLog.some((l) => /reconnected after/.test(l)), 'the host went through the rejoin path (reconnected after …)');
  host.id = await host.evaluate(() => window.parley.endpointId);
  await receivingFrom(host, [guest.id], { timeout: 60000 });
  await receivingFrom(guest, [host.id], { timeout: 60000 });
  reached('media flows both ways again after the rejoin');
  const s3 = await until(host, () => window.parley.stream.resumable && window.parley.stream, null, { what: 'a resumable stream again' });
  check(s3.sm === 'on', 'the rejoined stream is resumable again');
  step('long loss recovered by rejoining');
} catch (e) {
  error = e;
}

clearTimeout(deadline);
await st.finish(error, {
  out,
  before: async () => {
    await st.browser.close().catch(() => {}); // first: the relay's web server waits for its sockets
    await webViaRelay.close().catch(() => {});
    await relay.close().catch(() => {});
  },
});
