// SPDX-License-Identifier: MIT
// End-to-end encryption of one conference, main-thread side (docs/e2ee.md):
//   - whether this browser can do it (encoded transforms, WebCrypto ECDH, workers);
//   - our ephemeral key pairs, published in our MUC presence with, when we are a moderator,
//     the meeting's E2EE state; the state is followed from moderators only (signal.js);
//   - one pairwise key per other participant (exchange.js), over which our media key goes to
//     them in MUC private messages the servers relay but cannot read, acknowledged;
//   - our key schedule (keys.js): fresh key when E2EE comes on and on every leave, ratchet on
//     every join;
//   - the worker (worker.js) and the encoded transforms on every sender and receiver of the
//     media session (RTCRtpScriptTransform, else createEncodedStreams);
//   - what the UI shows: the meeting's state, per participant whether their media is
//     decrypted, cannot be, or they cannot encrypt, and the short authentication string.
// A browser that cannot encrypt says so in its presence; while the meeting is encrypted it
// sends no media (nothing of ours crosses the bridge in clear) and cannot decode the others.
// Main thread; one E2ee per Conference, created before the join and closed with it.
//
// Events (CustomEvent detail): change {} (state, a participant's status or keys changed).

import { generateIdentity, pairwise, sas, unwrapKeys, wrapKeys } from './exchange.js';
import { KeySchedule } from './keys.js';
import { sameBareJid } from '../room.js';
import { addPresence, buildMessage, NS_E2EE, parseMessage, supersedes } from './signal.js';

const subtle = globalThis.crypto?.subtle;
const random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
const WORKER_START_MS = 20000;
/** How often we may ask one peer for its keys again (ms). */
const KEY_REQUEST_MS = 2000;

/**
 * What this browser offers: { supported, api: 'script' | 'streams' | null, reason }.
 * `force`: 'script' or 'streams' to pick one (tests), 'none' to behave as a browser without.
 */
export function detectE2ee(force = null) {
  const g = globalThis;
  if (force === 'none') return { supported: false, api: null, reason: 'turned off for this page' };
  if (!g.isSecureContext || !subtle || typeof g.Worker !== 'function') {
    return { supported: false, api: null, reason: 'no secure context, WebCrypto or workers' };
  }
  const script = typeof g.RTCRtpScriptTransform === 'function';
  const streams = typeof g.RTCRtpSender?.prototype?.createEncodedStreams === 'function';
  let api = null;
  if (force === 'streams' && streams) api = 'streams';
  else if (force === 'script' && script) api = 'script';
  else api = script ? 'script' : streams ? 'streams' : null;
  return api ? { supported: true, api, reason: null } : { supported: false, api: null, reason: 'no encoded transforms' };
}

export class E2ee extends EventTarget {
  /**
   * @param {object} p
   * @param {import('../conference.js').Conference} p.conference
   * @param {string|null} [p.force]   'script' | 'streams' | 'none' (see detectE2ee)
   */
  constructor(p) {
    super();
    this.conf = p.conference;
    const d = detectE2ee(p.force ?? null);
    this.supported = d.supported;
    this.api = d.api;
    this.reason = d.reason;
    this.identity = null;
    this.pubs = {};
    this.state = null; // { enabled, v } the meeting's state we follow (null: never declared)
    this.peers = new Map(); // id -> { id, supported, pubs, role, pair, pairKey, ready }
    this.worker = null;
    this.status = null; // worker snapshot
    this.attached = new WeakSet(); // senders / receivers with a transform
    this.rids = new WeakMap(); // receiver -> rid
    this.nextRid = 1;
    this.requests = new Map();
    this.nextReq = 1;
    this.outbox = []; // messages held until we are in the room
    this.frameStatus = new Map(); // id -> status from their latest frames (noteFrames)
    this.keysFrom = new Map(); // id -> when we got their first key (ms, performance.now)
    this.errors = 0;
    this.closed = false;
    this.sendBlocked = false;
    this.schedule = null;
    this.ready = this.supported ? this.init().catch((e) => {
      this.conf.log(`e2ee: cannot start: ${e.message}`);
      this.supported = false;
      this.reason = e.message;
    }) : Promise.resolve();
  }

  get enabled() { return !!this.state?.enabled; }

  get isModerator() { return this.conf.room?.role === 'moderator'; }

  async init() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'parley-e2ee' });
    this.worker.onmessage = (e) => this.onWorker(e.data);
    this.worker.onerror = (e) => this.conf.log(`e2ee worker error: ${e.message}`);
    const ping = this.ask({ op: 'ping' });
    this.identity = await generateIdentity(subtle);
    this.pubs = Object.fromEntries(Object.entries(this.identity).map(([c, v]) => [c, v.pub]));
    // A worker that does not answer would hold every frame in its transform: no E2EE then.
    // (It answers within milliseconds; the limit is for a browser that cannot run it at all.)
    let timer;
    const answer = await Promise.race([ping,
      new Promise((resolve) => { timer = setTimeout(() => resolve(null), WORKER_START_MS); })]);
    clearTimeout(timer);
    if (answer !== 'pong') {
      this.worker.terminate();
      this.worker = null;
      throw new Error('the E2EE worker did not start');
    }
    this.schedule = new KeySchedule({
      subtle,
      random,
      send: (peer, keys, seq) => this.sendKeys(peer, keys, seq),
      use: (key) => this.post({ op: 'sendKey', key }),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (t) => clearTimeout(t),
    });
  }

  changed() {
    if (!this.closed) this.dispatchEvent(new CustomEvent('change', { detail: {} }));
  }

  post(m, transfer = []) {
    this.worker?.postMessage(m, transfer);
  }

  /** A request to the worker; resolves with its reply. */
  ask(m) {
    if (!this.worker) return Promise.resolve(null);
    const id = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.post({ ...m, id });
    });
  }

  onWorker(m) {
    if (m.reply !== undefined) {
      const r = this.requests.get(m.reply);
      this.requests.delete(m.reply);
      if (m.error) r?.reject(new Error(m.error));
      else r?.resolve(m.result);
      return;
    }
    if (m.op === 'status') {
      const before = this.statusKey();
      this.noteFrames(this.status, m.status);
      this.status = m.status;
      if (this.statusKey() !== before) this.changed();
    }
  }

  /**
   * What each sender's frames were since the previous snapshot: the most common outcome
   * decides their status (a few odd frames around a key change do not); no frames keep the
   * status they had.
   */
  noteFrames(prev, cur) {
    for (const [id, w] of Object.entries(cur.peers ?? {})) {
      const p = prev?.peers?.[id];
      const d = (k) => (w[k] ?? 0) - (p?.[k] ?? 0);
      const ok = d('ok');
      const bad = d('noKey') + d('failed');
      const clear = d('clear');
      if (ok + bad + clear <= 0) continue;
      this.frameStatus.set(id, bad > ok && bad >= clear ? 'undecryptable' : clear > ok ? 'clear' : 'encrypted');
      if (d('noKey') > 0 && bad > ok) this.requestKeys(id);
    }
  }

  statusKey() {
    return [...this.peers.keys()].map((id) => `${id}:${this.peerStatus(id)}`).join();
  }

  // ---- the room -------------------------------------------------------------------------------

  /** Called by the Conference for each MucRoom it creates (before joining it). */
  wireRoom(room) {
    room.extensions.push((b) => addPresence(b, { supported: this.supported, pubs: this.pubs },
      room.role === 'moderator' && this.state ? this.state : null));
    room.addEventListener('occupant-joined', (e) => this.onOccupant(e.detail));
    room.addEventListener('occupant-updated', (e) => this.onOccupant(e.detail));
    room.addEventListener('occupant-left', (e) => this.onOccupantLeft(e.detail.id));
    room.addEventListener('self-updated', () => {
      // A new moderator declares the state it follows, so it outlives whoever set it.
      if (this.isModerator && this.state) room.update({});
      this.changed();
    });
  }

  /** Called once the XMPP connection is up: our key messages arrive as private messages. */
  attachXmpp(xmpp) {
    this.conf.handlers.push(xmpp.addHandler((m) => { this.onMessage(m); return true; }, NS_E2EE, 'message'));
  }

  /** We are in the room: send what waited, declare the state if we are a moderator. */
  onJoined() {
    const q = this.outbox.splice(0);
    for (const fn of q) fn();
    if (this.isModerator && this.state) this.conf.room.update({});
    this.changed();
  }

  onOccupant(o) {
    const info = o.e2ee ?? null;
    let p = this.peers.get(o.id);
    if (!p) {
      p = { id: o.id, supported: false, pubs: {}, role: o.role, pair: null, pairKey: '', ready: Promise.resolve(null) };
      this.peers.set(o.id, p);
    }
    p.role = o.role;
    p.supported = !!info?.supported;
    if (info?.state && o.role === 'moderator' && supersedes(info.state, this.state)) {
      this.conf.log(`e2ee: ${o.id} (moderator) turned end-to-end encryption ${info.state.enabled ? 'on' : 'off'} (v${info.state.v})`);
      this.adopt(info.state, o.id);
    }
    const key = p.supported ? Object.entries(info.pubs).map(([c, v]) => `${c}=${[...v].join('.')}`).join() : '';
    if (this.supported && key && key !== p.pairKey) {
      p.pairKey = key;
      p.pubs = info.pubs;
      p.ready = this.ready.then(() => pairwise(subtle, this.conf.endpointId, this.identity, o.id, info.pubs)).then((pair) => {
        if (this.peers.get(o.id) !== p) return null;
        p.pair = pair;
        if (pair) this.schedule.join(o.id);
        else this.conf.log(`e2ee: no common curve with ${o.id}`);
        this.changed();
        return pair;
      }, (e) => {
        this.conf.log(`e2ee: pairwise key with ${o.id} failed: ${e.message}`);
        return null;
      });
    }
    this.changed();
  }

  onOccupantLeft(id) {
    const p = this.peers.get(id);
    if (!p) return;
    this.peers.delete(id);
    this.keysFrom.delete(id);
    this.frameStatus.delete(id);
    if (this.schedule && p.pair) this.schedule.leave(id);
    this.post({ op: 'forget', sender: id });
    this.changed();
  }

  /** Follows a state a moderator declared (`by`, null for us) or we set. */
  adopt(state, by = null) {
    const was = this.enabled;
    this.state = { enabled: !!state.enabled, v: state.v };
    if (this.isModerator) this.conf.room?.update({});
    if (was !== this.enabled) {
      this.apply();
      // Told as a change only once we are in the meeting (not what we find when joining).
      if (this.conf.state === 'joined') this.dispatchEvent(new CustomEvent('toggled', { detail: { enabled: this.enabled, by } }));
    }
    this.changed();
  }

  apply() {
    const on = this.enabled;
    this.conf.log(`e2ee: ${on ? 'on' : 'off'}`);
    this.frameStatus.clear(); // what came before the change says nothing about what comes now
    if (!this.supported) {
      this.setSendBlocked(on);
      return;
    }
    this.ready.then(() => {
      if (this.closed || this.enabled !== on) return;
      this.post({ op: 'mode', on });
      if (on) {
        this.attachSession();
        this.schedule.enable([...this.peers.values()].filter((p) => p.pair).map((p) => p.id));
      } else {
        this.schedule.disable();
      }
    });
  }

  /** A moderator turns E2EE on or off for everyone. */
  setEnabled(on) {
    if (!this.isModerator) throw new Error('Only moderators can turn end-to-end encryption on or off.');
    if (on && !this.supported) throw new Error('This browser cannot encrypt end to end.');
    if (!!on === this.enabled) return;
    this.adopt({ enabled: !!on, v: (this.state?.v ?? 0) + 1 });
  }

  setSendBlocked(blocked) {
    this.sendBlocked = blocked;
    this.conf.session?.setSendBlocked?.(blocked);
  }

  // ---- key messages ---------------------------------------------------------------------------

  whenJoined(fn) {
    if (this.conf.room?.joined) fn();
    else this.outbox.push(fn);
  }

  async sendKeys(peer, keys, seq) {
    const p = this.peers.get(peer);
    if (!p?.pair) return;
    const payload = await wrapKeys(subtle, p.pair.send, this.conf.endpointId, peer, seq, keys, random);
    this.whenJoined(() => {
      if (!this.peers.has(peer) || !this.conf.xmpp?.connected) return;
      this.conf.xmpp.send(buildMessage(this.conf.xmpp, `${this.conf.roomJid}/${peer}`, { type: 'keys', seq, payload }));
    });
  }

  onMessage(msg) {
    const from = msg.getAttribute('from') ?? '';
    const slash = from.indexOf('/');
    const room = this.conf.room;
    if (!room || slash < 0 || msg.getAttribute('type') === 'error' || !sameBareJid(from, this.conf.roomJid)) return;
    const id = from.slice(slash + 1);
    const m = parseMessage(msg);
    if (!m) {
      this.bad(`malformed E2EE message from ${id}`);
      return;
    }
    if (m.type === 'ack') {
      this.schedule?.ack(id, m.seq);
      return;
    }
    if (m.type === 'request') {
      this.onKeyRequest(id);
      return;
    }
    this.onKeys(id, m).catch((e) => this.bad(`key message from ${id} refused: ${e.message}`));
  }

  /** Bad input from the network: counted, and logged at most once a second. */
  bad(what) {
    this.errors++;
    const now = Date.now();
    if (now - (this.lastBadLog ?? 0) < 1000) return;
    this.lastBadLog = now;
    this.conf.log(`e2ee: ${what} (${this.errors} refused so far)`);
  }

  /** A peer gets our frames and has no key for them: send it our keys again (no ratchet). */
  onKeyRequest(id) {
    const p = this.peers.get(id);
    if (!p?.pair || !this.enabled || !this.schedule) return;
    const now = Date.now();
    if (now - (p.lastResend ?? 0) < KEY_REQUEST_MS / 2) return;
    p.lastResend = now;
    this.conf.log(`e2ee: ${id} asks for our keys again`);
    this.schedule.resend(id);
  }

  /**
   * Frames of a peer keep coming that no key of ours opens (its key message was lost, or came
   * late and its sender moved on): ask it for its keys, at most every KEY_REQUEST_MS.
   */
  requestKeys(id) {
    const p = this.peers.get(id);
    if (!p?.pair || !this.enabled) return;
    const now = Date.now();
    if (now - (p.lastRequest ?? 0) < KEY_REQUEST_MS) return;
    p.lastRequest = now;
    this.conf.log(`e2ee: no key for ${id}'s frames: asking for them`);
    this.whenJoined(() => this.conf.xmpp?.send(buildMessage(this.conf.xmpp, `${this.conf.roomJid}/${id}`, { type: 'request', seq: 0 })));
  }

  async onKeys(id, m) {
    const p = this.peers.get(id);
    if (!p) throw new Error('not a participant we know');
    const pair = p.pair ?? await p.ready;
    if (!pair) throw new Error('no pairwise key');
    const { seq, keys } = await unwrapKeys(subtle, pair.recv, id, this.conf.endpointId, m.payload);
    await this.ask({ op: 'keys', sender: id, keys });
    if (!this.keysFrom.has(id)) this.keysFrom.set(id, performance.now());
    this.conf.log(`e2ee: keys from ${id}: ${keys.map((k) => `${k.gen}.${k.step}`).join(' ')}`);
    this.whenJoined(() => this.conf.xmpp?.send(buildMessage(this.conf.xmpp, `${this.conf.roomJid}/${id}`, { type: 'ack', seq })));
    this.changed();
  }

  // ---- transforms -----------------------------------------------------------------------------

  /** Options for the media session: PC configuration and the transform hooks. */
  sessionOptions() {
    if (!this.supported) return { sendBlocked: this.sendBlocked };
    return {
      sendBlocked: false,
      pcConfig: this.api === 'streams' ? { encodedInsertableStreams: true } : {},
      sender: (sender, kind) => this.attachSender(sender, kind),
      receiver: (receiver, kind, owner) => this.attachReceiver(receiver, kind, owner),
    };
  }

  /**
   * Transforms go on every sender and receiver from the start of the session, E2EE on or
   * off (off, frames pass unchanged): Chromium does not route frames through a transform set
   * on a sender or receiver that has already started, so turning E2EE on mid-call would not
   * work otherwise. A deployment that never wants E2EE turns it off in config.js (e2ee: false).
   */
  get wantTransforms() {
    return this.supported;
  }

  attachSession() {
    this.conf.session?.attachTransforms?.();
  }

  attachSender(sender, kind) {
    if (!this.wantTransforms || this.attached.has(sender) || !this.worker) return;
    this.attached.add(sender);
    const opts = { side: 'send', kind };
    if (this.api === 'script') {
      sender.transform = new RTCRtpScriptTransform(this.worker, opts);
    } else {
      const { readable, writable } = sender.createEncodedStreams();
      this.post({ op: 'stream', ...opts, readable, writable }, [readable, writable]);
    }
  }

  attachReceiver(receiver, kind, owner) {
    if (!this.wantTransforms || !this.worker) return;
    let rid = this.rids.get(receiver);
    if (rid) {
      this.post({ op: 'owner', rid, owner });
      return;
    }
    rid = this.nextRid++;
    this.rids.set(receiver, rid);
    const opts = { side: 'recv', kind, rid, owner };
    if (this.api === 'script') {
      receiver.transform = new RTCRtpScriptTransform(this.worker, opts);
    } else {
      const { readable, writable } = receiver.createEncodedStreams();
      this.post({ op: 'stream', ...opts, readable, writable }, [readable, writable]);
    }
  }

  // ---- what the UI shows ------------------------------------------------------------------------

  /**
   * A participant's E2EE status while the meeting is encrypted (null while it is not):
   * 'unsupported' (their browser cannot encrypt), 'no-support-here' (ours cannot decrypt),
   * 'encrypted' (their latest frames were decrypted), 'undecryptable' (frames came that no key
   * of ours opens), 'clear' (they send unencrypted frames, which are not shown), 'waiting'
   * (no frames yet).
   */
  peerStatus(id) {
    if (!this.enabled) return null;
    const p = this.peers.get(id);
    if (!p || !p.supported) return 'unsupported';
    if (!this.supported) return 'no-support-here';
    return this.frameStatus.get(id) ?? 'waiting';
  }

  /** The SAS of us and participant `id`, or null (no pairwise key). */
  async sasWith(id) {
    const p = this.peers.get(id);
    const pair = p?.pair ?? await p?.ready;
    if (!pair) return null;
    return sas(subtle, { id: this.conf.endpointId, curve: pair.curve, pub: this.pubs[pair.curve] },
      { id, curve: pair.curve, pub: p.pubs[pair.curve] });
  }

  /** Snapshot for the test hook. */
  snapshot() {
    return {
      supported: this.supported,
      api: this.api,
      reason: this.reason,
      enabled: this.enabled,
      version: this.state?.v ?? 0,
      isModerator: this.isModerator,
      sendBlocked: this.sendBlocked,
      sendKey: this.status?.sendKey ?? null,
      keySwitches: this.schedule?.switches ?? 0,
      errors: this.errors,
      participants: Object.fromEntries([...this.peers.values()].map((p) => [p.id, {
        supported: p.supported, paired: !!p.pair, curve: p.pair?.curve ?? null, status: this.peerStatus(p.id),
        keysAt: this.keysFrom.get(p.id) ?? null, worker: this.status?.peers?.[p.id] ?? null,
      }])),
      worker: this.status,
    };
  }

  close() {
    this.closed = true;
    if (this.schedule) this.schedule.disable();
    for (const r of this.requests.values()) r.reject(new Error('closed'));
    this.requests.clear();
    this.worker?.terminate();
    this.worker = null;
  }
}
