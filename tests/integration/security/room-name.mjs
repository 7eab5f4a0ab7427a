// SPDX-License-Identifier: MIT
// The focus rates the room name in its conference reply (docs/security.md "Room names"):
// <property name="roomNameStrength"> is "weak" for "test" (and its case variants, which the
// server folds into the same room) and "strong" for a UUID and for a generated name. The
// focus advertises the lobby protocol in its disco#info, and a weak name is still served.
import assert from 'node:assert/strict';
import { scenario, step, conferenceReady, NS, child, xmlOf } from '../focus/scenario.mjs';
import { children } from '../../lib/xmpp-client.mjs';
import { LNS, confProperty } from './lobby-client.mjs';

await scenario('security-room-name', async (ctx) => {
  const c = await ctx.connect('websocket', { name: 'rater' });
  const cases = [
    ['test', 'weak'],
    ['TEST', 'weak'],
    ['123e4567-e89b-12d3-a456-426614174000', 'strong'],
    ['calm-otter-4821', 'strong'],
    ['00000000-0000-0000-0000-000000000000', 'weak'],
    ['team%20sync', 'weak'],
  ];
  for (const [name, want] of cases) {
    const conf = conferenceReady(await c.conferenceRequest(ctx.focusJid, `${name}@${ctx.mucDomain}`));
    assert.equal(confProperty(conf, 'roomNameStrength'), want, `roomNameStrength of '${name}': ${xmlOf(conf)}`);
    step(`${name}: ${want}`);
  }
  // The property sits next to the ones clients already read.
  const conf = conferenceReady(await c.conferenceRequest(ctx.focusJid, `test@${ctx.mucDomain}`));
  assert.equal(confProperty(conf, 'authentication'), 'false');
  assert.equal(children(conf, 'property').filter((p) => p.getAttribute('name') === 'roomNameStrength').length, 1);

  const disco = await c.iq('get', ctx.focusJid, `<query xmlns="http://jabber.org/protocol/disco#info"/>`);
  const feats = children(child(disco, 'query'), 'feature').map((f) => f.getAttribute('var'));
  assert.ok(feats.includes(LNS), `the focus advertises ${LNS}: ${xmlOf(disco)}`);
  assert.ok(feats.includes(NS.focus));
  step('disco#info lists the lobby protocol');
}, { deadline: 60000 });
