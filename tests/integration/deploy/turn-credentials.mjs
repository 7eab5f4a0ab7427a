// SPDX-License-Identifier: MIT
// TURN credentials from the XMPP server (XEP-0215 external service discovery), as
// gen-prosody-config.sh / gen-ejabberd-config.sh --turn-host --turn-secret set them up
// (Prosody: mod_external_services; ejabberd: mod_stun_disco), for any logged-in browser
// (a guest of a secure domain too), over urn:xmpp:extdisco:2 (what Parley's client and current
// lib-jitsi-meet ask first; Prosody also answers :1, ejabberd 23.01 does not):
//  - STUN and TURN on --turn-port (UDP, and TCP for TURN), TURN over TLS on --turns-port;
//  - each TURN entry carries a user name that is an expiry time in the future (TURN REST API)
//    and a password that is base64(HMAC-SHA1(secret, user name)): what coturn's
//    use-auth-secret checks.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { scenario, step, child } from '../focus/scenario.mjs';
import { children } from '../../lib/xmpp-client.mjs';

const SECRET = 'turn-shared-secret-for-tests';
const TURN_HOST = '127.0.0.1';

function services(reply, ns) {
  assert.equal(reply.getAttribute('type'), 'result', `extdisco answer: ${reply}`);
  const s = child(reply, 'services', ns);
  assert.ok(s, `<services xmlns="${ns}"> in the answer`);
  return children(s, 'service').map((e) => ({
    type: e.getAttribute('type'),
    transport: e.getAttribute('transport'),
    host: e.getAttribute('host'),
    port: Number(e.getAttribute('port')),
    username: e.getAttribute('username'),
    password: e.getAttribute('password'),
  }));
}

function checkTurn(list, what) {
  const key = (x) => `${x.type}/${x.transport}/${x.port}`;
  const keys = list.map(key).sort();
  for (const want of ['stun/udp/3478', 'turn/udp/3478', 'turn/tcp/3478', 'turns/tcp/5349']) {
    assert.ok(keys.includes(want), `${what}: ${want} offered (got ${keys.join(', ')})`);
  }
  const now = Math.floor(Date.now() / 1000);
  for (const t of list.filter((x) => x.type === 'turn' || x.type === 'turns')) {
    assert.equal(t.host, TURN_HOST, `${what}: ${key(t)} host`);
    assert.ok(t.username && t.password, `${what}: ${key(t)} has credentials`);
    const expiry = Number(t.username.split(':')[0]);
    assert.ok(expiry > now + 3000 && expiry <= now + 3600 + 60,
      `${what}: ${key(t)} user name ${t.username} is an expiry about an hour ahead`);
    const expected = createHmac('sha1', SECRET).update(t.username).digest('base64');
    assert.equal(t.password, expected, `${what}: ${key(t)} password is HMAC-SHA1(secret, user name)`);
  }
}

await scenario('xmpp-turn-credentials', async (ctx) => {
  // lib-jitsi-meet asks the meeting domain (also from a guest's session); Parley's client asks
  // its own login domain. Both get the same services.
  const guest = await ctx.connect('websocket', { domain: `guest.${ctx.domain}`, name: 'guest' });
  for (const to of [ctx.domain, `guest.${ctx.domain}`]) {
    const list = services(await guest.iq('get', to, '<services xmlns="urn:xmpp:extdisco:2"/>'),
      'urn:xmpp:extdisco:2');
    checkTurn(list, `a guest asking ${to}`);
  }
  step('a guest gets STUN, TURN and TURNS with credentials (asking either domain)');

  const mod = await ctx.connect('bosh', { username: 'alice', password: 'pw', name: 'alice' });
  checkTurn(services(await mod.iq('get', ctx.domain, '<services xmlns="urn:xmpp:extdisco:2"/>'),
    'urn:xmpp:extdisco:2'), 'a logged-in user');
  step('a logged-in user gets them too');
}, {
  focus: false,
  serverOptions: {
    genArgs: ['--secure-domain', '--turn-host', TURN_HOST, '--turn-secret', SECRET,
      '--turns-port', '5349', '--turn-ttl', '3600'],
    accounts: ['alice@meet.parley.test:pw'],
  },
});
