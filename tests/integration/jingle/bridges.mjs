// SPDX-License-Identifier: MIT
// Bridges coming and going, with real parley-bridge processes:
//  - no bridge: two participants see <bridgeNotAvailable/> in the focus's presence and get no
//    offer; a bridge starts: the flag goes and both get session-initiate on it;
//  - a second bridge joins, the first stops: both participants get session-terminate
//    (success, "moving") and a new session-initiate on the second bridge, with their
//    accepted sources still signalled to each other.
import assert from 'node:assert/strict';
import {
  jingleScenario, JingleClient, step, child, children, JNS, jingleSources, hasBridgeNotAvailable,
  xmlOf,
} from './harness.mjs';

function wsUrl(init) {
  const content = children(init.jingle, 'content', JNS.jingle)[0];
  return child(child(content, 'transport', JNS.ice), 'web-socket', JNS.colibri).getAttribute('url');
}

await jingleScenario('jingle-bridges', async (ctx) => {
  const room = ctx.newRoom();
  const alice = await JingleClient.join(ctx, room, 'alice01');
  const bob = await JingleClient.join(ctx, room, 'bob02');
  for (const c of [alice, bob]) {
    const p = await c.waitFocusPresence(hasBridgeNotAvailable, { what: 'bridgeNotAvailable in the focus presence' });
    assert.ok(child(p, 'bridgeNotAvailable', JNS.focus));
  }
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(alice.jingles.length + bob.jingles.length, 0, 'no offer without a bridge');
  step('no bridge: both see bridgeNotAvailable, no offer');

  const marks = [alice.xmpp.mark(), bob.xmpp.mark()];
  const t0 = performance.now();
  const one = await ctx.startBridge('jvb-one');
  const [ia, ib] = await Promise.all([alice.waitJingle('session-initiate'), bob.waitJingle('session-initiate')]);
  step(`bridge started: both invited ${(performance.now() - t0).toFixed(0)} ms after the bridge process started`);
  assert.ok(wsUrl(ia).startsWith(`ws://127.0.0.1:${one.httpPort}/`));
  for (const [i, c] of [alice, bob].entries()) {
    await c.waitFocusPresence((p) => !hasBridgeNotAvailable(p), { from: marks[i], what: 'focus presence without bridgeNotAvailable' });
  }
  step('bridgeNotAvailable cleared');

  let r = await alice.accept(ia, { audio: [{ ssrc: 1111, name: 'alice01-a0' }], port: 40001 });
  assert.equal(r.getAttribute('type'), 'result', xmlOf(r));
  r = await bob.accept(ib, { audio: [{ ssrc: 3331, name: 'bob02-a0' }], port: 40002 });
  assert.equal(r.getAttribute('type'), 'result', xmlOf(r));
  await alice.waitJingle('source-add', { pred: (j) => jingleSources(j.jingle).some((s) => s.ssrc === 3331) });

  // Failover: a second bridge, then the first goes away.
  const two = await ctx.startBridge('jvb-two');
  const am = alice.mark();
  const bm = bob.mark();
  const t1 = performance.now();
  const st = await one.stop();
  step(`first bridge stopped (${JSON.stringify(st)})`);
  for (const [c, m, old] of [[alice, am, ia], [bob, bm, ib]]) {
    const term = await c.waitJingle('session-terminate', { from: m });
    assert.equal(term.sid, old.sid);
    const reason = child(term.jingle, 'reason', JNS.jingle);
    assert.ok(child(reason, 'success'), `reason success: ${xmlOf(term.jingle)}`);
    assert.equal(child(reason, 'text')?.textContent, 'moving');
    const again = await c.waitJingle('session-initiate', { from: m });
    assert.notEqual(again.sid, old.sid);
    assert.ok(wsUrl(again).startsWith(`ws://127.0.0.1:${two.httpPort}/`), `moved to the second bridge: ${wsUrl(again)}`);
    assert.notEqual(child(again.jingle, 'bridge-session', JNS.focus).getAttribute('id'),
      child(old.jingle, 'bridge-session', JNS.focus).getAttribute('id'), 'a new bridge session');
    const other = c === alice ? 3331 : 1111;
    assert.ok(jingleSources(again.jingle).some((s) => s.ssrc === other),
      'the new offer carries the other participant\'s sources');
  }
  step(`moved to the second bridge in ${(performance.now() - t1).toFixed(0)} ms`);
  assert.match(two.log(), /ep=alice01: endpoint created/);
  assert.match(two.log(), /ep=bob02: endpoint created/);
}, { deadline: 120000 });
