// SPDX-License-Identifier: MIT
// Moderator handover: the first participant becomes owner; a second participant who joins
// later stays a participant; when the owner leaves, the focus promotes the remaining
// participant to moderator, so a room never ends up without one.
import assert from 'node:assert/strict';
import { scenario, step, conferenceReady, waitForFocusOccupant, waitForSelfRole } from './scenario.mjs';

await scenario('focus-owner-handover', async (ctx) => {
  const room = ctx.newRoom();
  const alice = await ctx.connect('websocket', { name: 'alice' });
  const bob = await ctx.connect('bosh', { name: 'bob' });

  conferenceReady(await alice.conferenceRequest(ctx.focusJid, room));
  const a = await alice.joinRoom(room, 'alice01');
  assert.equal(a.error, null, `alice joins: ${JSON.stringify(a.error)}`);
  await waitForSelfRole(alice, room, 'alice01', { role: 'moderator', affiliations: ['owner'] });
  step('alice is owner/moderator');

  conferenceReady(await bob.conferenceRequest(ctx.focusJid, room));
  const b = await bob.joinRoom(room, 'bob02');
  assert.equal(b.error, null, `bob joins: ${JSON.stringify(b.error)}`);
  await waitForFocusOccupant(bob, room, ctx.focusJid);
  // Bob sees Alice as the owner.
  const aliceSeen = bob.occupants(room).get('alice01');
  assert.ok(aliceSeen, 'bob sees alice in the room');
  assert.equal(aliceSeen.affiliation, 'owner', 'bob sees alice as owner');

  // Only the first participant is made owner: give the focus time to (wrongly) promote Bob.
  await new Promise((r) => setTimeout(r, 1000));
  const bobNow = bob.occupants(room).get('bob02');
  assert.ok(bobNow, 'bob is in the room');
  assert.equal(bobNow.role, 'participant', `the second participant stays a participant while the owner is present (is ${bobNow.affiliation}/${bobNow.role})`);
  step('bob is a participant while alice is there');

  const mark = bob.mark();
  await alice.leaveRoom(room, 'alice01');
  step('alice left');
  await bob.waitFor((s) => s.localName === 'presence' && s.getAttribute('from') === `${room}/alice01`
    && s.getAttribute('type') === 'unavailable', { from: mark, what: "alice's unavailable presence" });
  const promoted = await waitForSelfRole(bob, room, 'bob02', {
    role: 'moderator', affiliations: ['owner', 'admin', 'member', 'none'], from: mark,
    what: 'promotion of the remaining participant to moderator after the owner left',
  });
  step(`bob promoted to ${promoted.affiliation}/${promoted.role}`);
  // The focus is still in the room.
  const focusOcc = bob.occupants(room).get('focus');
  assert.ok(focusOcc, 'the focus stays in the room');
  await bob.leaveRoom(room, 'bob02');
});
