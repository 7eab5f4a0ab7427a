// SPDX-License-Identifier: MIT
// Bad conference requests get proper errors and never hurt the focus: no room -> bad-request,
// a room that is not a JID -> bad-request, a room outside the conference MUC -> not-allowed.
// And a client cannot create a room by joining it without asking the focus (the MUC refuses:
// not-allowed on Prosody, forbidden on ejabberd). Afterwards the focus still serves a valid
// request.
import assert from 'node:assert/strict';
import {
  scenario, step, conferenceReady, stanzaError, xmlOf, isRoomCreationRefused,
} from './scenario.mjs';

await scenario('focus-bad-requests', async (ctx) => {
  const c = await ctx.connect('websocket', { name: 'mallory' });
  const d = ctx.domain;

  const expectError = async (what, roomAttr, condition) => {
    const reply = await c.conferenceRequest(ctx.focusJid, roomAttr);
    const err = stanzaError(reply);
    assert.ok(err, `${what}: expected an error reply, got ${xmlOf(reply)}`);
    assert.equal(err.condition, condition, `${what}: error condition (reply ${xmlOf(reply)})`);
    step(`${what}: ${err.type}/${err.condition}`);
  };

  await expectError('no room attribute', null, 'bad-request');
  await expectError('empty room', '', 'bad-request');
  await expectError('room with two @', `a@@conference.${d}`, 'bad-request');
  await expectError('room with empty local part', `@conference.${d}`, 'bad-request');
  await expectError('room with a space', `a b@conference.${d}`, 'bad-request');
  // Control and format characters (Unicode Cc, Cf) are refused by the focus itself: they are
  // not allowed in a JID's local part (RFC 7622, nodeprep), and a bidi override would make the
  // name display as something else. Before, the MUC refused the focus's join and the client
  // got internal-server-error.
  for (const [what, ch] of [
    ['a right-to-left override U+202E', '\u202e'], ['a left-to-right mark U+200E', '\u200e'],
    ['a zero-width space U+200B', '\u200b'], ['a byte-order mark U+FEFF', '\ufeff'],
    ['a soft hyphen U+00AD', '\u00ad'], ['a C1 control U+0085', '\u0085'],
    ['a tag character U+E0041', '\u{e0041}'], ['an isolate U+2067', '\u2067'],
  ]) {
    await expectError(`room with ${what}`, `ab${ch}cd@conference.${d}`, 'bad-request');
  }
  await expectError('room on another domain', 'x@conference.other.test', 'not-allowed');
  await expectError('room in the bridge brewery MUC', `x@internal.auth.${d}`, 'not-allowed');
  await expectError('room on the main domain', `x@${d}`, 'not-allowed');

  // Unknown IQ payloads to the focus get an error too, not silence.
  const unknown = await c.iq('get', ctx.focusJid, '<query xmlns="urn:parley:test:nonsense"/>');
  assert.equal(unknown.getAttribute('type'), 'error', `unknown IQ: ${xmlOf(unknown)}`);
  step(`unknown IQ: ${stanzaError(unknown).condition}`);

  // Joining a room that the focus has not created is refused: creation is restricted.
  const room = ctx.newRoom('nofocus');
  const j = await c.joinRoom(room, 'mallory');
  assert.ok(j.error, `joining ${room} without a conference request must fail, got ${j.type}`);
  assert.ok(isRoomCreationRefused(j.error), `refused as room creation: ${JSON.stringify(j.error)}`);
  step(`direct join without the focus: ${j.error.condition} (${j.error.text})`);

  // The focus is still serving.
  const room2 = ctx.newRoom();
  conferenceReady(await c.conferenceRequest(ctx.focusJid, room2));
  const ok = await c.joinRoom(room2, 'mallory');
  assert.equal(ok.error, null, `a valid request after the bad ones works: ${JSON.stringify(ok.error)}`);
  assert.ok(ctx.focus.running(), 'parley-focus is still running');
});
