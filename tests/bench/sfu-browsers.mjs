#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Benchmark (prints figures, asserts nothing about time): real Chromium participants (fake
// camera 640x360 and microphone, VP8 + Opus, no simulcast) in one meeting on parley-bridge and
// in one Janus VideoRoom, side by side on this machine, alternating servers so both see the
// same minutes. For each: the server process's CPU (every thread, /proc/<pid>/task/<tid>/
// schedstat) per RTP packet the participants received (inbound-rtp packetsReceived, summed over
// every page: the packets the server forwarded), loss as the pages count it, and the round-trip
// time of the pages' ICE pair to the server. Then, with the meeting still running (the same
// Chromium load on the cores), the paced forwarding floor for the same mix (forward-floor
// --variant paced+1sock: N-1 receivers, 30 video frames/s at the video bit rate the pages
// received per sender, 50 audio packets/s): what any forwarder pays per packet at this rate,
// wake-ups included, on this machine as it is during the meeting (--no-floor skips it).
//   PARLEY_FOCUS_BIN=build-x/focus/parley-focus PARLEY_BRIDGE_BIN=build-x/bridge/parley-bridge \
//     tests/netns-run.sh node tests/bench/sfu-browsers.mjs [--n "3 4"] [--seconds 30] [--repeats 2]
// Parley runs its own web client through the real Prosody and parley-focus (tests/e2e/stack.mjs);
// Janus runs with tests/bench/janus.sh (veth pair, HTTP API) and a minimal page that publishes
// and subscribes over Janus's HTTP API (proxied by a local HTTP server, same origin).
// State belongs to the Node.js event loop thread.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { receivingFrom, startStack } from '../e2e/stack.mjs';
import { launch, loadPlaywright } from '../../web/test/e2e/lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const SIZES = opt('--n', '3 4').split(/\s+/).map(Number);
const SECONDS = Number(opt('--seconds', 30));
const WARMUP = Number(opt('--warmup', 10));
const REPEATS = Number(opt('--repeats', 1));
const FLOOR = !argv.includes('--no-floor');
const FLOOR_BIN = process.env.PARLEY_FORWARD_FLOOR_BIN
  ?? join(dirname(process.env.PARLEY_BRIDGE_BIN ?? 'build/bridge/parley-bridge'), '..', 'tests', 'bench', 'forward-floor');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU ns of every thread of process `pid` (schedstat: time on CPU), by thread name too. */
function cpuNs(pid, byName = null) {
  let total = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      total += ns;
      if (byName) {
        const name = readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim().replace(/[0-9]+$/, 'N');
        byName[name] = (byName[name] ?? 0) + ns;
      }
    } catch { /* a thread that ended */ }
  }
  return total;
}
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? -1);

/** The paced floor (forward-floor) for a meeting of `n` whose pages received `videoKbps` of
 * video in all, measured for `seconds` while the meeting runs: us per forwarded packet. */
function floorBeside(n, videoKbps, seconds) {
  if (!FLOOR) return { us: NaN };
  const perSender = Math.max(1, Math.round(videoKbps / (n * (n - 1))));
  const r = spawnSync(FLOOR_BIN, ['-n', String(n), '--video-kbps', String(perSender), '--variant', 'paced+1sock',
    '-d', String(seconds)], { encoding: 'utf8' });
  const m = /^paced\+1sock\s+\d+\s+\d+\s+[\d.]+\s+([\d.]+)/m.exec(r.stdout ?? '');
  if (!m) {
    console.log(`          floor: forward-floor failed (${FLOOR_BIN}): ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
    return { us: NaN, kbps: perSender };
  }
  return { us: Number(m[1]), kbps: perSender };
}

/** Samples every page (received, lost, rtt), the server's CPU, for `seconds`. */
async function measure(pid, pages, pageStats, seconds) {
  const snap = async () => (await Promise.all(pages.map(pageStats)))
    .reduce((a, s) => ({ received: a.received + s.received, lost: a.lost + s.lost,
      videoBytes: a.videoBytes + (s.videoBytes ?? 0),
      rtt: [...a.rtt, s.rtt].filter((x) => x != null) }), { received: 0, lost: 0, videoBytes: 0, rtt: [] });
  const s0 = await snap();
  const b0 = {};
  const b1 = {};
  const c0 = cpuNs(pid, b0);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const c1 = cpuNs(pid, b1);
  const s1 = await snap();
  const secs = (performance.now() - t0) / 1000;
  const fwd = s1.received - s0.received;
  const lost = s1.lost - s0.lost;
  return {
    pps: fwd / secs,
    cpuPct: (c1 - c0) / 1e7 / secs,
    usPerFwd: fwd > 0 ? (c1 - c0) / 1000 / fwd : NaN,
    lossPct: fwd + lost > 0 ? (100 * lost) / (fwd + lost) : 0,
    rttMs: s1.rtt.length ? (1000 * s1.rtt.reduce((a, b) => a + b, 0)) / s1.rtt.length : NaN,
    rssKb: rssKb(pid),
    videoKbps: ((s1.videoBytes - s0.videoBytes) * 8) / 1000 / secs, /* every page's video, summed */
    threads: Object.entries(b1).map(([k, v]) => [k, (v - (b0[k] ?? 0)) / 1e7 / secs])
      .filter(([, pct]) => pct >= 0.05).sort((a, b) => b[1] - a[1])
      .map(([k, pct]) => `${k} ${pct.toFixed(2)}%`).join(', '),
  };
}

// ---- Parley ----

async function runParley(n) {
  const st = await startStack('sfu-browsers');
  try {
    const room = `bench-${n}-${Date.now() % 100000}`;
    const pages = [];
    for (let i = 0; i < n; i++) pages.push(await st.join(room, `Person ${i}`));
    for (const p of pages) await receivingFrom(p, pages.filter((q) => q !== p).map((q) => q.id), { timeout: 60000 });
    await sleep(WARMUP * 1000);
    const pageStats = (p) => p.evaluate(async () => {
      const s = await window.parley.stats();
      let received = 0;
      let lost = 0;
      let videoBytes = 0;
      for (const [owner, kinds] of Object.entries(s)) {
        if (owner.startsWith('_') || owner === 'jvb') continue;
        for (const k of Object.values(kinds)) {
          received += k.packetsReceived ?? 0;
          lost += k.packetsLost ?? 0;
        }
        videoBytes += kinds.video?.bytesReceived ?? 0;
      }
      return { received, lost, videoBytes, rtt: s._transport?.rtt ?? null };
    });
    const codec = await pages[0].evaluate(async () => {
      const s = await window.parley.stats();
      const o = Object.entries(s).find(([k]) => !k.startsWith('_') && k !== 'jvb');
      return o ? `${o[1].video?.codec} ${o[1].video?.frameWidth}x${o[1].video?.frameHeight}` : '?';
    });
    const r = await measure(st.bridge.pid, pages, pageStats, SECONDS);
    r.codec = codec;
    r.floor = floorBeside(n, r.videoKbps, SECONDS);
    return r;
  } finally {
    await st.stop();
  }
}

// ---- Janus ----

const JANUS_PAGE = `<!doctype html><meta charset="utf-8"><title>janus bench</title><body><script>
const api = async (path, body) => {
  const r = await fetch('/janus' + path, body ? { method: 'POST', body: JSON.stringify({ ...body, transaction: String(Math.random()) }) } : {});
  return r.json();
};
const waiters = [];
const events = [];
async function poll(session) {
  for (;;) {
    const evs = await api('/' + session + '?maxev=10');
    for (const e of Array.isArray(evs) ? evs : [evs]) events.push(e);
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i];
      const j = events.findIndex((e) => e.sender === w.handle && (e.jsep || e.plugindata));
      if (j >= 0) { waiters.splice(i--, 1); w.resolve(events.splice(j, 1)[0]); }
    }
  }
}
const next = (handle) => {
  const j = events.findIndex((e) => e.sender === handle && (e.jsep || e.plugindata));
  if (j >= 0) return Promise.resolve(events.splice(j, 1)[0]);
  return new Promise((resolve) => waiters.push({ handle, resolve }));
};
const gathered = (pc) => new Promise((r) => {
  if (pc.iceGatheringState === 'complete') r();
  pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
});
window.bench = { pcs: [] };
bench.publish = async (room, display) => {
  const s = await api('', { janus: 'create' });
  bench.session = s.data.id;
  poll(bench.session);
  const h = (await api('/' + bench.session, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
  await api('/' + bench.session + '/' + h, { janus: 'message', body: { request: 'create', room, publishers: 64, audiocodec: 'opus', videocodec: 'vp8', bitrate: 0 } });
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { exact: 640 }, height: { exact: 360 }, frameRate: 30 } });
  const pc = new RTCPeerConnection();
  bench.pcs.push(pc);
  for (const t of media.getTracks()) pc.addTrack(t, media);
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  await api('/' + bench.session + '/' + h, { janus: 'message', body: { request: 'joinandconfigure', room, ptype: 'publisher', display, audio: true, video: true }, jsep: pc.localDescription });
  const e = await next(h);
  await pc.setRemoteDescription(e.jsep);
  return e.plugindata.data.id;
};
bench.subscribe = async (room, feeds) => {
  const h = (await api('/' + bench.session, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
  await api('/' + bench.session + '/' + h, { janus: 'message', body: { request: 'join', room, ptype: 'subscriber', streams: feeds.map((feed) => ({ feed })) } });
  const e = await next(h);
  const pc = new RTCPeerConnection();
  bench.pcs.push(pc);
  pc.ontrack = (ev) => { const v = document.createElement(ev.track.kind); v.autoplay = true; v.muted = true; v.srcObject = new MediaStream([ev.track]); document.body.append(v); };
  await pc.setRemoteDescription(e.jsep);
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  await api('/' + bench.session + '/' + h, { janus: 'message', body: { request: 'start' }, jsep: pc.localDescription });
};
bench.stats = async () => {
  let received = 0, lost = 0, frames = 0, videoBytes = 0, rtt = null, codec = null;
  for (const pc of bench.pcs) {
    const r = await pc.getStats();
    r.forEach((s) => {
      if (s.type === 'inbound-rtp') {
        received += s.packetsReceived ?? 0; lost += s.packetsLost ?? 0;
        if (s.kind === 'video') { frames += s.framesDecoded ?? 0; videoBytes += s.bytesReceived ?? 0; codec ??= s.codecId && r.get(s.codecId)?.mimeType + ' ' + s.frameWidth + 'x' + s.frameHeight; }
      }
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && s.currentRoundTripTime != null) rtt = s.currentRoundTripTime;
    });
  }
  return { received, lost, videoBytes, rtt, frames, codec };
};
</script>`;

/** Serves the Janus page and proxies /janus to Janus's HTTP API (one origin for the page). */
async function startJanusWeb() {
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(JANUS_PAGE);
      return;
    }
    if (!req.url.startsWith('/janus')) { res.writeHead(404); res.end(); return; }
    const up = request({ host: '127.0.0.1', port: 8088, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

async function runJanus(n, pw) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-janus-'));
  const start = spawnSync(join(HERE, 'janus.sh'), ['start', dir], { encoding: 'utf8' });
  if (start.status === 77) return { skipped: start.stdout.trim() };
  if (start.status !== 0) throw new Error(`janus.sh start: ${start.stdout}${start.stderr}`);
  const pid = Number(readFileSync(join(dir, 'janus.pid'), 'utf8'));
  const web = await startJanusWeb();
  const browser = await launch(pw);
  try {
    const room = 4000 + n;
    const pages = [];
    const feeds = [];
    for (let i = 0; i < n; i++) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(web.url);
      feeds.push(await page.evaluate(([r, d]) => window.bench.publish(r, d), [room, `p${i}`]));
      pages.push(page);
    }
    for (let i = 0; i < n; i++) await pages[i].evaluate(([r, f]) => window.bench.subscribe(r, f), [room, feeds.filter((_, j) => j !== i)]);
    for (const p of pages) {
      await p.waitForFunction(async (want) => (await window.bench.stats()).frames > want, 30, { timeout: 60000, polling: 500 });
    }
    await sleep(WARMUP * 1000);
    const r = await measure(pid, pages, (p) => p.evaluate(() => window.bench.stats()), SECONDS);
    r.codec = (await pages[0].evaluate(() => window.bench.stats())).codec;
    r.floor = floorBeside(n, r.videoKbps, SECONDS);
    return r;
  } finally {
    await browser.close();
    web.close();
    spawnSync(join(HERE, 'janus.sh'), ['stop', dir]);
  }
}

// ---- main ----

const pw = await loadPlaywright();
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const rows = [];
console.log('server  n  rep  fwd_pps  cpu_%  us/fwd  loss_%  rtt_ms  rss_kB   janus/parley  video');
for (const n of SIZES) {
  for (let rep = 1; rep <= REPEATS; rep++) {
    const p = await runParley(n);
    console.log(`parley  ${n}  ${rep}    ${fmt(p.pps, 0).padStart(6)}  ${fmt(p.cpuPct).padStart(5)}  ${fmt(p.usPerFwd).padStart(6)}  ${fmt(p.lossPct, 2).padStart(6)}  ${fmt(p.rttMs, 2).padStart(6)}  ${String(p.rssKb).padStart(6)}                 ${p.codec}`);
    console.log(`          threads: ${p.threads}`);
    const floorLine = (r) => `          paced floor beside this meeting (${r.floor.kbps ?? '-'} kbit/s video per sender): `
      + `${fmt(r.floor.us)} us/fwd; server/floor ${fmt(r.usPerFwd / r.floor.us, 2)}`;
    if (FLOOR) console.log(floorLine(p));
    // A Janus run that breaks (its SDP now and then fails to parse in Chromium) is reported
    // and the benchmark goes on.
    const j = await runJanus(n, pw).catch((e) => ({ failed: String(e.message ?? e).split('\n')[0] }));
    if (j.failed) {
      console.log(`janus   ${n}  ${rep}  failed: ${j.failed}`);
      continue;
    }
    if (j.skipped) {
      console.log(`janus   ${n}  ${rep}  skipped: ${j.skipped}`);
      continue;
    }
    const ratio = j.usPerFwd / p.usPerFwd;
    console.log(`janus   ${n}  ${rep}    ${fmt(j.pps, 0).padStart(6)}  ${fmt(j.cpuPct).padStart(5)}  ${fmt(j.usPerFwd).padStart(6)}  ${fmt(j.lossPct, 2).padStart(6)}  ${fmt(j.rttMs, 2).padStart(6)}  ${String(j.rssKb).padStart(6)}   ${fmt(ratio, 2).padStart(8)}      ${j.codec}`);
    console.log(`          threads: ${j.threads}`);
    if (FLOOR) {
      console.log(floorLine(j));
      console.log(`          janus/5 = ${fmt(j.usPerFwd / 5)} us/fwd against the floors beside the meetings ${fmt(p.floor.us)} (parley's) and ${fmt(j.floor.us)} (janus's)`);
    }
    rows.push({ n, ratio });
  }
}
console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()} (2 cores shared with other work)`);
process.exit(0);
