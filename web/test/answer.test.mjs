// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildIceFailed, buildSessionAccept, buildSessionTerminate, buildSourceChange, buildTransportInfo,
  diffSources, localSources, sendersFromDirection,
} from '../jingle/answer.js';
import { parseJingle } from '../jingle/parse.js';
import { candidateFromSdp, candidateToSdp, fmtpToParameters, parametersToFmtp, parseSdp } from '../jingle/sdp.js';
import { serialize } from '../jingle/xml.js';
import { fixtureText, parseXml } from './helpers.mjs';

// A real Chromium answer to the offer built from session-initiate-json.xml (see
// test/e2e/sdp-chromium.mjs, which regenerates it): mids 0 (our audio) and 3 (our video).
const ANSWER = fixtureText('chromium-answer.sdp').replace(/\r?\n/g, '\r\n');
const MIDS = { audio: '0', video: '3' };

test('local SDP parse: per m-line direction, ssrcs, groups, ICE and DTLS', () => {
  const p = parseSdp(ANSWER);
  assert.equal(p.media.length, 6);
  assert.deepEqual(p.media.map((m) => m.direction), ['sendrecv', 'recvonly', 'recvonly', 'sendrecv', 'recvonly', 'recvonly']);
  assert.equal(p.media[0].ufrag, 'KVsR');
  assert.equal(p.media[0].setup, 'active');
  assert.equal(p.media[3].ssrcGroups[0].semantics, 'FID');
  assert.equal(p.media[3].ssrcs.size, 2);
  assert.equal(p.session.groups[0].mids.join(' '), '0 1 2 3 4 5');
});

test('our sources: names <ep>-a0 / <ep>-v0 on every SSRC, msid kept, FID group', () => {
  const l = localSources(ANSWER, 'ab12cd34');
  assert.deepEqual(l.sources.map((s) => [s.ssrc, s.name, s.media, s.videoType]), [
    [1242114602, 'ab12cd34-a0', 'audio', null],
    [1967674311, 'ab12cd34-v0', 'video', 'camera'],
    [529400169, 'ab12cd34-v0', 'video', 'camera'],
  ]);
  assert.equal(l.sources[1].msid, 'beee3ac7-c03a-4ed5-ab86-cbb668aab6d2 d1151deb-f28c-4bb8-95fe-287b25905a6f');
  assert.deepEqual(l.groups, [{ media: 'video', semantics: 'FID', ssrcs: [1967674311, 529400169] }]);
});

test('session-accept round-trips through the Jingle parser as the focus would read it', () => {
  const { jingle, sources } = buildSessionAccept({
    sid: '4k8b5s1tq0vfe', initiator: 'focus.meet.parley.test/focus',
    responder: 'abc@meet.parley.test/r1', sdp: ANSWER, endpointId: 'ab12cd34', mids: MIDS, initialLastN: 10,
  });
  assert.equal(sources.sources.length, 3);
  const xml = serialize(jingle);
  const m = parseJingle(parseXml(xml));
  assert.equal(m.action, 'session-accept');
  assert.equal(m.sid, '4k8b5s1tq0vfe');
  assert.equal(m.responder, 'abc@meet.parley.test/r1');
  assert.deepEqual(m.contents.map((c) => [c.name, c.creator, c.senders]),
    [['audio', 'responder', 'both'], ['video', 'responder', 'both']]);
  assert.deepEqual(m.groups, [{ semantics: 'BUNDLE', contents: ['audio', 'video'] }]);
  const a = m.contents[0];
  assert.deepEqual(a.description.payloadTypes.map((p) => [p.id, p.name, p.clockrate, p.channels]),
    [[111, 'opus', 48000, 2], [126, 'telephone-event', 8000, null]]);
  assert.deepEqual(a.description.payloadTypes[0].parameters,
    [{ name: 'minptime', value: '10' }, { name: 'useinbandfec', value: '1' }]);
  assert.deepEqual(a.description.hdrexts.map((h) => h.id), [1, 5, 10]);
  assert.equal(a.description.rtcpMux, true);
  assert.equal(a.description.extmapAllowMixed, true);
  const v = m.contents[1];
  assert.equal(v.description.payloadTypes.find((p) => p.id === 96).parameters[0].value, '100');
  assert.deepEqual(v.description.payloadTypes.find((p) => p.id === 100).rtcpFb.map((f) => f.type),
    ['transport-cc', 'ccm', 'nack', 'nack']);
  for (const c of m.contents) {
    assert.equal(c.transport.ufrag, 'KVsR');
    assert.equal(c.transport.pwd, 'IQthIixYCvsHIr3za8bGZSna');
    assert.deepEqual(c.transport.fingerprints.map((f) => [f.hash, f.setup]), [['sha-256', 'active']]);
  }
  assert.deepEqual(m.sources.map((s) => [s.ssrc, s.name, s.media]), [
    [1242114602, 'ab12cd34-a0', 'audio'], [1967674311, 'ab12cd34-v0', 'video'], [529400169, 'ab12cd34-v0', 'video'],
  ]);
  assert.equal(m.sources[0].msid, 'beee3ac7-c03a-4ed5-ab86-cbb668aab6d2 db75e523-3c83-4000-9016-a30c012f45e2');
  assert.deepEqual(m.ssrcGroups, [{ media: 'video', semantics: 'FID', ssrcs: [1967674311, 529400169] }]);
  assert.match(xml, /<initial-last-n xmlns="jitsi:colibri2" value="10"\/>/);
  // Sources are in the description (ssma:0 namespace), as Jicofo's EndpointSourceSet reads them.
  assert.match(xml, /<description xmlns="urn:xmpp:jingle:apps:rtp:1" media="video">.*<source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="1967674311" name="ab12cd34-v0" videoType="camera"><parameter name="msid"/);
});

test('receive-only answer (no camera, no microphone): no sources, senders=initiator', () => {
  const recvOnly = ANSWER.split('\r\n').filter((l) => !l.startsWith('a=ssrc'))
    .map((l) => (l === 'a=sendrecv' ? 'a=recvonly' : l)).join('\r\n');
  const { jingle, sources } = buildSessionAccept({
    sid: 's', initiator: 'i', responder: 'r', sdp: recvOnly, endpointId: 'e', mids: MIDS,
  });
  assert.deepEqual(sources, { sources: [], groups: [] });
  const m = parseJingle(parseXml(serialize(jingle)));
  assert.deepEqual(m.contents.map((c) => c.senders), ['initiator', 'initiator']);
  assert.equal(m.sources.length, 0);
});

test('candidates: SDP <-> Jingle both ways, transport-info for trickle', () => {
  const line = 'candidate:3413454342 1 udp 2113937151 127.0.0.1 54321 typ host generation 0 ufrag KVsR network-cost 999';
  const c = candidateFromSdp(line);
  assert.equal(c.ip, '127.0.0.1');
  assert.equal(c.port, 54321);
  assert.equal(c.priority, 2113937151);
  assert.equal(c.type, 'host');
  assert.equal(candidateToSdp(c), 'candidate:3413454342 1 udp 2113937151 127.0.0.1 54321 typ host generation 0');
  const srflx = candidateFromSdp('a=candidate:842163049 1 udp 1677729535 203.0.113.5 61000 typ srflx raddr 10.0.0.2 rport 61000 generation 0');
  assert.equal(srflx.relAddr, '10.0.0.2');
  assert.equal(srflx.relPort, 61000);
  assert.equal(candidateFromSdp('candidate:garbage'), null);
  assert.equal(candidateFromSdp(''), null);

  const ti = buildTransportInfo({
    sid: 's1', initiator: 'focus.x/focus', media: 'audio', ufrag: 'KVsR', pwd: 'IQth',
    fingerprint: { hash: 'sha-256', value: 'AA:BB' }, setup: 'active', candidates: [line, 'bogus'],
  });
  const m = parseJingle(parseXml(serialize(ti)));
  assert.equal(m.action, 'transport-info');
  assert.equal(m.contents[0].name, 'audio');
  const t = m.contents[0].transport;
  assert.equal(t.ufrag, 'KVsR');
  assert.equal(t.candidates.length, 1);
  assert.equal(t.candidates[0].port, 54321);
  assert.equal(t.candidates[0].generation, 0);
  assert.deepEqual(t.fingerprints.map((f) => [f.hash, f.setup, f.value]), [['sha-256', 'active', 'AA:BB']]);
  assert.equal(t.iceGeneration, null);
  const restarted = parseJingle(parseXml(serialize(buildTransportInfo({
    sid: 's1', initiator: 'i', ufrag: 'new', pwd: 'newpwd', candidates: [], iceGeneration: 1,
  }))));
  assert.equal(restarted.contents[0].transport.iceGeneration, 1);
  assert.equal(restarted.contents[0].transport.ufrag, 'new');
});

test('source diff drives source-add / source-remove in XML form', () => {
  const before = localSources(ANSWER, 'e1');
  const noVideo = ANSWER.replace(/a=ssrc[^\r]*1967674311[^\r]*\r\n|a=ssrc[^\r]*529400169[^\r]*\r\n/g, '');
  const after = localSources(noVideo, 'e1');
  const d = diffSources(before, after);
  assert.deepEqual(d.added, { sources: [], groups: [] });
  assert.deepEqual(d.removed.sources.map((s) => s.ssrc), [1967674311, 529400169]);
  assert.equal(d.removed.groups.length, 1);
  const xml = serialize(buildSourceChange('source-remove', { sid: 's', initiator: 'i', ...d.removed }));
  const m = parseJingle(parseXml(xml));
  assert.equal(m.action, 'source-remove');
  assert.deepEqual(m.contents.map((c) => c.name), ['video']);
  assert.deepEqual(m.sources.map((s) => [s.ssrc, s.name]), [[1967674311, 'e1-v0'], [529400169, 'e1-v0']]);
  assert.deepEqual(m.ssrcGroups[0].ssrcs, [1967674311, 529400169]);
  assert.deepEqual(diffSources(before, before).added.sources, []);
});

test('session-terminate (plain, restart) and ICE-failed session-info', () => {
  const t = parseJingle(parseXml(serialize(buildSessionTerminate({ sid: 's', initiator: 'i', text: 'bye' }))));
  assert.deepEqual(t.reason, { condition: 'success', text: 'bye' });
  assert.equal(t.bridgeSession, null);
  const r = parseJingle(parseXml(serialize(buildSessionTerminate({
    sid: 's', initiator: 'i', reason: 'connectivity-error', bridgeSessionId: 'b1', restart: true,
  }))));
  assert.deepEqual(r.reason, { condition: 'connectivity-error', text: null });
  assert.deepEqual(r.bridgeSession, { id: 'b1', region: null, restart: true });
  const xml = serialize(buildIceFailed({ sid: 's', initiator: 'i', bridgeSessionId: 'b1' }));
  assert.match(xml, /action="session-info"/);
  assert.match(xml, /<ice-state xmlns="http:\/\/jitsi.org\/protocol\/focus">failed<\/ice-state>/);
  assert.match(xml, /<bridge-session xmlns="http:\/\/jitsi.org\/protocol\/focus" id="b1"\/>/);
});

test('fmtp <-> parameters, senders mapping', () => {
  assert.deepEqual(fmtpToParameters('minptime=10;useinbandfec=1'), [
    { name: 'minptime', value: '10' }, { name: 'useinbandfec', value: '1' }]);
  assert.deepEqual(fmtpToParameters('111/111'), [{ name: null, value: '111/111' }]);
  assert.equal(parametersToFmtp([{ name: null, value: '111/111' }]), '111/111');
  assert.equal(parametersToFmtp([{ name: 'profile-level-id', value: '42e01f;packetization-mode=1;' }]),
    'profile-level-id=42e01f;packetization-mode=1');
  assert.deepEqual(['sendrecv', 'sendonly', 'recvonly', 'inactive'].map(sendersFromDirection),
    ['both', 'responder', 'initiator', 'none']);
});

test('our sources: the screen share is <ep>-v1 with videoType desktop, whatever its m-line position', () => {
  // Chromium's answer with a third sending m-line (mid 6): our screen share.
  const withScreen = `${ANSWER}m=video 9 UDP/TLS/RTP/SAVPF 100 96\r\nc=IN IP4 0.0.0.0\r\na=mid:6\r\na=sendonly\r\n`
    + 'a=msid:screen-stream screen-track\r\na=ssrc-group:FID 7001 7002\r\na=ssrc:7001 msid:screen-stream screen-track\r\n'
    + 'a=ssrc:7002 msid:screen-stream screen-track\r\n';
  const names = { 0: { name: 'ab12cd34-a0' }, 3: { name: 'ab12cd34-v0', videoType: 'camera' }, 6: { name: 'ab12cd34-v1', videoType: 'desktop' } };
  const l = localSources(withScreen, 'ab12cd34', names);
  assert.deepEqual(l.sources.filter((s) => s.ssrc === 7001 || s.ssrc === 7002).map((s) => [s.ssrc, s.name, s.videoType]),
    [[7001, 'ab12cd34-v1', 'desktop'], [7002, 'ab12cd34-v1', 'desktop']]);
  assert.ok(l.groups.some((g) => g.semantics === 'FID' && g.ssrcs.join() === '7001,7002'));
  // Without the camera sending, the screen is still -v1 (Jitsi's naming), not -v0.
  const noCam = withScreen.split(/(?=\r\nm=)/).map((sec) => (sec.includes('a=mid:3\r\n')
    ? sec.replace('a=sendrecv', 'a=recvonly').replace(/\r\na=ssrc[^\r]*/g, '') : sec)).join('');
  const l2 = localSources(noCam, 'ab12cd34', names);
  assert.deepEqual([...new Set(l2.sources.filter((s) => s.media === 'video').map((s) => s.name))], ['ab12cd34-v1']);
  // In source-add XML, videoType travels as an attribute, as Jitsi sends it.
  const add = diffSources({ sources: [], groups: [] }, l);
  const xml = serialize(buildSourceChange('source-add', { sid: 's', initiator: 'i', ...add.added }));
  assert.match(xml, /<source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="7001" name="ab12cd34-v1" videoType="desktop">/);
  // And the focus's parser view of it: the desktop source is read back as desktop.
  const back = parseJingle(parseXml(xml));
  assert.ok(back.sources.some((s) => s.ssrc === 7001 && s.videoType === 'desktop' && s.name === 'ab12cd34-v1'));
});
