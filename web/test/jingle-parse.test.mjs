// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentFor, firstTransport, parseJingle, parseJsonSources } from '../jingle/parse.js';
import { jingleOf, parseXml } from './helpers.mjs';

test('session-initiate with JSON sources: contents, codecs, transport, group, bridge-session', () => {
  const m = parseJingle(jingleOf('session-initiate-json.xml'));
  assert.equal(m.action, 'session-initiate');
  assert.equal(m.sid, '4k8b5s1tq0vfe');
  assert.equal(m.initiator, 'focus.meet.parley.test/focus');
  assert.deepEqual(m.contents.map((c) => c.name), ['audio', 'video']);
  assert.deepEqual(m.warnings, []);

  const audio = contentFor(m, 'audio').description;
  assert.equal(audio.maxptime, 60);
  assert.deepEqual(audio.payloadTypes.map((p) => [p.id, p.name, p.clockrate, p.channels]),
    [[111, 'opus', 48000, 2], [126, 'telephone-event', 8000, null]]);
  assert.deepEqual(audio.payloadTypes[0].parameters,
    [{ name: 'minptime', value: '10' }, { name: 'useinbandfec', value: '1' }]);
  assert.deepEqual(audio.payloadTypes[0].rtcpFb, [{ type: 'transport-cc', subtype: null }]);
  assert.deepEqual(audio.hdrexts.map((h) => h.id), [1, 10, 5]);
  assert.equal(audio.extmapAllowMixed, true);
  assert.equal(audio.rtcpMux, true);

  const video = contentFor(m, 'video').description;
  assert.deepEqual(video.payloadTypes.map((p) => p.id), [41, 100, 107, 101, 42, 96, 99, 97]);
  const h264 = video.payloadTypes.find((p) => p.id === 107);
  assert.equal(h264.parameters[0].name, 'profile-level-id');
  assert.equal(video.payloadTypes.find((p) => p.id === 96).parameters[0].value, '100');
  assert.deepEqual(video.payloadTypes[1].rtcpFb.map((f) => `${f.type}/${f.subtype}`),
    ['ccm/fir', 'nack/null', 'nack/pli', 'transport-cc/null']);

  const t = firstTransport(m);
  assert.equal(t.ufrag, 'bq3ae1huoolmnn');
  assert.equal(t.pwd, '2hhh4pt5gkk4hmkcsi8j7c2oc7');
  assert.equal(t.fingerprints[0].hash, 'sha-256');
  assert.equal(t.fingerprints[0].setup, 'actpass');
  assert.match(t.fingerprints[0].value, /^8B:5E:47/);
  assert.equal(t.candidates.length, 2);
  assert.deepEqual(t.candidates[1], {
    foundation: '2', component: 1, protocol: 'udp', priority: 1694498815, ip: '192.0.2.10',
    port: 10000, type: 'srflx', relAddr: '127.0.0.1', relPort: 10000, generation: 0, network: 0,
    id: '6b3c1f2a2', tcptype: null,
  });
  assert.deepEqual(t.webSockets,
    ['ws://127.0.0.1:8080/colibri-ws/jvb1/c0ffee12/9f1c2e3d?pwd=4a5b6c7d8e9f0a1b2c3d4e5f']);
  assert.deepEqual(m.groups, [{ semantics: 'BUNDLE', contents: ['audio', 'video'] }]);
  assert.deepEqual(m.bridgeSession, { id: 'a3f1d2c4-7b8e-4f0a-9c1d-2e3f4a5b6c7d', region: 'default', restart: false });
});

test('session-initiate with JSON sources: every owner, media, name, msid, group', () => {
  const m = parseJingle(jingleOf('session-initiate-json.xml'));
  const by = Object.fromEntries(m.sources.map((s) => [s.ssrc, s]));
  assert.equal(m.sources.length, 7);
  assert.deepEqual(by[3511420003], {
    ssrc: 3511420003, name: 'jvb-v0', media: 'video', owner: 'jvb',
    msid: 'mixedmslabel mixedlabelvideo0', videoType: 'camera',
  });
  assert.equal(by[1902118822].media, 'audio');
  assert.equal(by[1902118822].videoType, null);
  assert.equal(by[2208340012].owner, '7e3a91bc');
  assert.equal(by[400000001].videoType, 'desktop');
  assert.equal(by[400000001].name, 'c41d9e07-v1');
  assert.deepEqual(m.ssrcGroups, [{ media: 'video', semantics: 'FID', ssrcs: [2208340011, 2208340012] }]);
});

test('session-initiate with XML sources: ssrc-info owner JID gives the endpoint, data content kept apart', () => {
  const m = parseJingle(jingleOf('session-initiate-xml.xml'));
  assert.deepEqual(m.contents.map((c) => [c.name, c.media]),
    [['audio', 'audio'], ['video', 'video'], ['data', 'application']]);
  assert.equal(m.contents[2].transport.sctp.number, 5000);
  const a = m.sources.find((s) => s.ssrc === 104455667);
  assert.equal(a.owner, '7e3a91bc');
  assert.equal(a.msid, '7e3a91bc-audio-0-1 1b2c3d4e');
  assert.equal(a.name, '7e3a91bc-a0');
  assert.deepEqual(m.ssrcGroups, [{ media: 'video', semantics: 'FID', ssrcs: [2208340011, 2208340012] }]);
  assert.deepEqual(m.startMuted, { audio: false, video: true });
  assert.equal(m.bridgeSession, null);
  assert.equal(m.sources.filter((s) => s.media === 'video').length, 3);
});

test('source-remove in XML form and session-terminate reason', () => {
  const m = parseJingle(jingleOf('source-remove-xml.xml'));
  assert.deepEqual(m.sources.map((s) => [s.ssrc, s.media]), [[400000010, 'audio']]);
  const t = parseJingle(parseXml(`<jingle xmlns="urn:xmpp:jingle:1" action="session-terminate" sid="x">
    <reason><success/><text>moving</text></reason></jingle>`));
  assert.deepEqual(t.reason, { condition: 'success', text: 'moving' });
});

test('JSON sources: trailing groups optional, malformed entries dropped with a warning', () => {
  const w = [];
  const r = parseJsonSources(JSON.stringify({ sources: {
    ep1: [[{ s: 1, n: 'ep1-v0' }, { s: -5 }, { n: 'x' }], [['f', 1, 2], ['x', 1], ['s']], [{ s: '7', n: 'ep1-a0' }]],
    ep2: 'nope',
    'room@conference.example/ep3': [[], [], [{ s: 4294967295 }], [['s', 4294967295]]],
  } }), w);
  assert.deepEqual(r.sources.map((s) => [s.ssrc, s.media, s.owner]),
    [[1, 'video', 'ep1'], [7, 'audio', 'ep1'], [4294967295, 'audio', 'ep3']]);
  assert.deepEqual(r.groups.map((g) => g.semantics), ['FID', 'SIM']);
  assert.equal(w.length, 5);
  const bad = [];
  assert.deepEqual(parseJsonSources('{not json', bad), { sources: [], groups: [] });
  assert.equal(bad.length, 1);
  assert.deepEqual(parseJsonSources('{"type":"other"}', []), { sources: [], groups: [] });
});

test('hostile values never reach the model: bad ssrc, candidate ip with spaces, out-of-range port', () => {
  const m = parseJingle(parseXml(`<jingle xmlns="urn:xmpp:jingle:1" action="session-initiate" sid="s">
    <content name="audio"><description xmlns="urn:xmpp:jingle:apps:rtp:1" media="audio">
      <payload-type id="111" name="opus" clockrate="48000"/>
      <payload-type id="300" name="bad"/>
      <source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="4294967296"/>
      <source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="12abc"/>
    </description>
    <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="u" pwd="p">
      <candidate component="1" foundation="1" priority="1" protocol="udp" type="host" ip="1.2.3.4\r\na=evil" port="1"/>
      <candidate component="1" foundation="1" priority="1" protocol="udp" type="host" ip="1.2.3.4" port="70000"/>
    </transport></content></jingle>`));
  assert.equal(m.contents[0].description.payloadTypes.length, 1);
  assert.equal(m.sources.length, 0);
  assert.equal(m.warnings.length, 2);
  assert.equal(m.contents[0].transport.candidates.length, 0);
});
