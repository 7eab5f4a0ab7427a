// SPDX-License-Identifier: MIT
// The XMPP server restarts mid-call. Every connection drops (the focus's, the bridge's, the
// participants'); the focus and the bridge reconnect by themselves. The bridge's way to the
// server is held off for a while (a relay in between), so the focus is back, and the room
// re-made, before the bridge is: the focus cannot reach the bridge when it learns who left.
// Of three participants, alice and bob come back (new connections, same nicknames: what a
// reconnecting client does) and carol does not. Afterwards:
//  - alice and bob wait for a bridge (bridgeNotAvailable), then are invited again (new
//    sessions) once the bridge is back;
//  - nothing of the old call is left on the bridge: the old conference, with carol's endpoint
//    in it, is expired as soon as the bridge is back (before anything new is allocated), so
//    the bridge holds exactly the two new endpoints;
//  - when alice and bob leave too, the bridge holds nothing.
import assert from 'node:assert/strict';
import { jingleScenario, JingleClient, step, hasBridgeNotAvailable } from './harness.mjs';
import { startTcpProxy } from '../../lib/tcp-proxy.mjs';
import dgram from 'node:dgram';

async function metrics(bridge) {
  const r = await fetch(`http://127.0.0.1:${bridge.httpPort}/metrics`);
  const text = await r.text();
  const value = (name) => Number((text.match(new RegExp(`^${name} (\\S+)$`, 'm')) || [])[1]);
  return { conferences: value('parley_bridge_conferences'), endpoints: value('parley_bridge_endpoints') };
}

/** Polls the bridge until pred(metrics) holds; rejects with the last figures after `timeout`. */
async function waitMetrics(bridge, pred, what, timeout = 30000) {
  const deadline = Date.now() + timeout;
  let m;
  for (;;) {
    m = await metrics(bridge).catch(() => null);
    if (m && pred(m)) return m;
    if (Date.now() > deadline) throw new Error(`bridge: ${what} not reached within ${timeout} ms (${JSON.stringify(m)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

await jingleScenario('jingle-server-restart', async (ctx) => {
  const relay = await startTcpProxy({ port: ctx.server.c2sPort + 100, targetPort: ctx.server.c2sPort });
  const bridge = await ctx.startBridge('jvb-one', { sets: [`xmpp.port=${relay.port}`] });
  // The participants' candidates: sockets that swallow the bridge's ICE checks, so ICE
  // neither connects nor fails fast (no port-unreachable); only the focus ends these
  // endpoints within the test's time.
  const sinks = await Promise.all([40001, 40002, 40003].map((port) => new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    sock.on('error', reject);
    sock.bind(port, '127.0.0.1', () => resolve(sock));
  })));
  const room = ctx.newRoom();
  const nicks = ['alice01', 'bob02', 'carol03'];
  const clients = [];
  for (const nick of nicks) clients.push(await JingleClient.join(ctx, room, nick));
  for (const [i, c] of clients.entries()) {
    const init = await c.waitJingle('session-initiate', { timeout: 30000 });
    const r = await c.accept(init, { audio: [{ ssrc: 1000 + i, name: `${c.nick}-a0` }], port: 40001 + i });
    assert.equal(r.getAttribute('type'), 'result');
  }
  await waitMetrics(bridge, (m) => m.endpoints === 3, 'three endpoints');
  step('three participants in a call, three endpoints on the bridge');

  const mark = ctx.focus.mark();
  relay.pause();
  await ctx.server.restart();
  const t0 = performance.now();
  step(`${ctx.server.name} restarted; the bridge's way to it held off`);
  await ctx.focus.waitForLog(/connected to XMPP server as/, { from: mark, timeout: 30000 });
  await ctx.focus.waitForLog(/bridge gone bridge=\S+\/jvb-one /, { from: mark, timeout: 30000 });
  const back = [];
  for (const nick of nicks.slice(0, 2)) back.push(await JingleClient.join(ctx, room, nick));
  for (const c of back) {
    await c.waitFocusPresence(hasBridgeNotAvailable, { timeout: 30000, what: 'bridgeNotAvailable' });
  }
  step('focus back, room re-made; alice and bob back and waiting for a bridge; carol gone');

  const t1 = performance.now();
  relay.resume();
  await ctx.focus.waitForLog(/bridge joined bridge=\S+\/jvb-one /, { from: mark, timeout: 30000 });
  for (const c of back) await c.waitJingle('session-initiate', { timeout: 30000 });
  step(`bridge back; alice and bob invited again ${((performance.now() - t1) / 1000).toFixed(1)} s after`
    + ` the bridge could reconnect (${((performance.now() - t0) / 1000).toFixed(1)} s after the server)`);
  await waitMetrics(bridge, (m) => m.endpoints === 2 && m.conferences === 1, 'exactly the two new endpoints');
  // The old conference (same meeting-id: the focus's conference lives on) was expired by the
  // focus once the bridge was back, before it was created there again. (Its endpoints may
  // have been dropped by the media plane during the outage, ICE failing with nobody
  // answering; the bridge then kept the emptied conference for the focus.)
  const log = bridge.log();
  const meeting = /room=(\S+): conference created/.exec(log)[1];
  const reconnected = log.lastIndexOf('connected to XMPP server');
  const ended = log.indexOf(`room=${meeting}: conference ended`, reconnected);
  const recreated = log.indexOf(`room=${meeting}: conference created`, reconnected);
  assert.ok(ended > reconnected, 'the focus expired the old conference once the bridge was back');
  assert.ok(recreated > ended, 'the old conference was expired before it was created again');
  assert.match(log, /ep=carol03: endpoint expired/, 'carol\'s old endpoint is gone');
  step('the bridge holds exactly the two new endpoints: the old call is gone, carol\'s endpoint too');

  for (const c of back) await c.xmpp.leaveRoom(room, c.nick);
  await waitMetrics(bridge, (m) => m.endpoints === 0 && m.conferences === 0, 'nothing');
  step('alice and bob left: nothing left on the bridge');
  await relay.close();
  for (const sock of sinks) sock.close();
}, { deadline: 150000 });
