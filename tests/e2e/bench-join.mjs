#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Benchmark (not a test; prints figures, asserts nothing about time): how long a person waits
// from clicking "Join meeting" until the first remote video frame is decoded, for the 2nd
// participant of a meeting and for the 3rd (median of 5 runs each), with the web client in
// headless Chromium against real Prosody, parley-focus and parley-bridge; then the bridge's
// CPU (utime+stime from /proc/<pid>/stat over 20 s) and RSS during a 3-person call, and a
// screenshot of that call.
//   PARLEY_FOCUS_BIN=build-x/focus/parley-focus PARLEY_BRIDGE_BIN=build-x/bridge/parley-bridge \
//     tests/netns-run.sh node tests/e2e/bench-join.mjs [--runs 5] [--min-participants N]
//     [--screenshot docs/images/meeting-3.png]
// Timings are taken inside the page (performance.now()), polling getStats every 20 ms.
import { readFileSync } from 'node:fs';
import { BRIDGE_HTTP_PORT, receivingFrom, startStack } from './stack.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', 5));
const SHOT = opt('--screenshot', null);
const MEASURE_S = Number(opt('--cpu-seconds', 20));

// --min-participants N: the focus's focus.min_participants (its default when not given).
const MIN_PARTICIPANTS = opt('--min-participants', null);
const st = await startStack('bench-join', {
  focusSettings: MIN_PARTICIPANTS ? { focus: { min_participants: Number(MIN_PARTICIPANTS) } } : {},
});
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const HZ = 100; // Linux USER_HZ
/** The bridge's CPU seconds so far (utime + stime, fields 14 and 15 of /proc/<pid>/stat). */
const cpu = () => {
  const f = readFileSync(`/proc/${st.bridge.pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / HZ;
};
const status = () => Object.fromEntries(readFileSync(`/proc/${st.bridge.pid}/status`, 'utf8').split('\n')
  .map((l) => l.split(':')).filter((x) => x.length === 2).map(([k, v]) => [k, v.trim()]));
const fmt = (x) => (x === undefined ? '   -  ' : `${Math.round(x).toString().padStart(5)}`);

/**
 * Opens the pre-join screen of `room`, waits for camera and microphone, clicks Join and
 * measures in the page: joined (XMPP + conference + MUC), session-initiate, media connected,
 * first remote frame decoded, frames decoded from all `want` others (ms after the click).
 */
async function timedJoin(room, name, want) {
  const page = await st.join(room, name, { autojoin: false });
  await page.waitForFunction(() => window.parley?.screen === 'prejoin' && window.parley.local.video && window.parley.local.audio
    && document.querySelector('button.join') && !document.querySelector('button.join').disabled, null, { timeout: 20000 });
  await page.waitForTimeout(300);
  const marks = await page.evaluate(async (n) => {
    const t0 = performance.now();
    document.querySelector('button.join').click();
    const m = {};
    for (;;) {
      const now = performance.now() - t0;
      const p = window.parley;
      if (m.joined === undefined && p.state === 'joined') m.joined = now;
      if (m.initiate === undefined && p.log.some((l) => l.includes('jingle session-initiate'))) m.initiate = now;
      if (m.connected === undefined && p.mediaState === 'connected') m.connected = now;
      const s = await p.stats();
      const decoding = Object.keys(s).filter((k) => !k.startsWith('_') && k !== 'jvb' && (s[k].video?.framesDecoded ?? 0) > 0);
      if (m.first === undefined && decoding.length) m.first = performance.now() - t0;
      if (decoding.length >= n) { m.all = performance.now() - t0; return m; }
      if (now > 30000) return { ...m, timeout: true };
      await new Promise((r) => setTimeout(r, 20));
    }
  }, want);
  page.id = await page.evaluate(() => window.parley.endpointId);
  return { page, marks };
}

function report(label, runs) {
  console.log(`\n${label}: ms after clicking Join (joined = XMPP+conference+MUC; initiate = session-initiate received)`);
  console.log('  run  joined initiate connected first-frame all-frames');
  runs.forEach((m, i) => console.log(`  ${i + 1}   ${fmt(m.joined)}  ${fmt(m.initiate)}    ${fmt(m.connected)}      ${fmt(m.first)}      ${fmt(m.all)}${m.timeout ? '  TIMEOUT' : ''}`));
  const keys = ['joined', 'initiate', 'connected', 'first', 'all'];
  console.log(`  med  ${keys.map((k) => fmt(median(runs.map((m) => m[k] ?? NaN)))).join('   ')}`);
  return median(runs.map((m) => m.first));
}

try {
  // The bridge idle (in the brewery, no conference), for comparison.
  const IDLE_S = Number(opt('--idle-seconds', 10));
  if (IDLE_S > 0) {
    const i0 = cpu();
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    console.log(`parley-bridge idle (${IDLE_S} s, no conference): CPU ${(100 * (cpu() - i0) / IDLE_S).toFixed(1)} % of one core, RSS ${status().VmRSS}`);
  }

  // 2 participants: a fresh room each run; the first one is in alone (no media session yet).
  const two = [];
  for (let i = 0; i < RUNS; i++) {
    const room = `bench-two-${i}-${Date.now() % 100000}`;
    const a = await st.join(room, 'Ada First');
    const { page: b, marks } = await timedJoin(room, 'Ben Second', 1);
    two.push(marks);
    await b.evaluate(() => window.parley.leave());
    await a.evaluate(() => window.parley.leave());
    await a.waitForTimeout(300);
    await a.ctx.close();
    await b.ctx.close();
  }
  const med2 = report('2 participants (the 2nd joins)', two);

  // 3 participants: two are in a call; the third joins (and leaves again) five times.
  const room = `bench-three-${Date.now() % 100000}`;
  const a = await st.join(room, 'Ada First', { viewport: { width: 1280, height: 720 } });
  const b = await st.join(room, 'Ben Second');
  await receivingFrom(a, [b.id]);
  await receivingFrom(b, [a.id]);
  const three = [];
  let c = null;
  for (let i = 0; i < RUNS; i++) {
    const r = await timedJoin(room, 'Cyd Third', 2);
    three.push(r.marks);
    c = r.page;
    if (i === RUNS - 1) break;
    await c.evaluate(() => window.parley.leave());
    await c.waitForTimeout(1000);
    await c.ctx.close();
  }
  const med3 = report('3 participants (the 3rd joins a running call)', three);

  // Bridge CPU and memory during the 3-person call.
  for (const [p, ids] of [[a, [b.id, c.id]], [b, [a.id, c.id]], [c, [a.id, b.id]]]) await receivingFrom(p, ids);
  const metrics = async () => {
    const text = await (await fetch(`http://127.0.0.1:${BRIDGE_HTTP_PORT}/metrics`)).text();
    const m = {};
    for (const l of text.split('\n')) {
      const x = /^(parley_bridge_(?:packets_received|packets_sent|rtp_forwarded|bytes_received|bytes_sent)_total)(?:\{[^}]*\})? (\S+)$/.exec(l);
      if (x) m[x[1]] = (m[x[1]] ?? 0) + Number(x[2]);
    }
    return m;
  };
  const m0 = await metrics();
  const sendStats = () => Promise.all([a, b, c].map((p) => p.evaluate(() => window.parley.stats())));
  const s0 = await sendStats();
  const c0 = cpu();
  const w0 = performance.now();
  await a.waitForTimeout(MEASURE_S * 1000);
  const c1 = cpu();
  const secs = (performance.now() - w0) / 1000;
  const m1 = await metrics();
  const s1 = await sendStats();
  const s = status();
  const rate = (k) => ((m1[k] ?? 0) - (m0[k] ?? 0)) / secs;
  const rx = rate('parley_bridge_packets_received_total');
  const tx = rate('parley_bridge_packets_sent_total');
  console.log(`\nparley-bridge during the 3-person call (${secs.toFixed(1)} s): CPU ${(100 * (c1 - c0) / secs).toFixed(1)} % of one core`
    + ` (${(c1 - c0).toFixed(2)} s utime+stime), RSS ${s.VmRSS}, peak RSS ${s.VmHWM}, threads ${s.Threads}`);
  console.log(`  packets in ${rx.toFixed(0)}/s (${(rate('parley_bridge_bytes_received_total') * 8 / 1e6).toFixed(2)} Mbit/s),`
    + ` out ${tx.toFixed(0)}/s (${(rate('parley_bridge_bytes_sent_total') * 8 / 1e6).toFixed(2)} Mbit/s),`
    + ` RTP forwarded ${rate('parley_bridge_rtp_forwarded_total').toFixed(0)}/s;`
    + ` CPU per packet in+out ${rx + tx > 0 ? ((1e6 * (c1 - c0)) / ((rx + tx) * secs)).toFixed(1) : '-'} us`);
  // What the senders make of it (send-side bandwidth estimate, video bitrate, resolution).
  s1.forEach((x, i) => console.log(`  ${['Ada', 'Ben', 'Cyd'][i]} sends video at`
    + ` ${((x._local.video.bytesSent - s0[i]._local.video.bytesSent) * 8 / secs / 1000).toFixed(0)} kbit/s,`
    + ` ${x._local.video.frameWidth ?? '?'} px wide; estimated outgoing bandwidth ${Math.round((x._transport.availableOutgoingBitrate ?? 0) / 1000)} kbit/s`));
  console.log(`  load average: ${readFileSync('/proc/loadavg', 'utf8').trim()} (2 cores shared with other work)`);
  if (SHOT) {
    await a.screenshot({ path: SHOT });
    console.log(`screenshot of Ada's page: ${SHOT}`);
  }
  console.log(`\nmedian join -> first remote frame: 2 participants ${Math.round(med2)} ms, 3 participants ${Math.round(med3)} ms`);
  await st.stop();
} catch (e) {
  console.log(`bench failed: ${e.stack ?? e}`);
  st.dump();
  process.exit(1);
}
process.exit(0);
