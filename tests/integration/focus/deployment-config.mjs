// SPDX-License-Identifier: MIT
// The XMPP server configuration that scripts/gen-prosody-config.sh (docs/deployment.md) or
// scripts/gen-ejabberd-config.sh (docs/deployment-ejabberd.md) writes gives each party what
// it needs and no more:
//  - the bridge account logs in with its password on auth.DOMAIN, creates the brewery room
//    and a second bridge session joins it;
//  - a wrong password is refused, and auth.DOMAIN offers no anonymous login;
//  - an anonymous participant can neither create a brewery room nor a conference room;
//  - the brewery is locked down: an anonymous participant and a registered account that is
//    not a bridge's are refused from the existing brewery (and see none of its occupants);
//  - XEP-0198 stream management is on, with a short resumption window: a bridge whose
//    connection vanishes leaves the brewery within ~30 s (20 s of hibernation);
//  - BOSH and WebSocket both serve the browser domain.
import assert from 'node:assert/strict';
import { scenario, step, isRoomCreationRefused } from './scenario.mjs';
import { XmppClient } from '../../lib/xmpp-client.mjs';

// A registered account on auth.DOMAIN that is not a bridge's: the server harness registers it.
process.env.PARLEY_EXTRA_ACCOUNTS = `${process.env.PARLEY_EXTRA_ACCOUNTS || ''} stranger:strangerpass`.trim();

// How a MUC service says "you may not enter": members-only (Prosody), access rule (ejabberd).
const REFUSED = ['registration-required', 'forbidden', 'not-allowed'];
const SM = 'urn:xmpp:sm:3';

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

  // The brewery exists (the bridges are in it): outsiders may still not enter.
  const anonWs = await ctx.connect('websocket', { name: 'anon-ws' });
  const stranger = await ctx.connect('websocket', {
    domain: auth, username: 'stranger', password: 'strangerpass', name: 'stranger',
  });
  for (const [who, c] of [['an anonymous participant', anon], ['an anonymous participant (WebSocket)', anonWs],
    ['a registered account that is not a bridge\'s', stranger]]) {
    const r = await c.joinRoom(brewery, 'peek');
    assert.ok(r.error && REFUSED.includes(r.error.condition), `${who} is refused from the brewery: ${JSON.stringify(r.error)}`);
    assert.equal(c.occupants(brewery).size, 0, `${who} sees nobody in the brewery`);
    step(`${who} is refused from the brewery (${r.error.condition})`);
  }
  const r3 = await stranger.joinRoom(`other@internal.auth.${ctx.domain}`, 'x');
  assert.ok(r3.error && REFUSED.includes(r3.error.condition), `a non-bridge account cannot create brewery rooms: ${JSON.stringify(r3.error)}`);
  assert.ok(b1.occupants(brewery).get('b2') && !b1.occupants(brewery).get('peek'), 'the bridges are still there, alone');

  // Stream management: b1 enables resumption, then vanishes (no stream close); b2 sees it
  // leave once the resumption window is over.
  const em = b1.mark();
  b1.send(`<enable xmlns="${SM}" resume="true"/>`);
  const enabled = await b1.waitFor((s) => s.localName === 'enabled' && s.namespaceURI === SM,
    { from: em, what: 'stream management <enabled/>' });
  const max = Number(enabled.getAttribute('max') || 0);
  assert.equal(enabled.getAttribute('resume'), 'true', 'resumption offered');
  assert.ok(max > 0 && max <= 30, `the resumption window is short (max=${enabled.getAttribute('max')})`);
  const lm = b2.mark();
  const t0 = performance.now();
  b1.abort();
  await b2.waitFor((s) => s.localName === 'presence' && s.getAttribute('from') === `${brewery}/b1`
    && s.getAttribute('type') === 'unavailable', { from: lm, timeout: 60000, what: 'b1 leaving the brewery' });
  const left = (performance.now() - t0) / 1000;
  assert.ok(left < 35, `a vanished bridge leaves the brewery within ~30 s (took ${left.toFixed(1)} s)`);
  step(`stream management on (resumption window ${max} s); a vanished session left its room after ${left.toFixed(1)} s`);
}, { focus: false });
