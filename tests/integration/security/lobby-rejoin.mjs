// SPDX-License-Identifier: MIT
// Membership lasts while you are inside (docs/security.md "Leaving ends membership"): with the
// lobby on, whoever leaves the room must knock to come back.
//  - alice (owner), bob and carol are in the room; alice turns the lobby on (bob and carol
//    become members);
//  - alice kicks carol (status 307): the focus revokes carol's membership, and carol's direct
//    rejoin is refused (registration-required); she knocks, alice admits her, she is back;
//  - bob leaves by himself: same thing, his direct rejoin is refused;
//  - alice bans carol (status 301): carol stays banned (outcast, rejoin forbidden), the focus
//    does not turn the ban into "none";
//  - alice, the owner, leaves and comes back without knocking.
import assert from 'node:assert/strict';
import { scenario, step } from '../focus/scenario.mjs';
import {
  LNS, req, ask, expectResult, newcomer, joinOk, joinRefused, waitSelf, waitNote, sleep,
} from './lobby-client.mjs';
import { NS, bareJid, child, children, mucPresence, xmlOf } from '../../lib/xmpp-client.mjs';

const adminQuery = (item) => `<query xmlns="${NS.mucAdmin}">${item}</query>`;

/** Bare JIDs with this affiliation, as the room's owner reads them (muc#admin get). */
async function affiliated(owner, room, affiliation) {
  const r = await owner.xmpp.iq('get', room, adminQuery(`<item affiliation="${affiliation}"/>`));
  assert.equal(r.getAttribute('type'), 'result', `${affiliation} list: ${xmlOf(r)}`);
  const q = child(r, 'query', NS.mucAdmin);
  return children(q, 'item').map((i) => bareJid(i.getAttribute('jid') || '').toLowerCase());
}

/** Waits until `jid` has left the member list (the focus revoked it); fails after 5 s. */
async function waitNotMember(owner, room, jid, what) {
  const bare = bareJid(jid).toLowerCase();
  let list = [];
  for (let i = 0; i < 50; i++) {
    list = await affiliated(owner, room, 'member');
    if (!list.includes(bare)) return;
    await sleep(100);
  }
  assert.fail(`${what}: ${bare} is still a member: ${JSON.stringify(list)}`);
}

/** Knocks (directed presence first) and has `mod` admit the knock; resolves when told. */
async function knockAndAdmit(focus, room, c, mod, nick) {
  c.xmpp.send(`<presence to="${focus}"/>`);
  const km = c.xmpp.mark();
  const kr = expectResult(await ask(c.xmpp, focus, 'set', req.knock(room, nick)), `${nick} knocks`);
  const id = child(kr, 'knock', LNS).getAttribute('id');
  await waitNote(mod.xmpp, focus, 'knock', { id, status: 'pending' });
  expectResult(await ask(mod.xmpp, focus, 'set', req.admit(room, id)), `admit ${nick}`);
  await waitNote(c.xmpp, focus, 'knock', { id, status: 'admitted' }, { from: km });
}

await scenario('security-lobby-rejoin', async (ctx) => {
  const room = ctx.newRoom('rejoin');
  const focus = ctx.focusJid;

  const { c: alice } = await newcomer(ctx, room, 'alice01');
  await joinOk(alice);
  await waitSelf(alice, { role: 'moderator', affiliation: 'owner' });
  const { c: bob } = await newcomer(ctx, room, 'bob02');
  await joinOk(bob);
  const { c: carol } = await newcomer(ctx, room, 'carol03');
  await joinOk(carol);
  expectResult(await ask(alice.xmpp, focus, 'set', req.lobbySet(room, true)), 'alice turns the lobby on');
  const members = await affiliated(alice, room, 'member');
  for (const c of [bob, carol]) {
    assert.ok(members.includes(bareJid(c.xmpp.jid).toLowerCase()), `${c.nick} is a member: ${members}`);
  }
  step('lobby on: bob and carol are members');

  // Kicked: the membership goes with the occupant.
  const cm = carol.xmpp.mark();
  expectResult(await alice.xmpp.iq('set', room, adminQuery('<item nick="carol03" role="none"><reason>out</reason></item>')),
    'alice kicks carol');
  const out = await carol.xmpp.waitFor((s) => s.localName === 'presence' && s.getAttribute('from') === `${room}/carol03`
    && s.getAttribute('type') === 'unavailable', { from: cm, what: 'carol\'s own unavailable' });
  assert.ok(mucPresence(out).statuses.has('307'), `kicked (307): ${xmlOf(out)}`);
  await waitNotMember(alice, room, carol.xmpp.jid, 'after the kick');
  await joinRefused(carol, 'registration-required');
  assert.ok(!alice.xmpp.occupants(room).has('carol03'), 'carol is not back in the room');
  step('carol kicked (307): membership revoked, direct rejoin refused (registration-required)');

  await knockAndAdmit(focus, room, carol, alice, 'Carol');
  const back = await joinOk(carol);
  assert.equal(back.affiliation, 'member');
  step('carol knocked, alice admitted her, she is back as a member');

  // Left by himself: the same (Jitsi: whoever reloads knocks again).
  await bob.xmpp.leaveRoom(room, 'bob02');
  await waitNotMember(alice, room, bob.xmpp.jid, 'after bob left');
  await joinRefused(bob, 'registration-required');
  step('bob left: membership revoked, direct rejoin refused');

  // Banned: stays banned.
  const cm2 = carol.xmpp.mark();
  expectResult(await alice.xmpp.iq('set', room, adminQuery(`<item affiliation="outcast" jid="${bareJid(carol.xmpp.jid)}"/>`)),
    'alice bans carol');
  const banned = await carol.xmpp.waitFor((s) => s.localName === 'presence' && s.getAttribute('from') === `${room}/carol03`
    && s.getAttribute('type') === 'unavailable', { from: cm2, what: 'carol\'s unavailable (ban)' });
  assert.ok(mucPresence(banned).statuses.has('301'), `banned (301): ${xmlOf(banned)}`);
  await sleep(1000);
  const outcasts = await affiliated(alice, room, 'outcast');
  assert.ok(outcasts.includes(bareJid(carol.xmpp.jid).toLowerCase()), `carol is still an outcast: ${outcasts}`);
  // ejabberd answers a banned user "forbidden"; Prosody checks members-only first. Either way the
  // outcast list above is what shows the ban survived.
  const e = (await carol.xmpp.joinRoom(room, 'carol03')).error;
  assert.ok(e && ['forbidden', 'registration-required'].includes(e.condition), `banned carol refused: ${JSON.stringify(e)}`);
  step(`carol banned (301): still an outcast a second later, rejoin refused (${e.condition})`);

  // The owner keeps its right.
  await alice.xmpp.leaveRoom(room, 'alice01');
  await sleep(500);
  const again = await joinOk(alice);
  assert.equal(again.affiliation, 'owner', `alice rejoins as owner: ${JSON.stringify(again)}`);
  step('alice (owner) left and came back without knocking');
}, { deadline: 90000 });
