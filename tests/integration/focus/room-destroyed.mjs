// SPDX-License-Identifier: MIT
// A moderator ends the meeting for everyone by destroying the room (XEP-0045 §10.9). The
// focus must notice that its room is gone (Prosody tells it with status 110 on its own
// unavailable presence, ejabberd only with <destroy/>) so that the next conference request
// for the same name creates the room anew instead of answering ready for a room that no
// longer exists.
import assert from 'node:assert/strict';
import {
  scenario, step, conferenceReady, waitForFocusOccupant, waitForSelfRole, NS, xmlOf, child,
} from './scenario.mjs';

await scenario('focus-room-destroyed', async (ctx) => {
  const room = ctx.newRoom();
  const alice = await ctx.connect('websocket', { name: 'alice' });
  const bob = await ctx.connect('bosh', { name: 'bob' });
  conferenceReady(await alice.conferenceRequest(ctx.focusJid, room));
  assert.equal((await alice.joinRoom(room, 'alice01')).error, null);
  await waitForSelfRole(alice, room, 'alice01', { role: 'moderator', affiliations: ['owner'] });
  conferenceReady(await bob.conferenceRequest(ctx.focusJid, room));
  assert.equal((await bob.joinRoom(room, 'bob02')).error, null);
  step('alice (owner) and bob are in the room');

  const mark = bob.mark();
  const r = await alice.iq('set', room,
    `<query xmlns="${NS.mucOwner}"><destroy><reason>meeting over</reason></destroy></query>`);
  assert.equal(r.getAttribute('type'), 'result', `the owner destroys the room: ${xmlOf(r)}`);
  const kicked = await bob.waitFor((s) => s.localName === 'presence'
    && s.getAttribute('from') === `${room}/bob02` && s.getAttribute('type') === 'unavailable',
  { from: mark, what: 'bob removed by the destruction' });
  assert.ok(child(child(kicked, 'x', NS.mucUser), 'destroy'), `the removal carries <destroy/>: ${xmlOf(kicked)}`);
  step('alice destroyed the room; bob was removed');

  // Both come back under the same name right away.
  for (const [c, nick] of [[bob, 'bob02'], [alice, 'alice01']]) {
    const from = c.mark();
    conferenceReady(await c.conferenceRequest(ctx.focusJid, room));
    const j = await c.joinRoom(room, nick);
    assert.equal(j.error, null, `${nick} re-joins after a new request: ${JSON.stringify(j.error)}`);
    await waitForFocusOccupant(c, room, ctx.focusJid, { from });
  }
  // In the new room bob came first, so bob is the owner now.
  await waitForSelfRole(bob, room, 'bob02', {
    role: 'moderator', affiliations: ['owner'], from: mark,
    what: 'bob owner of the re-created room',
  });
  step('the room was created anew with the focus in it; bob is its owner');
}, { deadline: 60000 });
