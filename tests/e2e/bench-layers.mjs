#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Benchmark (not a test; prints figures, asserts nothing about time): how long a receiver waits
// from changing what it shows until the new layer is on its screen. Three participants in
// headless Chromium (fake 720p cameras, simulcast) against real Prosody, parley-focus and
// parley-bridge; Carol in speaker view moves the stage between Alice and Bob --switches times
// (default 20). For each move, measured inside Carol's page (performance.now(), getStats every
// 20 ms): "up", from the pin until the new stage participant is decoded at >= 540 lines, and
// "down", until the one leaving the stage is decoded at <= 270 lines. Prints every sample, then
// p50/p95/max of each, and the bridge's keyframe requests and layer switches over the run.
//   PARLEY_FOCUS_BIN=build/focus/parley-focus PARLEY_BRIDGE_BIN=build/bridge/parley-bridge \
//     tests/netns-run.sh node tests/e2e/bench-layers.mjs [--switches 20] [--settle-ms 1500]
import { BRIDGE_HTTP_PORT, receivingFrom, startStack, until } from './stack.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const SWITCHES = Number(opt('--switches', 20));
const SETTLE_MS = Number(opt('--settle-ms', 1500));

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN;
};
const fmt = (x) => (Number.isFinite(x) ? `${Math.round(x)}`.padStart(6) : '     -');

/** The bridge's /metrics lines whose name starts with one of `prefixes`, as name -> value. */
async function metrics(prefixes) {
  const text = await (await fetch(`http://127.0.0.1:${BRIDGE_HTTP_PORT}/metrics`)).text();
  const out = {};
  for (const l of text.split('\n')) {
    if (l.startsWith('#')) continue;
    const [k, v] = l.split(' ');
    if (prefixes.some((p) => k.startsWith(p))) out[k] = Number(v);
  }
  return out;
}

const st = await startStack('bench-layers');
let code = 0;
try {
  const ROOM = 'layer-switch-timing-8842';
  const opts = { res: 720, viewport: { width: 1280, height: 720 } };
  const alice = await st.join(ROOM, 'Alice Martin', opts);
  const bob = await st.join(ROOM, 'Bob Chen', opts);
  const carol = await st.join(ROOM, 'Carol Diaz', opts);
  await receivingFrom(carol, [alice.id, bob.id]);
  // Both senders' top layers up (Chromium's own estimate ramps first): Alice on stage in HD.
  await carol.evaluate((id) => window.parley.pin(id), alice.id);
  await until(carol, async (id) => ((await window.parley.stats())[id]?.video?.frameHeight ?? 0) >= 540, alice.id,
    { timeout: 120000, what: 'carol decoding alice at >= 540 lines' });
  await carol.evaluate((id) => window.parley.pin(id), bob.id);
  await until(carol, async (id) => ((await window.parley.stats())[id]?.video?.frameHeight ?? 0) >= 540, bob.id,
    { timeout: 120000, what: 'carol decoding bob at >= 540 lines' });
  const before = await metrics(['parley_bridge_keyframe', 'parley_bridge_layer', 'parley_bridge_pli', 'parley_bridge_projection']);

  const up = [];
  const down = [];
  console.log(' move  stage     up ms  down ms');
  for (let k = 0; k < SWITCHES; k++) {
    const [to, from] = k % 2 === 0 ? [alice.id, bob.id] : [bob.id, alice.id];
    await carol.waitForTimeout(SETTLE_MS); // let the previous move settle; not a measurement
    const r = await carol.evaluate(async ([t, f]) => {
      const t0 = performance.now();
      window.parley.pin(t);
      const m = {};
      while (performance.now() - t0 < 30000 && (m.up === undefined || m.down === undefined)) {
        const s = await window.parley.stats();
        const now = performance.now() - t0;
        if (m.up === undefined && (s[t]?.video?.frameHeight ?? 0) >= 540) m.up = now;
        if (m.down === undefined && (s[f]?.video?.frameHeight ?? 0) > 0 && s[f].video.frameHeight <= 270) m.down = now;
        await new Promise((res) => setTimeout(res, 20));
      }
      return m;
    }, [to, from]);
    if (r.up !== undefined) up.push(r.up);
    if (r.down !== undefined) down.push(r.down);
    console.log(`${String(k + 1).padStart(5)}  ${to === alice.id ? 'alice' : 'bob  '}  ${fmt(r.up)}   ${fmt(r.down)}`);
  }
  const after = await metrics(['parley_bridge_keyframe', 'parley_bridge_layer', 'parley_bridge_pli', 'parley_bridge_projection']);
  console.log(`\nconstraint change -> new layer on screen, ${SWITCHES} moves (ms):`);
  console.log(`  up   (>= 540 lines): n=${up.length} p50 ${fmt(quantile(up, 0.5))} p95 ${fmt(quantile(up, 0.95))} max ${fmt(Math.max(...up))}`);
  console.log(`  down (<= 270 lines): n=${down.length} p50 ${fmt(quantile(down, 0.5))} p95 ${fmt(quantile(down, 0.95))} max ${fmt(Math.max(...down))}`);
  const missed = SWITCHES * 2 - up.length - down.length;
  if (missed) console.log(`  ${missed} moves did not reach the new layer within 30 s`);
  for (const k of Object.keys(after).sort()) {
    if (after[k] !== before[k]) console.log(`  ${k}: +${after[k] - (before[k] ?? 0)}`);
  }
  const la = await carol.evaluate(() => window.parley.stats());
  console.log(`  carol: freezes ${[alice.id, bob.id].map((id) => la[id]?.video?.freezeCount ?? '?').join('/')} (alice/bob)`);
} catch (e) {
  console.log(`bench-layers: ${e.message}`);
  st.dump();
  code = 1;
} finally {
  await st.stop().catch(() => {});
}
process.exit(code);
