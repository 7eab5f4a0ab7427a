// SPDX-License-Identifier: MIT
// A loopback TCP relay for tests that need to break a connection without stopping either
// end: a program connects to the relay's port, the relay connects on to the target, and
// cut() drops every relayed connection at once (both sockets destroyed, as a network failure
// or a restarted NAT would). New connections are relayed again right away, unless pause()
// holds them off. State belongs to the Node.js event loop thread.
//
//   const relay = await startTcpProxy({ port: 5348, targetPort: 5347 });
//   relay.cut();  ...  await relay.close();
import net from 'node:net';

/**
 * Listens on host:port (default 127.0.0.1) and relays to targetHost:targetPort. Resolves
 * with { port, connections() (count of live relayed connections), accepted() (total),
 * cut(), pause(), resume(), close() }.
 */
export function startTcpProxy({ host = '127.0.0.1', port, targetHost = '127.0.0.1', targetPort }) {
  const live = new Set();
  let accepted = 0;
  let paused = false;
  const server = net.createServer((client) => {
    if (paused) { client.destroy(); return; }
    accepted++;
    const upstream = net.connect({ host: targetHost, port: targetPort });
    const pair = { client, upstream };
    live.add(pair);
    const end = () => {
      live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: server.address().port,
        connections: () => live.size,
        accepted: () => accepted,
        cut() {
          for (const p of [...live]) {
            live.delete(p);
            p.client.destroy();
            p.upstream.destroy();
          }
        },
        pause() { paused = true; },
        resume() { paused = false; },
        close() {
          this.cut();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}
