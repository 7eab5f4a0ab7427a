#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Bandwidth estimation toward a receiver, with real browsers: Parley's web client in headless
// Chromium (fake 720p cameras, three VP8 simulcast layers each) against a real Prosody,
// parley-focus and parley-bridge. Carol has Alice on stage (she asks for 720p of Alice, 180p
// of Bob). Then her downlink, and only hers, is held to 500 kbit/s with `tc` on loopback
// (an HTB class for UDP from the bridge's media port to her browser's port, a 40 kB queue):
// the bridge's estimate of her downlink falls to the limit, her allocation stays within it,
// she gets a lower layer of Alice, and her video keeps going: while it switches down (the
// first 5 s, its frozen time a figure) no stall over 3.5 s, then no stall
// over 2 s (more than Bob's) and frozen at most 2 s longer than Bob, who has Alice on stage
// too without a limit (on a loaded machine a CPU-starved encoder freezes everyone alike);
// frozen time is measured on the frames as presented (requestVideoFrameCallback on the tile:
// a frame on screen over 300 ms), Chromium's freeze statistics are printed as figures.
// Switches up that the link cannot carry are counted by the bridge and printed.
// Then the limit is lifted: she decodes Alice at >= 540 lines again with frames flowing
// within 15 s, which needs the estimate to ramp up by probing.
// Last, 2% random loss on her downlink (nftables) for 20 s: her browser NACKs, the bridge
// answers from its own cache, her browser needs no key frame to get over the losses, and her
// picture is frozen hardly longer than Bob's (no loss; at most 4 s of the 20 more) and does
// not stall over 1 s more than his.
// Figures (times, freezes, estimates from the bridge's GET /debug/endpoints) are printed as
// "# figures" and summed up in "# summary".
// Exit 0 pass, 1 fail, 77 skip. Run through meson (suite e2e) or:
//   PARLEY_FOCUS_BIN=... PARLEY_BRIDGE_BIN=... tests/netns-run.sh node tests/e2e/bwe.mjs
import { execFileSync } from 'node:child_process';
import { BRIDGE_HTTP_PORT, check, outDir, receivingFrom, startPresenting, startStack, stats, stopPresenting } from './stack.mjs';

const LIMIT = '500kbit';
const BRIDGE_ICE_PORT = 20000; // stack.mjs's bridge
const BACK_TO_HD_S = 15;
const SETTLE_MS = 5000; // from the limit: the switch down

function tc(...args) {
  return execFileSync('tc', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// tc with HTB and u32 must work in this namespace, or the test cannot hold a downlink.
try {
  tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '10');
  tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit');
  tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', LIMIT, 'ceil', LIMIT,
    'burst', '4k', 'cburst', '4k');
  tc('qdisc', 'add', 'dev', 'lo', 'parent', '1:20', 'handle', '20:', 'bfifo', 'limit', '40000');
} catch (e) {
  console.log(`SKIP: tc (HTB shaping on lo) does not work here: ${String(e.stderr ?? e.message).trim()}`);
  process.exit(77);
}

// Random loss needs nftables (numgen; this kernel has no tc netem).
function nft(...args) {
  return execFileSync('nft', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
try {
  nft('add', 'table', 'inet', 'parley_loss');
  // On the input hook: a drop on output would fail the bridge's send (EPERM), which it retries.
  nft('add', 'chain', 'inet', 'parley_loss', 'in', '{ type filter hook input priority 0; }');
} catch (e) {
  console.log(`SKIP: nft (random loss on lo) does not work here: ${String(e.stderr ?? e.message).trim()}`);
  process.exit(77);
}

const st = await startStack('bwe');
const out = outDir('bwe');
let error = null;
const ROOM = 'bwe-downlink-7731';
const t0 = Date.now();
const step = (m) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${m}`);
const figures = [];
const figure = (m) => { figures.push(m); console.log(`# figures: ${m}`); };
const deadline = setTimeout(() => { console.log('not ok - bwe test did not finish within 400 s'); st.dump(); process.exit(1); }, 400000);

// Every page keeps its RTCPeerConnections in window.__pcs, for the getStats fields the web
// client's own stats() does not report (freezeCount, the selected candidate's port).
const newContext = st.browser.newContext.bind(st.browser);
st.browser.newContext = async (o) => {
  const ctx = await newContext(o);
  await ctx.addInitScript(() => {
    const Orig = window.RTCPeerConnection;
    window.__pcs = [];
    function Hooked(...a) {
      const pc = new Orig(...a);
      window.__pcs.push(pc);
      return pc;
    }
    Hooked.prototype = Orig.prototype;
    Object.setPrototypeOf(Hooked, Orig);
    window.RTCPeerConnection = Hooked;
  });
  return ctx;
};

/** Inbound video of `page` per sender endpoint: height, frames, freezes; and its UDP port. */
async function video(page) {
  const owners = await stats(page);
  const byssrc = {};
  for (const [id, v] of Object.entries(owners)) for (const s of v?.video?.ssrcs ?? []) byssrc[s] = id;
  return page.evaluate((map) => (async () => {
    const pcs = window.__pcs.filter((p) => p.connectionState !== 'closed');
    const out = { port: null, from: {} };
    for (const pc of pcs) {
      const r = await pc.getStats();
      let pair = null;
      r.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
      if (pair) out.port = r.get(pair.localCandidateId)?.port ?? null;
      r.forEach((s) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video' || !map[s.ssrc]) return;
        const o = (out.from[map[s.ssrc]] ??= { height: 0, frames: 0, freezes: 0, freezeMs: 0, nacks: 0, lost: 0, received: 0, rtx: 0, plis: 0 });
        o.height = Math.max(o.height, s.frameHeight ?? 0);
        o.nacks += s.nackCount ?? 0;
        o.lost += s.packetsLost ?? 0;
        o.received += s.packetsReceived ?? 0;
        o.rtx += s.retransmittedPacketsReceived ?? 0;
        o.plis += s.pliCount ?? 0;
        o.frames += s.framesDecoded ?? 0;
        o.freezes += s.freezeCount ?? 0;
        o.freezeMs += Math.round((s.totalFreezesDuration ?? 0) * 1000);
      });
    }
    return out;
  })(), byssrc);
}

const FROZEN_GAP_MS = 300; /* a frame on screen longer than this: frozen */
/** What `page` showed of `id`'s tile since startPresenting (stack.mjs). */
const stopPresent = async (page, id) => (await stopPresenting(page))[id];

/** The bridge's view of endpoint `id` (GET /debug/endpoints), or null. */
async function bridgeView(id) {
  const r = await fetch(`http://127.0.0.1:${BRIDGE_HTTP_PORT}/debug/endpoints`);
  if (!r.ok) throw new Error(`/debug/endpoints: HTTP ${r.status}`);
  const j = await r.json();
  return j.endpoints.find((e) => e.endpoint === id) ?? null;
}

/** The bridge's counters named in `names` (GET /metrics). */
async function metrics(names) {
  const text = await (await fetch(`http://127.0.0.1:${BRIDGE_HTTP_PORT}/metrics`)).text();
  const m = {};
  for (const l of text.split('\n')) {
    const x = /^(\S+) (\S+)$/.exec(l);
    if (x && names.includes(x[1])) m[x[1]] = Number(x[2]);
  }
  return m;
}

/** Packets nft counted going to carol's port, and those it dropped. */
function lossCounters() {
  const j = JSON.parse(nft('-j', 'list', 'table', 'inet', 'parley_loss'));
  const counts = j.nftables.filter((x) => x.rule).map((x) => x.rule.expr.find((e) => e.counter)?.counter.packets ?? 0);
  return { sent: counts[0] ?? 0, dropped: counts[1] ?? 0 };
}

const kbps = (bps) => (bps == null ? '?' : `${Math.round(bps / 1000)} kbit/s`);
function estimate(v) {
  return v?.bwe ? `estimate ${kbps(v.bwe.estimate_bps)} (acked ${kbps(v.bwe.acked_bps)}, `
    + `rtt ${v.bwe.rtt_us ? Math.round(v.bwe.rtt_us / 1000) + ' ms' : '?'}, loss ${v.bwe.loss_fraction}, `
    + `probes ${v.bwe.probes_succeeded}/${v.bwe.probes} with ${Math.round(v.bwe.padding_bytes / 1000)} kB of padding, `
    + `overuses ${v.bwe.overuses}), `
    + `allocated ${kbps(v.allocated_bps)} of ideal ${kbps(v.ideal_bps)} (budget ${kbps(v.allocation_budget_bps)}, `
    + `audio and the rest ${kbps(v.bwe.other_bps)})` : 'no estimate';
}

/**
 * Polls `page`'s video from `who` every 250 ms until `cond(v)` holds (v: its entry) or
 * `timeout`; returns { ms, v, samples } where samples follow frames over time.
 */
async function watch(page, who, cond, timeout, what) {
  const start = Date.now();
  const samples = [];
  for (;;) {
    const v = await video(page);
    const e = v.from[who] ?? { height: 0, frames: 0, freezes: 0, freezeMs: 0 };
    samples.push({ t: Date.now() - start, ...e });
    if (cond(e)) return { ms: Date.now() - start, v: e, samples };
    if (Date.now() - start > timeout) throw new Error(`${page.tag}: timed out after ${timeout} ms waiting for ${what} (last ${JSON.stringify(e)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The longest time in `samples` during which frames did not increase (ms). */
function longestStall(samples) {
  let worst = 0;
  let since = samples[0]?.t ?? 0;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i].frames > samples[i - 1].frames) since = samples[i].t;
    worst = Math.max(worst, samples[i].t - since);
  }
  return worst;
}

let limited = false;
function lift() {
  if (!limited) return;
  tc('filter', 'del', 'dev', 'lo', 'parent', '1:', 'prio', '1');
  limited = false;
}

// PARLEY_BWE_TRACE=1: the bridge's view of every endpoint every 500 ms, on stderr.
let tracer = null;
if (process.env.PARLEY_BWE_TRACE) {
  tracer = setInterval(async () => {
    try {
      const r = await fetch(`http://127.0.0.1:${BRIDGE_HTTP_PORT}/debug/endpoints`);
      const j = await r.json();
      for (const e of j.endpoints) console.error(`# trace ${((Date.now() - t0) / 1000).toFixed(1)} ${e.endpoint}: ${estimate(e)} lost ${e.bwe?.packets_lost}/${e.bwe?.packets_acked} delay ${kbps(e.bwe?.delay_bps)} loss ${kbps(e.bwe?.loss_bps)} upfail ${e.upgrades_failed} held ${e.upgrade_held_ms}`);
    } catch { /* not up yet */ }
  }, 500);
}

try {
  const opts = { res: 720, viewport: { width: 1280, height: 720 } };
  const alice = await st.join(ROOM, 'Alice Martin', opts);
  const bob = await st.join(ROOM, 'Bob Chen', opts);
  const carol = await st.join(ROOM, 'Carol Diaz', opts);
  step(`joined: alice ${alice.id}, bob ${bob.id}, carol ${carol.id}`);
  await receivingFrom(carol, [alice.id, bob.id]);
  await receivingFrom(bob, [alice.id, carol.id]);
  step('everyone decodes the two others');

  await carol.evaluate((id) => window.parley.pin(id), alice.id);
  await bob.evaluate((id) => window.parley.pin(id), alice.id);
  const hd = await watch(carol, alice.id, (e) => e.height >= 540, 60000, 'carol decoding alice >= 540p');
  step(`carol decodes alice (on stage) at ${hd.v.height} lines after ${hd.ms} ms`);
  await watch(bob, alice.id, (e) => e.height >= 540, 60000, 'bob decoding alice >= 540p');
  let cv = await bridgeView(carol.id);
  check(cv?.bwe?.estimate_bps > 0, `the bridge has an estimate of carol's downlink: ${estimate(cv)}`);
  figure(`unlimited: carol ${estimate(cv)}`);

  // Hold carol's downlink: UDP from the bridge's media port to her browser's port.
  const port = (await video(carol)).port;
  check(port > 0, `carol's browser receives on UDP port ${port}`);
  const before = (await video(carol)).from[alice.id];
  const bobBefore = (await video(bob)).from[alice.id];
  tc('filter', 'add', 'dev', 'lo', 'protocol', 'ip', 'parent', '1:', 'prio', '1', 'u32',
    'match', 'ip', 'protocol', '17', '0xff', 'match', 'ip', 'sport', String(BRIDGE_ICE_PORT), '0xffff',
    'match', 'ip', 'dport', String(port), '0xffff', 'flowid', '1:20');
  limited = true;
  step(`carol's downlink held to ${LIMIT}`);
  const down = await watch(carol, alice.id, (e) => e.height > 0 && e.height < 540, 30000,
    'carol getting a lower layer of alice');
  figure(`limit ${LIMIT}: carol got alice at ${down.v.height} lines after ${(down.ms / 1000).toFixed(1)} s`);
  cv = await bridgeView(carol.id);
  figure(`right after the switch down: carol ${estimate(cv)}`);

  // 20 s at the limit: her video keeps going, within the estimate. Bob (unlimited, same
  // sender, same loaded machine) is the control for freezes the bridge cannot cause: a
  // sender's encoder starved of CPU freezes everyone's picture alike.
  const held = [];
  const bobAt = [];
  const views = [];
  const holdStart = Date.now();
  let presenting = false;
  while (Date.now() - holdStart < 20000) {
    const v = (await video(carol)).from[alice.id];
    held.push({ t: Date.now() - holdStart + down.ms, ...v });
    if (!presenting && held.at(-1).t >= SETTLE_MS) {
      // From here on, what carol and bob see of alice's tile (the settled part).
      await startPresenting(carol, [alice.id], FROZEN_GAP_MS);
      await startPresenting(bob, [alice.id], FROZEN_GAP_MS);
      presenting = true;
    }
    bobAt.push({ t: Date.now() - holdStart + down.ms, ...(await video(bob)).from[alice.id] });
    views.push(await bridgeView(carol.id));
    await new Promise((r) => setTimeout(r, 500));
  }
  const last = held.at(-1);
  const shown = presenting ? await stopPresent(carol, alice.id) : { found: false, max: 0, frozen: 0 };
  const bobShown = presenting ? await stopPresent(bob, alice.id) : { found: false, max: 0, frozen: 0 };
  // The first SETTLE_MS after the limit are the switch down: the queue in front of her fills
  // before any estimate can see it, and each step down waits for a key frame through it, so
  // a freeze or two there is the price of a link halving at once. After that her video is
  // to be as smooth as an unlimited receiver's.
  const settledAt = held.find((h) => h.t >= SETTLE_MS) ?? last;
  const bobSettled = bobAt.find((b) => b.t >= SETTLE_MS) ?? bobAt.at(-1);
  const switchStall = longestStall([...down.samples, ...held].filter((h) => h.t <= SETTLE_MS));
  const stall = longestStall(held.filter((h) => h.t >= SETTLE_MS));
  const bobStall = longestStall(bobAt.filter((h) => h.t >= SETTLE_MS));
  const fps = (last.frames - down.v.frames) / 20;
  const ests = views.filter((x) => x?.bwe).map((x) => x.bwe.estimate_bps);
  const heights = [...new Set(held.map((h) => h.height))].sort((a, b) => a - b);
  const ups = held.filter((h, i) => i > 0 && h.height > held[i - 1].height).length;
  figure(`held 20 s at ${LIMIT}: alice at ${heights.join('/')} lines (${ups} switches up seen), `
    + `${fps.toFixed(1)} fps decoded, longest stall ${switchStall} ms while switching down and ${stall} ms after; `
    + `estimate min ${kbps(Math.min(...ests))} max ${kbps(Math.max(...ests))}; `
    + `${views.at(-1)?.upgrades_failed} switches up the link could not carry; carol ${estimate(views.at(-1))}`);
  check(fps >= 3, `carol keeps decoding alice while limited (${fps.toFixed(1)} fps)`);
  check(switchStall <= 3500, `carol's video of alice stalls no longer than 3.5 s while switching down (${switchStall} ms)`);
  check(stall <= 2000 + bobStall, `then no stall of carol's video of alice longer than 2 s beyond bob's (${stall} ms; bob ${bobStall} ms)`);
  // Its median over the last 10 s: a probe's result may spike above the link for a moment
  // (a starved browser reports arrivals in bunches), an over-use brings it back at once.
  const lastEsts = ests.slice(Math.floor(ests.length / 2)).sort((a, b) => a - b);
  const median = lastEsts[Math.floor(lastEsts.length / 2)];
  check(ests.length > 0 && median <= 700000,
    `the bridge's estimate of carol's downlink follows the limit (median of the last 10 s ${kbps(median)}, `
    + `at most ${kbps(lastEsts.at(-1))})`);
  // Above the estimate it was made with only by the on-stage floor (its lowest layer is
  // never suspended).
  const over = views.filter((x) => x?.allocation_estimate_bps && x.allocated_bps > x.allocation_estimate_bps && !x.oversending);
  check(over.length === 0, `carol's allocation stays within the estimate (${over.length} of ${views.length} samples above)`);
  check(views.some((x) => x?.limited_by_estimate), 'the bridge reports carol limited by her estimate');
  const bobNow = bobAt.at(-1);
  const switchFreezes = settledAt.freezes - before.freezes;
  const switchFrozenMs = settledAt.freezeMs - before.freezeMs;
  const bobSwitchFrozenMs = bobSettled.freezeMs - bobBefore.freezeMs;
  const freezes = last.freezes - settledAt.freezes;
  const bobFreezes = bobNow.freezes - bobSettled.freezes;
  figure(`freezes of alice's video: carol ${switchFreezes} while switching down (first ${SETTLE_MS / 1000} s, `
    + `${switchFrozenMs} ms frozen), ${freezes} after (${last.freezeMs - settledAt.freezeMs} ms); bob (unlimited control) `
    + `${bobSettled.freezes - bobBefore.freezes} (${bobSwitchFrozenMs} ms) and ${bobFreezes} (${bobNow.freezeMs - bobSettled.freezeMs} ms)`);
  // What a person sees: the time alice's tile showed one frame for over FROZEN_GAP_MS, from
  // the frames as presented (requestVideoFrameCallback). Chromium's freeze statistics above
  // are figures only: its counts scatter with load, and now and then it reports one freeze of
  // 3.3-3.5 s here while frames kept being decoded and shown (seen with this stop's bridge and
  // the previous one alike).
  check(shown.found && bobShown.found, 'alice\'s tile has a video element on both pages');
  figure(`settled part, as presented: carol's picture of alice frozen ${shown.frozen} ms (longest frame on screen ${shown.max} ms), bob's ${bobShown.frozen} ms (${bobShown.max} ms)`);
  check(shown.frozen <= bobShown.frozen + 2000,
    `then frozen at most 2 s longer than an unlimited receiver's picture of alice, as presented (carol ${shown.frozen} ms, longest ${shown.max} ms; bob ${bobShown.frozen} ms)`);
  figure(`bob, not limited, decodes alice at ${bobNow.height} lines; bob ${estimate(await bridgeView(bob.id))}`);

  // Lift the limit: back to HD (probing ramps the estimate up), with frames flowing.
  const beforeLift = (await video(carol)).from[alice.id];
  lift();
  step('limit lifted');
  let prev = null;
  const up = await watch(carol, alice.id, (e) => {
    const ok = prev && e.height >= 540 && prev.height >= 540 && e.frames >= prev.frames + 3;
    prev = e;
    return ok;
  }, 60000, 'carol decoding alice >= 540p again, frames rising');
  cv = await bridgeView(carol.id);
  figure(`lifted: carol back at ${up.v.height} lines after ${(up.ms / 1000).toFixed(1)} s; carol ${estimate(cv)}`);
  // Measured 2.4 to 5.2 s, also beside stress-ng at a load average of 24: 15 s is the promise.
  check(up.ms <= BACK_TO_HD_S * 1000, `carol back to >= 540p within ${BACK_TO_HD_S} s of the lift (${(up.ms / 1000).toFixed(1)} s)`);
  const after = (await video(carol)).from[alice.id];
  figure(`freezes during the ramp up: ${after.freezes - beforeLift.freezes}`);

  // 2% random loss on her downlink for 20 s: the bridge answers her NACKs from its cache
  // (RTX), so her video does not freeze more than that of Bob, who loses nothing.
  const RTX = ['parley_bridge_retransmissions_sent_total', 'parley_bridge_retransmissions_missed_total',
    'parley_bridge_nacks_forwarded_total'];
  const m0 = await metrics(RTX);
  const c0 = (await video(carol)).from[alice.id];
  const b0 = (await video(bob)).from[alice.id];
  await startPresenting(carol, [alice.id], FROZEN_GAP_MS);
  await startPresenting(bob, [alice.id], FROZEN_GAP_MS);
  const match = ['udp', 'sport', String(BRIDGE_ICE_PORT), 'udp', 'dport', String(port)];
  nft('add', 'rule', 'inet', 'parley_loss', 'in', 'ip', 'daddr', '127.0.0.1', ...match, 'counter');
  nft('add', 'rule', 'inet', 'parley_loss', 'in', 'ip', 'daddr', '127.0.0.1', ...match,
    'numgen', 'random', 'mod', '50', '0', 'counter', 'drop');
  step("2% random loss on carol's downlink");
  const lossy = [];
  const bobLossy = [];
  const lossStart = Date.now();
  while (Date.now() - lossStart < 20000) {
    lossy.push({ t: Date.now() - lossStart, ...(await video(carol)).from[alice.id] });
    bobLossy.push({ t: Date.now() - lossStart, ...(await video(bob)).from[alice.id] });
    await new Promise((r) => setTimeout(r, 500));
  }
  const lossShown = await stopPresent(carol, alice.id);
  const bobLossShown = await stopPresent(bob, alice.id);
  const lc = lossCounters();
  nft('flush', 'chain', 'inet', 'parley_loss', 'in');
  step('loss lifted');
  const m1 = await metrics(RTX);
  const c1 = lossy.at(-1);
  const b1 = bobLossy.at(-1);
  const rtxSent = m1[RTX[0]] - m0[RTX[0]];
  const lossStall = longestStall(lossy);
  const bobLossStall = longestStall(bobLossy);
  figure(`2% loss, 20 s: ${lc.dropped} of ${lc.sent} packets to carol dropped; the bridge sent ${rtxSent} again `
    + `(${m1[RTX[1]] - m0[RTX[1]]} it did not have, ${m1[RTX[2]] - m0[RTX[2]]} NACKs passed to senders); carol's browser `
    + `NACKed ${c1.nacks - c0.nacks} of alice's packets, got ${c1.rtx - c0.rtx} retransmitted, counts ${c1.lost - c0.lost} lost `
    + `of ${c1.received - c0.received}; alice at ${c1.height} lines, ${((c1.frames - c0.frames) / 20).toFixed(1)} fps, `
    + `longest stall ${lossStall} ms, freezes ${c1.freezes - c0.freezes} (${c1.freezeMs - c0.freezeMs} ms), `
    + `${c1.plis - c0.plis} key frames asked for; bob (no loss): longest stall ${bobLossStall} ms, freezes `
    + `${b1.freezes - b0.freezes} (${b1.freezeMs - b0.freezeMs} ms), ${b1.plis - b0.plis} key frames asked for`);
  check(lc.dropped >= 0.01 * lc.sent && lc.dropped > 20, `the path dropped about 2% of carol's packets (${lc.dropped} of ${lc.sent})`);
  check(c1.nacks > c0.nacks, `carol's browser asks for what it lost of alice's video (${c1.nacks - c0.nacks} NACKs)`);
  const nacks = c1.nacks - c0.nacks;
  check(rtxSent >= 0.8 * nacks, `the bridge answers them itself (${rtxSent} packets sent again for ${nacks} NACKs)`);
  // Every loss repaired by a retransmission: a browser that cannot repair a frame asks for a
  // key frame (PLI) instead.
  const cp = c1.plis - c0.plis;
  const bp = b1.plis - b0.plis;
  check(cp <= bp + 1, `carol's browser needed no key frame to get over the losses (${cp} PLIs; bob ${bp})`);
  // On a loaded machine everyone's picture freezes now and then (a CPU-starved encoder or
  // decoder, a retransmission that a starved browser asked for late); Bob, who loses nothing,
  // measures that. Quiet: 0 ms for both. Measured on the frames as presented, as above.
  figure(`2% loss, as presented: carol's picture of alice frozen ${lossShown.frozen} ms (longest frame on screen ${lossShown.max} ms), bob's ${bobLossShown.frozen} ms (${bobLossShown.max} ms)`);
  check(lossShown.frozen <= bobLossShown.frozen + 4000,
    `carol's picture of alice frozen at most 4 s of the 20 more than bob's, as presented (${lossShown.frozen} ms; bob ${bobLossShown.frozen} ms)`);
  check(lossStall <= 1000 + bobLossStall, `no stall of carol's video of alice over 1 s beyond bob's under 2% loss (${lossStall} ms; bob ${bobLossStall} ms)`);
} catch (e) {
  error = e;
}
clearTimeout(deadline);
if (tracer) clearInterval(tracer);
try { lift(); } catch { /* the namespace goes anyway */ }
try { nft('delete', 'table', 'inet', 'parley_loss'); } catch { /* the namespace goes anyway */ }
console.log(`# summary: ${figures.join('; ')}`);
await st.finish(error, { out });
