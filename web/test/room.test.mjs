// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newEndpointId, normalizeRoomName, randomRoomName, roomFromPath } from '../room.js';
import { roomNameStrength } from '../roomname.js';
import { backoffDelay } from '../xmpp/focus.js';
import { parseArgs, resolveStatic } from '../serve.mjs';

test('room names normalise like Jitsi Meet and stay valid JID localparts', () => {
  assert.equal(normalizeRoomName('Team Sync'), 'team%20sync');
  assert.equal(normalizeRoomName('team%20sync'), 'team%20sync');
  assert.equal(normalizeRoomName('ＡＢＣ'), 'abc'); // NFKC folds full-width letters
  assert.equal(normalizeRoomName("o'neil@x/y"), 'o%27neil%40x%2Fy');
  assert.equal(normalizeRoomName('%E0%A4%A'), '%25e0%25a4%25a'); // undecodable: taken literally
  assert.equal(normalizeRoomName('x'.repeat(300)).length, 200);
  assert.equal(roomFromPath('/Quarterly-Review'), 'quarterly-review');
  assert.equal(roomFromPath('/'), '');
  assert.equal(roomFromPath('/a/b'), 'a');
});

test('ids and generated room names', () => {
  assert.match(newEndpointId(), /^[0-9a-f]{8}$/);
  assert.notEqual(newEndpointId(), newEndpointId());
  const r = randomRoomName();
  assert.match(r, /^[a-z]+-[a-z]+-\d{4}$/);
  assert.equal(normalizeRoomName(r), r);
});

test('generated room names are strong by the parley-room-name/1 rule', () => {
  for (let i = 0; i < 500; i++) {
    const r = randomRoomName();
    assert.equal(roomNameStrength(r), 'strong', r);
  }
});

test('conference request backoff: 1 s doubling, capped at 120 s', () => {
  assert.deepEqual([0, 1, 2, 3, 6, 7, 10].map((n) => backoffDelay(n)),
    [1000, 2000, 4000, 8000, 64000, 120000, 120000]);
});

test('web server: options and which paths are served', () => {
  const o = parseArgs(['--port', '8123', '--domain', 'meet.example.org', '--bridge', 'http://127.0.0.1:8080'], {});
  assert.equal(o.port, 8123);
  assert.equal(o.domain, 'meet.example.org');
  assert.throws(() => parseArgs(['--port', 'x'], {}), /--port/);
  assert.throws(() => parseArgs(['--domain', 'Bad Domain'], {}), /--domain/);
  assert.throws(() => parseArgs(['--xmpp', 'https://x'], {}), /--xmpp/);
  assert.throws(() => parseArgs(['--what'], {}), /unknown option/);
  assert.ok(resolveStatic('/app.js').endsWith('/web/app.js'));
  assert.ok(resolveStatic('/jingle/offer.js').endsWith('/web/jingle/offer.js'));
  // Dot-dot segments collapse at the root: never outside web/.
  assert.ok(resolveStatic('/../../etc/passwd').endsWith('/web/etc/passwd'));
  for (const p of ['/node_modules/ws/index.js', '/serve.mjs', '/.git/config',
    '/test/helpers.mjs', '/%2e%2e/node_modules/x', '/jingle/%00.js', '/package.json']) {
    assert.equal(resolveStatic(p), null, p);
  }
});

test('codec list for presence puts the preferred codec first', async () => {
  const { codecList } = await import('../conference.js');
  assert.equal(codecList('VP8'), 'vp8,vp9,av1,h264');
  assert.equal(codecList('h264'), 'h264,vp8,vp9,av1');
  assert.equal(codecList('x'), 'vp8,vp9,av1,h264');
});
