// SPDX-License-Identifier: MIT
// Ending the meeting for everyone (docs/protocol.md "Moderation"): urn:parley:end-conference:0
// to focus.DOMAIN, on a real MUC with a real parley-bridge and three participants in a call.
//  - refused: bob (participant) auth/forbidden, kim (not in the room) auth/forbidden, a room
//    the focus does not run item-not-found; nobody leaves, the bridge keeps the conference;
//  - alice (moderator) ends it: her request is answered once the room is destroyed; every
//    participant gets its own unavailable presence with <destroy> and the focus's reason;
//    nobody is sent source-remove or session-terminate; the bridge holds no conference;
//  - the room is gone (joining it without a conference request is refused: only the focus
//    creates rooms), and a new conference request makes a fresh room where a call works.
import assert from 'node:assert/strict';
import { jingleScenario, step } from '../jingle/harness.mjs';
import { expectResult, expectIqError, newcomer, joinOk, waitSelf, sleep } from './lobby-client.mjs';
import { isRoomCreationRefused } from '../focus/scenario.mjs';
import { NS, child, esc, text, xmlOf } from '../../lib/xmpp-client.mjs';

const END = 'urn:parley:end-conference:0';
const REASON = 'A moderator ended the meeting for everyone';

/** The bridge's parley_bridge_conferences gauge. */
async function bridgeConferences(bridge) {
  const res = await fetch(`http://127.0.0.1:${bridge.httpPort}/metrics`);
  const m = /^parley_bridge_conferences (\d+)/m.exec(await res.text());
  assert.ok(m, 'the bridge reports parley_bridge_conferences');
  return Number(m[1]);
}

async function waitConferences(bridge, want, what) {
  const deadline = Date.now() + 20000;
  let n;
  while ((n = await bridgeConferences(bridge)) !== want) {
    if (Date.now() > deadline) throw new Error(`${what}: the bridge holds ${n} conferences, not ${want}`);
    await sleep(100);
  }
}

await jingleScenario('security-end-meeting', async (ctx) => {
  const bridge = await ctx.startBridge('jvb-end');
  const room = ctx.newRoom('end');
  const focus = ctx.focusJid;
  const end = (xmpp, r = room) => xmpp.iq('set', focus, `<end-conference xmlns="${END}" room="${esc(r)}"/>`);

  const { c: alice } = await newcomer(ctx, room, 'alice01');
  await joinOk(alice);
  await waitSelf(alice, { role: 'moderator', affiliation: 'owner' });
  const { c: bob } = await newcomer(ctx, room, 'bob02');
  await joinOk(bob);
  const { c: carol } = await newcomer(ctx, room, 'carol03');
  await joinOk(carol);
  const people = [alice, bob, carol];
  const ssrc = { alice01: 1100, bob02: 2200, carol03: 3300 };
  for (const c of people) {
    const init = await c.waitJingle('session-initiate');
    expectResult(await c.accept(init, { audio: [{ ssrc: ssrc[c.nick], name: `${c.nick}-a0` }] }), `${c.nick} accepts`);
  }
  await waitConferences(bridge, 1, 'in the call');
  step('alice, bob and carol in a call on the bridge');

  // Refused requests change nothing.
  expectIqError(await end(bob.xmpp), 'auth', 'forbidden', 'bob (participant) ends the meeting');
  const kim = await ctx.connect('websocket', { name: 'kim' });
  expectIqError(await end(kim), 'auth', 'forbidden', 'kim (outside) ends the meeting');
  expectIqError(await end(alice.xmpp, ctx.newRoom('other')), 'cancel', 'item-not-found', 'a room the focus does not run');
  expectIqError(await end(alice.xmpp, `${room}/alice01`), 'modify', 'jid-malformed', 'an occupant JID as room');
  await sleep(300);
  for (const c of people) {
    assert.ok(c.xmpp.occupants(room).size >= 3, `${c.nick} still sees everyone`);
  }
  assert.equal(await bridgeConferences(bridge), 1, 'the bridge still holds the conference');
  step('refused: a participant, someone outside, an unknown room, a malformed room');

  // alice ends it.
  const marks = new Map(people.map((c) => [c, { x: c.xmpp.mark(), j: c.mark() }]));
  expectResult(await end(alice.xmpp), 'alice ends the meeting');
  for (const c of people) {
    const own = await c.xmpp.waitFor((s) => s.localName === 'presence'
      && s.getAttribute('from') === `${room}/${c.nick}` && s.getAttribute('type') === 'unavailable',
    { from: marks.get(c).x, what: `${c.nick}'s own unavailable` });
    const destroy = child(child(own, 'x', NS.mucUser), 'destroy');
    assert.ok(destroy, `${c.nick} is told the room was destroyed: ${xmlOf(own)}`);
    assert.equal(text(child(destroy, 'reason')), REASON, `${c.nick} sees the reason`);
  }
  await waitConferences(bridge, 0, 'after the end');
  await sleep(300);
  for (const c of people) {
    const after = c.jingles.slice(marks.get(c).j).map((j) => j.action);
    assert.deepEqual(after, [], `${c.nick} got no Jingle after the end`);
  }
  step('alice ended it: everyone got the destroy presence with the reason; the bridge holds nothing');

  // The room is gone; a new request makes a new one.
  const again = await kim.joinRoom(room, 'kim04');
  assert.ok(isRoomCreationRefused(again.error), `the room is gone: ${JSON.stringify(again)}`);
  const { c: ann } = await newcomer(ctx, room, 'ann05');
  await joinOk(ann);
  const { c: dan } = await newcomer(ctx, room, 'dan06');
  await joinOk(dan);
  for (const c of [ann, dan]) {
    const init = await c.waitJingle('session-initiate');
    expectResult(await c.accept(init, { audio: [{ ssrc: c === ann ? 5500 : 6600, name: `${c.nick}-a0` }] }),
      `${c.nick} accepts`);
  }
  await waitConferences(bridge, 1, 'the new meeting');
  step('the room was gone; a new conference request made a fresh room with a working call');
}, { deadline: 120000 });
