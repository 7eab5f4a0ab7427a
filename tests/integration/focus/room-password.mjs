// SPDX-License-Identifier: MIT
// A moderator locks the conference with a password (XEP-0045 room secret, what Jitsi clients
// do with "lock room"): newcomers still get ready="true" from the focus, then need the
// password to join (not-authorized without it). The lock survives the focus losing its
// connection and re-joining the room: the focus must neither be locked out of its own room
// nor reset the password when it reasserts its room configuration.
import assert from 'node:assert/strict';
import {
  scenario, step, conferenceReady, waitForFocusOccupant, waitForSelfRole, NS, stanzaError, xmlOf,
} from './scenario.mjs';
import { startTcpProxy } from '../../lib/tcp-proxy.mjs';
import { CONNECTED_RE } from '../../lib/focus.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PASSWORD = 'sesame-42';

function lockForm(password) {
  const field = (v, value) => `<field var="${v}"><value>${value}</value></field>`;
  return `<query xmlns="${NS.mucOwner}"><x xmlns="jabber:x:data" type="submit">`
    + `${field('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig')}`
    + `${field('muc#roomconfig_passwordprotectedroom', '1')}`
    + `${field('muc#roomconfig_roomsecret', password)}`
    + '</x></query>';
}

await scenario('focus-room-password', async (ctx) => {
  const relay = await startTcpProxy({ port: ctx.server.componentPort + 1, targetPort: ctx.server.componentPort });
  const focus = await ctx.startFocus({ settings: { xmpp: { port: relay.port } } });

  const room = ctx.newRoom();
  const alice = await ctx.connect('websocket', { name: 'alice' });
  conferenceReady(await alice.conferenceRequest(ctx.focusJid, room));
  assert.equal((await alice.joinRoom(room, 'alice01')).error, null);
  await waitForSelfRole(alice, room, 'alice01', { role: 'moderator', affiliations: ['owner'] });
  const locked = await alice.iq('set', room, lockForm(PASSWORD));
  assert.equal(locked.getAttribute('type'), 'result', `the owner locks the room: ${xmlOf(locked)}`);
  step('alice (owner) set a room password');

  const tryJoin = async (name, nick, password) => {
    const c = await ctx.connect(name.startsWith('b') ? 'bosh' : 'websocket', { name });
    conferenceReady(await c.conferenceRequest(ctx.focusJid, room));
    const refused = await c.joinRoom(room, nick);
    assert.ok(refused.error, `${name} joins a locked room without the password`);
    assert.equal(refused.error.condition, 'not-authorized', `${name} without password: ${JSON.stringify(refused.error)}`);
    const ok = await c.joinRoom(room, nick, { password });
    assert.equal(ok.error, null, `${name} joins with the password: ${JSON.stringify(ok.error)}`);
    await waitForFocusOccupant(c, room, ctx.focusJid);
    return c;
  };
  const bob = await tryJoin('bob', 'bob02', PASSWORD);
  step('bob: ready from the focus, refused without the password, admitted with it');

  // The focus loses its connection and re-joins the locked room.
  const focusMark = focus.mark();
  const bobMark = bob.mark();
  relay.cut();
  await focus.waitForLog(CONNECTED_RE, { from: focusMark, timeout: 30000 });
  await focus.waitForLog(/room re-joined room=\S+|room re-created/, { from: focusMark, timeout: 10000 })
    .catch(() => {}); // the log line is a convenience; the checks below are what count
  await sleep(500);
  step('the focus reconnected');

  const carol = await tryJoin('carol', 'carol03', PASSWORD);
  step('after the re-join the room is still locked with the same password');

  // The focus still runs the room: when the owner leaves, bob (first in line) is promoted.
  await alice.leaveRoom(room, 'alice01');
  await waitForSelfRole(bob, room, 'bob02', {
    role: 'moderator', affiliations: ['owner', 'admin', 'member', 'none'], from: bobMark, timeout: 10000,
    what: 'promotion of bob after the owner left',
  });
  step('bob promoted after alice left');
  const disco = await carol.iq('get', room, '<query xmlns="http://jabber.org/protocol/disco#info"/>');
  assert.equal(stanzaError(disco), null, `disco#info of the room: ${xmlOf(disco)}`);
  assert.match(xmlOf(disco), /muc_passwordprotected/, 'the room still advertises password protection');
}, { focus: false, deadline: 60000 });
