// SPDX-License-Identifier: MIT
// The room's password and lobby survive a focus restart (docs/security.md "Security
// properties and limits"). parley-focus is killed (SIGKILL: it cannot leave or tidy up) and
// a new one started; the first request for each room makes it take the room over, read the
// room's configuration (muc#owner) and its members (muc#admin), and enforce what it finds:
//  - room A has a password (lobby off): newcomers are still refused without it, the new focus
//    knows it is set (a moderator's <lobby/> get says password="true"), and the moderator can
//    still change it through the new focus;
//  - room B has the lobby on, bob admitted before the restart: a newcomer is still refused
//    and can knock, the moderator (told by the new focus) admits; the lobby goes off, bob
//    leaves, the lobby comes on again, and bob is refused: the new focus took the membership
//    it found as one it granted, so it ended when bob left (without the members read, bob
//    would walk back in).
// Then parley-focus is stopped gracefully (SIGTERM: it leaves its rooms) and a new one started:
// room A, password-protected, is taken over again (the new focus reads the password from the
// room's configuration as owner to get in), a conference request for it succeeds, and a
// newcomer is still refused without the password.
// A real bridge runs, so "let in" means "gets a media offer" from the new focus too.
import assert from 'node:assert/strict';
import { jingleScenario, step } from '../jingle/harness.mjs';
import {
  req, ask, expectResult, newcomer, joinOk, joinRefused, waitSelf, waitNote,
} from './lobby-client.mjs';
import { child, xmlOf } from '../../lib/xmpp-client.mjs';

const PASSWORD = 'restart-pass-7';
const LNS = 'urn:parley:lobby:0';

await jingleScenario('security-focus-restart', async (ctx) => {
  await ctx.startBridge('jvb-restart');
  const focus = ctx.focusJid;

  // Room A: a password. Room B: the lobby on, bob admitted.
  const roomA = ctx.newRoom('pwa');
  const { c: alice } = await newcomer(ctx, roomA, 'alice01');
  await joinOk(alice);
  await waitSelf(alice, { role: 'moderator', affiliation: 'owner' });
  expectResult(await ask(alice.xmpp, focus, 'set', req.password(roomA, PASSWORD)), 'alice sets a password');

  const roomB = ctx.newRoom('lobb');
  const { c: olga } = await newcomer(ctx, roomB, 'olga01');
  await joinOk(olga);
  await waitSelf(olga, { role: 'moderator', affiliation: 'owner' });
  expectResult(await ask(olga.xmpp, focus, 'set', req.lobbySet(roomB, true)), 'olga turns the lobby on');
  const { c: bob } = await newcomer(ctx, roomB, 'bob02');
  await joinRefused(bob, 'registration-required');
  bob.xmpp.send(`<presence to="${focus}"/>`);
  let om = olga.xmpp.mark();
  const kb = child(expectResult(await ask(bob.xmpp, focus, 'set', req.knock(roomB, 'Bob')), 'bob knocks'), 'knock', LNS);
  await waitNote(olga.xmpp, focus, 'knock', { id: kb.getAttribute('id'), status: 'pending' }, { from: om });
  expectResult(await ask(olga.xmpp, focus, 'set', req.admit(roomB, kb.getAttribute('id'))), 'olga admits bob');
  await joinOk(bob);
  await Promise.all([olga.waitJingle('session-initiate'), bob.waitJingle('session-initiate')]);
  step('room A has a password; room B has the lobby on and bob admitted');

  ctx.focus.process.kill('SIGKILL');
  await ctx.focus.exited;
  await ctx.startFocus();
  step('parley-focus killed and a new one started');

  // Room A.
  const { c: carol } = await newcomer(ctx, roomA, 'carol03');
  await joinRefused(carol, 'not-authorized');
  const stA = await ask(alice.xmpp, focus, 'get', req.lobbyGet(roomA));
  const lA = child(stA, 'lobby', LNS);
  assert.equal(lA?.getAttribute('password'), 'true', `the new focus knows room A's password: ${xmlOf(stA)}`);
  assert.equal(lA?.getAttribute('enabled'), 'false');
  expectResult(await ask(alice.xmpp, focus, 'set', req.password(roomA, `${PASSWORD}-2`)), 'alice changes it');
  await joinRefused(carol, 'not-authorized', PASSWORD);
  await joinOk(carol, `${PASSWORD}-2`);
  await carol.waitJingle('session-initiate', { timeout: 20000 });
  step('room A: still locked after the restart; the new focus knows and changes the password');

  // Room B.
  const { c: dave } = await newcomer(ctx, roomB, 'dave04');
  await joinRefused(dave, 'registration-required');
  const stB = await ask(olga.xmpp, focus, 'get', req.lobbyGet(roomB));
  assert.equal(child(stB, 'lobby', LNS)?.getAttribute('enabled'), 'true', `the new focus knows the lobby is on: ${xmlOf(stB)}`);
  dave.xmpp.send(`<presence to="${focus}"/>`);
  om = olga.xmpp.mark();
  const kd = child(expectResult(await ask(dave.xmpp, focus, 'set', req.knock(roomB, 'Dave')), 'dave knocks'), 'knock', LNS);
  await waitNote(olga.xmpp, focus, 'knock', { id: kd.getAttribute('id'), status: 'pending' }, { from: om });
  expectResult(await ask(olga.xmpp, focus, 'set', req.admit(roomB, kd.getAttribute('id'))), 'olga admits dave');
  await joinOk(dave);
  await dave.waitJingle('session-initiate', { timeout: 20000 });
  step('room B: still members-only; dave knocked, was admitted by olga through the new focus');

  expectResult(await ask(olga.xmpp, focus, 'set', req.lobbySet(roomB, false)), 'olga turns the lobby off');
  await bob.xmpp.leaveRoom(roomB, 'bob02');
  // The focus revokes on the leave; olga (owner) sees it in the room's member list.
  const bobBare = bob.xmpp.jid.split('/')[0];
  const deadline = Date.now() + 15000;
  for (;;) {
    const list = await olga.xmpp.iq('get', roomB,
      '<query xmlns="http://jabber.org/protocol/muc#admin"><item affiliation="member"/></query>');
    if (!xmlOf(list).includes(bobBare)) break;
    if (Date.now() > deadline) throw new Error(`bob is still a member after leaving: ${xmlOf(list)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expectResult(await ask(olga.xmpp, focus, 'set', req.lobbySet(roomB, true)), 'olga turns the lobby on again');
  await joinRefused(bob, 'registration-required');
  step('room B: bob, admitted before the restart, left with the lobby off (membership revoked) and is refused once it is on again');

  // A graceful restart: SIGTERM, the focus leaves its rooms (alice sees it go), so the new
  // one must join room A again, which has a password. Prosody refuses that join
  // (not-authorized) and the new focus reads the password from the room's configuration as
  // owner and joins with it; ejabberd lets the MUC service's admins in without it.
  const am = alice.xmpp.mark();
  const stopped = await ctx.focus.stop();
  assert.deepEqual(stopped, { code: 0, signal: null }, 'parley-focus exits cleanly on SIGTERM');
  await alice.xmpp.waitFor((s) => s.localName === 'presence' && s.getAttribute('from') === `${roomA}/focus`
    && s.getAttribute('type') === 'unavailable', { from: am, timeout: 10000, what: 'the focus leaving room A' });
  await ctx.startFocus();
  step('parley-focus stopped with SIGTERM (it left its rooms) and a new one started');

  // alice asks for the conference again, as a client does when the focus has gone.
  const again = await alice.xmpp.conferenceRequest(focus, roomA, { timeout: 20000 });
  assert.ok(again.getAttribute('type') === 'result'
    && child(again, 'conference', 'http://jitsi.org/protocol/focus')?.getAttribute('ready') === 'true',
  `the conference request for room A succeeds after a graceful restart: ${xmlOf(again)}`);
  if (ctx.server.kind === 'prosody') {
    await ctx.focus.waitForLog(new RegExp(`room=${roomA}: joining again with the password from the room's configuration`),
      { timeout: 5000 });
  }
  const { c: erin } = await newcomer(ctx, roomA, 'erin05');
  await joinRefused(erin, 'not-authorized');
  await joinOk(erin, `${PASSWORD}-2`);
  await erin.waitJingle('session-initiate', { timeout: 20000 });
  step('room A: the new focus took it over with its password; a newcomer without it is refused, with it gets media');
}, { deadline: 170000 });
