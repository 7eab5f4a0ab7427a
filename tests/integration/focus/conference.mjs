// SPDX-License-Identifier: MIT
// A browser-like client (WebSocket or BOSH, from argv[2]) asks the focus for a conference,
// gets ready="true" with focusjid = focus.DOMAIN, joins the room the focus created, sees the
// focus occupant (nick "focus", real JID focus.DOMAIN/..., owner), and is itself promoted to
// owner and moderator because it is the first participant.
import assert from 'node:assert/strict';
import { scenario, step, conferenceReady, waitForFocusOccupant, waitForSelfRole } from './scenario.mjs';

const transport = process.argv[2] || 'websocket';
assert.ok(['websocket', 'bosh'].includes(transport), `unknown transport ${transport}`);

await scenario(`focus-conference-${transport}`, async (ctx) => {
  const client = await ctx.connect(transport, { name: 'alice' });
  step(`${transport} client logged in as ${client.jid}`);
  const room = ctx.newRoom();

  const t0 = performance.now();
  const reply = await client.conferenceRequest(ctx.focusJid, room);
  const conf = conferenceReady(reply);
  step(`conference reply after ${(performance.now() - t0).toFixed(1)} ms`);
  assert.equal(reply.getAttribute('from'), ctx.focusJid, 'the reply comes from the focus component');
  assert.equal(conf.getAttribute('focusjid'), ctx.focusJid, 'focusjid is the component JID');

  const self = await client.joinRoom(room, 'alice01');
  assert.equal(self.error, null, `joining the room the focus created must succeed: ${JSON.stringify(self.error)}`);
  step(`joined ${room} as ${self.role}/${self.affiliation}`);

  const focus = await waitForFocusOccupant(client, room, ctx.focusJid);
  step(`focus occupant: ${focus.jid} ${focus.affiliation}/${focus.role}`);
  assert.equal(focus.role, 'moderator', 'the focus occupant is a moderator');

  const promoted = await waitForSelfRole(client, room, 'alice01',
    { role: 'moderator', affiliations: ['owner'], what: 'promotion of the first participant to owner' });
  assert.ok(promoted.self, 'the promotion presence carries status 110');
  step(`first participant promoted: ${promoted.affiliation}/${promoted.role}`);

  // A second request for the same room is answered ready as well (the room already exists).
  conferenceReady(await client.conferenceRequest(ctx.focusJid, room));

  await client.leaveRoom(room, 'alice01');
});
