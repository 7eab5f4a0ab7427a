// SPDX-License-Identifier: MIT
// Working together, the pure parts: raised hands and the focus's bridgeNotAvailable in
// presence, room messages (groupchat, private, history, Jitsi's display-name), the chat model
// and its links, connection quality, the status pill, the participants panel's order, the
// presentation layout, and how a stock Jitsi client's screen share is recognised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chat, linkify } from '../chat.js';
import { Conference, LOWER_HAND_MESSAGE } from '../conference.js';
import { RemoteOffer } from '../jingle/offer.js';
import { parseJingle } from '../jingle/parse.js';
import { QualitySampler, qualityLevel, qualityText } from '../quality.js';
import { presentationRects } from '../ui/layout.js';
import { statusOf } from '../ui/meeting.js';
import { participantOrder } from '../ui/participants-panel.js';
import { parseOccupantPresence, parseRaisedHand, parseRoomMessage } from '../xmpp/muc.js';
import { parseXml } from './helpers.mjs';

const ROOM = 'design-review@conference.meet.test';
const pres = (body, from = `${ROOM}/ab12cd34`) => parseXml(`<presence xmlns="jabber:client" from="${from}">${body}</presence>`);
const msg = (attrs, body) => parseXml(`<message xmlns="jabber:client" ${attrs}>${body}</message>`);

test('raised hand: Jitsi\'s timestamp, 0 when lowered, legacy true/false, absent says nothing', () => {
  assert.equal(parseRaisedHand('1796604694570'), 1796604694570);
  assert.equal(parseRaisedHand('0'), 0);
  assert.equal(parseRaisedHand('false'), 0);
  assert.equal(parseRaisedHand('junk'), 0);
  assert.ok(parseRaisedHand('true') > 1e12);
  assert.equal(parseRaisedHand(null), null);
  const p = parseOccupantPresence(pres('<jitsi_participant_raisedHand>1796604694570</jitsi_participant_raisedHand>'));
  assert.equal(p.raisedHand, 1796604694570);
  assert.equal(parseOccupantPresence(pres('<nick xmlns="http://jabber.org/protocol/nick">A</nick>')).raisedHand, null);
});

test('the focus\'s presence: bridgeNotAvailable (namespace http://jitsi.org/protocol/focus)', () => {
  assert.equal(parseOccupantPresence(pres('<bridgeNotAvailable xmlns="http://jitsi.org/protocol/focus"/>', `${ROOM}/focus`)).bridgeNotAvailable, true);
  assert.equal(parseOccupantPresence(pres('<bridgeNotAvailable xmlns="urn:other"/>', `${ROOM}/focus`)).bridgeNotAvailable, false);
  assert.equal(parseOccupantPresence(pres('', `${ROOM}/focus`)).bridgeNotAvailable, false);
});

test('room messages: groupchat with <nick>, Jitsi\'s display-name, history delay, private, errors', () => {
  const g = parseRoomMessage(msg(`type="groupchat" from="${ROOM}/ab12cd34" id="m1"`,
    '<body>hi &lt;b&gt;there&lt;/b&gt;</body><nick xmlns="http://jabber.org/protocol/nick">Ada Lovelace</nick>'));
  assert.deepEqual({ ...g }, { id: 'm1', from: 'ab12cd34', private: false, text: 'hi <b>there</b>', displayName: 'Ada Lovelace', at: null, delayed: false });
  const j = parseRoomMessage(msg(`type="groupchat" from="${ROOM}/cd"`,
    '<body>x</body><display-name xmlns="http://jitsi.org/protocol/display-name">Grace</display-name>'));
  assert.equal(j.displayName, 'Grace');
  const plain = parseRoomMessage(msg(`type="groupchat" from="${ROOM}/cd"`, '<body>from a stock Jitsi client</body>'));
  assert.equal(plain.displayName, null);
  const h = parseRoomMessage(msg(`type="groupchat" from="${ROOM}/ef"`,
    '<body>earlier</body><delay xmlns="urn:xmpp:delay" from="x" stamp="2026-12-01T10:00:00Z"/>'));
  assert.equal(h.delayed, true);
  assert.equal(h.at, Date.UTC(2026, 11, 1, 10, 0, 0));
  const pm = parseRoomMessage(msg(`type="chat" from="${ROOM}/ab12cd34"`, '<body>psst</body><x xmlns="http://jabber.org/protocol/muc#user"/>'));
  assert.equal(pm.private, true);
  const err = parseRoomMessage(msg(`type="error" from="${ROOM}/gone" id="p7"`,
    '<error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>'));
  assert.deepEqual(err, { error: 'item-not-found', to: 'gone', id: 'p7' });
  assert.equal(parseRoomMessage(msg(`type="groupchat" from="${ROOM}"`, '<subject>topic</subject>')), null);
  assert.equal(parseRoomMessage(msg(`type="groupchat" from="${ROOM}/a"`, '<subject>no body</subject>')), null);
  assert.equal(parseRoomMessage(msg(`type="headline" from="${ROOM}/a"`, '<body>x</body>')), null);
});

test('links: only http(s) become links, trailing punctuation stays text, the rest is text', () => {
  assert.deepEqual(linkify('see https://example.org/a?b=1. ok'), [
    { text: 'see ' }, { text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' }, { text: '. ok' },
  ]);
  assert.deepEqual(linkify('javascript:alert(1) <a href="x">y</a>'), [{ text: 'javascript:alert(1) <a href="x">y</a>' }]);
  assert.deepEqual(linkify('(http://a.b/c)'), [{ text: '(' }, { text: 'http://a.b/c', href: 'http://a.b/c' }, { text: ')' }]);
  assert.deepEqual(linkify(''), []);
});

function fakeRoom() {
  const room = new EventTarget();
  room.joined = true;
  room.sent = [];
  room.sendMessage = (text, to, id) => room.sent.push({ text, to, id });
  room.emit = (m) => room.dispatchEvent(new CustomEvent('message', { detail: m }));
  return room;
}

test('chat: names as written, our echo shown once, private kept locally, unread until opened', () => {
  const names = new Map([['bb', 'Bob Chen'], ['cc', 'Carol Diaz']]);
  const chat = new Chat({ selfId: () => 'aa', selfName: () => 'Alice', nameOf: (id) => names.get(id) ?? null });
  const room = fakeRoom();
  chat.attach(room);
  const unread = [];
  chat.addEventListener('unread', (e) => unread.push(e.detail.count));
  room.emit({ from: 'bb', text: 'hi', private: false, mine: false, delayed: false, displayName: null, at: null });
  room.emit({ from: 'xx', text: 'before you came', private: false, mine: false, delayed: true, displayName: 'Dora', at: 5 });
  assert.deepEqual(chat.snapshot().map((m) => [m.name, m.text, m.history]), [['Bob Chen', 'hi', false], ['Dora', 'before you came', true]]);
  assert.equal(chat.unread, 1); // history is not unread
  assert.equal(chat.send('  '), false);
  assert.ok(chat.send('hello all'));
  assert.deepEqual(room.sent.at(-1).to, null);
  assert.equal(chat.messages.length, 2); // shown when the room echoes it
  room.emit({ from: 'aa', text: 'hello all', private: false, mine: true, delayed: false, displayName: 'Alice', at: null });
  assert.equal(chat.snapshot().at(-1).name, 'Alice');
  assert.ok(chat.send('just you', 'cc'));
  assert.equal(room.sent.at(-1).to, 'cc');
  const pm = chat.snapshot().at(-1);
  assert.deepEqual([pm.private, pm.mine, pm.to], [true, true, 'cc']);
  room.emit({ from: 'cc', text: 'ok', private: true, mine: false, delayed: false, displayName: 'Carol Diaz', at: null });
  assert.equal(chat.unread, 2);
  chat.setOpen(true);
  assert.equal(chat.unread, 0);
  room.emit({ from: 'bb', text: 'seen at once', private: false, mine: false, delayed: false, displayName: null, at: null });
  assert.equal(chat.unread, 0);
  assert.deepEqual(unread, [1, 2, 0]);
  assert.equal(chat.send('x'.repeat(5000)), true);
  assert.equal(room.sent.at(-1).text.length, 4000);
});

test('connection quality: levels, tooltip text, loss over the interval from getStats counters', () => {
  assert.equal(qualityLevel({ loss: 0, rtt: 0.02 }), 'good');
  assert.equal(qualityLevel({ loss: 0.05, rtt: 0.02 }), 'fair');
  assert.equal(qualityLevel({ loss: 0.01, rtt: 0.5 }), 'fair');
  assert.equal(qualityLevel({ loss: 0.2, rtt: 0.02 }), 'poor');
  assert.equal(qualityLevel({ loss: 0, rtt: 0.02, active: false }), 'lost');
  assert.equal(qualityLevel({}), 'unknown');
  assert.equal(qualityText({ loss: 0.004, rtt: 0.0234, width: 640, height: 360, fps: 29.6 }), 'Loss 0.4 % · RTT 23 ms · 640×360 at 30 fps');
  const q = new QualitySampler();
  const parts = [{ id: 'bb', audioMuted: false, videoMuted: false }];
  const s = (recv, lost, frames) => ({
    bb: { audio: { packetsReceived: recv, packetsLost: lost, bytesReceived: recv * 100 }, video: { framesDecoded: frames, frameWidth: 640, frameHeight: 360 } },
    _transport: { rtt: 0.01 }, _local: { video: { framesEncoded: frames }, remoteLoss: 0, remoteRtt: 0.01 },
  });
  const first = q.sample(s(100, 0, 10), parts, 1000);
  assert.equal(first.bb.loss, null); // no interval yet
  assert.equal(first.bb.level, 'good'); // the RTT alone is known
  const second = q.sample(s(190, 10, 70), parts, 3000);
  assert.equal(second.bb.loss, 0.1);
  assert.equal(second.bb.level, 'poor');
  assert.equal(second.bb.fps, 30);
  const stalled = q.sample(s(190, 10, 70), parts, 5000);
  assert.equal(stalled.bb.level, 'lost'); // nothing for a whole interval while media is expected
  assert.equal(q.sample(s(190, 10, 70), [{ id: 'bb', audioMuted: true, videoMuted: true }], 7000).bb.level, 'good');
  assert.equal(second._local.level, 'good');
});

test('status pill: "Waiting for others" whenever nobody else is here, whatever the media state', () => {
  assert.equal(statusOf('connected', 0).label, 'Waiting for others');
  assert.equal(statusOf('none', 0).label, 'Waiting for others');
  assert.equal(statusOf('none', 1).label, 'Waiting for media…');
  assert.equal(statusOf('connected', 2).label, 'Connected');
  assert.equal(statusOf('no-bridge', 1).label, 'No media server');
  assert.equal(statusOf('failed', 0).label, 'Media unavailable');
});

test('participants panel order: raised hands first, earliest first, then by name', () => {
  const ps = [
    { id: 'a', displayName: 'Zed', raisedHand: 0 }, { id: 'b', displayName: 'Amy', raisedHand: 0 },
    { id: 'c', displayName: 'Max', raisedHand: 2000 }, { id: 'd', displayName: 'Bea', raisedHand: 1000 },
  ];
  assert.deepEqual(ps.sort(participantOrder).map((p) => p.displayName), ['Bea', 'Max', 'Amy', 'Zed']);
});

test('presentation layout: screens large, thumbnails in the self-view\'s strip, nothing overlaps', () => {
  const touches = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  for (const [W, H, sw] of [[1248, 560, 230], [928, 380, 173], [370, 560, 120]]) {
    const self = { x: W - 4 - sw, y: H - 4 - (sw * 9) / 16, w: sw, h: (sw * 9) / 16 };
    for (const [screens, thumbs] of [[1, 2], [2, 3], [1, 6]]) {
      const r = presentationRects(screens, thumbs, W, H, self);
      const all = [...r.screens, ...r.thumbs];
      assert.equal(r.screens.length, screens);
      assert.equal(r.thumbs.length, thumbs);
      for (const [i, a] of all.entries()) {
        assert.ok(!touches(a, self), `${W}x${H} ${screens}/${thumbs}: ${JSON.stringify(a)} under the self-view`);
        assert.ok(a.x >= -1e-6 && a.y >= -1e-6 && a.x + a.w <= W + 1e-6 && a.y + a.h <= H + 1e-6, 'inside');
        for (const b of all.slice(i + 1)) assert.ok(!touches(a, b), `${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`);
      }
      for (const s of r.screens) for (const t of r.thumbs) assert.ok(s.w > t.w, 'screens are larger than thumbnails');
    }
    assert.equal(presentationRects(1, 1, W, H, self).strip, W >= H ? 'right' : 'bottom');
  }
  // Two screens on a wide stage sit side by side, each larger than half a 1080p-ish tile.
  const two = presentationRects(2, 3, 1248, 560, { x: 1014, y: 426, w: 230, h: 130 });
  assert.ok(two.screens[0].y === two.screens[1].y && two.screens[0].w > 450);
});

const JITSI_SOURCE_ADD = `<jingle xmlns="urn:xmpp:jingle:1" action="source-add" sid="s1">
  <content name="video"><description xmlns="urn:xmpp:jingle:apps:rtp:1" media="video">
    <source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="5001" name="0a1b2c3d-v1" videoType="desktop">
      <parameter name="msid" value="0a1b2c3d-video-1-1 t1"/><ssrc-info xmlns="http://jitsi.org/jitmeet" owner="0a1b2c3d"/></source>
    <source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="5002" name="0a1b2c3d-v1" videoType="desktop">
      <parameter name="msid" value="0a1b2c3d-video-1-1 t1"/><ssrc-info xmlns="http://jitsi.org/jitmeet" owner="0a1b2c3d"/></source>
    <ssrc-group xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" semantics="FID"><source ssrc="5001"/><source ssrc="5002"/></ssrc-group>
  </description></content></jingle>`;
const JSON_SOURCE_ADD = `<jingle xmlns="urn:xmpp:jingle:1" action="source-add" sid="s1"><json-message xmlns="http://jitsi.org/jitmeet">`
  + '{"sources":{"0a1b2c3d":[[{"s":6001,"n":"0a1b2c3d-v0","m":"c t"},{"s":6002,"n":"0a1b2c3d-v1","m":"d t","v":"d"}],[],[]]}}</json-message></jingle>';

function conference() {
  const c = new Conference({ muc: 'conference.meet.test', focus: 'focus.meet.test' }, { room: 'design-review', media: new EventTarget() });
  c.setState('joined');
  return c;
}

test('a stock Jitsi client\'s screen share (second source, videoType desktop) gets its own tile', () => {
  for (const xml of [JITSI_SOURCE_ADD, JSON_SOURCE_ADD]) {
    const model = parseJingle(parseXml(xml));
    const offer = new RemoteOffer();
    offer.descriptions.set('video', { payloadTypes: [{ id: 100, name: 'VP8', parameters: [], rtcpFb: [] }], rtcpFb: [], hdrexts: [] });
    offer.addSources(model.sources, model.ssrcGroups);
    const c = conference();
    c.upsertParticipant({ id: '0a1b2c3d', displayName: 'Jitsi user', audioMuted: false, videoMuted: false, sources: null }, true);
    for (const slot of offer.slots) {
      const st = offer.streamForMid(slot.mid);
      c.onRemoteTrack({ mid: slot.mid, track: { id: st.name }, owner: st.owner, media: 'video', name: st.name, videoType: st.videoType });
    }
    const p = c.participants.get('0a1b2c3d');
    assert.equal(p.screenTrack?.id, '0a1b2c3d-v1', xml.slice(0, 40));
    assert.equal(p.screenSource, '0a1b2c3d-v1');
    assert.equal(p.videoTrack?.id ?? null, xml === JSON_SOURCE_ADD ? '0a1b2c3d-v0' : null);
  }
});

test('a desktop source known only from SourceInfo is a screen too; removing it ends the tile', () => {
  const c = conference();
  c.upsertParticipant({ id: 'ee', displayName: 'E', audioMuted: false, videoMuted: false, sources: null }, true);
  c.onRemoteTrack({ mid: '7', track: { id: 'cam' }, owner: 'ee', media: 'video', name: 'ee-v0', videoType: 'camera' });
  c.onRemoteTrack({ mid: '8', track: { id: 'scr' }, owner: 'ee', media: 'video', name: 'ee-v1', videoType: 'camera' });
  assert.equal(c.participants.get('ee').screenTrack, null);
  c.upsertParticipant({ id: 'ee', displayName: 'E', audioMuted: false, videoMuted: false,
    sources: { 'ee-v0': { muted: false }, 'ee-v1': { muted: false, videoType: 'desktop' } } }, false);
  const p = c.participants.get('ee');
  assert.equal(p.screenTrack.id, 'scr');
  assert.equal(p.videoTrack.id, 'cam');
  c.onRemoteTrackRemoved({ mid: '8', track: p.screenTrack, owner: 'ee', media: 'video' });
  assert.equal(c.participants.get('ee').screenTrack, null);
  assert.equal(c.participants.get('ee').videoTrack.id, 'cam');
});

test('lower-hand requests: honoured from moderators only (Jitsi Meet\'s lower-hand-message)', () => {
  assert.equal(LOWER_HAND_MESSAGE, 'lower-hand-message');
  const c = conference();
  c.room = { update() {} };
  c.upsertParticipant({ id: 'mod', displayName: 'M', role: 'moderator', sources: null }, true);
  c.upsertParticipant({ id: 'usr', displayName: 'U', role: 'participant', sources: null }, true);
  c.setHandRaised(true);
  c.onLowerHandRequest('usr');
  assert.ok(c.raisedHand > 0);
  c.onLowerHandRequest('mod');
  assert.equal(c.raisedHand, 0);
});

test('no bridge: the media state says so while others are here, and waits for media when one comes', () => {
  const c = conference();
  c.upsertParticipant({ id: 'bb', displayName: 'B', sources: null }, true);
  c.setBridgeAvailable(false);
  assert.equal(c.mediaState, 'no-bridge');
  c.setBridgeAvailable(true);
  assert.equal(c.mediaState, 'none');
});
