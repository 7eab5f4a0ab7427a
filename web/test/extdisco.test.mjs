// SPDX-License-Identifier: MIT
// ICE servers from XEP-0215 answers (xmpp/extdisco.js): what Prosody's mod_external_services
// and ejabberd's mod_stun_disco send becomes RTCIceServer entries a browser takes; services a
// browser cannot use are left out; the relay-only switch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchIceServers, iceServersFrom, iceTransportPolicy, serviceUrl } from '../xmpp/extdisco.js';
import { parseXml } from './helpers.mjs';

const PROSODY = `<iq type="result" from="meet.example.org"><services xmlns="urn:xmpp:extdisco:2">
  <service type="stun" transport="udp" host="turn.example.org" port="3478"/>
  <service type="turn" transport="udp" host="turn.example.org" port="3478" username="1767225600"
           password="3+wl/y4u9YjkuuRGxT8vj8wd9Ig=" expires="2026-01-01T00:00:00Z" restricted="1"/>
  <service type="turn" transport="tcp" host="turn.example.org" port="3478" username="1767225600"
           password="3+wl/y4u9YjkuuRGxT8vj8wd9Ig=" restricted="1"/>
  <service type="turns" transport="tcp" host="turn.example.org" port="443" username="1767225600"
           password="3+wl/y4u9YjkuuRGxT8vj8wd9Ig=" restricted="1"/>
</services></iq>`;

test('a Prosody answer becomes four ICE servers with credentials on the TURN ones', () => {
  const list = iceServersFrom(parseXml(PROSODY).getElementsByTagName('services')[0]);
  assert.deepEqual(list, [
    { urls: 'stun:turn.example.org:3478' },
    { urls: 'turn:turn.example.org:3478?transport=udp', username: '1767225600', credential: '3+wl/y4u9YjkuuRGxT8vj8wd9Ig=' },
    { urls: 'turn:turn.example.org:3478?transport=tcp', username: '1767225600', credential: '3+wl/y4u9YjkuuRGxT8vj8wd9Ig=' },
    { urls: 'turns:turn.example.org:443?transport=tcp', username: '1767225600', credential: '3+wl/y4u9YjkuuRGxT8vj8wd9Ig=' },
  ]);
});

test('services a browser cannot use are left out', () => {
  const xml = `<services xmlns="urn:xmpp:extdisco:2">
    <service type="ftp" host="files.example.org" port="21"/>
    <service type="stun" transport="tcp" host="s.example.org" port="3478"/>
    <service type="turn" transport="udp" host="t.example.org" port="3478"/>
    <service type="stun" transport="udp" port="3478"/>
    <service type="turn" transport="udp" host="2001:db8::1" port="3478" username="u" password="p"/>
  </services>`;
  assert.deepEqual(iceServersFrom(parseXml(xml)), [
    { urls: 'turn:[2001:db8::1]:3478?transport=udp', username: 'u', credential: 'p' },
  ]);
  assert.equal(serviceUrl({ type: 'turns', host: 'h', port: '5349' }), 'turns:h:5349?transport=tcp');
  assert.equal(serviceUrl({ type: 'stun', host: 'h' }), 'stun:h');
  assert.deepEqual(iceServersFrom(null), []);
});

function fakeXmpp(answers) {
  const asked = [];
  return {
    asked,
    $iq: (attrs) => ({ attrs, c(name, a) { asked.push({ to: attrs.to, ns: a.xmlns }); return this; } }),
    async sendIQ() {
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return parseXml(a);
    },
  };
}

test('fetchIceServers asks extdisco:2, then :1 when the server does not know :2', async () => {
  const err = Object.assign(new Error('x'), { condition: 'service-unavailable' });
  const v1 = PROSODY.replaceAll('extdisco:2', 'extdisco:1');
  const x = fakeXmpp([err, v1]);
  const list = await fetchIceServers(x, 'meet.example.org');
  assert.deepEqual(x.asked, [
    { to: 'meet.example.org', ns: 'urn:xmpp:extdisco:2' },
    { to: 'meet.example.org', ns: 'urn:xmpp:extdisco:1' },
  ]);
  assert.equal(list.length, 4);
  // Neither known, or no answer at all: no ICE servers, and no error.
  assert.deepEqual(await fetchIceServers(fakeXmpp([err, err]), 'd'), []);
  const timeout = Object.assign(new Error('t'), { condition: 'timeout' });
  const slow = fakeXmpp([timeout]);
  assert.deepEqual(await fetchIceServers(slow, 'd'), []);
  assert.equal(slow.asked.length, 1, 'a server that does not answer is not asked twice');
});

test('relay only: ?relay=1 or the config', () => {
  assert.equal(iceTransportPolicy({}, ''), 'all');
  assert.equal(iceTransportPolicy({}, '?relay=1'), 'relay');
  assert.equal(iceTransportPolicy({ iceTransportPolicy: 'relay' }, ''), 'relay');
  assert.equal(iceTransportPolicy({ iceTransportPolicy: 'relay' }, '?relay=0'), 'all');
  assert.equal(iceTransportPolicy({ iceTransportPolicy: 'bogus' }, ''), 'all');
});
