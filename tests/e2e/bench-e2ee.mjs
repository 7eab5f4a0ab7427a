#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Benchmark (not a test; prints figures, asserts nothing about time) of end-to-end encryption
// (docs/e2ee.md), with the web client in headless Chromium against real Prosody, parley-focus
// and parley-bridge:
//   1. join -> first remote frame decoded for a third participant joining a running 2-person
//      call, E2EE off and on (median of --runs each);
//   2. a 3-person call at 720p (Chromium's moving fake camera), E2EE off then on, --seconds
//      each: the bridge's CPU (utime+stime from /proc/<pid>/stat) per RTP packet forwarded
//      (parley_bridge_rtp_forwarded_total from /metrics), the same call length both ways;
//   3. the transform's cost per frame measured in the browser: in the call, the worker's wall
//      time per encrypt and decrypt (performance.now() is coarsened to 100 us outside
//      cross-origin isolation: means over thousands of frames; the worker's queueing and
//      WebCrypto's thread hop included, on a loaded machine); then,
//      with the call over, a loop in one page encrypting and decrypting frames of the call's
//      mean 720p video and audio sizes, with Chromium's CPU time per frame (all threads:
//      WebCrypto runs on its own) and the wall time.
//   PARLEY_FOCUS_BIN=build/focus/parley-focus PARLEY_BRIDGE_BIN=build/bridge/parley-bridge \
//     tests/netns-run.sh node tests/e2e/bench-e2ee.mjs [--runs 5] [--seconds 20]
import { readdirSync, readFileSync } from 'node:fs';
import { BRIDGE_HTTP_PORT, receivingFrom, startStack, until } from './stack.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', 5));
const SECONDS = Number(opt('--seconds', 20));

const st = await startStack('bench-e2ee');
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cpu = () => {
  const f = readFileSync(`/proc/${st.bridge.pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100;
};
const metrics = async () => {
  const text = await (await fetch(`http://127.0.0.1:${BRIDGE_HTTP_PORT}/metrics`)).text();
  const m = {};
  for (const l of text.split('\n')) {
    const x = /^(parley_bridge_(?:rtp_forwarded|packets_received|bytes_sent)_total) (\S+)$/.exec(l);
    if (x) m[x[1]] = Number(x[2]);
  }
  return m;
};
const load = () => readFileSync('/proc/loadavg', 'utf8').trim();
/** CPU seconds of each Chromium process (the test runs in its own PID namespace): pid -> s. */
const chromiumCpu = () => {
  const t = new Map();
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = f.slice(f.indexOf('(') + 1, f.lastIndexOf(')'));
      if (!/chrom/i.test(comm)) continue;
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      t.set(pid, (Number(rest[11]) + Number(rest[12])) / 100);
    } catch { /* gone */ }
  }
  return t;
};
/** CPU seconds Chromium used between two chromiumCpu() snapshots (processes alive in both). */
const cpuSince = (a, b = chromiumCpu()) => [...b].reduce((n, [pid, s]) => n + (a.has(pid) ? s - a.get(pid) : 0), 0);
const frames = (ws) => ws.reduce((n, w) => n + ['encrypt', 'decrypt'].reduce((m, d) => m + w.timing[d].audio.frames + w.timing[d].video.frames, 0), 0);

async function setE2ee(moderator, pages, on) {
  await moderator.evaluate((x) => window.parley.e2ee.setEnabled(x), on);
  for (const p of pages) {
    await until(p, (x) => window.parley.e2ee.state?.enabled === x, on, { timeout: 15000, what: `${p.tag}: E2EE ${on}` });
  }
}

/** A third participant joins `room` from the pre-join screen: ms from the click to the first frame from both others. */
async function timedJoin(room, name) {
  const page = await st.join(room, name, { autojoin: false, res: 720 });
  await page.waitForFunction(() => window.parley?.screen === 'prejoin' && window.parley.local.video
    && document.querySelector('button.join') && !document.querySelector('button.join').disabled, null, { timeout: 20000 });
  await page.waitForTimeout(300);
  const marks = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('button.join').click();
    const m = {};
    for (;;) {
      const p = window.parley;
      if (m.session === undefined && window.parleyConference?.session) m.session = window.parleyConference.session.startedAt - t0;
      const s = await p.stats();
      const decoding = Object.keys(s).filter((k) => !k.startsWith('_') && k !== 'jvb' && (s[k].video?.framesDecoded ?? 0) > 0);
      if (m.first === undefined && decoding.length) m.first = performance.now() - t0;
      if (decoding.length >= 2) { m.all = performance.now() - t0; return m; }
      if (performance.now() - t0 > 30000) return { ...m, timeout: true };
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  return { page, marks };
}

try {
  const results = {};
  // 1. join -> first frame, off and on, in one running call.
  const room = `bench-e2ee-${Date.now() % 100000}`;
  const a = await st.join(room, 'Ada First', { res: 720, viewport: { width: 1280, height: 720 } });
  const b = await st.join(room, 'Ben Second', { res: 720 });
  await receivingFrom(a, [b.id]);
  await receivingFrom(b, [a.id]);
  // Off and on alternate, so a change in the machine's load hits both alike.
  results.off = [];
  results.on = [];
  for (let i = 0; i < RUNS; i++) {
    for (const on of [false, true]) {
      await setE2ee(a, [a, b], on);
      await receivingFrom(a, [b.id]);
      const { page, marks } = await timedJoin(room, 'Cyd Third');
      results[on ? 'on' : 'off'].push(marks);
      await page.evaluate(() => window.parley.leave());
      await page.waitForTimeout(1500);
      await page.ctx.close();
    }
  }
  for (const k of ['off', 'on']) {
    const runs = results[k];
    console.log(`\njoin -> first remote frame, E2EE ${k} (3rd participant, ms after clicking Join):`);
    runs.forEach((m, i) => console.log(`  run ${i + 1}: session ${Math.round(m.session)}  first ${Math.round(m.first)}  both ${Math.round(m.all)}${m.timeout ? '  TIMEOUT' : ''}`));
    console.log(`  median: session ${Math.round(median(runs.map((m) => m.session)))}, first ${Math.round(median(runs.map((m) => m.first)))},`
      + ` both ${Math.round(median(runs.map((m) => m.all)))}; session -> first frame ${Math.round(median(runs.map((m) => m.first - m.session)))}`);
  }

  // 2. A 3-person 720p call: bridge CPU per forwarded packet, off then on.
  const { page: c } = await timedJoin(room, 'Cyd Third');
  const all = [a, b, c];
  const per = {};
  let sizes = null;
  for (const on of [false, true]) {
    await setE2ee(a, all, on);
    for (const p of all) await receivingFrom(p, await p.evaluate(() => window.parley.participants.map((x) => x.id)));
    await a.waitForTimeout(2000);
    const w0 = await Promise.all(all.map((p) => p.evaluate(() => window.parley.e2ee.state.worker)));
    const m0 = await metrics();
    const c0 = cpu();
    const b0 = chromiumCpu();
    const t0 = performance.now();
    await a.waitForTimeout(SECONDS * 1000);
    const c1 = cpu();
    const browser = cpuSince(b0);
    const secs = (performance.now() - t0) / 1000;
    const m1 = await metrics();
    const w1 = await Promise.all(all.map((p) => p.evaluate(() => window.parley.e2ee.state.worker)));
    const fwd = m1.parley_bridge_rtp_forwarded_total - m0.parley_bridge_rtp_forwarded_total;
    const rx = m1.parley_bridge_packets_received_total - m0.parley_bridge_packets_received_total;
    const bytes = m1.parley_bridge_bytes_sent_total - m0.parley_bridge_bytes_sent_total;
    per[on ? 'on' : 'off'] = {
      us: (1e6 * (c1 - c0)) / fwd, cpu: (100 * (c1 - c0)) / secs, fwd: fwd / secs, rx: rx / secs, mbit: (bytes * 8) / secs / 1e6,
      browser: browser / secs, frames: (frames(w1) - frames(w0)) / secs,
    };
    console.log(`\n3-person call at 720p, E2EE ${on ? 'on' : 'off'}, ${secs.toFixed(1)} s: bridge CPU ${per[on ? 'on' : 'off'].cpu.toFixed(1)} % of one core,`
      + ` ${per[on ? 'on' : 'off'].fwd.toFixed(0)} RTP packets forwarded/s (${per[on ? 'on' : 'off'].mbit.toFixed(2)} Mbit/s out),`
      + ` ${per[on ? 'on' : 'off'].us.toFixed(2)} us of bridge CPU per forwarded packet; load ${load()}`);
    console.log(`  Chromium (3 pages): ${(100 * per[on ? 'on' : 'off'].browser).toFixed(0)} % of one core`);
    if (on) {
      const f = (t) => `${t.meanUs?.toFixed(0)} us over ${t.frames} frames of ${t.meanBytes?.toFixed(0)} B`;
      w1.forEach((w, i) => {
        const e = w.timing.encrypt;
        const d = w.timing.decrypt;
        console.log(`  ${['Ada', 'Ben', 'Cyd'][i]}'s worker, wall time per frame: encrypt video ${f(e.video)}, audio ${f(e.audio)};`
          + ` decrypt video ${f(d.video)}, audio ${f(d.audio)}`);
      });
      const sum = (k, d) => w1.reduce((n, w) => n + w.timing[d][k].frames * (w.timing[d][k].meanBytes ?? 0), 0)
        / Math.max(1, w1.reduce((n, w) => n + w.timing[d][k].frames, 0));
      sizes = { video: sum('video', 'encrypt'), audio: sum('audio', 'encrypt') };
    }
  }
  console.log(`\nbridge CPU per forwarded packet: E2EE off ${per.off.us.toFixed(2)} us, on ${per.on.us.toFixed(2)} us (ratio ${(per.on.us / per.off.us).toFixed(2)})`);

  // 3. The transform alone, the call over: frames of the call's mean sizes, one after the other.
  const res = await a.evaluate(async () => (await window.parley.stats())._local.video);
  for (const p of all) await p.ctx.close();
  const page = await (await st.browser.newContext()).newPage();
  await page.goto(`${st.web.url}/bench-e2ee-loop?audio=0&video=0`);
  await page.waitForFunction(() => window.parley?.screen === 'prejoin', null, { timeout: 20000 });
  await page.waitForTimeout(2000);
  console.log(`\ntransform alone, in one page, the call over (frames of the call's mean sizes; the call sent ${res.frameWidth}x${res.frameHeight}):`);
  const N = 3000;
  for (const [name, kind, len] of [['video', 'video', Math.round(sizes.video)], ['video keyframe-sized', 'video', Math.round(sizes.video * 8)], ['audio', 'audio', Math.round(sizes.audio)]]) {
    const r = {};
    for (const dir of ['encrypt', 'decrypt']) {
      await page.evaluate(async ([k2, l, n]) => {
        const f = await import('/e2ee/frame.js');
        const k = await f.frameKey(crypto.subtle, crypto.getRandomValues(new Uint8Array(32)));
        const data = new Uint8Array(l);
        for (let o = 0; o < l; o += 65536) crypto.getRandomValues(data.subarray(o, Math.min(l, o + 65536)));
        const enc = [];
        for (let i = 0; i < n; i++) enc.push(await f.encryptFrame(crypto.subtle, k, k2, data, BigInt(i), 'video/VP8'));
        window.benchE2ee = { f, k, k2, data, enc };
      }, [kind, len, N]);
      const c0 = chromiumCpu();
      const t0 = performance.now();
      await page.evaluate(async ([d, n]) => {
        const { f, k, k2, data, enc } = window.benchE2ee;
        for (let i = 0; i < n; i++) {
          if (d === 'encrypt') await f.encryptFrame(crypto.subtle, k, k2, data, BigInt(n + i), 'video/VP8');
          else await f.decryptFrame(crypto.subtle, k, k2, enc[i]);
        }
      }, [dir, N]);
      r[dir] = { cpu: (1e6 * cpuSince(c0)) / N, wall: (1000 * (performance.now() - t0)) / N };
    }
    console.log(`  ${name} (${len} B): encrypt ${r.encrypt.cpu.toFixed(0)} us CPU (${r.encrypt.wall.toFixed(0)} us wall), decrypt ${r.decrypt.cpu.toFixed(0)} us CPU (${r.decrypt.wall.toFixed(0)} us wall) per frame`);
  }
  console.log(`\nmedian join -> first remote frame (3rd participant): E2EE off ${Math.round(median(results.off.map((m) => m.first)))} ms,`
    + ` on ${Math.round(median(results.on.map((m) => m.first)))} ms; load ${load()}`);
  await st.stop();
} catch (e) {
  console.log(`bench failed: ${e.stack ?? e}`);
  st.dump();
  process.exit(1);
}
process.exit(0);
