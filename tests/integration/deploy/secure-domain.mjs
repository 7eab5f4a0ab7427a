// SPDX-License-Identifier: MIT
// The secure domain on the server side (gen-prosody-config.sh / gen-ejabberd-config.sh
// --secure-domain, parley-focus auth.login_domain), as Jitsi's "secure domain" works:
//  - the meeting domain offers no anonymous login, a wrong password is refused;
//  - a guest logs in anonymously on guest.DOMAIN, and its conference request for a room no
//    logged-in user has opened gets auth/not-authorized (the client waits for the host);
//  - a moderator logs in with an account, opens the room (identity in the answer) and is made
//    owner; the guest's next request is answered ready, and the guest joins as a participant;
//  - when the moderator leaves, the guest does not become moderator.
import assert from 'node:assert/strict';
import { scenario, step, mucPresence, stanzaError, child, NS } from '../focus/scenario.mjs';
import { XmppClient, children } from '../../lib/xmpp-client.mjs';

const MODERATOR = 'alice';
const PASSWORD = 'correct-horse-battery';

function conferenceOf(reply) {
  return child(reply, 'conference', NS.focus);
}

await scenario('xmpp-secure-domain', async (ctx) => {
  const guestDomain = `guest.${ctx.domain}`;
  const room = ctx.newRoom('planning');

  await assert.rejects(XmppClient.connect({
    transport: 'websocket', domain: ctx.domain, port: ctx.server.httpPort, name: 'anon-on-main',
  }), /no SASL ANONYMOUS/, 'the meeting domain offers no anonymous login');
  await assert.rejects(XmppClient.connect({
    transport: 'bosh', domain: ctx.domain, port: ctx.server.httpPort,
    username: MODERATOR, password: 'wrong', name: 'badpw',
  }), /SASL failed/, 'a wrong password is refused');
  step('no anonymous login on the meeting domain; a wrong password is refused');

  const guest = await ctx.connect('websocket', { domain: guestDomain, name: 'guest' });
  assert.ok(guest.jid.endsWith(`@${guestDomain}/`) || guest.jid.includes(`@${guestDomain}/`), `guest JID ${guest.jid}`);
  const early = await guest.conferenceRequest(ctx.focusJid, room);
  assert.equal(early.getAttribute('type'), 'error', 'a guest cannot open a room');
  const err = stanzaError(early);
  assert.equal(err.condition, 'not-authorized', `condition ${JSON.stringify(err)}`);
  assert.equal(err.type, 'auth');
  const direct = await guest.joinRoom(room, 'sneaky');
  assert.ok(direct.error, 'joining the room directly is refused too');
  step('a guest alone gets not-authorized and cannot create the room');

  const mod = await ctx.connect('bosh', { username: MODERATOR, password: PASSWORD, name: 'moderator' });
  assert.ok(mod.jid.startsWith(`${MODERATOR}@${ctx.domain}/`), `moderator JID ${mod.jid}`);
  const opened = await mod.conferenceRequest(ctx.focusJid, room);
  assert.equal(opened.getAttribute('type'), 'result', `the moderator opens the room: ${opened}`);
  const c = conferenceOf(opened);
  assert.equal(c.getAttribute('ready'), 'true');
  assert.equal(c.getAttribute('identity'), `${MODERATOR}@${ctx.domain}`);
  const auth = children(c, 'property').find((p) => p.getAttribute('name') === 'authentication');
  assert.equal(auth?.getAttribute('value'), 'true', 'the focus says it authenticates');
  const joined = await mod.joinRoom(room, 'alice');
  assert.equal(joined.error, null, `the moderator joins: ${JSON.stringify(joined.error)}`);
  await mod.waitFor((s) => {
    const p = mucPresence(s);
    return p.room === room && p.nick === 'alice' && p.affiliation === 'owner' && p.role === 'moderator';
  }, { what: 'owner for the logged-in moderator' });
  step('the moderator logs in, opens the room and is made owner');

  const later = await guest.conferenceRequest(ctx.focusJid, room);
  assert.equal(later.getAttribute('type'), 'result', `the guest gets in now: ${later}`);
  assert.equal(conferenceOf(later).getAttribute('ready'), 'true');
  assert.ok(!conferenceOf(later).hasAttribute('identity'), 'guests have no identity');
  const gj = await guest.joinRoom(room, 'guest');
  assert.equal(gj.error, null, `the guest joins: ${JSON.stringify(gj.error)}`);
  assert.equal(gj.role, 'participant');
  step('the guest asks again and joins as a participant');

  const mark = guest.mark();
  await mod.leaveRoom(room, 'alice');
  await guest.waitFor((s) => mucPresence(s).nick === 'alice' && s.getAttribute('type') === 'unavailable',
    { from: mark, what: 'the moderator leaving' });
  // A grant, had the focus sent one, would reach the room before this: the focus answers the
  // ping after handling the leave, and the room answers the disco after anything the focus
  // sent it before.
  const ping = await guest.iq('get', ctx.focusJid, '<ping xmlns="urn:xmpp:ping"/>');
  assert.equal(ping.getAttribute('type'), 'result');
  await guest.iq('get', room, '<query xmlns="http://jabber.org/protocol/disco#info"/>');
  const me = guest.occupants(room).get('guest');
  assert.equal(me?.affiliation ?? 'none', 'none', `the guest is not made owner: ${JSON.stringify(me)}`);
  step('the moderator leaves; the guest is not made moderator');
}, {
  serverOptions: { genArgs: ['--secure-domain'], accounts: [`${MODERATOR}@meet.parley.test:${PASSWORD}`] },
  focusSettings: { auth: { login_domain: 'meet.parley.test' } },
});
