#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Chromium accepts what the Jingle codec produces: a session-initiate (both source forms)
// becomes an offer that setRemoteDescription takes, our camera and microphone are answered
// on the first audio/video m-lines, the answer converts to a session-accept, and source-add /
// source-remove / recycling renegotiate without changing our own SSRCs.
// Needs no XMPP server. Run: tests/netns-run.sh node web/test/e2e/sdp-chromium.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEB, check, failed, launch, loadPlaywright, outDir, startWeb, watchConsole } from './lib.mjs';

const fx = (n) => readFileSync(join(WEB, 'test', 'fixtures', n), 'utf8');

const pw = await loadPlaywright();
const web = await startWeb();
const browser = await launch(pw);
let code = 0;
try {
  const page = await browser.newPage();
  const logs = watchConsole(page, 'page');
  await page.goto(`${web.url}/about/health`);
  const r = await page.evaluate(async (fixtures) => {
    const { parseJingle } = await import('/jingle/parse.js');
    const { RemoteOffer } = await import('/jingle/offer.js');
    const { buildSessionAccept, localSources } = await import('/jingle/answer.js');
    const { serialize } = await import('/jingle/xml.js');
    const jingleOf = (text) => new DOMParser().parseFromString(text, 'text/xml')
      .documentElement.getElementsByTagNameNS('urn:xmpp:jingle:1', 'jingle')[0];
    const out = { steps: [] };
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    const offer = RemoteOffer.fromSessionInitiate(parseJingle(jingleOf(fixtures.initiate)));
    const tracks = [];
    pc.ontrack = (e) => tracks.push(e.transceiver.mid);
    async function cycle(label) {
      const sdp = offer.toSdp();
      await pc.setRemoteDescription({ type: 'offer', sdp });
      for (const media of ['audio', 'video']) {
        const mid = offer.localMid(media);
        const tr = pc.getTransceivers().find((t) => t.mid === mid);
        if (!tr) continue;
        tr.direction = 'sendrecv';
        const track = stream.getTracks().find((t) => t.kind === media);
        if (tr.sender.track !== track) {
          await tr.sender.replaceTrack(track);
          tr.sender.setStreams(stream);
        }
      }
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      const local = localSources(pc.localDescription.sdp, 'ep1');
      out.steps.push({
        label,
        offer: sdp,
        answer: pc.localDescription.sdp,
        transceivers: pc.getTransceivers().map((t) => ({ mid: t.mid, dir: t.currentDirection, stopped: t.currentDirection === 'stopped' })),
        localSsrcs: local.sources.map((s) => `${s.name}:${s.ssrc}`),
        groups: local.groups.map((g) => `${g.semantics}:${g.ssrcs.join(',')}`),
      });
    }
    await cycle('initiate');
    const acc = buildSessionAccept({
      sid: 's', initiator: 'focus', responder: 'me', sdp: pc.localDescription.sdp,
      endpointId: 'ep1', mids: { audio: offer.localMid('audio'), video: offer.localMid('video') },
    });
    out.accept = serialize(acc.jingle);
    const add = parseJingle(jingleOf(fixtures.add));
    offer.addSources(add.sources, add.ssrcGroups);
    await cycle('source-add');
    const rem = parseJingle(jingleOf(fixtures.remove));
    offer.removeSources(rem.sources, rem.ssrcGroups);
    await cycle('source-remove');
    // The same participant comes back: its m-lines recycle the rejected ones.
    const again = parseJingle(jingleOf(fixtures.initiate));
    offer.addSources(again.sources.filter((s) => s.owner === '7e3a91bc'),
      again.ssrcGroups.filter((g) => g.ssrcs.includes(2208340011)));
    await cycle('recycle');
    out.tracks = tracks;
    pc.close();
    stream.getTracks().forEach((t) => t.stop());
    return out;
  }, { initiate: fx('session-initiate-json.xml'), add: fx('source-add-json.xml'), remove: fx('source-remove-json.xml') });

  const dir = outDir('sdp-chromium');
  writeFileSync(join(dir, 'steps.json'), JSON.stringify(r, null, 2));
  const [init, added, removed, recycled] = r.steps;
  check(init.localSsrcs.length >= 3, `initial answer signals our audio and video (+rtx): ${init.localSsrcs.join(' ')}`);
  check(init.localSsrcs.some((s) => s.startsWith('ep1-a0:')) && init.localSsrcs.some((s) => s.startsWith('ep1-v0:')), 'source names ep1-a0 / ep1-v0');
  check(init.groups.some((g) => g.startsWith('FID:')), 'our video has an FID (RTX) group');
  check(/<jingle [^>]*action="session-accept"/.test(r.accept) && r.accept.includes('setup="active"'), 'session-accept with setup=active');
  check(init.transceivers.length === 6, `6 transceivers after initiate (${init.transceivers.length})`);
  check(added.transceivers.length === 8, `8 after source-add (${added.transceivers.length})`);
  check(JSON.stringify(added.localSsrcs) === JSON.stringify(init.localSsrcs), 'our SSRCs survive source-add');
  // Rejected m-lines stop their transceivers; Chromium then drops them from getTransceivers().
  check(removed.transceivers.length === 6 && !removed.transceivers.some((t) => t.mid === '1' || t.mid === '4'),
    `mids 1 and 4 gone after source-remove: ${JSON.stringify(removed.transceivers.map((t) => t.mid))}`);
  check(removed.answer.split('\r\n').filter((l) => /^m=\w+ 0 /.test(l)).length === 2, 'answer rejects the 2 removed m-lines (port 0)');
  check(JSON.stringify(removed.localSsrcs) === JSON.stringify(init.localSsrcs), 'our SSRCs survive source-remove');
  check(recycled.transceivers.filter((t) => !t.stopped).length === 8, `recycled m-lines live again: ${JSON.stringify(recycled.transceivers)}`);
  check(recycled.answer.split('\r\n').filter((l) => l.startsWith('m=')).length === 8, 'answer still has 8 m-lines after recycling');
  check(JSON.stringify(recycled.localSsrcs) === JSON.stringify(init.localSsrcs), 'our SSRCs survive recycling');
  check(r.tracks.length >= 9, `ontrack for every remote m-line (${r.tracks.join(',')})`);
  if (failed()) {
    console.log(logs.join('\n'));
    code = 1;
  }
} catch (e) {
  console.log(`not ok - ${e.stack ?? e}`);
  code = 1;
} finally {
  await browser.close();
  await web.close();
}
process.exit(code);
