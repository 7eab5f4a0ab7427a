// SPDX-License-Identifier: MIT
// The XMPP server configuration that scripts/gen-prosody-config.sh (docs/deployment.md) or
// scripts/gen-ejabberd-config.sh (docs/deployment-ejabberd.md) writes gives each party what
// it needs and no more:
//  - the bridge account logs in with its password on auth.DOMAIN, creates the brewery room
//    and a second bridge session joins it;
//  - a wrong password is refused, and auth.DOMAIN offers no anonymous login;
//  - an anonymous participant can neither create a brewery room nor a conference room;
//  - BOSH and WebSocket both serve the browser domain.
import assert from 'node:assert/strict';
import { scenario, step, isRoomCreationRefused } from './scenario.mjs';
import { XmppClient } from '../../lib/xmpp-client.mjs';

await scenario('deployment-config', async (ctx) => {
  const auth = `auth.${ctx.domain}`;
  const brewery = `jvbbrewery@internal.auth.${ctx.domain}`;
  const bridge = (name) => ctx.connect('websocket', {
    domain: auth, username: 'jvb', password: ctx.server.bridgePassword, name,
  });

  const b1 = await bridge('bridge1');
  assert.ok(b1.jid.startsWith(`jvb@${auth}/`), `bridge JID ${b1.jid}`);
  const j1 = await b1.joinRoom(brewery, 'b1');
  assert.equal(j1.error, null, `the first bridge creates the brewery: ${JSON.stringify(j1.error)}`);
  const b2 = await bridge('bridge2');
  const j2 = await b2.joinRoom(brewery, 'b2');
  assert.equal(j2.error, null, `a second bridge joins the brewery at once: ${JSON.stringify(j2.error)}`);
  const seen = b2.occupants(brewery).get('b1');
  assert.ok(seen, 'the second bridge sees the first');
  assert.ok(seen.jid.startsWith(`jvb@${auth}/`), `brewery occupants see real JIDs (got '${seen.jid}')`);
  step('two bridge sessions meet in the brewery');

  await assert.rejects(XmppClient.connect({
    transport: 'websocket', domain: auth, username: 'jvb', password: 'wrong', name: 'badpw',
  }), /SASL failed/, 'a wrong bridge password is refused');
  await assert.rejects(XmppClient.connect({
    transport: 'bosh', domain: auth, name: 'anon-on-auth',
  }), /no SASL ANONYMOUS/, 'auth.DOMAIN offers no anonymous login');
  step('wrong password and anonymous login on auth.DOMAIN are refused');

  const anon = await ctx.connect('bosh', { name: 'anon' });
  const r1 = await anon.joinRoom(`other@internal.auth.${ctx.domain}`, 'x');
  assert.ok(isRoomCreationRefused(r1.error), `anonymous users cannot create brewery rooms: ${JSON.stringify(r1.error)}`);
  const r2 = await anon.joinRoom(ctx.newRoom(), 'x');
  assert.ok(isRoomCreationRefused(r2.error), `anonymous users cannot create conference rooms: ${JSON.stringify(r2.error)}`);
  step('anonymous participants cannot create rooms');
}, { focus: false });
