// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOccupantPresence } from '../xmpp/muc.js';
import { capsString, FEATURES } from '../xmpp/disco.js';
import { parseXml } from './helpers.mjs';

const pres = (body) => parseXml(`<presence xmlns="jabber:client" from="room@conference.x/ab12cd34">${body}</presence>`);

test('occupant presence: display name, SourceInfo mute state, real JID', () => {
  const p = parseOccupantPresence(pres(`
    <nick xmlns="http://jabber.org/protocol/nick">Ada Lovelace</nick>
    <SourceInfo>{"ab12cd34-a0":{"muted":true},"ab12cd34-v0":{"muted":false}}</SourceInfo>
    <x xmlns="http://jabber.org/protocol/muc#user"><item jid="u1@x/r" role="participant" affiliation="none"/><status code="100"/></x>`));
  assert.equal(p.displayName, 'Ada Lovelace');
  assert.equal(p.audioMuted, true);
  assert.equal(p.videoMuted, false);
  assert.equal(p.jid, 'u1@x/r');
  assert.equal(p.role, 'participant');
  assert.deepEqual(p.statuses, ['100']);
});

test('occupant presence: legacy mute elements, no sources means muted, bad JSON ignored', () => {
  const legacy = parseOccupantPresence(pres('<audiomuted>true</audiomuted><videomuted>false</videomuted>'));
  assert.equal(legacy.audioMuted, true);
  assert.equal(legacy.videoMuted, false);
  const none = parseOccupantPresence(pres('<SourceInfo>{}</SourceInfo>'));
  assert.equal(none.audioMuted, true);
  assert.equal(none.videoMuted, true);
  const desktopOnly = parseOccupantPresence(pres('<SourceInfo>{"e-v1":{"muted":false,"videoType":"desktop"}}</SourceInfo>'));
  assert.equal(desktopOnly.videoMuted, true);
  const bad = parseOccupantPresence(pres('<SourceInfo>{oops</SourceInfo><audiomuted>false</audiomuted>'));
  assert.equal(bad.sources, null);
  assert.equal(bad.audioMuted, false);
  assert.equal(bad.displayName, null);
});

test('caps advertise what the client does, and nothing it does not', () => {
  for (const f of ['urn:xmpp:jingle:apps:rtp:audio', 'urn:xmpp:jingle:apps:rtp:video', 'urn:ietf:rfc:4588',
    'http://jitsi.org/json-encoded-sources', 'http://jitsi.org/source-name', 'http://jitsi.org/tcc']) {
    assert.ok(FEATURES.includes(f), f);
  }
  for (const f of ['urn:xmpp:jingle:transports:dtls-sctp:1', 'http://jitsi.org/ssrc-rewriting-1',
    'http://jitsi.org/remb', 'http://jitsi.org/opus-red']) {
    assert.ok(!FEATURES.includes(f), f);
  }
  assert.match(capsString(), /^client\/web\/\/Parley<.*<$/);
});
