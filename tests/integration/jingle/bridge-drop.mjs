// SPDX-License-Identifier: MIT
// The bridge drops endpoints on its own and tells the focus, which re-invites at once:
// two participants accept with transports nobody answers on, so ICE never completes; the
// bridge gives up after media.ice_timeout_seconds and sends <endpoint-expired
// xmlns="urn:parley:bridge:0"/> for each; both participants get session-terminate (success,
// "moving") and a new session-initiate on the same bridge, in the conference the bridge kept
// (no second create), within seconds of the bridge giving up rather than never.
import assert from 'node:assert/strict';
import { jingleScenario, JingleClient, step, child, children, JNS } from './harness.mjs';

const ICE_TIMEOUT_S = 4;

function wsUrl(init) {
  const content = children(init.jingle, 'content', JNS.jingle)[0];
  return child(child(content, 'transport', JNS.ice), 'web-socket', JNS.colibri).getAttribute('url');
}

await jingleScenario('jingle-bridge-drop', async (ctx) => {
  const bridge = await ctx.startBridge('jvb-one', { sets: [`media.ice_timeout_seconds=${ICE_TIMEOUT_S}`] });
  const room = ctx.newRoom();
  const alice = await JingleClient.join(ctx, room, 'alice01');
  const bob = await JingleClient.join(ctx, room, 'bob02');
  const [ia, ib] = await Promise.all([alice.waitJingle('session-initiate', { timeout: 30000 }),
    bob.waitJingle('session-initiate', { timeout: 30000 })]);
  const marks = [alice.mark(), bob.mark()];
  const t0 = performance.now();
  for (const [c, init, ssrc, port] of [[alice, ia, 1111, 40001], [bob, ib, 3331, 40002]]) {
    const r = await c.accept(init, { audio: [{ ssrc, name: `${c.nick}-a0` }], port });
    assert.equal(r.getAttribute('type'), 'result');
  }
  step('both accepted with transports nobody answers on');

  for (const [i, c, old] of [[0, alice, ia], [1, bob, ib]]) {
    const term = await c.waitJingle('session-terminate', { from: marks[i], timeout: ICE_TIMEOUT_S * 1000 + 30000 });
    assert.equal(term.sid, old.sid);
    const reason = child(term.jingle, 'reason', JNS.jingle);
    assert.ok(child(reason, 'success'), 'reason success');
    assert.equal(child(reason, 'text')?.textContent, 'moving');
    const again = await c.waitJingle('session-initiate', { from: marks[i], timeout: 30000 });
    assert.notEqual(again.sid, old.sid);
    assert.equal(new URL(wsUrl(again)).port, String(bridge.httpPort), 'the same bridge');
    step(`${c.nick}: re-invited ${((performance.now() - t0) / 1000).toFixed(1)} s after accepting`
      + ` (the bridge gives up after ${ICE_TIMEOUT_S} s)`);
  }
  const told = bridge.log().match(/told the focus \(\S+\) that the endpoint is gone/g) || [];
  assert.ok(told.length >= 2, `the bridge told the focus twice (${told.length})`);
  assert.match(ctx.focus.log(), /bridge dropped an endpoint room=\S+ ep=alice01/);
  assert.equal((bridge.log().match(/conference created/g) || []).length, 1,
    'the re-invitations went into the conference the bridge kept');
  const created = bridge.log().match(/ep=alice01: endpoint created/g) || [];
  assert.ok(created.length >= 2, 'alice got a new endpoint');
}, { deadline: 120000 });
