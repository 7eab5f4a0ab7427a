// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJingle } from '../jingle/parse.js';
import { RemoteOffer } from '../jingle/offer.js';
import { jingleOf, parseXml, sdpLines, sections } from './helpers.mjs';

function initiate(name = 'session-initiate-json.xml', opts) {
  return RemoteOffer.fromSessionInitiate(parseJingle(jingleOf(name)), opts);
}

const mid = (sec) => sec.find((l) => l.startsWith('a=mid:')).slice(6);
const dir = (sec) => sec.find((l) => /^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l)).slice(2);
const ssrcs = (sec) => [...new Set(sec.filter((l) => l.startsWith('a=ssrc:')).map((l) => Number(l.split(/[: ]/)[1])))];

test('one m-line per remote source, bridge sources first and sendrecv, others sendonly', () => {
  const offer = initiate();
  const sdp = offer.toSdp();
  const secs = sections(sdp);
  // audio: jvb-a0, 7e3a91bc-a0, c41d9e07-a0; video: jvb-v0, 7e3a91bc-v0 (+rtx), c41d9e07-v1
  assert.deepEqual(secs.map((s) => s[0].split(' ')[0]),
    ['m=audio', 'm=audio', 'm=audio', 'm=video', 'm=video', 'm=video']);
  assert.deepEqual(secs.map(mid), ['0', '1', '2', '3', '4', '5']);
  assert.deepEqual(secs.map(dir), ['sendrecv', 'sendonly', 'sendonly', 'sendrecv', 'sendonly', 'sendonly']);
  assert.deepEqual(secs.map(ssrcs), [[1902118822], [104455667], [400000010],
    [3511420003], [2208340011, 2208340012], [400000001]]);
  assert.deepEqual(sdpLines(sdp, 'a=group:'), ['a=group:BUNDLE 0 1 2 3 4 5']);
  assert.ok(secs[4].includes('a=ssrc-group:FID 2208340011 2208340012'));
  assert.ok(secs[4].includes('a=ssrc:2208340011 msid:7e3a91bc-video-0-1 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'));
  assert.equal(offer.localMid('audio'), '0');
  assert.equal(offer.localMid('video'), '3');
  assert.equal(offer.streamForMid('4').owner, '7e3a91bc');
  assert.equal(offer.streamForMid('5').videoType, 'desktop');
  assert.equal(offer.streamForMid('0').bridge, true);
});

test('codecs, feedback, header extensions, ICE and DTLS are written for every m-line', () => {
  const sdp = initiate().toSdp();
  const secs = sections(sdp);
  assert.equal(secs[0][0], 'm=audio 9 UDP/TLS/RTP/SAVPF 111 126');
  assert.equal(secs[3][0], 'm=video 9 UDP/TLS/RTP/SAVPF 41 100 107 101 42 96 99 97');
  for (const s of secs) {
    assert.ok(s.includes('a=ice-ufrag:bq3ae1huoolmnn'));
    assert.ok(s.includes('a=ice-pwd:2hhh4pt5gkk4hmkcsi8j7c2oc7'));
    assert.ok(s.includes('a=setup:actpass'));
    assert.ok(s.includes('a=rtcp-mux'));
    assert.ok(s.includes('a=extmap-allow-mixed'));
    assert.ok(s.some((l) => l.startsWith('a=fingerprint:sha-256 8B:5E:47:1C')));
  }
  assert.ok(secs[0].includes('a=rtpmap:111 opus/48000/2'));
  assert.ok(secs[0].includes('a=fmtp:111 minptime=10;useinbandfec=1'));
  assert.ok(secs[0].includes('a=rtcp-fb:111 transport-cc'));
  assert.ok(secs[0].includes('a=rtpmap:126 telephone-event/8000'));
  assert.ok(secs[0].includes('a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level'));
  assert.ok(secs[0].includes('a=maxptime:60'));
  assert.ok(secs[3].includes('a=fmtp:107 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1'));
  assert.ok(secs[3].includes('a=fmtp:96 apt=100'));
  assert.ok(secs[3].includes('a=rtcp-fb:100 ccm fir'));
  assert.ok(secs[3].includes('a=rtcp-fb:100 nack pli'));
  assert.ok(secs[3].includes('a=extmap:11 https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension'));
  // Candidates only on the BUNDLE-tagged m-line.
  assert.deepEqual(sdpLines(sdp, 'a=candidate:'), [
    'a=candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host generation 0',
    'a=candidate:2 1 udp 1694498815 192.0.2.10 10000 typ srflx raddr 127.0.0.1 rport 10000 generation 0',
  ]);
  assert.ok(secs[0].some((l) => l.startsWith('a=candidate:')));
  assert.ok(!secs[1].some((l) => l.startsWith('a=candidate:')));
  assert.match(sdp, /^v=0\r\no=- \d+ 1 IN IP4 0\.0\.0\.0\r\ns=-\r\nt=0 0\r\na=msid-semantic: WMS \*\r\n/);
  assert.ok(sdp.endsWith('\r\n'));
});

test('XML-form initiate: data content dropped, bridge video source still first', () => {
  const offer = initiate('session-initiate-xml.xml');
  const secs = sections(offer.toSdp());
  assert.deepEqual(secs.map((s) => s[0].split(' ')[0]), ['m=audio', 'm=audio', 'm=video', 'm=video']);
  assert.deepEqual(secs.map(ssrcs), [[1902118822], [104455667], [3511420003], [2208340011, 2208340012]]);
  assert.ok(!offer.toSdp().includes('application'));
});

test('source-add appends m-lines; source-remove rejects them; mids of the others never move', () => {
  const offer = initiate();
  offer.toSdp();
  const add = parseJingle(jingleOf('source-add-json.xml'));
  assert.deepEqual(offer.addSources(add.sources, add.ssrcGroups), ['video:5d0a77e1-v0', 'audio:5d0a77e1-a0']);
  let secs = sections(offer.toSdp());
  assert.deepEqual(secs.map(mid), ['0', '1', '2', '3', '4', '5', '6', '7']);
  assert.deepEqual(ssrcs(secs[6]), [90001, 90002]);
  assert.deepEqual(ssrcs(secs[7]), [90010]);
  assert.equal(offer.streamForMid('6').owner, '5d0a77e1');

  const rem = parseJingle(jingleOf('source-remove-json.xml'));
  assert.deepEqual(offer.removeSources(rem.sources, rem.ssrcGroups), ['1', '4']);
  const sdp = offer.toSdp();
  secs = sections(sdp);
  assert.equal(secs.length, 8);
  assert.equal(secs[1][0], 'm=audio 0 UDP/TLS/RTP/SAVPF 111 126');
  assert.equal(dir(secs[1]), 'inactive');
  assert.deepEqual(ssrcs(secs[1]), []);
  assert.equal(secs[4][0].split(' ')[1], '0');
  assert.ok(!sdp.includes('2208340011'));
  assert.ok(!sdp.includes('a=ssrc-group:FID 2208340011'));
  assert.deepEqual(sdpLines(sdp, 'a=group:'), ['a=group:BUNDLE 0 2 3 5 6 7']);
  assert.deepEqual(secs.map(mid), ['0', '1', '2', '3', '4', '5', '6', '7']);
  assert.match(sdp, /^v=0\r\no=- \d+ 3 IN IP4/);
});

test('a rejected m-line is recycled under a fresh mid for the next source of its media type', () => {
  const offer = initiate();
  const rem = parseJingle(jingleOf('source-remove-json.xml'));
  offer.removeSources(rem.sources, rem.ssrcGroups);
  offer.toSdp();
  const add = parseJingle(jingleOf('source-add-json.xml'));
  offer.addSources(add.sources, add.ssrcGroups);
  const sdp = offer.toSdp();
  const secs = sections(sdp);
  assert.equal(secs.length, 6);
  assert.deepEqual(secs.map(mid), ['0', '7', '2', '3', '6', '5']);
  assert.deepEqual(ssrcs(secs[1]), [90010]);
  assert.deepEqual(ssrcs(secs[4]), [90001, 90002]);
  assert.equal(secs[4][0].split(' ')[1], '9');
  assert.deepEqual(sdpLines(sdp, 'a=group:'), ['a=group:BUNDLE 0 7 2 3 6 5']);

  const noRecycle = initiate('session-initiate-json.xml', { recycle: false });
  noRecycle.removeSources(rem.sources, rem.ssrcGroups);
  noRecycle.addSources(add.sources, add.ssrcGroups);
  assert.equal(sections(noRecycle.toSdp()).length, 8);
});

test('bridge sources removed keep the local m-line; duplicates and unknown media are ignored', () => {
  const offer = initiate();
  const before = offer.toSdp();
  const init = parseJingle(jingleOf('session-initiate-json.xml'));
  assert.deepEqual(offer.addSources(init.sources, init.ssrcGroups), []);
  assert.equal(sections(offer.toSdp()).length, sections(before).length);
  assert.deepEqual(offer.removeSources([1902118822]), []);
  const secs = sections(offer.toSdp());
  assert.equal(secs[0][0].split(' ')[1], '9');
  assert.equal(dir(secs[0]), 'sendrecv');
  assert.deepEqual(ssrcs(secs[0]), []);
  assert.deepEqual(offer.addSources([{ ssrc: 5, media: 'application', name: 'x' }]), []);
});

test('no bridge sources: the local m-lines are bare sendrecv lines ahead of remote sources', () => {
  const j = parseXml(`<jingle xmlns="urn:xmpp:jingle:1" action="session-initiate" sid="s">
    <content name="audio"><description xmlns="urn:xmpp:jingle:apps:rtp:1" media="audio">
      <payload-type id="111" name="opus" clockrate="48000" channels="2"/></description>
      <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="u" pwd="p"/></content>
    <json-message xmlns="http://jitsi.org/jitmeet">{"sources":{"ab":[[],[],[{"s":77,"n":"ab-a0"}]]}}</json-message>
  </jingle>`);
  const offer = RemoteOffer.fromSessionInitiate(parseJingle(j));
  const secs = sections(offer.toSdp());
  assert.equal(secs.length, 2);
  assert.equal(dir(secs[0]), 'sendrecv');
  assert.deepEqual(ssrcs(secs[0]), []);
  assert.deepEqual(ssrcs(secs[1]), [77]);
  // No msid signalled: one is made up from owner and name so audio and video of one
  // participant share a stream id.
  assert.ok(secs[1].includes('a=ssrc:77 msid:ab ab-a0'));
});

test('line breaks in wire values cannot inject SDP lines', () => {
  const j = parseXml(`<jingle xmlns="urn:xmpp:jingle:1" action="session-initiate" sid="s">
    <content name="audio"><description xmlns="urn:xmpp:jingle:apps:rtp:1" media="audio">
      <payload-type id="111" name="opus&#13;&#10;a=evil" clockrate="48000"/></description>
      <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="u&#10;a=x" pwd="p"/></content>
    <json-message xmlns="http://jitsi.org/jitmeet">{"sources":{"ab":[[],[],[{"s":77,"n":"ab-a0","m":"s\\r\\na=evil t"}]]}}</json-message>
  </jingle>`);
  const sdp = RemoteOffer.fromSessionInitiate(parseJingle(j)).toSdp();
  assert.ok(!sdp.split('\r\n').some((l) => l.startsWith('a=evil') || l.startsWith('a=x')));
  assert.ok(!/[^\r]\n/.test(sdp));
});

test('a preferred video codec and its RTX go first on the video m= lines only', () => {
  const offer = initiate('session-initiate-json.xml', { preferredVideoCodec: 'vp8' });
  const secs = sections(offer.toSdp());
  assert.equal(secs[0][0], 'm=audio 9 UDP/TLS/RTP/SAVPF 111 126');
  assert.equal(secs[3][0], 'm=video 9 UDP/TLS/RTP/SAVPF 100 96 41 107 101 42 99 97');
  const unknown = initiate('session-initiate-json.xml', { preferredVideoCodec: 'H265' });
  assert.equal(sections(unknown.toSdp())[3][0], 'm=video 9 UDP/TLS/RTP/SAVPF 41 100 107 101 42 96 99 97');
});

test('screen share: a second local video m-line, offered recvonly, rejected when the share stops', () => {
  const offer = initiate();
  offer.toSdp();
  const d = offer.addLocalSlot('video', 'desktop');
  assert.equal(d, '6');
  assert.equal(offer.addLocalSlot('video', 'desktop'), '6'); // one at a time
  assert.equal(offer.localMid('video', 'desktop'), '6');
  assert.equal(offer.localMid('video'), '3'); // the camera keeps its m-line
  let secs = sections(offer.toSdp());
  assert.equal(secs.length, 7);
  assert.equal(secs[6][0].split(' ')[0], 'm=video');
  assert.equal(dir(secs[6]), 'recvonly'); // the bridge only receives: we answer sendonly
  assert.deepEqual(ssrcs(secs[6]), []);
  assert.equal(offer.streamForMid('6'), null);
  assert.ok(offer.bundleMids().includes('6'));
  // A remote source arriving meanwhile never lands on our desktop m-line.
  const add = parseJingle(jingleOf('source-add-json.xml'));
  offer.addSources(add.sources, add.ssrcGroups);
  assert.equal(offer.localMid('video', 'desktop'), '6');
  assert.equal(offer.streamForMid('6'), null);
  // Stop: rejected; start again: a fresh mid (a new transceiver, new SSRCs).
  assert.equal(offer.removeLocalSlot('video', 'desktop'), '6');
  assert.equal(offer.localMid('video', 'desktop'), null);
  secs = sections(offer.toSdp());
  assert.equal(secs[6][0].split(' ')[1], '0');
  assert.equal(dir(secs[6]), 'inactive');
  assert.equal(offer.removeLocalSlot('video', 'desktop'), null);
  assert.equal(offer.removeLocalSlot('video', 'main'), null); // the camera's m-line is never removed
  const again = offer.addLocalSlot('video', 'desktop');
  assert.ok(again !== '6' && Number(again) > 8, again);
  secs = sections(offer.toSdp());
  assert.equal(secs.length, 9); // the rejected m-line was recycled, nothing appended
  assert.equal(dir(secs[6]), 'recvonly');
  // A later remote video source may recycle a rejected desktop m-line: it becomes remote.
  offer.removeLocalSlot('video', 'desktop');
  offer.addSources([{ ssrc: 777, media: 'video', owner: 'feedbeef', name: 'feedbeef-v0', msid: 'feedbeef-v0 t' }]);
  const slot = offer.slots.find((s) => offer.streamForMid(s.mid)?.owner === 'feedbeef');
  assert.equal(slot.local, false);
  assert.equal(slot.role, null);
  assert.equal(dir(sections(offer.toSdp())[6]), 'sendonly');
  // No video in the session: no desktop m-line.
  const audioOnly = new RemoteOffer();
  assert.equal(audioOnly.addLocalSlot('video', 'desktop'), null);
});
