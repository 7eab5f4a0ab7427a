#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The first real meeting: Parley's web client in headless Chromium (fake camera and
// microphone) against a real Prosody, parley-focus and parley-bridge. One stack, one room,
// in the order a meeting happens:
//   1. alone: Alice joins and gets no media session (no session-initiate, no remote tile)
//      until Bob joins; then both are invited and see each other;
//   2. three participants (Carol over BOSH, the others over WebSocket): everyone sees two
//      remote tiles whose decoded frames keep increasing and receives audio from both others;
//   3. EndpointMessages over colibri-ws: a broadcast reaches both others with `from` set to the
//      sender's endpoint id; a directed one reaches only its addressee;
//   4. bad Jingle from a participant's own connection (no action, bad SSRC, someone else's
//      SSRC, a foreign source name, an unknown sid, a second session-accept) is refused with
//      the conditions of docs/protocol.md, and the meeting goes on;
//   5. Carol leaves: the others lose her tile and her sources and keep seeing each other; she
//      rejoins and media flows again between all three.
// Exit 0 pass, 1 fail, 77 skip. Run through meson (suite e2e) or:
//   PARLEY_FOCUS_BIN=... PARLEY_BRIDGE_BIN=... tests/netns-run.sh node tests/e2e/meeting.mjs
import { join } from 'node:path';
import {
  check, reached, counters, currentSid, errorParts, failed, jingleLog, outDir, rawIq, receivingFrom,
  startStack, stats, tileIds, until,
} from './stack.mjs';

const out = outDir('meeting');
const st = await startStack('meeting');
const ROOM = 'first-real-meeting-7305';
const ROOM_JID = `${ROOM}@conference.${st.prosody.domain}`;
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);
const deadline = setTimeout(() => { console.log('not ok - meeting test did not finish within 170 s'); st.dump(); process.exit(1); }, 170000);

const JINGLE = 'urn:xmpp:jingle:1';
const SSMA = 'urn:xmpp:jingle:apps:rtp:ssma:0';
const RTP = 'urn:xmpp:jingle:apps:rtp:1';

/** A source-add from `page` (session `sid`) carrying one audio source. */
const sourceAdd = (sid, ssrc, name) => `<iq type="set" to="${ROOM_JID}/focus"><jingle xmlns="${JINGLE}" action="source-add" sid="${sid}">`
  + `<content creator="responder" name="audio"><description xmlns="${RTP}" media="audio">`
  + `<source xmlns="${SSMA}" ssrc="${ssrc}" name="${name}"><parameter name="msid" value="${name} t"/></source>`
  + '</description></content></jingle></iq>';

try {
  // 1. Alone: no media session until a second participant comes.
  const alice = await st.join(ROOM, 'Alice Martin');
  step(`Alice joined as ${alice.id}`);
  await alice.waitForTimeout(3000);
  const alone = await alice.evaluate(() => ({ media: window.parley.mediaState, p: window.parley.participants.length }));
  check((await jingleLog(alice)).length === 0, `alone: no Jingle from the focus (${JSON.stringify(await jingleLog(alice))})`);
  check(alone.media === 'none' && alone.p === 0, `alone: no media session, no participant (${JSON.stringify(alone)})`);
  check((await tileIds(alice)).length === 0, 'alone: no remote tile');

  const bob = await st.join(ROOM, 'Bob Chen');
  step(`Bob joined as ${bob.id}`);
  await until(alice, () => window.parley.log.some((l) => l.includes('jingle session-initiate')), null,
    { timeout: 15000, what: 'Alice\'s session-initiate once Bob is in' });
  reached('a second participant: the focus invites the first one (session-initiate)');
  await receivingFrom(alice, [bob.id]);
  await receivingFrom(bob, [alice.id]);
  reached('Alice and Bob decode each other\'s video and receive each other\'s audio');

  // 2. Three participants, Carol over BOSH.
  const carol = await st.join(ROOM, 'Carol Diaz', { transport: 'bosh' });
  step(`Carol joined as ${carol.id}`);
  const transports = await Promise.all([alice, bob, carol].map((p) => p.evaluate(() => window.parley.transport)));
  check(transports.join() === 'websocket,websocket,bosh', `transports: Alice, Bob over WebSocket, Carol over BOSH (${transports})`);
  const everyone = [alice, bob, carol];
  const others = (p) => everyone.filter((q) => q !== p).map((q) => q.id);
  for (const p of everyone) await receivingFrom(p, others(p));
  for (const p of everyone) {
    const tiles = (await tileIds(p)).sort();
    check(tiles.join() === others(p).sort().join(), `${p.tag} sees exactly two remote tiles (${tiles})`);
    const s = await stats(p);
    check(others(p).every((id) => s[id].video.frameWidth > 0 && s[id].audio.packetsReceived > 10),
      `${p.tag}: video ${others(p).map((id) => `${s[id].video.frameWidth}x${s[id].video.frameHeight} ${s[id].video.codec}`).join(', ')}`);
    check(await p.evaluate(() => window.parley.mediaState === 'connected' && window.parley.bridgeChannelOpen),
      `${p.tag}: media connected, bridge channel open`);
  }
  await alice.waitForTimeout(500);
  await alice.screenshot({ path: join(out, 'meeting-3-alice.png') });

  // 3. EndpointMessage through the bridge channel.
  await alice.evaluate(() => window.parley.sendEndpointMessage({ type: 'e2e-hello', n: 1 }));
  for (const p of [bob, carol]) {
    await until(p, (from) => window.parley.lastEndpointMessages.some((m) => m.from === from && m.payload?.type === 'e2e-hello'),
      alice.id, { timeout: 10000, what: `${p.tag} receiving Alice's broadcast EndpointMessage` });
  }
  reached('a broadcast EndpointMessage reaches both others, from = the sender\'s endpoint id');
  await carol.evaluate((to) => window.parley.sendEndpointMessage({ type: 'e2e-private', n: 2 }, to), bob.id);
  await until(bob, (from) => window.parley.lastEndpointMessages.some((m) => m.from === from && m.payload?.type === 'e2e-private'),
    carol.id, { timeout: 10000, what: 'Bob receiving Carol\'s message to him' });
  await alice.waitForTimeout(1000);
  check(!(await alice.evaluate(() => window.parley.lastEndpointMessages.some((m) => m.payload?.type === 'e2e-private'))),
    'Carol\'s message to Bob only reaches Bob and not Alice');
  check(!(await alice.evaluate(() => window.parley.lastEndpointMessages.some((m) => m.payload?.type === 'e2e-hello'))),
    'the sender does not get its own broadcast back');

  // 4. Bad Jingle from Bob's own connection: refused, the meeting goes on.
  const sid = await currentSid(bob);
  const aliceSsrc = (await stats(bob))[alice.id].audio.ssrcs[0];
  const cases = [
    ['no action', `<iq type="set" to="${ROOM_JID}/focus"><jingle xmlns="${JINGLE}" sid="${sid}"/></iq>`, 'modify', 'bad-request'],
    ['SSRC that is not a number', sourceAdd(sid, 'abc', `${bob.id}-a1`), 'modify', 'bad-request'],
    ['someone else\'s SSRC (Alice\'s audio)', sourceAdd(sid, aliceSsrc, `${bob.id}-a1`), 'modify', 'bad-request'],
    ['a source named after someone else', sourceAdd(sid, 91919191, `${alice.id}-a1`), 'modify', 'bad-request'],
    ['an unknown sid', sourceAdd('not-a-session', 92929292, `${bob.id}-a1`), 'cancel', 'item-not-found', `${JINGLE.replace(':1', ':errors:1')}#unknown-session`],
    ['session-accept on the active session', `<iq type="set" to="${ROOM_JID}/focus"><jingle xmlns="${JINGLE}" action="session-accept" sid="${sid}"/></iq>`,
      'cancel', 'unexpected-request', `${JINGLE.replace(':1', ':errors:1')}#out-of-order`],
  ];
  const before = await counters(alice, [bob.id, carol.id]);
  const adds = async (p) => (await jingleLog(p)).filter((l) => l.includes('jingle source-add')).length;
  const addsBefore = [0, await adds(alice), await adds(carol)];
  for (const [what, xml, type, condition, app] of cases) {
    const r = errorParts(await rawIq(bob, xml));
    check(r.type === type && r.condition === condition && (!app || r.app.includes(app)),
      `${what}: ${type}/${condition}${app ? ` + ${app.split('#')[1]}` : ''} (got ${r.type}/${r.condition} ${r.app.join(' ')} "${r.text ?? ''}")`);
  }
  for (const p of everyone) await receivingFrom(p, others(p), { minFrames: 15 });
  const after = await counters(alice, [bob.id, carol.id]);
  check(after[bob.id].frames > before[bob.id].frames && after[carol.id].frames > before[carol.id].frames,
    'after the refused Jingle everyone keeps decoding everyone');
  const addsAfter = [0, await adds(alice), await adds(carol)];
  check(addsAfter[1] === addsBefore[1] && addsAfter[2] === addsBefore[2],
    `Alice and Carol are told of no source from the refused source-adds (source-add ${addsBefore.slice(1)} -> ${addsAfter.slice(1)})`);
  for (const p of [alice, carol]) {
    const s = await stats(p);
    check(Object.keys(s).filter((k) => !k.startsWith('_') && k !== 'jvb').sort().join() === others(p).sort().join(),
      `${p.tag} receives from exactly the two others (${Object.keys(s)})`);
  }

  // 5. Carol leaves and comes back.
  const carolOld = carol.id;
  const removes = async (p) => (await jingleLog(p)).filter((l) => l.includes('jingle source-remove')).length;
  const removesBefore = [await removes(alice), await removes(bob)];
  await carol.evaluate(() => window.parley.leave());
  step('Carol left');
  for (const p of [alice, bob]) {
    await until(p, async (id) => !window.parley.participants.some((x) => x.id === id)
      && !document.querySelector(`.tile[data-id="${id}"]`) && !(id in await window.parley.stats()),
    carolOld, { timeout: 15000, what: `${p.tag} dropping Carol's tile and sources` });
  }
  const removesAfter = [await removes(alice), await removes(bob)];
  check(removesAfter[0] > removesBefore[0] && removesAfter[1] > removesBefore[1],
    `the focus tells Alice and Bob to remove Carol's sources (source-remove ${removesBefore} -> ${removesAfter})`);
  reached('the other two lose Carol\'s tile and her sources (no participant, no tile, no receive stats)');
  await receivingFrom(alice, [bob.id]);
  await receivingFrom(bob, [alice.id]);
  reached('Alice and Bob keep seeing and hearing each other');
  await carol.evaluate(() => window.parley.rejoin());
  await carol.waitForFunction(() => window.parley?.state === 'joined', null, { timeout: 90000 });
  carol.id = await carol.evaluate(() => window.parley.endpointId);
  step(`Carol rejoined as ${carol.id}`);
  check(await carol.evaluate(() => window.parley.transport) === 'bosh', 'Carol rejoins over BOSH');
  for (const p of everyone) await receivingFrom(p, others(p));
  for (const p of everyone) {
    const tiles = (await tileIds(p)).sort();
    check(tiles.join() === others(p).sort().join(), `after the rejoin ${p.tag} sees two remote tiles (${tiles})`);
  }
  reached('after Carol\'s rejoin media flows between all three again');

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
