// SPDX-License-Identifier: MIT
// parley-focus stops cleanly while participants keep talking to it: SIGTERM lands in the
// middle of a stream of conference requests (for the running room and for new ones) and Jingle
// (source-add, transport-info) from two participants of a live conference on a real bridge.
// Every round the focus must exit with status 0 and log nothing critical; a new focus then
// serves the next round. Once stopping, the focus creates no room and starts no session: late
// requests get service-unavailable (or nothing once its stream is closed).
import assert from 'node:assert/strict';
import { jingleScenario, JingleClient, step, clientTransportXml, sourcesXml, JNS } from './harness.mjs';

const ROUNDS = 6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

await jingleScenario('jingle-focus-shutdown', async (ctx) => {
  await ctx.startBridge('jvb-one');
  let lateSent = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const room = ctx.newRoom('shutdown');
    const alice = await JingleClient.join(ctx, room, `alice${round}`);
    const bob = await JingleClient.join(ctx, room, `bob${round}`);
    const [ia, ib] = await Promise.all([
      alice.waitJingle('session-initiate', { timeout: 30000 }),
      bob.waitJingle('session-initiate', { timeout: 30000 }),
    ]);
    const r = await alice.accept(ia, { audio: [{ ssrc: 1000 + round, name: `alice${round}-a0` }], port: 41000 + round });
    assert.equal(r.getAttribute('type'), 'result');

    let flooding = true;
    let n = 0;
    const flood = (async () => {
      while (flooding) {
        const gone = [alice, bob].find((c) => c.xmpp.closed);
        if (gone) throw new Error(`${gone.nick}: connection lost during the flood: ${gone.xmpp._transportError?.message}`);
        n++;
        const other = ctx.newRoom('late');
        for (const target of [room, other]) {
          alice.xmpp.send(`<iq type="set" id="late-c${n}-${target.length}" to="${ctx.focusJid}">`
            + `<conference xmlns="${JNS.focus}" room="${target}"/></iq>`);
        }
        bob.xmpp.send(`<iq type="set" id="late-j${n}" to="${room}/focus"><jingle xmlns="${JNS.jingle}" `
          + `action="source-add" sid="${ib.sid}"><content name="audio"><description xmlns="${JNS.rtp}" media="audio">`
          + `${sourcesXml([{ ssrc: 50000 + round * 1000 + n, name: `bob${round}-a${n}` }])}</description></content></jingle></iq>`);
        alice.xmpp.send(`<iq type="set" id="late-t${n}" to="${room}/focus"><jingle xmlns="${JNS.jingle}" `
          + `action="transport-info" sid="${ia.sid}"><content name="audio">${clientTransportXml('tinfo', 42000 + n)}`
          + '</content></jingle></iq>');
        await sleep(3);
      }
    })();
    // SIGTERM once the flood is well under way (a few more bursts each round).
    while (n < 3 + round) await sleep(2);
    const sentBefore = n;
    const st = await ctx.focus.stop();
    flooding = false;
    await flood;
    lateSent += n - sentBefore;
    assert.equal(st.signal, null, `round ${round}: the focus died of ${st.signal}`);
    assert.equal(st.code, 0, `round ${round}: exit status ${st.code}`);
    assert.doesNotMatch(ctx.focus.log(), /CRITICAL|ERROR \*\*|AddressSanitizer|runtime error/,
      `round ${round}: the focus logged a critical error`);
    const afterSignal = ctx.focus.log().split(/stopping \(signal \d+\)/)[1] ?? '';
    assert.doesNotMatch(afterSignal, /creating room|allocating endpoint|session-initiate room=|lobby: /,
      `round ${round}: the stopping focus acted on a late request`);
    const late = /(\d+) stanza\(s\) arrived while stopping/.exec(ctx.focus.log());
    step(`round ${round}: exit status 0 with ${n - sentBefore} request bursts after SIGTERM`
      + ` (${late ? late[1] : 0} stanzas refused or dropped while stopping)`);
    for (const c of [alice, bob]) await c.xmpp.close().catch(() => {});
    await ctx.startFocus();
  }
  assert.ok(lateSent > 0, 'requests were sent while the focus was stopping');
}, { deadline: 240000 });
