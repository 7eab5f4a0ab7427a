// SPDX-License-Identifier: MIT
// An empty room goes away: after the last participant leaves, the focus leaves and the room is
// destroyed once focus.room_grace_seconds have passed, so joining it again without a new
// conference request is refused, while a new request brings it back.
import assert from 'node:assert/strict';
import {
  scenario, step, conferenceReady, waitForFocusOccupant, isRoomCreationRefused,
} from './scenario.mjs';

await scenario('focus-room-cleanup', async (ctx) => {
  const room = ctx.newRoom();
  const c = await ctx.connect('websocket', { name: 'solo' });
  conferenceReady(await c.conferenceRequest(ctx.focusJid, room));
  assert.equal((await c.joinRoom(room, 'solo1')).error, null);
  await waitForFocusOccupant(c, room, ctx.focusJid);
  await c.leaveRoom(room, 'solo1');
  const left = performance.now();
  step('the only participant left');

  // Probe with direct joins (which cannot create the room) until the room is gone. A probe
  // briefly makes the room non-empty again, so probes are spaced well beyond the grace time.
  let gone = false;
  while (performance.now() - left < 10000) {
    await new Promise((r) => setTimeout(r, 2500));
    const p = await c.joinRoom(room, 'probe');
    if (p.error) {
      assert.ok(isRoomCreationRefused(p.error), `refused join: ${JSON.stringify(p.error)}`);
      gone = true;
      break;
    }
    await c.leaveRoom(room, 'probe');
  }
  assert.ok(gone, 'the room still exists 10 s after it became empty (room_grace_seconds = 1)');
  step(`room destroyed ${((performance.now() - left) / 1000).toFixed(1)} s after it became empty`);

  const mark = c.mark();
  conferenceReady(await c.conferenceRequest(ctx.focusJid, room));
  assert.equal((await c.joinRoom(room, 'solo1')).error, null, 'a new request recreates the room');
  await waitForFocusOccupant(c, room, ctx.focusJid, { from: mark });
}, { focusSettings: { focus: { room_grace_seconds: 1 } } });
