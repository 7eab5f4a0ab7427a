// SPDX-License-Identifier: MIT
// Remote mute through the focus, Jitsi's convention (docs/protocol.md "Moderation"), on a real
// MUC: the request goes to the focus's occupant JID (room/focus) and the MUC delivers it from
// the sender's occupant JID (ejabberd rewrites the id on the way and back); the focus answers
// and sends the target the same <mute/> with actor, which the MUC delivers from room/focus.
//  - the focus advertises the three mute namespaces and end-conference in disco#info;
//  - alice (moderator) mutes bob's audio, video and screen share; bob hears each once, from
//    the focus's occupant, with actor = alice's occupant JID;
//  - bob (participant) may not mute carol or alice (auth/forbidden) and nothing reaches them;
//  - nobody unmutes someone else (cancel/not-allowed), an unknown target is item-not-found;
//  - bob mutes himself: acknowledged, nobody is told;
//  - "mute everyone": alice sends one request per participant at once (8 of them), each is
//    answered and each participant hears exactly once.
import assert from 'node:assert/strict';
import { scenario, step } from '../focus/scenario.mjs';
import { expectResult, expectIqError, newcomer, joinOk, waitSelf } from './lobby-client.mjs';
import { child, children, esc, xmlOf } from '../../lib/xmpp-client.mjs';

const JM = 'http://jitsi.org/jitmeet';
const FEATURES = [`${JM}/audio`, `${JM}/video`, `${JM}/desktop`, 'urn:parley:end-conference:0'];

await scenario('security-remote-mute', async (ctx) => {
  const room = ctx.newRoom('mute');
  const focusOcc = `${room}/focus`;
  const mute = (who, media, target, value = 'true') => who.xmpp.iq('set', focusOcc,
    `<mute xmlns="${JM}/${media}" jid="${esc(target)}">${value}</mute>`);

  const disco = await (await ctx.connect('websocket', { name: 'probe' }))
    .iq('get', ctx.focusJid, '<query xmlns="http://jabber.org/protocol/disco#info"/>');
  const features = children(child(disco, 'query'), 'feature').map((f) => f.getAttribute('var'));
  for (const f of FEATURES) assert.ok(features.includes(f), `disco#info lists ${f}: ${xmlOf(disco)}`);
  step('the focus advertises remote mute (audio, video, desktop) and end-conference');

  const { c: alice } = await newcomer(ctx, room, 'alice01');
  await joinOk(alice);
  await waitSelf(alice, { role: 'moderator', affiliation: 'owner' });
  const { c: bob } = await newcomer(ctx, room, 'bob02');
  await joinOk(bob);
  const { c: carol } = await newcomer(ctx, room, 'carol03');
  await joinOk(carol);

  // A moderator mutes bob: audio, video, screen share.
  for (const media of ['audio', 'video', 'desktop']) {
    const before = bob.mutes.length;
    expectResult(await mute(alice, media, `${room}/bob02`), `alice mutes bob's ${media}`);
    await bob.xmpp.waitFor(() => bob.mutes.length > before, { what: `bob's ${media} mute` });
    const m = bob.mutes[before];
    assert.equal(m.media, media);
    assert.equal(m.mute, 'true');
    assert.equal(m.from, focusOcc, 'the mute comes from the focus occupant');
    assert.equal(m.actor, `${room}/alice01`, 'actor is the moderator');
  }
  step('alice (moderator) muted bob\'s audio, video and screen share; bob heard each from room/focus');

  // Refusals: nothing reaches anyone.
  const carolBefore = carol.mutes.length;
  const aliceBefore = alice.mutes.length;
  expectIqError(await mute(bob, 'audio', `${room}/carol03`), 'auth', 'forbidden', 'bob mutes carol');
  expectIqError(await mute(bob, 'video', `${room}/alice01`), 'auth', 'forbidden', 'bob mutes alice');
  expectIqError(await mute(bob, 'audio', `${room}/carol03`, 'false'), 'auth', 'forbidden', 'bob unmutes carol');
  expectIqError(await mute(alice, 'audio', `${room}/bob02`, 'false'), 'cancel', 'not-allowed', 'alice unmutes bob');
  expectIqError(await mute(alice, 'audio', `${room}/nobody`), 'cancel', 'item-not-found', 'alice mutes nobody');
  expectIqError(await mute(alice, 'audio', `${room}/bob02`, 'maybe'), 'modify', 'bad-request', 'not a boolean');
  const bobSelfBefore = bob.mutes.length;
  expectResult(await mute(bob, 'audio', `${room}/bob02`), 'bob mutes himself');
  expectResult(await mute(bob, 'audio', `${room}/bob02`, 'false'), 'bob unmutes himself');
  // A mute that does go through is the sync point: anything refused before it would be there.
  expectResult(await mute(alice, 'audio', `${room}/carol03`), 'alice mutes carol');
  await carol.xmpp.waitFor(() => carol.mutes.length > carolBefore, { what: 'carol\'s mute' });
  assert.equal(carol.mutes.length, carolBefore + 1, 'carol was muted once (by alice only)');
  assert.equal(carol.mutes[carolBefore].actor, `${room}/alice01`);
  assert.equal(alice.mutes.length, aliceBefore, 'alice was never muted');
  assert.equal(bob.mutes.length, bobSelfBefore, 'muting yourself sends nothing to yourself');
  step('refused: a participant muting others, anyone unmuting someone else, an unknown target');

  // Mute everyone: one request per participant, all at once.
  const others = [bob, carol];
  for (let i = 0; i < 6; i++) {
    const { c } = await newcomer(ctx, room, `p${i}x`);
    await joinOk(c);
    others.push(c);
  }
  const before = new Map(others.map((c) => [c, c.mutes.length]));
  const replies = await Promise.all(others.map((c) => mute(alice, 'audio', `${c.room}/${c.nick}`)));
  replies.forEach((r, i) => expectResult(r, `mute-everyone request ${i}`));
  for (const c of others) {
    await c.xmpp.waitFor(() => c.mutes.length > before.get(c), { what: `${c.nick}'s mute` });
  }
  // One more request after the burst as the sync point for "exactly once".
  expectResult(await mute(alice, 'video', `${room}/bob02`), 'alice mutes bob\'s video again');
  await bob.xmpp.waitFor(() => bob.mutes.some((m, i) => i > before.get(bob) && m.media === 'video'),
    { what: 'bob\'s last video mute' });
  for (const c of others) {
    const got = c.mutes.slice(before.get(c)).filter((m) => m.media === 'audio');
    assert.equal(got.length, 1, `${c.nick} muted once by "mute everyone"`);
  }
  step(`"mute everyone": ${others.length} requests at once, each answered, each participant told once`);
}, { deadline: 90000 });
