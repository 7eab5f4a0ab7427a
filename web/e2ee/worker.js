// SPDX-License-Identifier: MIT
// The E2EE worker: every encoded audio and video frame we send or receive passes through it
// (RTCRtpScriptTransform, or the streams of createEncodedStreams posted here) and through
// SendCipher / RecvCipher (cipher.js), which decide what happens to it. Around them: frame
// counts and per-frame timings per participant, status snapshots for the page every 500 ms,
// a keyframe request once frames of a sender open again after some did not, and test
// helpers (record encrypted frames, try keys on them, export the keys held).
// One worker per conference, owned by E2ee (e2ee.js); all state lives on this worker's
// thread. Messages in: { op, ... } (see `ops`), handled one after the other; out: { op:
// 'status', status } and replies { reply: id, result, error } to requests with an `id`.

import { SendCipher, RecvCipher } from './cipher.js';
import { parseTrailer, decryptFrame } from './frame.js';
import { KeyRing } from './keys.js';

const subtle = globalThis.crypto.subtle;
const STATUS_MS = 500;
const SAMPLES = 1024;

const send = new SendCipher(subtle);
const recv = new RecvCipher(subtle);
const st = {
  receivers: new Map(), // rid -> { owner, kind, transformer, needKeyframe }
  peers: new Map(), // sender -> counts and times of what came from them
  sent: { encrypted: 0, dropped: 0, clear: 0 },
  timing: { enc: { audio: newTiming(), video: newTiming() }, dec: { audio: newTiming(), video: newTiming() } },
  records: new Map(), // sender -> { want, kind, frames: [{ kind, data }] }
  dirty: true,
};

function newTiming() {
  return { n: 0, sumUs: 0, bytes: 0, samples: new Float64Array(SAMPLES) };
}

function time(t, us, bytes) {
  t.samples[t.n % SAMPLES] = us;
  t.n++;
  t.sumUs += us;
  t.bytes += bytes;
}

function peer(id) {
  let p = st.peers.get(id);
  if (!p) {
    p = { ok: 0, noKey: 0, failed: 0, clear: 0, lastOk: 0, lastBad: 0, lastClear: 0, firstOk: 0, videoOk: 0, audioOk: 0 };
    st.peers.set(id, p);
  }
  return p;
}

function codecOf(frame) {
  try {
    return frame.getMetadata?.().mimeType ?? 'video/VP8';
  } catch {
    return 'video/VP8';
  }
}

async function sendFrame(frame, controller, kind) {
  const data = new Uint8Array(frame.data);
  const t0 = performance.now();
  const r = await send.process(kind, data, kind === 'video' ? codecOf(frame) : 'audio/opus');
  if (r.outcome === 'encrypted') time(st.timing.enc[kind], (performance.now() - t0) * 1000, data.length);
  if (r.outcome === 'encrypted') st.sent.encrypted++;
  else if (r.outcome === 'dropped') st.sent.dropped++;
  else if (data.length) st.sent.clear++;
  if (!r.data) return;
  if (r.data !== data) frame.data = r.data.buffer;
  controller.enqueue(frame);
}

async function recvFrame(frame, controller, rx) {
  const data = new Uint8Array(frame.data);
  const rec = st.records.get(rx.owner);
  if (rec && rec.frames.length < rec.want && rx.kind === rec.kind && parseTrailer(data)) {
    rec.frames.push({ kind: rx.kind, data: data.slice() });
  }
  const t0 = performance.now();
  const r = await recv.process(rx.owner, rx.kind, data);
  // A receiver with no owner is a bridge m-line (no participant's media): counted apart.
  const p = r.outcome === 'empty' ? null : peer(rx.owner ?? '_bridge');
  const now = Date.now();
  if (r.outcome === 'ok') {
    time(st.timing.dec[rx.kind], (performance.now() - t0) * 1000, r.data.length);
    p.ok++;
    p[rx.kind === 'video' ? 'videoOk' : 'audioOk']++;
    p.lastOk = now;
    if (!p.firstOk) p.firstOk = now;
  } else if (r.outcome === 'clear') {
    p.clear++;
    p.lastClear = now;
  } else if (p) {
    if (r.outcome === 'no-key') p.noKey++;
    else p.failed++;
    p.lastBad = now;
    rx.needKeyframe = true;
  }
  st.dirty = true;
  if (!r.data) return;
  if (r.data !== data) frame.data = r.data.buffer;
  controller.enqueue(frame);
  if (r.outcome === 'ok' && rx.needKeyframe && rx.kind === 'video') {
    // Frames were dropped before this one: the decoder needs a keyframe to go on.
    rx.needKeyframe = false;
    rx.transformer?.sendKeyFrameRequest?.().catch(() => {});
  }
}

/** Pipes one sender's or receiver's frames through the right transform. */
function attach({ readable, writable, side, kind, rid, owner, transformer }) {
  let fn;
  if (side === 'send') {
    fn = (frame, c) => sendFrame(frame, c, kind);
  } else {
    const rx = { owner, kind, transformer, needKeyframe: false };
    st.receivers.set(rid, rx);
    fn = (frame, c) => recvFrame(frame, c, rx);
  }
  const done = () => { if (side !== 'send') st.receivers.delete(rid); };
  readable.pipeThrough(new TransformStream({ transform: fn })).pipeTo(writable).then(done, done);
}

globalThis.onrtctransform = (e) => {
  const t = e.transformer;
  attach({ ...t.options, readable: t.readable, writable: t.writable, transformer: t });
};

function snapshot() {
  const timing = (t) => {
    const n = Math.min(t.n, SAMPLES);
    const s = Array.from(t.samples.subarray(0, n)).sort((a, b) => a - b);
    return {
      frames: t.n,
      meanUs: t.n ? t.sumUs / t.n : null,
      medianUs: n ? s[Math.floor(n / 2)] : null,
      p90Us: n ? s[Math.floor(n * 0.9)] : null,
      meanBytes: t.n ? t.bytes / t.n : null,
    };
  };
  return {
    on: send.on,
    sendKey: send.key ? { gen: send.key.gen, step: send.key.step } : null,
    counter: Number(send.ctr),
    sent: { ...st.sent },
    peers: Object.fromEntries([...st.peers].map(([id, p]) => [id, { ...p, keys: recv.rings.get(id)?.count ?? 0 }])),
    // Wall time per frame, from before the encrypt/decrypt to its result (performance.now()
    // is coarsened to 100 us in pages that are not cross-origin isolated: read means).
    timing: {
      encrypt: { audio: timing(st.timing.enc.audio), video: timing(st.timing.enc.video) },
      decrypt: { audio: timing(st.timing.dec.audio), video: timing(st.timing.dec.video) },
    },
  };
}

setInterval(() => {
  if (!st.dirty && !send.on) return;
  st.dirty = false;
  postMessage({ op: 'status', status: snapshot() });
}, STATUS_MS);

/** Tries to open frames (given, or those recorded) with `keys` or the sender's own ring. */
async function trial({ sender, frames, keys }) {
  let r = recv.rings.get(sender) ?? null;
  if (keys) {
    r = new KeyRing(subtle);
    for (const k of keys) await r.install(k.gen, k.step, k.raw);
  }
  let ok = 0;
  let failed = 0;
  const ids = new Set();
  for (const f of frames ?? st.records.get(sender)?.frames ?? []) {
    const t = parseTrailer(f.data);
    if (t) ids.add(`${t.gen}.${t.step}`);
    const k = t && r ? await r.resolve(t.gen, t.step) : null;
    try {
      if (!k) throw new Error('no key');
      await decryptFrame(subtle, k, f.kind, f.data, t);
      ok++;
    } catch {
      failed++;
    }
  }
  return { ok, failed, keyIds: [...ids] };
}

const ops = {
  ping: () => 'pong',
  mode(m) {
    send.on = !!m.on;
    recv.on = !!m.on;
    st.dirty = true;
  },
  async sendKey(m) {
    await send.setKey(m.key);
    st.dirty = true;
  },
  async keys(m) {
    await recv.install(m.sender, m.keys);
    st.dirty = true;
  },
  forget(m) {
    recv.forget(m.sender);
    st.peers.delete(m.sender);
    st.records.delete(m.sender);
    st.dirty = true;
  },
  owner(m) {
    const rx = st.receivers.get(m.rid);
    if (rx) rx.owner = m.owner;
  },
  stream: (m) => attach(m),
  status: () => snapshot(),
  record(m) {
    st.records.set(m.sender, { want: m.n, kind: m.kind ?? 'video', frames: [] });
  },
  records: (m) => st.records.get(m.sender)?.frames ?? [],
  export: (m) => recv.rings.get(m.sender)?.export() ?? [],
  trial,
};

// Handled one after the other: a key change must not overtake the one before it.
let queue = Promise.resolve();
globalThis.onmessage = (e) => {
  const m = e.data;
  const fn = ops[m?.op];
  if (!fn) return;
  queue = queue.then(async () => {
    let result;
    let error = null;
    try {
      result = await fn(m);
    } catch (err) {
      error = String(err?.message ?? err);
    }
    if (m.id !== undefined) postMessage({ reply: m.id, result, error });
  });
};
