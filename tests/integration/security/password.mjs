// SPDX-License-Identifier: MIT
// A moderator sets the room password through the focus (docs/security.md "Passwords"), with a
// real parley-bridge running so that being let in means getting a media offer:
//  - alice (first in, made owner by the focus) sets a password: every occupant is told
//    (password="true", never the password itself);
//  - bob, after a ready conference reply, is refused with not-authorized without it and with
//    a wrong one, joins with the right one, and then both get session-initiate; as a newcomer
//    while a password is set he is told the room's state;
//  - alice removes the password: carol joins directly and gets her offer.
import assert from 'node:assert/strict';
import { jingleScenario, step } from '../jingle/harness.mjs';
import {
  req, ask, expectResult, newcomer, joinOk, joinRefused, waitSelf, waitNote, notes, sleep,
} from './lobby-client.mjs';
import { xmlOf } from '../../lib/xmpp-client.mjs';

const PASSWORD = 'sesame & 42 <é>';

await jingleScenario('security-password', async (ctx) => {
  await ctx.startBridge('jvb-pw');
  const room = ctx.newRoom('pw');

  const { c: alice } = await newcomer(ctx, room, 'alice01');
  await joinOk(alice);
  await waitSelf(alice, { role: 'moderator', affiliation: 'owner' });
  step('alice is in and owner');

  const am = alice.xmpp.mark();
  expectResult(await ask(alice.xmpp, ctx.focusJid, 'set', req.password(room, PASSWORD)), 'alice sets a password');
  const state = await waitNote(alice.xmpp, ctx.focusJid, 'lobby', { enabled: 'false', password: 'true' }, { from: am });
  assert.ok(!xmlOf(state).includes('sesame'), 'the notification never carries the password');
  step('password set; alice told password="true"');

  const { c: bob } = await newcomer(ctx, room, 'bob02');
  await joinRefused(bob, 'not-authorized');
  await joinRefused(bob, 'not-authorized', 'sesame');
  step('bob refused without the password and with a wrong one');
  await sleep(500);
  assert.equal(bob.jingles.length, 0, 'no offer to someone the room refused');
  assert.equal(alice.jingles.length, 0, 'no offer to alice while she is alone');

  const bm = bob.xmpp.mark();
  await joinOk(bob, PASSWORD);
  await Promise.all([alice.waitJingle('session-initiate'), bob.waitJingle('session-initiate')]);
  step('bob joined with the password; both got session-initiate');
  await waitNote(bob.xmpp, ctx.focusJid, 'lobby', { enabled: 'false', password: 'true' }, { from: bm });
  step('bob (a newcomer in a locked room) told the room state');

  // The lock is the server's: the room's disco#info says so.
  const disco = await bob.xmpp.iq('get', room, '<query xmlns="http://jabber.org/protocol/disco#info"/>');
  assert.match(xmlOf(disco), /muc_passwordprotected/, 'the room advertises password protection');

  const am2 = alice.xmpp.mark();
  const bm2 = bob.xmpp.mark();
  expectResult(await ask(alice.xmpp, ctx.focusJid, 'set', req.password(room, '')), 'alice removes the password');
  await waitNote(alice.xmpp, ctx.focusJid, 'lobby', { enabled: 'false', password: 'false' }, { from: am2 });
  await waitNote(bob.xmpp, ctx.focusJid, 'lobby', { enabled: 'false', password: 'false' }, { from: bm2 });
  step('password removed; everyone told');

  const { c: carol } = await newcomer(ctx, room, 'carol03');
  await joinOk(carol);
  await carol.waitJingle('session-initiate');
  step('carol joined without a password and got her offer');
  assert.equal(notes(carol.xmpp, ctx.focusJid, 'lobby').length, 0, 'nothing to tell a newcomer in an open room');
  const disco2 = await carol.xmpp.iq('get', room, '<query xmlns="http://jabber.org/protocol/disco#info"/>');
  assert.match(xmlOf(disco2), /muc_unsecured/, 'the room is unsecured again');
});
