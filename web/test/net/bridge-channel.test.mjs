// SPDX-License-Identifier: MIT
// BridgeChannel against a real WebSocket server (the `ws` package) on 127.0.0.1.
// Opens sockets: run inside tests/netns-run.sh (node --test web/test/net/*.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from 'ws';
import { BridgeChannel } from '../../colibri/bridge-channel.js';

function server() {
  return new Promise((resolve) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(wss));
  });
}

const once = (target, name) => new Promise((r) => target.addEventListener(name, (e) => r(e.detail), { once: true }));
const nextMessage = (sock) => new Promise((r) => sock.once('message', (d) => r(JSON.parse(String(d)))));

test('ServerHello, EndpointMessage both ways, constraints, unknown classes ignored', async () => {
  const wss = await server();
  const url = `ws://127.0.0.1:${wss.address().port}/colibri-ws/jvb1/conf1/ep1?pwd=secret`;
  const conns = [];
  const paths = [];
  wss.on('connection', (s, req) => {
    conns.push(s);
    paths.push(req.url);
    s.send(JSON.stringify({ colibriClass: 'ServerHello', version: 'parley-test' }));
  });
  const ch = new BridgeChannel(url, { WebSocketImpl: WebSocket });
  // Sent before the socket is open: queued, delivered once it opens.
  ch.sendEndpointMessage({ type: 'early' });
  const hello = once(ch, 'hello');
  ch.connect();
  assert.equal((await hello).version, 'parley-test');
  assert.equal(paths[0], '/colibri-ws/jvb1/conf1/ep1?pwd=secret');
  const sock = conns[0];
  const first = await nextMessage(sock);
  assert.deepEqual(first, { colibriClass: 'EndpointMessage', to: '', msgPayload: { type: 'early' } });

  const got = nextMessage(sock);
  assert.equal(ch.sendEndpointMessage({ hello: 'bob' }, 'b0b0b0b0'), true);
  assert.deepEqual(await got, { colibriClass: 'EndpointMessage', to: 'b0b0b0b0', msgPayload: { hello: 'bob' } });

  const c = nextMessage(sock);
  ch.sendReceiverConstraints({ lastN: -1, defaultConstraints: { maxHeight: 360 } });
  assert.deepEqual(await c, { colibriClass: 'ReceiverVideoConstraints', lastN: -1, defaultConstraints: { maxHeight: 360 } });

  const msg = once(ch, 'endpoint-message');
  sock.send('not json');
  sock.send(JSON.stringify({ colibriClass: 'SomethingNew', x: 1 }));
  sock.send(JSON.stringify({ colibriClass: 'EndpointMessage', from: 'a1a1a1a1', to: '', msgPayload: { n: 42 } }));
  assert.deepEqual(await msg, { from: 'a1a1a1a1', to: '', payload: { n: 42 } });
  assert.equal(ch.stats.ignored, 2);

  const ds = once(ch, 'dominant-speaker');
  sock.send(JSON.stringify({ colibriClass: 'DominantSpeakerEndpointChangeEvent', dominantSpeakerEndpoint: 'a1a1a1a1', previousSpeakers: [] }));
  assert.equal((await ds).id, 'a1a1a1a1');
  const conn = once(ch, 'connectivity');
  sock.send(JSON.stringify({ colibriClass: 'EndpointConnectivityStatusChangeEvent', endpoint: 'a1a1a1a1', active: 'false' }));
  assert.deepEqual(await conn, { id: 'a1a1a1a1', active: false });
  const fwd = once(ch, 'forwarded-sources');
  sock.send(JSON.stringify({ colibriClass: 'ForwardedSources', forwardedSources: ['a1a1a1a1-v0'] }));
  assert.deepEqual(await fwd, ['a1a1a1a1-v0']);

  ch.close();
  await new Promise((r) => wss.close(r));
});

test('reconnects after the bridge drops the socket and resends the receiver constraints', async () => {
  const wss = await server();
  const url = `ws://127.0.0.1:${wss.address().port}/colibri-ws/x/y/z?pwd=p`;
  const conns = [];
  wss.on('connection', (s) => conns.push(s));
  const ch = new BridgeChannel(url, { WebSocketImpl: WebSocket });
  const opened = once(ch, 'open');
  ch.connect();
  await opened;
  ch.sendReceiverConstraints({ lastN: 3 });
  await nextMessage(conns[0]);
  const reconnecting = once(ch, 'reconnecting');
  conns[0].close(1001, 'going away');
  assert.ok((await reconnecting).delay >= 1000);
  const reopened = once(ch, 'open');
  const second = new Promise((r) => wss.once('connection', (s) => r(nextMessage(s))));
  await reopened;
  assert.deepEqual(await second, { colibriClass: 'ReceiverVideoConstraints', lastN: 3 });
  ch.close();
  await new Promise((r) => wss.close(r));
});

test('proxy origin rewriting keeps path and password', () => {
  assert.equal(BridgeChannel.effectiveUrl('ws://10.0.0.5:8080/colibri-ws/j/c/e?pwd=x', 'https://meet.example.org'),
    'wss://meet.example.org/colibri-ws/j/c/e?pwd=x');
  assert.equal(BridgeChannel.effectiveUrl('wss://a/b', undefined), 'wss://a/b');
});
