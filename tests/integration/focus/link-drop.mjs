// SPDX-License-Identifier: MIT
// The focus's connection to the XMPP server drops while a conference runs, and the server
// keeps running: the room and its participants stay on the server (ejabberd even keeps the
// old focus occupant), and a participant leaves while the focus is away. When the focus is
// back it must know the room as it now is: the participant who stayed is promoted to
// moderator (the owner left during the outage), the room is not destroyed under them, a
// newcomer joins normally, and the room goes away once everyone has left.
// The connection runs through a TCP relay (tests/lib/tcp-proxy.mjs) that the test cuts.
import assert from 'node:assert/strict';
import {
  scenario, step, conferenceReady, waitForFocusOccupant, waitForSelfRole, mucPresence,
  isRoomCreationRefused, stanzaError, xmlOf,
} from './scenario.mjs';
import { startTcpProxy } from '../../lib/tcp-proxy.mjs';
import { CONNECTED_RE } from '../../lib/focus.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

await scenario('focus-link-drop', async (ctx) => {
  const relay = await startTcpProxy({ port: ctx.server.componentPort + 1, targetPort: ctx.server.componentPort });
  const focus = await ctx.startFocus({ settings: { xmpp: { port: relay.port } } });
  step('parley-focus is connected through the relay');

  const room = ctx.newRoom();
  const alice = await ctx.connect('websocket', { name: 'alice' });
  const bob = await ctx.connect('bosh', { name: 'bob' });
  conferenceReady(await alice.conferenceRequest(ctx.focusJid, room));
  assert.equal((await alice.joinRoom(room, 'alice01')).error, null);
  await waitForSelfRole(alice, room, 'alice01', { role: 'moderator', affiliations: ['owner'] });
  conferenceReady(await bob.conferenceRequest(ctx.focusJid, room));
  assert.equal((await bob.joinRoom(room, 'bob02')).error, null);
  await waitForFocusOccupant(bob, room, ctx.focusJid);
  step('alice (owner) and bob are in the room');

  // Cut the focus off and keep it off while alice leaves.
  const focusMark = focus.mark();
  relay.pause();
  relay.cut();
  step('focus connection cut');
  await sleep(300);
  const bobMark = bob.mark();
  await alice.leaveRoom(room, 'alice01');
  step('alice left while the focus was away');
  // A conference request now gets an error at once, not silence, so clients retry soon.
  // (Prosody: wait/remote-server-timeout; ejabberd: auth/forbidden, "Access denied by
  // service policy", because of s2s_access: none. Parley's focus never says forbidden.)
  const early = await ctx.connect('websocket', { name: 'early' });
  const t1 = performance.now();
  const answer = await early.conferenceRequest(ctx.focusJid, room, { timeout: 3000 });
  const err = stanzaError(answer);
  assert.ok(err, `a request while the focus is away is answered with an error: ${xmlOf(answer)}`);
  step(`request while the focus is away: ${err.type}/${err.condition} after ${(performance.now() - t1).toFixed(0)} ms`);
  await sleep(300);
  relay.resume();
  const t0 = performance.now();
  await focus.waitForLog(CONNECTED_RE, { from: focusMark, timeout: 30000 });
  step(`focus reconnected after ${((performance.now() - t0) / 1000).toFixed(2)} s`);

  const promoted = await waitForSelfRole(bob, room, 'bob02', {
    role: 'moderator', affiliations: ['owner', 'admin', 'member', 'none'], from: bobMark, timeout: 15000,
    what: 'promotion of the remaining participant after the focus came back',
  });
  step(`bob promoted to ${promoted.affiliation}/${promoted.role}`);

  // The focus must not take the room for empty: wait well past room_grace_seconds.
  await sleep(2500);
  const gone = bob.received.slice(bobMark).find((s) => s.localName === 'presence'
    && s.getAttribute('from') === `${room}/bob02` && s.getAttribute('type') === 'unavailable');
  assert.ok(!gone, `bob was removed from the room after the focus came back: ${gone && mucPresence(gone).statuses}`);
  const focusOcc = bob.occupants(room).get('focus');
  assert.ok(focusOcc, 'bob still sees the focus in the room');
  step('the room stays up with bob and the focus in it');

  // A newcomer joins normally and stays a participant (bob is the moderator now).
  const carol = await ctx.connect('websocket', { name: 'carol' });
  conferenceReady(await carol.conferenceRequest(ctx.focusJid, room));
  assert.equal((await carol.joinRoom(room, 'carol03')).error, null);
  await waitForFocusOccupant(carol, room, ctx.focusJid);
  await sleep(1000);
  const carolNow = carol.occupants(room).get('carol03');
  assert.equal(carolNow.role, 'participant', `carol is ${carolNow.affiliation}/${carolNow.role}`);
  const focusCount = [...carol.occupants(room).values()].filter((p) => p.jid.startsWith(`${ctx.focusJid}/`)).length;
  assert.equal(focusCount, 1, 'exactly one focus occupant');
  step('a newcomer joins as participant and sees one focus');

  // Everyone leaves: the room goes away (a probe cannot create it).
  await carol.leaveRoom(room, 'carol03');
  await bob.leaveRoom(room, 'bob02');
  const left = performance.now();
  let refused = false;
  while (performance.now() - left < 10000) {
    await sleep(2500);
    const p = await bob.joinRoom(room, 'probe');
    if (p.error) {
      assert.ok(isRoomCreationRefused(p.error), `refused join: ${JSON.stringify(p.error)}`);
      refused = true;
      break;
    }
    await bob.leaveRoom(room, 'probe');
  }
  assert.ok(refused, 'the room still exists 10 s after everyone left');
  step(`room destroyed ${((performance.now() - left) / 1000).toFixed(1)} s after everyone left`);
}, { focus: false, deadline: 90000, focusSettings: { focus: { room_grace_seconds: 1 } } });
