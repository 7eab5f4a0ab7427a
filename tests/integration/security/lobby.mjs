// SPDX-License-Identifier: MIT
// The lobby end to end (docs/security.md "The lobby"), with a real parley-bridge so that
// "let in" means "gets a media offer":
//  - alice (owner) turns the lobby on; occupants are told;
//  - kim, with a ready conference reply, is refused by the server (registration-required),
//    never appears in the room and never gets a Jingle offer; she sends directed presence to
//    the focus and knocks with a display name; alice is told (nick, real JID, time); alice
//    admits; kim is told (admitted, by alice), joins as a member and gets session-initiate;
//  - dan knocks and is refused with a reason; he is told, and the room still refuses him;
//  - alice sets a password while the lobby is on: a knock with a wrong one is not-authorized,
//    erin's knock with the right one is admitted without a moderator;
//  - fay knocks and cancels; alice is told;
//  - hal knocks, then alice turns the lobby off (after removing the password): hal is told
//    "open" and joins directly, and so does gio, who never knocked.
import assert from 'node:assert/strict';
import { jingleScenario, step } from '../jingle/harness.mjs';
import {
  req, ask, expectResult, expectIqError, newcomer, joinOk, joinRefused, waitSelf, waitNote, sleep,
} from './lobby-client.mjs';
import { child, xmlOf } from '../../lib/xmpp-client.mjs';

const PASSWORD = 'lobby-pass-9';

await jingleScenario('security-lobby', async (ctx) => {
  await ctx.startBridge('jvb-lobby');
  const room = ctx.newRoom('lobby');
  const focus = ctx.focusJid;

  const { c: alice } = await newcomer(ctx, room, 'alice01');
  await joinOk(alice);
  await waitSelf(alice, { role: 'moderator', affiliation: 'owner' });

  let am = alice.xmpp.mark();
  expectResult(await ask(alice.xmpp, focus, 'set', req.lobbySet(room, true)), 'alice turns the lobby on');
  await waitNote(alice.xmpp, focus, 'lobby', { enabled: 'true', password: 'false' }, { from: am });
  const st = await ask(alice.xmpp, focus, 'get', req.lobbyGet(room));
  assert.equal(child(st, 'lobby', 'urn:parley:lobby:0')?.getAttribute('enabled'), 'true', xmlOf(st));
  step('lobby on; alice told');

  // kim: refused by the server, invisible, no offer.
  const { c: kim } = await newcomer(ctx, room, 'kim03');
  await joinRefused(kim, 'registration-required');
  kim.xmpp.send(`<presence to="${focus}"/>`);
  am = alice.xmpp.mark();
  const t0 = Date.now();
  const kr = expectResult(await ask(kim.xmpp, focus, 'set', req.knock(room, 'Kim K.')), 'kim knocks');
  const kk = child(kr, 'knock', 'urn:parley:lobby:0');
  assert.equal(kk.getAttribute('status'), 'pending', xmlOf(kr));
  const kimId = kk.getAttribute('id');
  const note = await waitNote(alice.xmpp, focus, 'knock', { id: kimId, status: 'pending' }, { from: am });
  assert.equal(note.getAttribute('nick'), 'Kim K.');
  assert.equal(note.getAttribute('jid'), kim.xmpp.jid, 'the server-stamped real JID of the knocker');
  assert.equal(note.getAttribute('room'), room);
  const when = Date.parse(note.getAttribute('time'));
  assert.ok(Math.abs(when - t0) < 5000, `knock time ${note.getAttribute('time')} is about now`);
  step(`kim refused (registration-required), knocked as ${kimId}; alice told (nick, jid, time)`);
  assert.ok(!alice.xmpp.occupants(room).has('kim03'), 'kim never appears in the room');
  assert.equal(kim.jingles.length, 0, 'kim got no Jingle offer');

  const km = kim.xmpp.mark();
  am = alice.xmpp.mark();
  expectResult(await ask(alice.xmpp, focus, 'set', req.admit(room, kimId)), 'alice admits kim');
  const told = await waitNote(kim.xmpp, focus, 'knock', { id: kimId, status: 'admitted' }, { from: km });
  assert.equal(told.getAttribute('by'), 'alice01');
  assert.ok(!told.hasAttribute('nick') && !told.hasAttribute('jid'), 'knocker messages never echo the nick or JID');
  await waitNote(alice.xmpp, focus, 'knock', { id: kimId, status: 'admitted' }, { from: am });
  const kp = await joinOk(kim);
  assert.equal(kp.affiliation, 'member');
  await Promise.all([alice.waitJingle('session-initiate'), kim.waitJingle('session-initiate')]);
  step('alice admitted kim; kim told, joined as member, both got session-initiate');
  await waitNote(kim.xmpp, focus, 'lobby', { enabled: 'true' }, { from: km });

  // dan: refused, with a reason.
  const { c: dan } = await newcomer(ctx, room, 'dan04');
  await joinRefused(dan, 'registration-required');
  dan.xmpp.send(`<presence to="${focus}"/>`);
  const dr = expectResult(await ask(dan.xmpp, focus, 'set', req.knock(room, 'Dan')), 'dan knocks');
  const danId = child(dr, 'knock', 'urn:parley:lobby:0').getAttribute('id');
  await waitNote(alice.xmpp, focus, 'knock', { id: danId, status: 'pending', nick: 'Dan' });
  const dm = dan.xmpp.mark();
  expectResult(await ask(alice.xmpp, focus, 'set', req.refuse(room, danId, 'not today')), 'alice refuses dan');
  const refused = await waitNote(dan.xmpp, focus, 'knock', { id: danId, status: 'refused' }, { from: dm });
  assert.equal(refused.getAttribute('reason'), 'not today');
  await joinRefused(dan, 'registration-required');
  expectIqError(await ask(alice.xmpp, focus, 'set', req.admit(room, danId)), 'cancel', 'item-not-found',
    'a refused knock is over');
  assert.equal(dan.jingles.length, 0, 'dan got no Jingle offer');
  step('dan refused with a reason; told; still refused by the server');

  // A password while the lobby is on: the right one admits a knock by itself.
  expectResult(await ask(alice.xmpp, focus, 'set', req.password(room, PASSWORD)), 'alice sets a password');
  const { c: erin } = await newcomer(ctx, room, 'erin05');
  await joinRefused(erin, 'registration-required', PASSWORD);
  erin.xmpp.send(`<presence to="${focus}"/>`);
  expectIqError(await ask(erin.xmpp, focus, 'set', req.knock(room, 'Erin', 'wrong')), 'auth', 'not-authorized',
    'a knock with a wrong password');
  const em = erin.xmpp.mark();
  const er = expectResult(await ask(erin.xmpp, focus, 'set', req.knock(room, 'Erin', PASSWORD)), 'erin knocks with the password');
  const erinId = child(er, 'knock', 'urn:parley:lobby:0').getAttribute('id');
  await waitNote(erin.xmpp, focus, 'knock', { id: erinId, status: 'admitted' }, { from: em });
  await joinOk(erin); // a member: no password needed while the lobby is on
  await erin.waitJingle('session-initiate');
  step('erin: wrong password not-authorized; right password admitted without a moderator; offer received');

  // fay knocks and cancels.
  const { c: fay } = await newcomer(ctx, room, 'fay06');
  fay.xmpp.send(`<presence to="${focus}"/>`);
  const fr = expectResult(await ask(fay.xmpp, focus, 'set', req.knock(room, 'Fay')), 'fay knocks');
  const fayId = child(fr, 'knock', 'urn:parley:lobby:0').getAttribute('id');
  await waitNote(alice.xmpp, focus, 'knock', { id: fayId, status: 'pending' });
  expectIqError(await ask(dan.xmpp, focus, 'set', req.cancel(room, fayId)), 'cancel', 'item-not-found',
    'someone else cancelling fay\'s knock');
  am = alice.xmpp.mark();
  expectResult(await ask(fay.xmpp, focus, 'set', req.cancel(room, fayId)), 'fay cancels');
  await waitNote(alice.xmpp, focus, 'knock', { id: fayId, status: 'cancelled' }, { from: am });
  expectIqError(await ask(alice.xmpp, focus, 'set', req.admit(room, fayId)), 'cancel', 'item-not-found',
    'a cancelled knock cannot be admitted');
  await joinRefused(fay, 'registration-required');
  step('fay knocked and cancelled; alice told; fay still outside');

  // hal waits while alice opens the room.
  const { c: hal } = await newcomer(ctx, room, 'hal07');
  hal.xmpp.send(`<presence to="${focus}"/>`);
  const hr = expectResult(await ask(hal.xmpp, focus, 'set', req.knock(room, 'Hal')), 'hal knocks');
  const halId = child(hr, 'knock', 'urn:parley:lobby:0').getAttribute('id');
  expectResult(await ask(alice.xmpp, focus, 'set', req.password(room, '')), 'alice removes the password');
  const hm = hal.xmpp.mark();
  am = alice.xmpp.mark();
  expectResult(await ask(alice.xmpp, focus, 'set', req.lobbySet(room, false)), 'alice turns the lobby off');
  await waitNote(hal.xmpp, focus, 'knock', { id: halId, status: 'open' }, { from: hm });
  await waitNote(alice.xmpp, focus, 'lobby', { enabled: 'false', password: 'false' }, { from: am });
  await joinOk(hal);
  const { c: gio } = await newcomer(ctx, room, 'gio08');
  await joinOk(gio);
  await Promise.all([hal.waitJingle('session-initiate'), gio.waitJingle('session-initiate')]);
  step('lobby off: hal told "open"; hal and gio joined directly and got offers');

  // A knock while the lobby is off is answered "open".
  const { c: ivy } = await newcomer(ctx, room, 'ivy09');
  const ir = expectResult(await ask(ivy.xmpp, focus, 'set', req.knock(room, 'Ivy')), 'ivy knocks an open room');
  assert.equal(child(ir, 'knock', 'urn:parley:lobby:0').getAttribute('status'), 'open');
  await sleep(200);
}, { deadline: 150000 });
