// SPDX-License-Identifier: MIT
// parley-focus crashes (SIGKILL: it cannot leave its rooms) while a conference runs, and a
// new focus process is started. The room lives on at the server with its participants, and
// on ejabberd with the dead focus still listed as an occupant. The next conference request
// for that room must work at once: the new focus takes the room over, learns who is in it
// (the owner chosen before the crash stays the only owner), participants keep seeing exactly
// one focus, and when the owner leaves another participant is promoted.
import assert from 'node:assert/strict';
import {
  scenario, step, conferenceReady, waitForFocusOccupant, waitForSelfRole, mucPresence,
} from './scenario.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

await scenario('focus-restart', async (ctx) => {
  const room = ctx.newRoom();
  const alice = await ctx.connect('websocket', { name: 'alice' });
  const bob = await ctx.connect('bosh', { name: 'bob' });
  conferenceReady(await alice.conferenceRequest(ctx.focusJid, room));
  assert.equal((await alice.joinRoom(room, 'alice01')).error, null);
  await waitForSelfRole(alice, room, 'alice01', { role: 'moderator', affiliations: ['owner'] });
  conferenceReady(await bob.conferenceRequest(ctx.focusJid, room));
  assert.equal((await bob.joinRoom(room, 'bob02')).error, null);
  await waitForFocusOccupant(bob, room, ctx.focusJid);
  step('alice (owner) and bob are in the room');

  const old = ctx.focus;
  old.process.kill('SIGKILL');
  await old.exited;
  step('parley-focus killed');
  const bobMark = bob.mark();
  await ctx.startFocus();
  step('a new parley-focus is connected');

  // A newcomer asks for the same room: the new focus must take it over and answer ready.
  const carol = await ctx.connect('websocket', { name: 'carol' });
  const t0 = performance.now();
  conferenceReady(await carol.conferenceRequest(ctx.focusJid, room));
  step(`conference reply from the new focus after ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal((await carol.joinRoom(room, 'carol03')).error, null);
  await waitForFocusOccupant(carol, room, ctx.focusJid);
  // The old owner is still owner, so nobody else is promoted; give the focus time to err.
  await sleep(1000);
  const seen = carol.occupants(room);
  assert.equal(seen.get('alice01')?.affiliation, 'owner', 'alice is still the owner');
  for (const nick of ['bob02', 'carol03']) {
    assert.equal(seen.get(nick)?.role, 'participant', `${nick} stays a participant while alice is there (is ${seen.get(nick)?.role})`);
  }
  const focuses = [...seen.values()].filter((p) => p.jid.startsWith(`${ctx.focusJid}/`));
  assert.equal(focuses.length, 1, `exactly one focus occupant (${focuses.map((p) => p.nick)})`);
  assert.ok(bob.occupants(room).get('focus'), 'bob still sees the focus');
  step('the new focus took the room over; alice is still the only owner');

  const mark = carol.mark();
  await alice.leaveRoom(room, 'alice01');
  step('alice left');
  const promoted = await Promise.any(['bob02', 'carol03'].map((nick) => {
    const c = nick === 'bob02' ? bob : carol;
    return waitForSelfRole(c, room, nick, {
      role: 'moderator', affiliations: ['owner', 'admin', 'member', 'none'],
      from: nick === 'bob02' ? bobMark : mark, timeout: 10000,
    });
  })).catch(() => null);
  assert.ok(promoted, 'after the owner left, a remaining participant is promoted to moderator');
  step(`${promoted.nick} promoted to ${promoted.affiliation}/${promoted.role}`);
  const unavailable = bob.received.slice(bobMark).filter((s) => s.localName === 'presence'
    && s.getAttribute('from') === `${room}/bob02` && mucPresence(s).type === 'unavailable');
  assert.equal(unavailable.length, 0, 'bob was never removed from the room');
}, { deadline: 60000 });
