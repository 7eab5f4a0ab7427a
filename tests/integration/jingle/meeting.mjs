// SPDX-License-Identifier: MIT
// A first meeting, signalling side: Prosody, parley-focus and a real parley-bridge; two
// scripted clients speaking lib-jitsi-meet's Jingle dialect.
//  - alone in the room: no session-initiate;
//  - a second participant: both get session-initiate from room@conference/focus carrying the
//    bridge's ICE transport (its ufrag, fingerprint actpass, 127.0.0.1 candidates, colibri-ws
//    URL), the bridge's own sources, BUNDLE, no data content;
//  - session-accept with (fake) sources: the other participant gets source-add with them, and
//    the bridge creates both endpoints;
//  - source-add of someone else's SSRC, malformed Jingle, an unknown session: errors;
//  - a participant leaves: the other gets source-remove, the bridge expires its endpoint.
import assert from 'node:assert/strict';
import {
  jingleScenario, JingleClient, step, child, children, text, JNS, jingleSources, expectError,
  stanzaError, xmlOf, clientTransportXml,
} from './harness.mjs';

function checkOffer(ctx, c, init, bridge) {
  assert.equal(init.from, `${c.room}/focus`, 'the offer comes from the focus occupant');
  const j = init.jingle;
  assert.equal(j.getAttribute('initiator'), `${ctx.focusJid}/focus`);
  const contents = children(j, 'content', JNS.jingle);
  assert.deepEqual(contents.map((x) => x.getAttribute('name')), ['audio', 'video'], 'audio and video, no data');
  for (const ct of contents) {
    assert.equal(ct.getAttribute('creator'), 'initiator');
    assert.equal(ct.getAttribute('senders'), 'both');
    const desc = child(ct, 'description', JNS.rtp);
    assert.ok(child(desc, 'rtcp-mux'), 'rtcp-mux in the description');
    const t = child(ct, 'transport', JNS.ice);
    assert.ok(t && t.getAttribute('ufrag') && t.getAttribute('pwd'), `bridge ICE credentials: ${xmlOf(t)}`);
    const fp = child(t, 'fingerprint', JNS.dtls);
    assert.equal(fp.getAttribute('setup'), 'actpass');
    assert.equal(fp.getAttribute('hash'), 'sha-256');
    assert.match(text(fp), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const cands = children(t, 'candidate');
    assert.ok(cands.length >= 1, 'at least one bridge candidate');
    assert.ok(cands.every((x) => x.getAttribute('ip') === '127.0.0.1'), 'loopback candidates only');
    const ws = child(t, 'web-socket', JNS.colibri);
    assert.ok(ws.getAttribute('url').startsWith(`ws://127.0.0.1:${bridge.httpPort}/colibri-ws/`),
      `colibri-ws URL of the bridge: ${ws.getAttribute('url')}`);
    assert.ok(ws.getAttribute('url').includes(`/${c.nick}?pwd=`), 'colibri-ws URL names the endpoint');
  }
  const audio = child(contents[0], 'description', JNS.rtp);
  assert.equal(audio.getAttribute('maxptime'), '60');
  const pts = (d) => children(d, 'payload-type').map((p) => `${p.getAttribute('id')}:${p.getAttribute('name')}`);
  assert.deepEqual(pts(audio), ['111:opus', '126:telephone-event']);
  assert.deepEqual(pts(child(contents[1], 'description', JNS.rtp)),
    ['41:AV1', '100:VP8', '107:H264', '101:VP9', '42:rtx', '96:rtx', '97:rtx', '99:rtx']);
  const group = child(j, 'group', JNS.grouping);
  assert.equal(group.getAttribute('semantics'), 'BUNDLE');
  assert.deepEqual(children(group, 'content').map((x) => x.getAttribute('name')), ['audio', 'video']);
  const bs = child(j, 'bridge-session', JNS.focus);
  assert.match(bs.getAttribute('id'), /^[0-9a-f-]{36}$/);
  const jvb = jingleSources(j).filter((s) => s.owner === 'jvb');
  assert.deepEqual(jvb.map((s) => s.name).sort(), ['jvb-a0', 'jvb-v0'], 'the bridge\'s feedback sources');
  assert.ok(child(j, 'json-message', JNS.jitmeet), 'JSON-encoded sources (the client advertises them)');
}

await jingleScenario('jingle-meeting', async (ctx) => {
  const bridge = await ctx.startBridge('jvb-one');
  step('parley-bridge joined the brewery and the focus saw it');
  const room = ctx.newRoom();

  const alice = await JingleClient.join(ctx, room, 'alice01');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(alice.discoQueries, 0, 'nothing asked of a lone participant');
  assert.equal(alice.jingles.length, 0, 'no session-initiate with one participant');
  step('alone: no session-initiate after 1.5 s');

  const t0 = performance.now();
  const bob = await JingleClient.join(ctx, room, 'bob02');
  const [ia, ib] = await Promise.all([alice.waitJingle('session-initiate'), bob.waitJingle('session-initiate')]);
  step(`both invited ${(performance.now() - t0).toFixed(0)} ms after bob's join`);
  assert.equal(alice.discoQueries, 1, 'the focus asked alice for her features');
  assert.equal(bob.discoQueries, 1, 'the focus asked bob for his features');
  checkOffer(ctx, alice, ia, bridge);
  checkOffer(ctx, bob, ib, bridge);
  assert.notEqual(ia.sid, ib.sid);
  assert.deepEqual(jingleSources(ia.jingle).filter((s) => s.owner !== 'jvb'), [], 'nobody has sources yet');

  // alice accepts with fake sources: one audio, a video with its RTX.
  let r = await alice.accept(ia, {
    audio: [{ ssrc: 1111, name: 'alice01-a0' }],
    video: [{ ssrc: 2221, name: 'alice01-v0', videoType: 'camera' }, { ssrc: 2222, name: 'alice01-v0', videoType: 'camera' }],
    groups: [{ semantics: 'FID', ssrcs: [2221, 2222] }],
    port: 40001,
  });
  assert.equal(r.getAttribute('type'), 'result', `alice's session-accept: ${xmlOf(r)}`);
  const bm = bob.mark();
  r = await bob.accept(ib, { audio: [{ ssrc: 3331, name: 'bob02-a0' }], port: 40002 });
  assert.equal(r.getAttribute('type'), 'result', `bob's session-accept: ${xmlOf(r)}`);
  const toBob = await bob.waitJingle('source-add', { from: bm });
  assert.equal(toBob.sid, ib.sid);
  const got = jingleSources(toBob.jingle);
  assert.deepEqual(got.map((s) => `${s.owner}:${s.ssrc}:${s.name}`).sort(),
    ['alice01:1111:alice01-a0', 'alice01:2221:alice01-v0', 'alice01:2222:alice01-v0']);
  const fid = JSON.parse(text(child(toBob.jingle, 'json-message', JNS.jitmeet))).sources.alice01[1];
  assert.deepEqual(fid, [['f', 2221, 2222]], 'the FID group travels too');
  const toAlice = await alice.waitJingle('source-add', { pred: (j) => jingleSources(j.jingle).some((s) => s.ssrc === 3331) });
  assert.equal(toAlice.from, `${room}/focus`);
  step('session-accept: each got the other\'s sources (source-add)');
  assert.match(bridge.log(), /ep=alice01: endpoint created/);
  assert.match(bridge.log(), /ep=bob02: endpoint created/);

  // Refusals.
  const am = alice.mark();
  r = await bob.jingleSet('source-add', ib.sid, `<content name="audio"><description xmlns="${JNS.rtp}" media="audio">`
    + `<source xmlns="${JNS.ssma}" ssrc="1111" name="bob02-a1"/></description></content>`);
  const e1 = expectError(r, 'bad-request');
  step(`someone else's SSRC: ${e1.condition} (${e1.text})`);
  r = await bob.jingleSet('source-add', null, '<content name="audio"/>');
  expectError(r, 'bad-request');
  r = await bob.jingleSet('source-add', ib.sid, `<content name="audio"><description xmlns="${JNS.rtp}" media="audio">`
    + `<source xmlns="${JNS.ssma}" ssrc="notanumber"/></description></content>`);
  expectError(r, 'bad-request');
  // A content without a name (XEP-0166 requires one) is malformed whatever else it carries.
  r = await bob.jingleSet('source-add', ib.sid, `<content><description xmlns="${JNS.rtp}" media="audio">`
    + `<source xmlns="${JNS.ssma}" ssrc="3335" name="bob02-a1"/></description></content>`);
  const e2 = expectError(r, 'bad-request');
  step(`a content without a name: ${e2.condition} (${e2.text})`);
  r = await bob.jingleSet('transport-info', ib.sid, `<content>${clientTransportXml('ubob', 40002)}</content>`);
  expectError(r, 'bad-request');
  r = await bob.jingleSet('source-add', 'no-such-session');
  expectError(r, 'item-not-found');
  assert.ok(child(child(r, 'error'), 'unknown-session', JNS.errors), 'unknown-session condition');
  r = await bob.jingleSet('content-modify', ib.sid);
  expectError(r, 'feature-not-implemented');
  step('malformed Jingle, unknown session and unknown action refused');
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(alice.mark(), am, 'refused requests reach nobody');

  // A valid source-add reaches alice.
  r = await bob.jingleSet('source-add', ib.sid, `<content name="video"><description xmlns="${JNS.rtp}" media="video">`
    + `<source xmlns="${JNS.ssma}" ssrc="3332" name="bob02-v0"><parameter name="msid" value="b v"/></source>`
    + '</description></content>');
  assert.equal(r.getAttribute('type'), 'result', xmlOf(r));
  await alice.waitJingle('source-add', { from: am, pred: (j) => jingleSources(j.jingle).some((s) => s.ssrc === 3332) });

  // alice's ICE fails: she is told to move and gets a new session on the same bridge; her new
  // session-accept (new SSRCs, as a new RTCPeerConnection has) replaces her sources at bob.
  const am1 = alice.mark();
  const bm1 = bob.mark();
  const bsid = child(ia.jingle, 'bridge-session', JNS.focus).getAttribute('id');
  r = await alice.jingleSet('session-info', ia.sid, `<ice-state xmlns="${JNS.focus}">failed</ice-state>`
    + `<bridge-session xmlns="${JNS.focus}" id="${bsid}"/>`);
  assert.equal(r.getAttribute('type'), 'result', xmlOf(r));
  const moving = await alice.waitJingle('session-terminate', { from: am1 });
  assert.equal(moving.sid, ia.sid);
  assert.equal(child(child(moving.jingle, 'reason', JNS.jingle), 'text').textContent, 'moving');
  const ia2 = await alice.waitJingle('session-initiate', { from: am1 });
  assert.notEqual(ia2.sid, ia.sid);
  checkOffer(ctx, alice, ia2, bridge);
  assert.ok(jingleSources(ia2.jingle).some((s) => s.ssrc === 3332), 'the new offer has bob\'s sources');
  r = await alice.accept(ia2, { audio: [{ ssrc: 1113, name: 'alice01-a0' }], port: 40003 });
  assert.equal(r.getAttribute('type'), 'result', xmlOf(r));
  const gone = await bob.waitJingle('source-remove', { from: bm1 });
  assert.deepEqual(jingleSources(gone.jingle).map((s) => s.ssrc).sort(), [1111, 2221, 2222]);
  const fresh = await bob.waitJingle('source-add', { from: bm1, pred: (j) => jingleSources(j.jingle).some((s) => s.ssrc === 1113) });
  assert.equal(fresh.sid, ib.sid);
  r = await alice.jingleSet('transport-info', ia.sid, '<content name="audio"/>');
  expectError(r, 'gone');
  step('ICE failure: alice moved to a new session, bob saw her sources replaced');

  // bob leaves: alice hears his sources go, the bridge expires his endpoint.
  const am2 = alice.mark();
  await bob.xmpp.leaveRoom(room, 'bob02');
  const rm = await alice.waitJingle('source-remove', { from: am2 });
  assert.deepEqual(jingleSources(rm.jingle).map((s) => s.ssrc).sort(), [3331, 3332]);
  assert.equal(stanzaError(rm.iq), null);
  step('bob left: alice got source-remove');
  for (let i = 0; i < 50 && !/ep=bob02: endpoint expired/.test(bridge.log()); i++) {
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.match(bridge.log(), /ep=bob02: endpoint expired/);
  assert.equal(alice.jingles.slice(am2).filter((j) => j.action === 'session-terminate').length, 0,
    'alice keeps her session');
});
