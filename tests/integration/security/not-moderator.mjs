// SPDX-License-Identifier: MIT
// Only moderators change a room's security (docs/security.md "Requests"): bob, an ordinary
// participant, cannot turn the lobby on or off, set or remove the password, admit or refuse
// a knock (auth/forbidden each time), and nothing changes: the knock still waits and alice
// can still admit it. kim, outside the room, cannot read or change its state either.
import assert from 'node:assert/strict';
import { scenario, step } from '../focus/scenario.mjs';
import {
  LNS, req, ask, expectResult, expectIqError, newcomer, joinOk, joinRefused, waitSelf, waitNote, notes,
} from './lobby-client.mjs';
import { child, xmlOf } from '../../lib/xmpp-client.mjs';

await scenario('security-not-moderator', async (ctx) => {
  const room = ctx.newRoom('nomod');
  const focus = ctx.focusJid;
  const forbidden = async (who, type, payload, what) => expectIqError(
    await ask(who.xmpp, focus, type, payload), 'auth', 'forbidden', what);

  const { c: alice } = await newcomer(ctx, room, 'alice01');
  await joinOk(alice);
  await waitSelf(alice, { role: 'moderator', affiliation: 'owner' });
  const { c: bob } = await newcomer(ctx, room, 'bob02');
  const bp = await joinOk(bob);
  assert.notEqual(bp.role, 'moderator', `bob is not a moderator: ${JSON.stringify(bp)}`);
  assert.ok(['none', 'member'].includes(bp.affiliation), `bob's affiliation: ${bp.affiliation}`);

  await forbidden(bob, 'set', req.lobbySet(room, true), 'bob turns the lobby on');
  await forbidden(bob, 'set', req.password(room, 'mine'), 'bob sets a password');
  const g = expectResult(await ask(bob.xmpp, focus, 'get', req.lobbyGet(room)), 'bob (an occupant) reads the state');
  assert.equal(child(g, 'lobby', LNS).getAttribute('enabled'), 'false', xmlOf(g));
  step('bob: lobby on and password forbidden; the state is readable');

  expectResult(await ask(alice.xmpp, focus, 'set', req.lobbySet(room, true)), 'alice turns the lobby on');
  const { c: kim } = await newcomer(ctx, room, 'kim03');
  await forbidden(kim, 'get', req.lobbyGet(room), 'an outsider reads the state');
  await forbidden(kim, 'set', req.lobbySet(room, false), 'an outsider turns the lobby off');
  await joinRefused(kim, 'registration-required');
  kim.xmpp.send(`<presence to="${focus}"/>`);
  const kr = expectResult(await ask(kim.xmpp, focus, 'set', req.knock(room, 'Kim')), 'kim knocks');
  const id = child(kr, 'knock', LNS).getAttribute('id');
  await waitNote(alice.xmpp, focus, 'knock', { id, status: 'pending' });

  const bm = bob.xmpp.mark();
  await forbidden(bob, 'set', req.admit(room, id), 'bob admits kim');
  await forbidden(bob, 'set', req.refuse(room, id), 'bob refuses kim');
  await forbidden(bob, 'set', req.lobbySet(room, false), 'bob turns the lobby off');
  await forbidden(bob, 'set', req.password(room, ''), 'bob removes the password');
  const g2 = expectResult(await ask(bob.xmpp, focus, 'get', req.lobbyGet(room)), 'bob reads the state');
  assert.equal(child(g2, 'lobby', LNS).getAttribute('enabled'), 'true');
  assert.equal(child(child(g2, 'lobby', LNS), 'knock'), null, 'bob does not see the knocks');
  assert.equal(notes(bob.xmpp, focus, 'knock', { from: 0 }).length, 0, 'bob was never told about knocks');
  await joinRefused(kim, 'registration-required');
  step('bob: admit, refuse, lobby off, password all forbidden; the lobby stays on, kim still outside');

  const ga = expectResult(await ask(alice.xmpp, focus, 'get', req.lobbyGet(room)), 'alice reads the state');
  const knock = child(child(ga, 'lobby', LNS), 'knock');
  assert.equal(knock?.getAttribute('id'), id, `alice sees the pending knock: ${xmlOf(ga)}`);
  assert.equal(knock.getAttribute('nick'), 'Kim');
  expectResult(await ask(alice.xmpp, focus, 'set', req.admit(room, id)), 'alice admits kim');
  await joinOk(kim);
  assert.equal(bob.xmpp.mark() >= bm, true);
  step('alice still admits kim');
}, { deadline: 60000 });
