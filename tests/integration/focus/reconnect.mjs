// SPDX-License-Identifier: MIT
// The XMPP server restarts: parley-focus notices, reconnects by itself (logging "connected to
// XMPP server" again) and serves conferences again, including the room name that existed
// before the restart (the server forgot that room; the focus must create it anew).
import assert from 'node:assert/strict';
import { scenario, step, conferenceReady, waitForFocusOccupant, waitForSelfRole } from './scenario.mjs';
import { CONNECTED_RE } from '../../lib/focus.mjs';

await scenario('focus-reconnect', async (ctx) => {
  const room = ctx.newRoom();
  const before = await ctx.connect('websocket', { name: 'before' });
  conferenceReady(await before.conferenceRequest(ctx.focusJid, room));
  const j = await before.joinRoom(room, 'before1');
  assert.equal(j.error, null);
  await waitForFocusOccupant(before, room, ctx.focusJid);
  step('conference works before the restart');

  const mark = ctx.focus.mark();
  step(`restarting ${ctx.server.name}`);
  await ctx.server.restart();
  const t0 = performance.now();
  await ctx.focus.waitForLog(CONNECTED_RE, { from: mark, timeout: 30000 });
  step(`parley-focus reconnected ${((performance.now() - t0) / 1000).toFixed(2)} s after ${ctx.server.name} was back`);
  assert.ok(ctx.focus.running(), 'parley-focus kept running across the restart');

  for (const [name, r] of [['same room', room], ['new room', ctx.newRoom()]]) {
    const c = await ctx.connect(name === 'same room' ? 'bosh' : 'websocket', { name: name.replace(' ', '-') });
    // The component may need a moment after its log line before the server routes to it.
    conferenceReady(await c.conferenceRequest(ctx.focusJid, r));
    const self = await c.joinRoom(r, 'after1');
    assert.equal(self.error, null, `${name}: join after the restart: ${JSON.stringify(self.error)}`);
    await waitForFocusOccupant(c, r, ctx.focusJid);
    await waitForSelfRole(c, r, 'after1', { role: 'moderator', affiliations: ['owner'] });
    step(`${name}: conference works after the restart`);
  }
}, { deadline: 90000 });
