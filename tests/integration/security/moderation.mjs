// SPDX-License-Identifier: MIT
// Moderators act directly on the MUC (XEP-0045 muc#admin, as lib-jitsi-meet does), with a real
// parley-bridge and sessions carrying sources; the focus follows and does not fight them:
//  - alice (owner, chosen by the focus) makes bob owner: bob becomes moderator, stays so, and
//    the focus now takes his lobby requests;
//  - bob takes alice's owner right away: the focus does not give it back;
//  - bob kicks carol (role none): carol leaves with status 307, alice and bob get
//    source-remove for carol's sources, the bridge expires carol's endpoint;
//  - bob gives up his own owner right too: nobody is owner, and the focus does not hand it
//    back to anyone (neither to alice, first in line, nor to bob);
//  - bob leaves: alice is owner again (auto-owner elects once someone has left).
import assert from 'node:assert/strict';
import { jingleScenario, step, jingleSources } from '../jingle/harness.mjs';
import {
  req, ask, expectResult, newcomer, joinOk, waitSelf, sleep,
} from './lobby-client.mjs';
import { NS, mucPresence, xmlOf } from '../../lib/xmpp-client.mjs';

const admin = (item) => `<query xmlns="${NS.mucAdmin}">${item}</query>`;

await jingleScenario('security-moderation', async (ctx) => {
  const bridge = await ctx.startBridge('jvb-mod');
  const room = ctx.newRoom('mod');
  const focus = ctx.focusJid;

  const { c: alice } = await newcomer(ctx, room, 'alice01');
  await joinOk(alice);
  await waitSelf(alice, { role: 'moderator', affiliation: 'owner' });
  const { c: bob } = await newcomer(ctx, room, 'bob02');
  await joinOk(bob);
  const { c: carol } = await newcomer(ctx, room, 'carol03');
  await joinOk(carol);
  const ssrc = { alice01: 1100, bob02: 2200, carol03: 3300 };
  for (const c of [alice, bob, carol]) {
    const init = await c.waitJingle('session-initiate');
    expectResult(await c.accept(init, { audio: [{ ssrc: ssrc[c.nick], name: `${c.nick}-a0` }] }), `${c.nick} accepts`);
  }
  for (const c of [alice, bob]) {
    await c.waitJingle('source-add', { pred: (j) => jingleSources(j.jingle).some((s) => s.ssrc === ssrc.carol03) });
  }
  step('alice, bob and carol in a call; everyone has carol\'s sources');

  // alice makes bob owner.
  const bobMark = bob.xmpp.mark();
  expectResult(await alice.xmpp.iq('set', room, admin(`<item affiliation="owner" jid="${bob.xmpp.jid.split('/')[0]}"/>`)),
    'alice grants owner to bob');
  await waitSelf(bob, { role: 'moderator', affiliation: 'owner', from: bobMark });
  expectResult(await ask(bob.xmpp, focus, 'get', req.lobbyGet(room)), 'bob reads the lobby state');
  expectResult(await ask(bob.xmpp, focus, 'set', req.password(room, 'bobs-secret')), 'bob (now owner) sets a password');
  expectResult(await ask(bob.xmpp, focus, 'set', req.password(room, '')), 'bob removes it again');
  step('alice made bob owner; the focus takes bob\'s requests');

  // bob takes alice's owner right away; the focus leaves it so.
  const aliceMark = alice.xmpp.mark();
  expectResult(await bob.xmpp.iq('set', room, admin(`<item affiliation="member" jid="${alice.xmpp.jid.split('/')[0]}"/>`)),
    'bob makes alice a member');
  await waitSelf(alice, { affiliation: 'member', from: aliceMark });
  await sleep(1500);
  const aliceNow = alice.xmpp.occupants(room).get('alice01');
  assert.equal(aliceNow.affiliation, 'member', `the focus did not give alice owner back: ${JSON.stringify(aliceNow)}`);
  const bobNow = alice.xmpp.occupants(room).get('bob02');
  assert.equal(bobNow.affiliation, 'owner', 'bob is still owner');
  step('bob took alice\'s owner right; 1.5 s later it is still so');

  // bob kicks carol.
  const am = alice.mark();
  const bm = bob.mark();
  const cm = carol.xmpp.mark();
  expectResult(await bob.xmpp.iq('set', room, admin('<item nick="carol03" role="none"><reason>bye</reason></item>')),
    'bob kicks carol');
  const out = await carol.xmpp.waitFor((s) => s.localName === 'presence' && s.getAttribute('from') === `${room}/carol03`
    && s.getAttribute('type') === 'unavailable', { from: cm, what: 'carol\'s own unavailable' });
  assert.ok(mucPresence(out).statuses.has('307'), `kicked (307): ${xmlOf(out)}`);
  for (const [c, from] of [[alice, am], [bob, bm]]) {
    const rm = await c.waitJingle('source-remove', { from });
    assert.deepEqual(jingleSources(rm.jingle).map((s) => s.ssrc), [ssrc.carol03], `${c.nick}: carol's sources removed`);
  }
  for (let i = 0; i < 50 && !/ep=carol03: endpoint expired/.test(bridge.log()); i++) await sleep(100);
  assert.match(bridge.log(), /ep=carol03: endpoint expired/, 'the bridge dropped carol\'s endpoint');
  assert.equal(alice.jingles.slice(am).filter((j) => j.action === 'session-terminate').length, 0, 'alice keeps her session');
  step('bob kicked carol: 307, her sources removed for alice and bob, her endpoint expired');

  // bob gives up his owner right as well (the focus stays owner of the room).
  const bm2 = bob.xmpp.mark();
  expectResult(await bob.xmpp.iq('set', room, admin(`<item affiliation="member" jid="${bob.xmpp.jid.split('/')[0]}"/>`)),
    'bob makes himself a member');
  await waitSelf(bob, { affiliation: 'member', from: bm2 });
  await sleep(1500);
  for (const nick of ['alice01', 'bob02']) {
    const p = bob.xmpp.occupants(room).get(nick);
    assert.equal(p.affiliation, 'member', `the focus did not make ${nick} owner again: ${JSON.stringify(p)}`);
  }
  step('bob gave up his owner right; 1.5 s later nobody was made owner');

  // bob leaves: nobody is owner, so the focus elects alice again.
  const am2 = alice.xmpp.mark();
  await bob.xmpp.leaveRoom(room, 'bob02');
  await waitSelf(alice, { role: 'moderator', affiliation: 'owner', from: am2, timeout: 10000 });
  step('bob left: alice is owner again');
}, { deadline: 120000 });
