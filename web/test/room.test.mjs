// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJid, displayRoomName, newEndpointId, normalizeRoomName, randomRoomName, roomFromPath, roomPath,
  sameBareJid, splitTenant } from '../room.js';
import { roomNameStrength } from '../roomname.js';
import { backoffDelay } from '../xmpp/focus.js';
import { bridgeBackend, isMeetingPath, parseArgs, resolveStatic } from '../serve.mjs';

test('room names normalise like Jitsi Meet and stay valid JID localparts', () => {
  assert.equal(normalizeRoomName('Team Sync'), 'team%20sync');
  assert.equal(normalizeRoomName('team%20sync'), 'team%20sync');
  assert.equal(normalizeRoomName('ＡＢＣ'), 'abc'); // NFKC folds full-width letters
  assert.equal(normalizeRoomName("o'neil@x/y"), 'o%27neil%40x%2fy');
  assert.equal(normalizeRoomName('%E0%A4%A'), '%25e0%25a4%25a'); // undecodable: taken literally
  assert.equal(normalizeRoomName('x'.repeat(300)).length, 200);
  assert.equal(roomFromPath('/Quarterly-Review'), 'quarterly-review');
  assert.equal(roomFromPath('/'), '');
});

test('room names: escapes are lower case, as the XMPP server stores the room (Unicode names)', () => {
  // Upper-case escapes made the client miss its own join: the server folds the localpart.
  assert.equal(normalizeRoomName('zürich-team-42'), 'z%c3%bcrich-team-42');
  assert.equal(normalizeRoomName('Zürich-Team-42'), 'z%c3%bcrich-team-42');
  assert.equal(normalizeRoomName('z%C3%BCrich-team-42'), 'z%c3%bcrich-team-42');
  assert.equal(normalizeRoomName('Café 会議'), 'caf%c3%a9%20%e4%bc%9a%e8%ad%b0');
  assert.equal(displayRoomName(normalizeRoomName('Café 会議')), 'café 会議');
  assert.equal(normalizeRoomName('Team.Sync'), 'team.sync');
  assert.equal(normalizeRoomName('[acme]x'), '%5bacme%5dx'); // typed brackets never look like a tenant
  // Cut at 200 characters without splitting an escape or a character's escapes.
  for (const n of [66, 67, 100]) {
    const r = normalizeRoomName('é'.repeat(n));
    assert.ok(r.length <= 200 && r.length % 6 === 0, `${n}: ${r.length}`);
    assert.doesNotThrow(() => decodeURIComponent(r));
  }
  assert.doesNotThrow(() => decodeURIComponent(normalizeRoomName(`a${'会'.repeat(80)}`)));
});

test('room names: /tenant/room maps to [tenant]room, as Jitsi\'s domain mapper does', () => {
  assert.equal(roomFromPath('/acme/standup'), '[acme]standup');
  assert.equal(roomFromPath('/ACME/Retro'), '[acme]retro');
  assert.notEqual(roomFromPath('/acme/standup'), roomFromPath('/acme/retro'));
  assert.notEqual(roomFromPath('/acme/standup'), roomFromPath('/standup'));
  assert.equal(roomFromPath('/acme/'), 'acme');
  assert.equal(roomFromPath('/Über/Café'), '[%c3%bcber]caf%c3%a9');
  assert.deepEqual(splitTenant('[acme]standup'), { tenant: 'acme', name: 'standup' });
  assert.deepEqual(splitTenant('standup'), { tenant: null, name: 'standup' });
  assert.equal(roomPath('[acme]standup'), '/acme/standup');
  assert.equal(roomPath('team.sync'), '/team.sync');
  assert.equal(roomFromPath(roomPath('[%c3%bcber]caf%c3%a9')), '[%c3%bcber]caf%c3%a9');
  assert.equal(displayRoomName('[acme]caf%c3%a9'), 'acme/café');
});

test('JIDs compare in canonical form: the room the server names is the room we joined', () => {
  assert.equal(canonicalJid('Z%C3%BCrich@Conference.Meet.Test/Nick'), 'z%c3%bcrich@conference.meet.test/Nick');
  assert.ok(sameBareJid('z%C3%BCrich@conference.x', 'z%c3%bcrich@conference.x/ab12'));
  assert.ok(sameBareJid('ＡＢＣ@x', 'abc@X'));
  assert.ok(!sameBareJid('abc@x', 'abd@x'));
  assert.ok(!sameBareJid('[acme]a@x', 'a@x'));
  assert.ok(!sameBareJid(null, 'a@x'));
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
  // Several bridges: each bridge id's colibri-ws to its own backend, the rest to the default.
  const b = parseArgs(['--bridge', 'http://127.0.0.1:8080', '--bridge', 'jvb-two=http://127.0.0.1:8081'], {});
  assert.equal(bridgeBackend(b, '/colibri-ws/jvb-two/conf/ep'), 'http://127.0.0.1:8081');
  assert.equal(bridgeBackend(b, '/colibri-ws/jvb-1/conf/ep'), 'http://127.0.0.1:8080');
  assert.equal(bridgeBackend(b, '/colibri-ws/__proto__/conf/ep'), 'http://127.0.0.1:8080');
  const only = parseArgs(['--bridge', 'jvb-two=http://127.0.0.1:8081'], {});
  assert.equal(bridgeBackend(only, '/colibri-ws/jvb-1/conf/ep'), null);
  assert.throws(() => parseArgs(['--bridge', 'jvb-two=https://x'], {}), /--bridge jvb-two=/);
  assert.throws(() => parseArgs(['--bridge', 'jvb-two=nonsense'], {}), /not a URL/);
  assert.ok(resolveStatic('/app.js').endsWith('/web/app.js'));
  assert.ok(resolveStatic('/jingle/offer.js').endsWith('/web/jingle/offer.js'));
  // Dot-dot segments collapse at the root: never outside web/.
  assert.ok(resolveStatic('/../../etc/passwd').endsWith('/web/etc/passwd'));
  for (const p of ['/node_modules/ws/index.js', '/serve.mjs', '/.git/config',
    '/test/helpers.mjs', '/%2e%2e/node_modules/x', '/jingle/%00.js', '/package.json']) {
    assert.equal(resolveStatic(p), null, p);
  }
  // Meeting paths: one or two segments, dots allowed; not web/'s folders, not deeper paths.
  for (const p of ['/team.sync', '/v1.2-review', '/acme/standup', '/caf%C3%A9', '/acme/team.sync']) {
    assert.ok(isMeetingPath(p), p);
  }
  for (const p of ['/ui/missing.js', '/jingle/x', '/a/b/c', '//x', '/node_modules', '/test/x', '/.git', '/a//']) {
    assert.ok(!isMeetingPath(p), p);
  }
});

test('codec list for presence puts the preferred codec first', async () => {
  const { codecList } = await import('../conference.js');
  assert.equal(codecList('VP8'), 'vp8,vp9,av1,h264');
  assert.equal(codecList('h264'), 'h264,vp8,vp9,av1');
  assert.equal(codecList('x'), 'vp8,vp9,av1,h264');
});

test('the example room in README.md and scripts/run.sh passes the room-name strength rule', async () => {
  const { readFileSync } = await import('node:fs');
  const top = new URL('../../', import.meta.url);
  const readme = readFileSync(new URL('README.md', top), 'utf8');
  const run = readFileSync(new URL('scripts/run.sh', top), 'utf8');
  const fromReadme = /http:\/\/127\.0\.0\.1:8000\/([^`\s]+)`; open it/.exec(readme)?.[1];
  const fromRun = /Open \$\{web_url\}(\S+) in a browser/.exec(run)?.[1];
  assert.ok(fromReadme && fromRun, 'both name an example room');
  assert.equal(fromReadme, fromRun);
  assert.equal(roomNameStrength(normalizeRoomName(fromReadme)), 'strong', fromReadme);
});
