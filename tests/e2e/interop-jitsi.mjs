#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Interop with a Jitsi client for chat, raised hand and screen share (issue 11): Parley's web
// client in headless Chromium and a scripted participant that speaks lib-jitsi-meet's wire
// format (tests/integration/jingle/harness.mjs LjmClient, each element checked against the
// upstream source named there and below), in one room, against a real Prosody, parley-focus
// and parley-bridge (tests/e2e/stack.mjs). No current lib-jitsi-meet build can run on this
// machine (none on the npm registry), so the Jitsi side is the scripted client.
//
// Jitsi -> Parley (what Parley's page shows):
//   1. chat: a groupchat <body> as LJM ChatRoom.ts sendMessage() sends it (the sender named by
//      its presence <nick>), and one carrying <display-name xmlns="http://jitsi.org/protocol/
//      display-name"> (read by LJM ChatRoom.ts onMessage()), each in Parley's chat with the
//      right name, and a private one (sendPrivateMessage: type chat to room/<endpoint>);
//   2. raised hand: <jitsi_participant_raisedHand>timestamp</...> in presence (Jitsi Meet
//      react/features/base/participants/middleware.ts) shows on the tile and in the
//      participants panel; the empty element LJM sends for 0 clears it;
//   3. screen share: source-add of <endpoint>-v1 with videoType desktop (LJM
//      SDPDiffer.ts toJingle) through the focus becomes a screen tile on Parley's page;
//      source-remove removes it. The scripted client's transport is not reachable (the
//      harness has no media peer in JS; tests/lib/c/sim-peer is C only), so no frames flow:
//      the tile and its desktop classification are checked, not decoding.
// Parley -> Jitsi (what the scripted client receives, read the way LJM reads it):
//   4. chat: groupchat from room/<endpoint id> with <body>; the name comes from the sender's
//      presence <nick xmlns="http://jabber.org/protocol/nick"> (LJM ChatRoom.ts onPresence);
//      a private message is type chat from room/<endpoint id>, to its addressee only;
//   5. raised hand: the presence element LJM turns into the participant property raisedHand,
//      a millisecond timestamp (parseInt > 0), and a value that parses to 0 when lowered;
//   6. screen share: a source-add from the focus with a video source named <endpoint>-v1,
//      owner <endpoint> and desktop type (JSON `v`, LJM JingleHelperFunctions.ts), SourceInfo
//      presence saying videoType desktop for it (LJM SignalingLayerImpl.ts), real frames
//      from Chromium's fake screen going up to the bridge; stopping: source-remove of it. A
//      second scripted participant without json-encoded-sources (older LJM) gets the same
//      in XML: <source videoType="desktop"> with <ssrc-info owner> (JingleSessionPC.ts).
// Exit 0 pass, 1 fail, 77 skip. Run through meson (suite e2e) or:
//   PARLEY_FOCUS_BIN=... PARLEY_BRIDGE_BIN=... tests/netns-run.sh node tests/e2e/interop-jitsi.mjs
import { join } from 'node:path';
import { check, reached, jingleLog, outDir, startStack, stats, until } from './stack.mjs';
import { LjmClient, LJM_FEATURES, LJM_NS, JNS, child, children, jingleSourceDetails, text, xmlOf } from '../integration/jingle/harness.mjs';
import { XmppClient, missingModules } from '../lib/xmpp-client.mjs';

const out = outDir('interop-jitsi');
const VIEW = { width: 1280, height: 720 };
const ROOM = 'interop-jitsi-4417';
const JITSI_NICK = 'a3f09c1e'; // LJM endpoint ids: 8 hex characters (ChatRoom.ts)
const JITSI_NAME = 'Jana Jitsi';
const OLDER_NICK = 'c0ffee42';
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);

if (missingModules) {
  console.log(`SKIP interop-jitsi: ${missingModules}`);
  process.exit(77);
}
const st = await startStack('interop-jitsi');
const deadline = setTimeout(() => { console.log('not ok - interop test did not finish within 230 s'); st.dump(); process.exit(1); }, 230000);
let error = null;
let jitsi = null;
let older = null;

/** The scripted client's view of the harness context (connect, focus JID). */
const ctx = {
  focusJid: `focus.${st.prosody.domain}`,
  connect: (transport, o = {}) => XmppClient.connect({ transport, domain: st.prosody.domain, port: st.prosody.httpPort, ...o }),
};

const participant = (page, id) => page.evaluate((x) => window.parley.participants.find((p) => p.id === x) ?? null, id);

/** Waits for a stanza at the scripted client from `from` on, matching pred. */
const waitStanza = (pred, what, from = 0, timeout = 30000) => jitsi.xmpp.waitFor(pred, { from, timeout, what });

/** Jitsi Meet's reading of a raised-hand value (middleware.ts _raiseHandUpdated). */
function jitsiRaisedHand(el) {
  if (!el) return undefined; // no element: property unchanged
  const v = text(el).trim();
  // LJM ChatRoom.ts packet2JSON: an empty element has no value (undefined) -> lowered.
  if (v === '' || v === 'false') return 0;
  if (v === 'true') return Date.now();
  return Number.parseInt(v, 10);
}

try {
  const parley = await st.join(ROOM, 'Paula Parley', { viewport: VIEW, res: 360 });
  const roomJid = await parley.evaluate(() => window.parley.roomJid);
  step(`Parley's page joined ${roomJid} as ${parley.id}`);

  jitsi = await LjmClient.join(ctx, roomJid, JITSI_NICK, { displayName: JITSI_NAME });
  const init = await jitsi.waitJingle('session-initiate', { timeout: 30000 });
  // LJM's camera and microphone as its session-accept announces them (SDP.ts toJingle):
  // names <endpoint>-a0 / -v0, camera video with an RTX FID group.
  const cam = { ssrc: 4001, rtx: 4002 };
  await jitsi.acceptSession(init, {
    audio: [{ ssrc: 3001, name: `${JITSI_NICK}-a0`, msid: `${JITSI_NICK}-audio-0-1 mic-1`, media: 'audio' }],
    video: [cam.ssrc, cam.rtx].map((s) => ({ ssrc: s, name: `${JITSI_NICK}-v0`, msid: `${JITSI_NICK}-video-0-1 cam-1`, videoType: 'camera', media: 'video' })),
    groups: [{ semantics: 'FID', ssrcs: [cam.ssrc, cam.rtx] }],
  });
  await until(parley, (id) => window.parley.participants.find((p) => p.id === id)?.displayName === 'Jana Jitsi', JITSI_NICK,
    { what: 'Parley shows the Jitsi participant by its presence <nick>' });
  await until(parley, (id) => document.querySelector(`.tile[data-id="${id}"] .tile-name`)?.textContent === 'Jana Jitsi', JITSI_NICK,
    { what: 'the Jitsi participant\'s tile with its name' });
  reached('Parley\'s page shows the Jitsi participant\'s tile with the name from its presence <nick>');
  // Parley's page gets the Jitsi client's camera from the focus (in its offer or a
  // source-add, JSON form, owner = the Jitsi endpoint) as a camera track.
  await until(parley, (id) => window.parley.participants.find((p) => p.id === id)?.hasVideo, JITSI_NICK,
    { what: 'Parley\'s page has the Jitsi camera\'s track' });
  // A second Jitsi-dialect participant without http://jitsi.org/json-encoded-sources in its
  // disco#info (older LJM): the focus signals sources to it in XML, with <ssrc-info owner>.
  older = await LjmClient.join(ctx, roomJid, OLDER_NICK, { displayName: 'Olli Older',
    features: LJM_FEATURES.filter((f) => f !== 'http://jitsi.org/json-encoded-sources') });
  const init2 = await older.waitJingle('session-initiate', { timeout: 30000 });
  await older.acceptSession(init2, {
    audio: [{ ssrc: 6001, name: `${OLDER_NICK}-a0`, msid: `${OLDER_NICK}-audio-0-1 mic-2`, media: 'audio' }],
    video: [{ ssrc: 6002, name: `${OLDER_NICK}-v0`, msid: `${OLDER_NICK}-video-0-1 cam-2`, videoType: 'camera', media: 'video' }],
    groups: [],
  });
  check(!child(init2.jingle, 'json-message', JNS.jitmeet) && jingleSourceDetails(init2.jingle).some((s) => s.owner === parley.id),
    'a participant without json-encoded-sources gets its offer\'s sources in XML with <ssrc-info owner>');
  step('the Jitsi-dialect participants are in the meeting');

  // ---- 1. chat, Jitsi -> Parley ---------------------------------------------------------------
  jitsi.sendGroupchat('Hello from Jitsi Meet');
  await until(parley, () => window.parley.chat.some((m) => m.text === 'Hello from Jitsi Meet'), null, { what: 'Parley gets the Jitsi message' });
  let m = (await parley.evaluate(() => window.parley.chat)).find((x) => x.text === 'Hello from Jitsi Meet');
  check(m.name === JITSI_NAME && m.from === JITSI_NICK && !m.private && !m.mine,
    `a Jitsi groupchat <body> shows in Parley's chat named from the sender's presence (${m.name})`);
  jitsi.sendGroupchat('With a display-name element', { displayName: JITSI_NAME });
  await until(parley, () => window.parley.chat.some((x) => x.text === 'With a display-name element'), null, { what: 'Parley gets the second message' });
  m = (await parley.evaluate(() => window.parley.chat)).find((x) => x.text === 'With a display-name element');
  check(m.name === JITSI_NAME, `a message with Jitsi's <display-name> shows with that name (${m.name})`);
  jitsi.sendPrivate(parley.id, 'Only for you, Paula');
  await until(parley, () => window.parley.chat.some((x) => x.text === 'Only for you, Paula'), null, { what: 'Parley gets the Jitsi private message' });
  m = (await parley.evaluate(() => window.parley.chat)).find((x) => x.text === 'Only for you, Paula');
  check(m.private && m.from === JITSI_NICK && m.name === JITSI_NAME, `a Jitsi private message (type chat to room/<endpoint>) shows as private from ${m.name}`);
  await parley.click('#chat-button');
  await until(parley, () => /Jana Jitsi/.test(document.querySelector('#chat-list')?.innerText ?? '')
    && /Hello from Jitsi Meet/.test(document.querySelector('#chat-list').innerText), null, { what: 'the chat panel shows name and text' });
  reached('Parley\'s chat panel shows the Jitsi message under the Jitsi participant\'s name');
  await parley.screenshot({ path: join(out, 'chat-from-jitsi.png') });
  await parley.click('#chat-close');

  // ---- 2. raised hand, Jitsi -> Parley --------------------------------------------------------
  const raisedAt = Date.now();
  jitsi.setRaisedHand(raisedAt);
  await until(parley, (id) => document.querySelector(`.tile[data-id="${id}"] .tile-hand`)?.hidden === false, JITSI_NICK,
    { what: 'Parley shows the Jitsi hand on its tile' });
  check((await participant(parley, JITSI_NICK)).raisedHand === raisedAt, 'the Jitsi hand (timestamp in presence) shows on the tile with its time');
  await parley.click('#participants-button');
  await until(parley, (id) => document.querySelector(`#people-list .people-row[data-id="${id}"]`)?.classList.contains('raised'), JITSI_NICK,
    { what: 'Parley\'s participants panel shows the Jitsi hand' });
  check(/1 raised hand: Jana Jitsi/.test(await parley.locator('#people-hands').innerText()), 'the participants panel names the Jitsi participant\'s hand');
  await parley.screenshot({ path: join(out, 'hand-from-jitsi.png') });
  jitsi.setRaisedHand(0); // LJM sends <jitsi_participant_raisedHand/> for 0
  await until(parley, (id) => document.querySelector(`.tile[data-id="${id}"] .tile-hand`)?.hidden === true
    && !document.querySelector(`#people-list .people-row[data-id="${id}"]`)?.classList.contains('raised'), JITSI_NICK,
  { what: 'Parley clears the Jitsi hand' });
  reached('lowering it (empty element, as LJM sends 0) clears it on the tile and in the panel');
  await parley.click('#participants-close');

  // ---- 3. screen share, Jitsi -> Parley -------------------------------------------------------
  let adds = (await jingleLog(parley)).length;
  let r = await jitsi.startScreenShare();
  check(r.getAttribute('type') === 'result', `the focus accepts the Jitsi desktop source-add (${r.getAttribute('type')})`);
  await until(parley, (id) => !!document.querySelector(`.screen-tile[data-screen="${id}"]`), JITSI_NICK,
    { timeout: 30000, what: 'Parley shows the Jitsi screen tile' });
  const pj = await participant(parley, JITSI_NICK);
  check(pj.sharing && pj.screenSource === `${JITSI_NICK}-v1`, `the desktop source shows as a screen tile (${pj.screenSource}), not as a camera`);
  check(pj.hasVideo, 'the Jitsi camera stays a camera next to it');
  const jl = (await jingleLog(parley)).slice(adds);
  check(jl.some((l) => / jingle source-add /.test(l)), 'it reached Parley\'s page as a source-add from the focus');
  await parley.screenshot({ path: join(out, 'screen-from-jitsi.png') });
  adds = (await jingleLog(parley)).length;
  r = await jitsi.stopScreenShare();
  check(r.getAttribute('type') === 'result', 'the focus accepts the Jitsi source-remove');
  await until(parley, (id) => !document.querySelector(`.screen-tile[data-screen="${id}"]`)
    && !window.parley.participants.find((p) => p.id === id)?.sharing, JITSI_NICK, { timeout: 30000, what: 'the Jitsi screen tile goes' });
  check((await jingleLog(parley)).slice(adds).some((l) => / jingle source-remove /.test(l)), 'source-remove removes the screen tile');
  step('Jitsi -> Parley done');

  // ---- 4. chat, Parley -> Jitsi ---------------------------------------------------------------
  const occupant = `${roomJid}/${parley.id}`;
  let mark = jitsi.xmpp.mark();
  await parley.evaluate(() => window.parley.sendChat('Hello from Parley'));
  const msg = await waitStanza((s) => s.localName === 'message' && s.getAttribute('from') === occupant
    && text(child(s, 'body')) === 'Hello from Parley', 'Parley\'s chat message', mark);
  check(msg.getAttribute('type') === 'groupchat', `Parley's message arrives as LJM reads chat: groupchat from room/<endpoint> with <body> (${xmlOf(msg)})`);
  const dn = child(msg, 'display-name', LJM_NS.displayName);
  const pres = jitsi.lastPresenceOf(parley.id);
  const nick = text(child(pres, 'nick', LJM_NS.nick));
  // LJM names a groupchat sender from <display-name> when present, else Jitsi Meet uses the
  // participant's presence nick.
  check((dn ? text(dn) : nick) === 'Paula Parley' && (!dn || !dn.getAttribute('source')),
    `the Jitsi client names the sender Paula Parley (${dn ? 'display-name' : 'presence <nick>'})`);

  // LJM ChatRoom.ts onMessage(): type chat from room/<nick> is a private message.
  mark = jitsi.xmpp.mark();
  const omark = older.xmpp.mark();
  await parley.evaluate((to) => window.parley.sendChat('Just between us, Jana', to), JITSI_NICK);
  const pm = await waitStanza((s) => s.localName === 'message' && s.getAttribute('from') === occupant
    && text(child(s, 'body')) === 'Just between us, Jana', 'Parley\'s private message', mark);
  check(pm.getAttribute('type') === 'chat', 'Parley\'s private message arrives as LJM reads one: type chat from room/<endpoint> with <body>');

  // ---- 5. raised hand, Parley -> Jitsi --------------------------------------------------------
  mark = jitsi.xmpp.mark();
  await parley.click('#hand-button');
  let hp = await waitStanza((s) => s.localName === 'presence' && s.getAttribute('from') === occupant
    && jitsiRaisedHand(child(s, 'jitsi_participant_raisedHand')) > 0, 'Parley\'s raised hand in presence', mark);
  const ts = jitsiRaisedHand(child(hp, 'jitsi_participant_raisedHand'));
  check(Math.abs(ts - Date.now()) < 120000, `Parley's hand arrives as <jitsi_participant_raisedHand> with a ms timestamp (${ts})`);
  mark = jitsi.xmpp.mark();
  await parley.click('#hand-button');
  hp = await waitStanza((s) => s.localName === 'presence' && s.getAttribute('from') === occupant
    && jitsiRaisedHand(child(s, 'jitsi_participant_raisedHand')) === 0, 'Parley\'s lowered hand', mark);
  reached(`lowering it sends a value Jitsi reads as lowered (${xmlOf(child(hp, 'jitsi_participant_raisedHand'))})`);

  // Checked once the hand went up and down since (both went to the older client after it).
  await older.xmpp.waitFor((s) => s.localName === 'presence' && s.getAttribute('from') === occupant
    && jitsiRaisedHand(child(s, 'jitsi_participant_raisedHand')) === 0, { from: omark, timeout: 30000, what: 'the lowered hand at the older client' });
  check(!older.xmpp.received.slice(omark).some((s) => s.localName === 'message' && text(child(s, 'body')).includes('Just between us')),
    'Parley\'s private message reached only its addressee');

  // ---- 6. screen share, Parley -> Jitsi -------------------------------------------------------
  const from = jitsi.mark();
  const fromOlder = older.mark();
  const pmark = jitsi.xmpp.mark();
  await parley.click('#screen-button');
  await until(parley, () => window.parley.local.screen, null, { what: 'Parley sharing' });
  const add = await jitsi.waitJingle('source-add', { from, timeout: 30000,
    pred: (j) => jingleSourceDetails(j.jingle).some((s) => s.owner === parley.id && s.videoType === 'desktop') });
  const desk = jingleSourceDetails(add.jingle).filter((s) => s.owner === parley.id && s.media === 'video');
  check(add.from === `${roomJid}/focus` && add.sid === jitsi.session.sid, 'Parley\'s share reaches the Jitsi client as a source-add from the focus in its session');
  check(desk.length > 0 && desk.every((s) => s.name === `${parley.id}-v1` && s.videoType === 'desktop'),
    `a desktop source named as LJM expects (${desk.map((s) => `${s.name}:${s.ssrc}:${s.videoType}`).join(', ')})`);
  // The focus signals sources in JSON (keyed by owner, `v` on a desktop source) to clients
  // that advertise json-sources, as the scripted client does; XML <ssrc-info owner> otherwise.
  const jm = child(add.jingle, 'json-message', JNS.jitmeet);
  const viaJson = jm ? JSON.parse(text(jm)).sources?.[parley.id]?.[0] ?? [] : [];
  check(jm ? viaJson.length > 0 && viaJson.every((s) => s.n === `${parley.id}-v1` && s.v) : desk.length > 0,
    jm ? `JSON form: under the owner key ${parley.id}, each source with \`v\` (${JSON.stringify(viaJson)})`
      : 'XML form: each source with <ssrc-info owner> = Parley\'s endpoint');
  const addXml = await older.waitJingle('source-add', { from: fromOlder, timeout: 30000,
    pred: (j) => jingleSourceDetails(j.jingle).some((s) => s.owner === parley.id && s.name === `${parley.id}-v1`) });
  const xmlSrc = children(child(children(addXml.jingle, 'content', JNS.jingle).find((c) => c.getAttribute('name') === 'video'), 'description', JNS.rtp), 'source', JNS.ssma)
    .filter((s) => s.getAttribute('name') === `${parley.id}-v1`);
  check(!child(addXml.jingle, 'json-message', JNS.jitmeet) && xmlSrc.length === desk.length
    && xmlSrc.every((s) => s.getAttribute('videoType') === 'desktop' && child(s, 'ssrc-info', JNS.jitmeet)?.getAttribute('owner') === parley.id),
  `XML form (older client): <source name="${parley.id}-v1" videoType="desktop"> with <ssrc-info owner="${parley.id}">`);
  const sp = await waitStanza((s) => {
    if (s.localName !== 'presence' || s.getAttribute('from') !== occupant) return false;
    try { return JSON.parse(text(child(s, 'SourceInfo')))[`${parley.id}-v1`]?.videoType === 'desktop'; } catch { return false; }
  }, 'Parley\'s SourceInfo with the desktop source', pmark);
  check(!!sp, 'Parley\'s presence SourceInfo says videoType desktop for <endpoint>-v1 (what LJM reads)');
  await until(parley, async () => ((await window.parley.stats())._local?.screen?.framesEncoded ?? 0) > 10, null,
    { timeout: 30000, what: 'Parley encoding its screen' });
  const sent = (await stats(parley))._local.screen;
  reached(`Parley encodes and sends the shared screen (${sent.frameWidth}x${sent.frameHeight}, ${sent.framesEncoded} frames encoded)`);
  const from2 = jitsi.mark();
  const fromOlder2 = older.mark();
  await parley.click('#screen-button');
  const rm = await jitsi.waitJingle('source-remove', { from: from2, timeout: 30000,
    pred: (j) => jingleSourceDetails(j.jingle).some((s) => s.owner === parley.id && s.name === `${parley.id}-v1`) });
  const gone = jingleSourceDetails(rm.jingle).filter((s) => s.owner === parley.id).map((s) => s.ssrc).sort();
  check(gone.join() === desk.map((s) => s.ssrc).sort().join(), `stopping: a source-remove of exactly the desktop source's SSRCs (${gone})`);
  await older.waitJingle('source-remove', { from: fromOlder2, timeout: 30000,
    pred: (j) => jingleSourceDetails(j.jingle).some((s) => s.owner === parley.id && s.name === `${parley.id}-v1`) });
  reached('the older client gets the source-remove too');
  step('Parley -> Jitsi done');
} catch (e) {
  error = e;
}
clearTimeout(deadline);
await st.finish(error, {
  out,
  before: async () => {
    await jitsi?.xmpp.close().catch(() => {});
    await older?.xmpp.close().catch(() => {});
  },
});
