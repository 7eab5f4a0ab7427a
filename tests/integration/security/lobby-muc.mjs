// SPDX-License-Identifier: MIT
// The XEP-0045 behaviour Parley's lobby and password model (docs/security.md) is built on,
// checked on the real server (Prosody or ejabberd, $PARLEY_XMPP_SERVER) with the real
// parley-focus running the room. The room's owner performs, with the same stanzas
// (focus/security/security-iq.c builds them), what the focus will perform for a moderator's
// request:
//  - members first, then a partial owner form {membersonly=1, no secret}: occupants stay, a
//    non-member is refused with registration-required and sees nobody;
//  - a member grant admits: the member joins with no password;
//  - the form lifting members-only and setting the secret: no password -> not-authorized,
//    members need it too (why the secret comes off the room while the lobby is on);
//  - members-only again with no secret: a non-member inside is removed (status 322), which is
//    why the grants come first; members come back without a password;
//  - partial forms leave everything else alone: real JIDs stay visible;
//  - a knocker's directed presence to focus.DOMAIN makes the server tell the focus when the
//    knocker's session ends (how a knock closes as "left").
import assert from 'node:assert/strict';
import {
  scenario, step, conferenceReady, waitForSelfRole, NS, mucPresence, stanzaError, xmlOf,
} from '../focus/scenario.mjs';

const SECRET = 'lobby-pw-7';

function securityForm(membersOnly, secret) {
  const field = (v, value) => `<field var="${v}"><value>${value}</value></field>`;
  return `<query xmlns="${NS.mucOwner}"><x xmlns="jabber:x:data" type="submit">`
    + field('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig')
    + field('muc#roomconfig_membersonly', membersOnly ? '1' : '0')
    + field('muc#roomconfig_passwordprotectedroom', secret ? '1' : '0')
    + `<field var="muc#roomconfig_roomsecret"><value>${secret || ''}</value></field>`
    + '</x></query>';
}

const bare = (jid) => jid.split('/')[0];

await scenario('focus-policy-lobby-muc', async (ctx) => {
  const room = ctx.newRoom();
  const join = async (name, nick, opts = {}) => {
    const c = await ctx.connect('websocket', { name });
    conferenceReady(await c.conferenceRequest(ctx.focusJid, room));
    return { c, p: await c.joinRoom(room, nick, opts) };
  };
  const grant = async (owner, jid, affiliation) => {
    const r = await owner.iq('set', room,
      `<query xmlns="${NS.mucAdmin}"><item affiliation="${affiliation}" jid="${bare(jid)}"/></query>`);
    assert.equal(stanzaError(r), null, `grant ${affiliation} to ${jid}: ${xmlOf(r)}`);
  };
  const configure = async (owner, membersOnly, secret) => {
    const r = await owner.iq('set', room, securityForm(membersOnly, secret));
    assert.equal(stanzaError(r), null, `security form: ${xmlOf(r)}`);
  };

  const { c: alice, p: ap } = await join('alice', 'alice01');
  assert.equal(ap.error, null);
  await waitForSelfRole(alice, room, 'alice01', { role: 'moderator', affiliations: ['owner'] });
  const { c: bob, p: bp } = await join('bob', 'bob02');
  assert.equal(bp.error, null);
  step('alice (owner, made so by the focus) and bob are in the room');

  // Lobby on: bob becomes a member first, then the room becomes members-only.
  const bobMark = bob.mark();
  await grant(alice, bob.jid, 'member');
  await configure(alice, true, null);
  await new Promise((r) => setTimeout(r, 300));
  const kicked = bob.received.slice(bobMark).filter((s) => s.localName === 'presence'
    && s.getAttribute('from') === `${room}/bob02` && s.getAttribute('type') === 'unavailable');
  assert.equal(kicked.length, 0, `bob (a member) stays when the room becomes members-only: ${kicked.map(xmlOf)}`);
  step('lobby on: members first, then members-only; bob stayed');

  const { c: kim, p: kp } = await join('kim', 'kim03');
  assert.ok(kp.error, 'a non-member is refused while the lobby is on');
  assert.equal(kp.error.condition, 'registration-required', `refusal: ${JSON.stringify(kp.error)}`);
  assert.ok(!alice.occupants(room).has('kim03'), 'the refused knocker never appears in the room');
  step('kim (not a member) refused with registration-required; nobody saw her');

  // Admission: a member grant for kim's bare JID; she joins with no password.
  await grant(alice, kim.jid, 'member');
  const kimIn = await kim.joinRoom(room, 'kim03');
  assert.equal(kimIn.error, null, `admitted kim joins: ${JSON.stringify(kimIn.error)}`);
  assert.equal(kimIn.affiliation, 'member');
  const seenAlice = kim.occupants(room).get('alice01');
  assert.ok(seenAlice && seenAlice.jid.startsWith(bare(alice.jid)),
    `partial forms keep real JIDs visible: ${JSON.stringify(seenAlice)}`);
  step('kim admitted by a member grant: joined without a password, sees real JIDs');

  // Lobby off with a password: the secret goes on the room in the same form.
  await configure(alice, false, SECRET);
  const { c: dan, p: dp } = await join('dan', 'dan04');
  assert.equal(dp.error && dp.error.condition, 'not-authorized', `no password: ${JSON.stringify(dp.error)}`);
  const danIn = await dan.joinRoom(room, 'dan04', { password: SECRET });
  assert.equal(danIn.error, null, `with the password: ${JSON.stringify(danIn.error)}`);
  await kim.leaveRoom(room, 'kim03');
  const kimBack = await kim.joinRoom(room, 'kim03');
  assert.equal(kimBack.error && kimBack.error.condition, 'not-authorized',
    `a member needs the room secret too: ${JSON.stringify(kimBack.error)}`);
  step('lobby off + password: not-authorized without it, for members too');

  // Lobby on again, the secret off the room. dan is no member: the server removes him (322).
  const danMark = dan.mark();
  await configure(alice, true, null);
  const out = await dan.waitFor((s) => s.localName === 'presence'
    && s.getAttribute('from') === `${room}/dan04` && s.getAttribute('type') === 'unavailable',
  { from: danMark, what: 'dan removed when the room becomes members-only' });
  assert.ok(mucPresence(out).statuses.has('322'), `removed with status 322: ${xmlOf(out)}`);
  const kimAgain = await kim.joinRoom(room, 'kim03');
  assert.equal(kimAgain.error, null, `a member needs no password while members-only: ${JSON.stringify(kimAgain.error)}`);
  step('members-only again: non-member dan removed (322), member kim back without a password');

  // A knocker sends directed presence to the focus; when its session ends, the server sends
  // the focus unavailable from that full JID (RFC 6121 4.6.3). Today's focus logs presence
  // from non-occupants at debug level, which is enough to see both arrive.
  const lou = await ctx.connect('websocket', { name: 'lou' });
  const logMark = ctx.focus.mark();
  const louRe = new RegExp(`presence from ${lou.jid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ignored`);
  lou.send(`<presence to="${ctx.focusJid}"/>`);
  await ctx.focus.waitForLog(louRe, { from: logMark, timeout: 10000 });
  const afterFirst = ctx.focus.mark();
  lou.abort(); // the browser tab crashes: no unavailable from the client itself
  await ctx.focus.waitForLog(louRe, { from: afterFirst, timeout: 10000 });
  step('directed presence reached the focus, and the server sent unavailable when the session died');
}, { deadline: 90000 });
