// SPDX-License-Identifier: MIT
// A meeting from the client's side: XMPP connection -> conference request to the focus ->
// MUC join -> Jingle media session with the bridge (when the focus invites us) -> bridge
// channel (colibri-ws). Keeps the participant list that the UI renders and the test hook
// reads: names, roles, mute state, raised hands, camera and screen-share tracks, connection
// quality. Also the chat (chat.js), our raised hand, our screen share's signalling, and
// whether the focus has a bridge for us (bridgeNotAvailable in its presence). End-to-end
// encryption (e2ee/e2ee.js) hangs off it as `this.e2ee` when the page asks for it.
// Main thread; one Conference per join attempt (a rejoin makes a new one).
//
// Events (CustomEvent detail):
//   state        { state, previous }    idle|connecting|requesting|joining|joined|left|failed
//   media-state  { state }              none|no-bridge|negotiating|connected|interrupted|moving|failed
//   participants (Map snapshot)         any change in the participant list, their tracks or state
//   error        { code, message, fatal }
//   notice       { code, message }      transient information for a toast
//   endpoint-message { from, payload }
//   dominant-speaker { id }
//   hand         { raised }             our own hand went up or down
//   quality      { [id]: quality, _local } connection quality (quality.js), every 2 s in a call

import { Chat } from './chat.js';
import { BridgeChannel } from './colibri/bridge-channel.js';
import { NS } from './jingle/ns.js';
import { parseJingle } from './jingle/parse.js';
import { IqError, XmppConnection } from './xmpp/connection.js';
import { capsFor, FEATURES, IDENTITY } from './xmpp/disco.js';
import { fetchIceServers, iceTransportPolicy } from './xmpp/extdisco.js';
import { FocusError, requestConference } from './xmpp/focus.js';
import { MediaSession } from './xmpp/media-session.js';
import { MucRoom, resourceOf } from './xmpp/muc.js';
import { QualitySampler } from './quality.js';
import { canonicalJid, newEndpointId } from './room.js';
import { E2ee } from './e2ee/e2ee.js';
import { IceWatch, reconnectDelay } from './recovery.js';

/** How long we wait for a focus that left the room (restarting) before giving up on it. */
const FOCUS_RETURN_MS = 60000;
const QUALITY_INTERVAL_MS = 2000;
/** Jitsi Meet's EndpointMessage asking a participant to lower their hand (from a moderator). */
export const LOWER_HAND_MESSAGE = 'lower-hand-message';

/**
 * Features of the focus (its disco#info) that turn on moderator actions the focus carries
 * out. Parley's focus does not offer them yet; the UI shows those actions only when they are
 * there (see docs/user-guide.md and the phase-B design in the web README).
 */
export const FOCUS_FEATURES = {
  remoteMuteAudio: 'http://jitsi.org/jitmeet/audio',
  remoteMuteVideo: 'http://jitsi.org/jitmeet/video',
  endConference: 'urn:parley:end-conference:0',
};

/** jitsi_participant_codecList: our video codec preference, preferred first. */
export function codecList(preferred) {
  const all = ['vp8', 'vp9', 'av1', 'h264'];
  const p = String(preferred).toLowerCase();
  return [...all.filter((c) => c === p), ...all.filter((c) => c !== p)].join(',');
}
const MOVE_GRACE_MS = 20000;

export class Conference extends EventTarget {
  /**
   * @param {object} config   /config.js (domain, muc, focus, websocket, bosh, ...)
   * @param {object} p        { room, displayName, media: LocalMedia, machineUid, e2ee }
   *   e2ee: null for none, else { force } (see e2ee/e2ee.js detectE2ee)
   */
  constructor(config, p) {
    super();
    this.config = config;
    this.roomName = p.room;
    // The canonical spelling: what the server stores and sends back.
    this.roomJid = canonicalJid(`${p.room}@${config.muc}`);
    this.displayName = p.displayName ?? '';
    this.media = p.media;
    this.machineUid = p.machineUid;
    // A moderator of a secure domain logs in ({ jid, password }); everyone else anonymously.
    this.credentials = p.credentials ?? null;
    this.iceServers = []; // from the XMPP server (XEP-0215), before the media session
    // A reconnect keeps the endpoint id (the MUC nickname) we had, as docs/protocol.md asks.
    this.endpointId = p.endpointId ?? newEndpointId();
    this.state = 'idle';
    this.mediaState = 'none';
    this.xmpp = null;
    this.room = null;
    this.session = null;
    this.cameraMaxHeight = null; // the bridge's limit for our camera (SenderSourceConstraints)
    this.channel = null;
    this.focusJid = null;
    this.participants = new Map(); // id -> participant
    this.dominantSpeaker = null;
    this.view = 'tile'; // or 'speaker' (setView)
    this.pinned = null;
    this.handlers = [];
    this.timers = new Set();
    this.abort = new AbortController();
    this.endpointMessages = [];
    this.events = []; // short history for debugging and tests
    this.raisedHand = 0; // when our hand went up (ms), 0 when down
    this.bridgeAvailable = true; // false while the focus says bridgeNotAvailable
    this.capabilities = { remoteMuteAudio: false, remoteMuteVideo: false, endConference: false };
    this.quality = {};
    this.qualitySampler = new QualitySampler();
    this.chat = new Chat({
      selfId: () => this.endpointId,
      selfName: () => this.displayName,
      nameOf: (id) => this.participants.get(id)?.displayName ?? null,
    });
    this.e2ee = p.e2ee ? new E2ee({ conference: this, force: p.e2ee.force ?? null }) : null;
    this.onMediaTrack = (e) => this.localTrackChanged(e.detail.kind);
    this.onMediaMute = () => this.publishMuteState();
  }

  log(line) {
    this.events.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (this.events.length > 300) this.events.shift();
    if (globalThis.PARLEY_DEBUG) console.debug(`[parley] ${line}`);
  }

  setState(state) {
    if (this.state === state) return;
    const previous = this.state;
    this.state = state;
    this.log(`state ${previous} -> ${state}`);
    this.dispatchEvent(new CustomEvent('state', { detail: { state, previous } }));
  }

  setMediaState(state) {
    if (this.mediaState === state) return;
    this.mediaState = state;
    this.log(`media ${state}`);
    this.dispatchEvent(new CustomEvent('media-state', { detail: { state } }));
  }

  fail(code, message) {
    if (this.state === 'failed' || this.state === 'left') return;
    this.log(`failed: ${code}: ${message}`);
    this.teardown(false);
    this.setState('failed');
    this.dispatchEvent(new CustomEvent('error', { detail: { code, message, fatal: true } }));
  }

  notice(code, message) {
    this.log(`notice ${code}: ${message}`);
    this.dispatchEvent(new CustomEvent('notice', { detail: { code, message } }));
  }

  later(ms, fn) {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
    return t;
  }

  cancel(t) {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  emitParticipants() {
    this.dispatchEvent(new CustomEvent('participants', { detail: this.participants }));
  }

  /** Connects, asks the focus for the conference, joins the room. */
  async join() {
    this.media.addEventListener('track', this.onMediaTrack);
    this.media.addEventListener('mute', this.onMediaMute);
    try {
      this.setState('connecting');
      this.xmpp = new XmppConnection(this.config, globalThis, this.credentials);
      const { transport } = await this.xmpp.connect();
      this.log(`connected as ${this.xmpp.jid} over ${transport}`);
      // ICE servers (TURN credentials) from the server we logged in to, while the focus works.
      const iceServers = fetchIceServers(this.xmpp, this.xmpp.jid.replace(/^[^@]*@/, '').replace(/\/.*$/, ''),
        { log: (l) => this.log(l) });
      if (this.state !== 'connecting') return;
      this.xmpp.addEventListener('disconnected', (e) => {
        if (e.detail.unexpected) this.fail('connection-lost', 'The connection to the server was lost.');
      });
      this.installHandlers();

      this.setState('requesting');
      const confRequest = () => requestConference(this.xmpp, {
        focus: this.config.focus,
        room: this.roomJid,
        machineUid: this.machineUid,
        signal: this.abort.signal,
        // A guest of a secure domain waits until a moderator has opened the room.
        waitForHost: !!this.config.anonymousdomain && !this.credentials,
        onWait: ({ reason, delayMs }) => this.log(`conference request: ${reason}`) || (reason === 'waiting-for-host'
          ? this.notice('waiting-for-host', 'Waiting for the host to start the meeting…') : this.notice(reason === 'not-ready' ? 'focus-not-ready' : 'focus-retry',
          reason === 'not-ready'
            ? `The meeting is being prepared… retrying in ${Math.round(delayMs / 1000)} s`
            : `Waiting for the meeting service… retrying in ${Math.round(delayMs / 1000)} s`)),
      });
      const res = await confRequest();
      if (this.state !== 'requesting') return;
      this.iceServers = await iceServers;
      this.focusJid = res.focusJid;
      this.log(`focus ready, focusjid=${res.focusJid}`);

      this.setState('joining');
      const caps = await capsFor();
      // Our E2EE public keys go into the join presence.
      if (this.e2ee) await this.e2ee.ready;
      if (this.state !== 'joining') return;
      for (let attempt = 0; ; attempt++) {
        this.room = new MucRoom(this.xmpp, {
          roomJid: this.roomJid,
          nick: this.endpointId,
          displayName: this.displayName,
          focusJids: [res.focusJid, this.config.focusUserJid, this.config.focus],
          caps,
          codecList: codecList(this.config.preferredVideoCodec ?? 'VP8'),
          // forbidden on ejabberd may mean "room gone, you may not create it": ask again.
          reconference: async () => {
            this.log('join refused with forbidden: sending the conference request again');
            await confRequest();
          },
        });
        this.room.local.sourceInfo = this.sourceInfo();
        this.room.local.audioMuted = this.media.audioMuted || !this.media.audioTrack;
        this.room.local.videoMuted = this.media.videoMuted || !this.media.videoTrack;
        this.room.local.raisedHand = this.raisedHand || null;
        this.wireRoom(this.room);
        this.chat.attach(this.room);
        try {
          await this.room.join();
          break;
        } catch (e) {
          this.room.leave();
          if (e.code === 'nick-conflict' && attempt < 2) {
            this.endpointId = newEndpointId();
            continue;
          }
          throw e;
        }
      }
      if (this.state !== 'joining') return;
      this.setState('joined');
      this.e2ee?.onJoined();
      if (!this.room.focusOccupant()) {
        this.notice('no-focus', 'The conference service is not in the room.');
      }
      this.updateAloneState();
      this.fetchCapabilities();
      this.qualityTimer = setInterval(() => this.sampleQuality(), QUALITY_INTERVAL_MS);
    } catch (e) {
      if (this.state === 'left' || this.state === 'failed') return;
      if (e.code === 'unreachable') {
        this.fail('server-unreachable', 'Neither WebSocket nor BOSH could connect to the XMPP server. '
          + 'Check your network connection, or whether the server is running, and try again.');
      } else if (e instanceof FocusError) {
        if (e.code === 'cancelled') return;
        if (e.code === 'not-authorized') this.fail('not-authorized', 'This meeting server requires you to sign in.');
        else this.fail('focus-unreachable', 'The conference service (focus) is not answering. Try again in a moment.');
      } else if (e.code === 'room-missing') {
        this.fail('focus-unreachable', 'The conference service did not open the room.');
      } else if (e.code) {
        this.fail(e.code, e.message);
      } else {
        this.fail('internal', `Something went wrong: ${e.message}`);
        console.error(e);
      }
    }
  }

  installHandlers() {
    const x = this.xmpp;
    this.handlers.push(x.addHandler((iq) => { this.onJingle(iq); return true; }, NS.JINGLE, 'iq', 'set'));
    this.handlers.push(x.addHandler((iq) => { this.onDisco(iq); return true; }, NS.DISCO_INFO, 'iq', 'get'));
    this.handlers.push(x.addHandler((iq) => { x.ack(iq); return true; }, 'urn:xmpp:ping', 'iq', 'get'));
    this.e2ee?.attachXmpp(x);
    for (const kind of ['audio', 'video', 'desktop']) {
      this.handlers.push(x.addHandler((iq) => { this.onRemoteMute(iq, kind); return true; },
        `http://jitsi.org/jitmeet/${kind}`, 'iq', 'set'));
    }
  }

  /** Which moderator actions the focus carries out (FOCUS_FEATURES), from its disco#info. */
  async fetchCapabilities() {
    const x = this.xmpp;
    if (!x?.connected) return;
    try {
      const res = await x.sendIQ(x.$iq({ type: 'get', to: this.focusJid || this.config.focus })
        .c('query', { xmlns: NS.DISCO_INFO }), 10000);
      const have = new Set([...res.getElementsByTagName('feature')].map((f) => f.getAttribute('var')));
      for (const [k, v] of Object.entries(FOCUS_FEATURES)) this.capabilities[k] = have.has(v);
      this.log(`focus features: ${[...have].join(' ')}`);
      this.emitParticipants();
    } catch (e) {
      this.log(`focus disco#info: ${e.condition ?? e.message}`);
    }
  }

  onDisco(iq) {
    const b = this.xmpp.$iq({ type: 'result', to: iq.getAttribute('from'), id: iq.getAttribute('id') });
    const q = iq.getElementsByTagNameNS(NS.DISCO_INFO, 'query')[0];
    const attrs = { xmlns: NS.DISCO_INFO };
    if (q?.getAttribute('node')) attrs.node = q.getAttribute('node');
    b.c('query', attrs).c('identity', IDENTITY).up();
    for (const f of FEATURES) b.c('feature', { var: f }).up();
    this.xmpp.send(b);
  }

  /** The focus asks us to mute (moderator action). Only honoured from the focus. */
  onRemoteMute(iq, kind) {
    const from = iq.getAttribute('from');
    if (!this.room?.isFocus(from)) {
      this.xmpp.replyError(iq, 'cancel', 'forbidden');
      return;
    }
    this.xmpp.ack(iq);
    const mute = iq.getElementsByTagName('mute')[0];
    if (mute?.textContent.trim() !== 'true') return;
    if (kind === 'audio') this.media.setAudioMuted(true);
    else if (kind === 'video') this.media.setVideoMuted(true);
    else this.media.stopScreenShare();
    this.notice('remote-mute', kind === 'desktop' ? 'A moderator stopped your screen share.'
      : `A moderator turned off your ${kind === 'audio' ? 'microphone' : 'camera'}. You can turn it on again.`);
  }

  onJingle(iq) {
    const x = this.xmpp;
    const from = iq.getAttribute('from');
    const el = iq.getElementsByTagNameNS(NS.JINGLE, 'jingle')[0];
    let model;
    try {
      model = parseJingle(el);
    } catch {
      x.replyError(iq, 'modify', 'bad-request');
      return;
    }
    for (const w of model.warnings) this.log(`jingle ${model.action}: ${w}`);
    const { action, sid } = model;
    this.log(`jingle ${action} sid=${sid} from=${from}`);
    if (action === 'session-initiate') {
      if (!sid) { x.replyError(iq, 'modify', 'bad-request'); return; }
      if (this.session && this.session.sid === sid && !this.session.ended) {
        x.replyError(iq, 'cancel', 'service-unavailable');
        return;
      }
      if (resourceOf(from) !== 'focus') {
        // A peer-to-peer offer from another participant: Parley always goes via the bridge.
        x.replyError(iq, 'cancel', 'feature-not-implemented');
        return;
      }
      x.ack(iq);
      if (!this.room?.isFocus(from)) {
        this.log(`session-initiate from ${from}, which is not the focus: refused`);
        const fake = new MediaSession({ xmpp: x, model, from, endpointId: this.endpointId, media: this.media });
        fake.terminate('security-error', 'not the focus');
        return;
      }
      this.startSession(model, from);
      return;
    }
    const s = this.session;
    if (!s || s.ended || s.sid !== sid || s.remoteJid !== from) {
      x.replyError(iq, 'cancel', 'item-not-found', { name: 'unknown-session', xmlns: NS.JINGLE_ERRORS });
      return;
    }
    switch (action) {
      case 'source-add':
      case 'source-remove':
      case 'transport-info':
      case 'session-info':
        x.ack(iq);
        s.handle(model);
        return;
      case 'session-terminate':
        x.ack(iq);
        this.onRemoteTerminate(model);
        return;
      case 'transport-replace':
      case 'content-modify':
        // Like current lib-jitsi-meet: acknowledged, not acted on (the focus moves us with
        // session-terminate + session-initiate instead).
        x.ack(iq);
        return;
      default:
        x.replyError(iq, 'cancel', 'bad-request');
    }
  }

  startSession(model, from) {
    if (this.session && !this.session.ended) {
      // A new offer without a terminate first: the focus moved us.
      this.session.close({ condition: 'success', text: 'replaced' }, true);
    }
    this.cancel(this.moveTimer);
    this.iceWatch?.close();
    const s = new MediaSession({
      xmpp: this.xmpp,
      model,
      from,
      endpointId: this.endpointId,
      media: this.media,
      options: {
        iceServers: [...(this.config.iceServers ?? []), ...this.iceServers],
        iceTransportPolicy: iceTransportPolicy(this.config),
        preferredVideoCodec: this.config.preferredVideoCodec ?? 'VP8',
        simulcast: this.config.simulcast !== false,
        cameraMaxHeight: this.cameraMaxHeight ?? null,
        initialLastN: this.config.lastN ?? undefined,
        e2ee: this.e2ee?.sessionOptions() ?? null,
      },
    });
    this.session = s;
    this.iceWatch = this.watchIce(s);
    this.setMediaState('negotiating');
    if (model.startMuted) {
      if (model.startMuted.audio && !this.media.audioMuted) this.media.setAudioMuted(true);
      if (model.startMuted.video && !this.media.videoMuted) this.media.setVideoMuted(true);
    }
    s.addEventListener('remote-track', (e) => this.onRemoteTrack(e.detail));
    s.addEventListener('remote-track-removed', (e) => this.onRemoteTrackRemoved(e.detail));
    s.addEventListener('ice-state', (e) => this.onIceState(s, e.detail));
    s.addEventListener('error', (e) => {
      this.log(`session ${e.detail.label} error: ${e.detail.error?.message}`);
      // A session the focus ended (or replaced) while it was being set up is not a failure.
      if (e.detail.label === 'session-initiate' && s === this.session && !s.ended) {
        this.setMediaState('failed');
        this.dispatchEvent(new CustomEvent('error', {
          detail: { code: 'media-failed', message: 'Could not set up audio and video with the meeting server.', fatal: false },
        }));
      }
    });
    s.addEventListener('warning', (e) => this.log(`session warning: ${e.detail}`));
    s.addEventListener('ended', () => {
      if (s !== this.session) return;
      this.closeChannel();
    });
    s.start();
    if (s.webSocketUrl) this.openChannel(s.webSocketUrl);
    else this.log('no colibri-ws URL in the offer: no bridge channel');
  }

  onRemoteTerminate(model) {
    const s = this.session;
    const text = model.reason?.text ?? '';
    s.handle(model);
    this.closeChannel();
    // Alone again (the focus ends media below two participants): nothing to wait for.
    this.setMediaState(this.otherCount() ? 'moving' : 'none');
    this.log(`session-terminate ${model.reason?.condition ?? ''} ${text}`);
    // The focus follows "moving" (and most other reasons) with a new session-initiate.
    this.moveTimer = this.later(MOVE_GRACE_MS, () => {
      if (this.session === s && this.state === 'joined') {
        this.setMediaState(this.otherCount() ? 'failed' : 'none');
        if (this.otherCount()) {
          this.dispatchEvent(new CustomEvent('error', {
            detail: { code: 'media-lost', message: 'The media connection ended and was not restored.', fatal: false },
          }));
        }
      }
    });
  }

  /**
   * When to ask the focus for a new session (recovery.js IceWatch): ICE failed, or
   * disconnected for more than 5 s; asked again while no new session comes, then the banner.
   */
  watchIce(s) {
    return new IceWatch({
      setTimer: (fn, ms) => this.later(ms, fn),
      clearTimer: (t) => this.cancel(t),
      onNotify: (reason, n) => {
        if (s !== this.session || s.ended) return;
        this.log(`ICE ${reason}: asking the focus for a new session (${n})`);
        if (n === 1) this.notice('ice-failed', 'Media connection lost; reconnecting…');
        s.notifyIceFailed();
      },
      onGiveUp: () => {
        if (s !== this.session || this.mediaState === 'connected') return;
        this.setMediaState('failed');
        this.dispatchEvent(new CustomEvent('error', {
          detail: { code: 'media-lost', message: 'The media connection was lost.', fatal: false },
        }));
      },
    });
  }

  onIceState(s, state) {
    if (s !== this.session) return;
    this.iceWatch?.update(state);
    if (state === 'connected' || state === 'completed') {
      this.setMediaState('connected');
    } else if (state === 'disconnected' || state === 'failed') {
      this.setMediaState('interrupted');
    }
  }

  openChannel(url) {
    this.closeChannel();
    const ch = new BridgeChannel(url, {
      rewriteOrigin: this.config.proxyColibri ? globalThis.location?.origin : undefined,
    });
    this.channel = ch;
    ch.addEventListener('open', () => {
      this.log(`bridge channel open ${ch.url.replace(/pwd=[^&]*/, 'pwd=…')}`);
      this.sendConstraints();
      if (this.media.screenTrack) ch.sendSourceVideoType(`${this.endpointId}-v1`, 'desktop');
      this.dispatchEvent(new CustomEvent('channel', { detail: { open: true } }));
    });
    ch.addEventListener('close', (e) => {
      this.log(`bridge channel closed (${e.detail.code})`);
      this.dispatchEvent(new CustomEvent('channel', { detail: { open: false } }));
    });
    ch.addEventListener('endpoint-message', (e) => {
      const m = { from: e.detail.from, payload: e.detail.payload, at: Date.now() };
      if (m.payload?.name === LOWER_HAND_MESSAGE) this.onLowerHandRequest(m.from);
      this.endpointMessages.push(m);
      if (this.endpointMessages.length > 100) this.endpointMessages.shift();
      this.dispatchEvent(new CustomEvent('endpoint-message', { detail: m }));
    });
    ch.addEventListener('dominant-speaker', (e) => {
      this.dominantSpeaker = e.detail.id;
      for (const p of this.participants.values()) p.dominant = p.id === e.detail.id;
      if (this.view === 'speaker' && !this.pinned) this.sendConstraints(); // the stage follows
      this.dispatchEvent(new CustomEvent('dominant-speaker', { detail: { id: e.detail.id } }));
      this.emitParticipants();
    });
    ch.addEventListener('connectivity', (e) => {
      const p = this.participants.get(e.detail.id);
      this.log(`bridge: ${e.detail.id} media ${e.detail.active ? 'flows' : 'stopped'}`);
      if (p) { p.connectionActive = e.detail.active; this.emitParticipants(); }
    });
    ch.addEventListener('sender-constraints', (e) => {
      // The highest layer anyone watches of our camera: the layers above it stop encoding.
      if (e.detail.sourceName !== `${this.endpointId}-v0`) return;
      this.cameraMaxHeight = typeof e.detail.maxHeight === 'number' ? e.detail.maxHeight : null;
      this.session?.setCameraMaxHeight(this.cameraMaxHeight);
    });
    ch.addEventListener('forwarded-sources', (e) => {
      const fwd = new Set(e.detail);
      for (const p of this.participants.values()) p.videoForwarded = fwd.has(`${p.id}-v0`);
      this.emitParticipants();
    });
    ch.connect();
  }

  closeChannel() {
    if (this.channel) this.channel.close();
    this.channel = null;
  }

  /**
   * Tells the bridge how much video we want: more height when there are fewer tiles, and
   * shared screens on stage at full height (1080p).
   */
  sendConstraints() {
    if (!this.channel) return;
    const n = this.otherCount();
    const screens = [...this.participants.values()].filter((p) => p.screenTrack).map((p) => p.screenSource);
    // Speaker view: the participant on stage large (720p, on stage), the strip at 180p.
    const stage = screens.length ? null : this.stageParticipant();
    if (stage && n > 1) {
      const src = `${stage}-v0`;
      this.channel.sendReceiverConstraints({
        lastN: this.config.lastN ?? -1, onStageSources: [src], defaultConstraints: { maxHeight: 180 },
        constraints: { [src]: { maxHeight: 720 } },
      });
      return;
    }
    const maxHeight = screens.length ? 180 : n <= 1 ? 720 : n <= 4 ? 360 : 180;
    const constraints = Object.fromEntries(screens.map((name) => [name, { maxHeight: 1080 }]));
    this.channel.sendReceiverConstraints({
      lastN: this.config.lastN ?? -1, onStageSources: screens, defaultConstraints: { maxHeight }, constraints,
    });
  }

  /** At most `n` videos from the bridge (-1: no limit): the others show their avatar. */
  setLastN(n) {
    this.config.lastN = Number.isInteger(n) && n >= 0 ? n : -1;
    this.sendConstraints();
  }

  otherCount() {
    return this.participants.size;
  }

  /**
   * 'tile' (everyone the same size) or 'speaker' (one participant large: the pinned one, else
   * the dominant speaker, else the first; the others in a strip).
   */
  setView(view) {
    this.view = view === 'speaker' ? 'speaker' : 'tile';
    if (this.view === 'tile') this.pinned = null;
    this.sendConstraints();
    this.emitParticipants();
  }

  /** Puts a participant on stage (speaker view), or unpins with null. */
  pin(id) {
    this.pinned = id && this.participants.has(id) ? id : null;
    if (this.pinned) this.view = 'speaker';
    this.sendConstraints();
    this.emitParticipants();
  }

  /** Who is large in speaker view (null in tile view or alone). */
  stageParticipant() {
    if (this.view !== 'speaker' || this.participants.size === 0) return null;
    if (this.pinned && this.participants.has(this.pinned)) return this.pinned;
    if (this.dominantSpeaker && this.participants.has(this.dominantSpeaker)) return this.dominantSpeaker;
    return this.participants.keys().next().value;
  }

  wireRoom(room) {
    this.e2ee?.wireRoom(room);
    room.addEventListener('occupant-joined', (e) => this.upsertParticipant(e.detail, true));
    room.addEventListener('occupant-updated', (e) => this.upsertParticipant(e.detail, false));
    room.addEventListener('occupant-left', (e) => {
      const p = this.participants.get(e.detail.id);
      this.participants.delete(e.detail.id);
      if (p) this.notice('left', `${p.displayName || 'A participant'} left`);
      this.emitParticipants();
      this.sendConstraints();
      this.updateAloneState();
    });
    room.addEventListener('focus-updated', (e) => this.setBridgeAvailable(!e.detail.bridgeNotAvailable));
    room.addEventListener('focus-left', (e) => {
      if (this.state === 'joined' && !e.detail.roomDestroyed) this.awaitFocus();
    });
    room.addEventListener('focus-joined', () => {
      if (!this.focusAway) return;
      this.focusAway = null;
      this.log('the focus is back in the room');
      this.notice('focus-back', 'The meeting service is back.');
    });
    room.addEventListener('left', (e) => {
      if (this.state !== 'joined') return;
      if (e.detail.kicked) this.fail('kicked', 'You were removed from the meeting.');
      else if (e.detail.destroyed) this.fail('room-destroyed', 'The meeting was closed.');
      else this.fail('connection-lost', 'You left the meeting room unexpectedly.');
    });
  }

  /**
   * The focus left the room (it restarts, or its connection dropped): media keeps flowing on
   * the bridge meanwhile. As docs/protocol.md asks, we send the conference request again
   * (with back-off) until a focus takes the room over and invites us again; after
   * FOCUS_RETURN_MS without one, the meeting fails with 'focus-left' (app.js reconnects).
   */
  async awaitFocus() {
    if (this.focusAway) return;
    const away = { since: Date.now() };
    this.focusAway = away;
    this.log('the focus left the room: asking for the conference again');
    this.notice('focus-away', 'The meeting service is restarting…');
    // A moment first: if the room is going away (our own unavailable follows), no request.
    await new Promise((r) => this.later(250, r));
    while (this.focusAway === away && this.state === 'joined') {
      if (Date.now() - away.since > FOCUS_RETURN_MS) {
        this.fail('focus-left', 'The conference service left the meeting.');
        return;
      }
      try {
        await requestConference(this.xmpp, {
          focus: this.config.focus, room: this.roomJid, machineUid: this.machineUid,
          // A focus component that is not connected gets no answer from Prosody: a short
          // timeout finds the new focus soon after it is up (a late answer is harmless).
          signal: this.abort.signal, maxUnreachable: 1, timeoutMs: 1000,
        });
        this.log('conference request answered ready: waiting for the focus to invite us');
        this.later(FOCUS_RETURN_MS, () => {
          if (this.focusAway === away && this.state === 'joined') this.fail('focus-left', 'The conference service left the meeting.');
        });
        return;
      } catch (e) {
        if (e.code === 'cancelled' || this.focusAway !== away) return;
        this.log(`conference request while the focus is away: ${e.message}`);
      }
      await new Promise((r) => this.later(reconnectDelay(0, { baseMs: 300 }), r));
    }
  }

  newParticipant(id) {
    return {
      id, displayName: null, audioMuted: false, videoMuted: false, audioTrack: null,
      videoTrack: null, screenTrack: null, screenSource: null, videoTracks: new Map(),
      sources: null, raisedHand: 0, dominant: false, connectionActive: true, videoForwarded: true,
      role: null, affiliation: null, quality: null,
    };
  }

  upsertParticipant(o, joined) {
    let p = this.participants.get(o.id);
    if (!p) {
      p = this.newParticipant(o.id);
      this.participants.set(o.id, p);
    }
    const wasPending = !!p.pendingPresence;
    delete p.pendingPresence;
    p.displayName = o.displayName;
    p.audioMuted = o.audioMuted;
    p.videoMuted = o.videoMuted;
    p.role = o.role;
    p.affiliation = o.affiliation;
    const hand = o.raisedHand ?? 0;
    if (hand && !p.raisedHand && !joined && this.state === 'joined') {
      this.notice('hand', `${o.displayName || 'Someone'} raised their hand`);
    }
    p.raisedHand = hand;
    p.sources = o.sources;
    this.classifyVideo(p);
    if ((joined || wasPending) && this.state === 'joined') this.notice('joined', `${o.displayName || 'Someone'} joined`);
    this.emitParticipants();
    if (joined) this.sendConstraints();
    this.updateAloneState();
  }

  updateAloneState() {
    if (this.state !== 'joined') return;
    if (!this.otherCount() && (!this.session || this.session.ended)) this.setMediaState('none');
    else if (this.otherCount() && !this.bridgeAvailable && (!this.session || this.session.ended)) this.setMediaState('no-bridge');
  }

  /**
   * The focus says whether it has a bridge for this conference. Without one we wait (the
   * focus invites us when a bridge comes); the UI says so instead of "waiting for media".
   */
  setBridgeAvailable(available) {
    if (this.bridgeAvailable === available) return;
    this.bridgeAvailable = available;
    this.log(available ? 'the focus has a bridge again' : 'the focus has no bridge (bridgeNotAvailable)');
    if (!available) {
      this.updateAloneState();
    } else if (this.mediaState === 'no-bridge') {
      this.setMediaState('none'); // "Waiting for media…" until the session-initiate comes
      this.notice('bridge-back', 'A media server is available: starting audio and video…');
    }
    this.emitParticipants();
  }

  /**
   * Whether a remote video stream is a shared screen: its Jingle videoType says desktop (the
   * focus passes on what the sender signalled), or the sender's SourceInfo presence does.
   */
  isScreen(p, name, videoType) {
    if (videoType === 'desktop') return true;
    const v = name ? p?.sources?.[name]?.videoType : null;
    return v === 'desktop' || v === 'desktop_high_fps';
  }

  /** Camera and screen tracks of a participant from its video streams (see isScreen). */
  classifyVideo(p) {
    let camera = null;
    let screen = null;
    for (const v of p.videoTracks.values()) {
      if (this.isScreen(p, v.name, v.videoType)) {
        if (!screen) screen = v;
      } else if (!camera) {
        camera = v;
      }
    }
    const had = p.screenSource;
    p.videoTrack = camera?.track ?? null;
    p.screenTrack = screen?.track ?? null;
    p.screenSource = screen ? (screen.name ?? `${p.id}-v1`) : null;
    const muted = screen && p.sources?.[screen.name]?.muted === true;
    if (muted) p.screenTrack = null;
    if (had !== (p.screenTrack ? p.screenSource : null)) this.sendConstraints();
  }

  onRemoteTrack(info) {
    let p = this.participants.get(info.owner);
    if (!p) {
      // Media can arrive before the owner's presence; keep it until the presence comes.
      p = this.newParticipant(info.owner);
      p.pendingPresence = true;
      this.participants.set(info.owner, p);
    }
    // New media from someone the bridge had marked interrupted: its new session is up.
    p.connectionActive = true;
    if (info.media === 'audio') {
      p.audioTrack = info.track;
    } else {
      p.videoTracks.set(info.mid, { track: info.track, name: info.name, videoType: info.videoType });
      this.classifyVideo(p);
    }
    p[`${info.media}Mid`] = info.mid;
    this.emitParticipants();
  }

  onRemoteTrackRemoved(info) {
    const p = this.participants.get(info.owner);
    if (!p) return;
    if (info.media === 'audio' && p.audioTrack === info.track) p.audioTrack = null;
    if (info.media === 'video' && p.videoTracks.get(info.mid)?.track === info.track) {
      p.videoTracks.delete(info.mid);
      this.classifyVideo(p);
    }
    this.emitParticipants();
  }

  sourceInfo() {
    const info = {};
    if (this.media.audioTrack || this.media.has('audio')) info[`${this.endpointId}-a0`] = { muted: !!this.media.audioMuted };
    if (this.media.has('video')) info[`${this.endpointId}-v0`] = { muted: !!this.media.videoMuted };
    if (this.media.screenTrack) info[`${this.endpointId}-v1`] = { muted: false, videoType: 'desktop' };
    return info;
  }

  publishMuteState() {
    if (!this.room) return;
    this.room.update({
      sourceInfo: this.sourceInfo(),
      audioMuted: this.media.audioMuted || !this.media.audioTrack,
      videoMuted: this.media.videoMuted || !this.media.videoTrack,
    });
  }

  localTrackChanged(kind) {
    if (this.session && !this.session.ended) this.session.updateLocalTrack(kind);
    if (kind === 'screen') {
      // Jitsi's signalling of a source's type on the bridge channel; 'none' when it stops.
      this.channel?.sendSourceVideoType(`${this.endpointId}-v1`, this.media.screenTrack ? 'desktop' : 'none');
      this.log(`screen share ${this.media.screenTrack ? 'started' : 'stopped'}`);
    }
    this.publishMuteState();
  }

  // ---- raised hand -------------------------------------------------------------------------

  /** Raises or lowers our hand (Jitsi's jitsi_participant_raisedHand presence extension). */
  setHandRaised(raised) {
    const was = !!this.raisedHand;
    this.raisedHand = raised ? (this.raisedHand || Date.now()) : 0;
    if (was === !!raised) return;
    this.log(`hand ${raised ? 'raised' : 'lowered'}`);
    this.room?.update({ raisedHand: this.raisedHand });
    this.dispatchEvent(new CustomEvent('hand', { detail: { raised: !!raised } }));
  }

  /**
   * A participant asked us to lower our hand (Jitsi Meet's 'lower-hand-message' EndpointMessage).
   * Honoured from moderators only, as Jitsi Meet does.
   */
  onLowerHandRequest(from) {
    const p = this.participants.get(from);
    if (!p || p.role !== 'moderator' || !this.raisedHand) return;
    this.setHandRaised(false);
    this.notice('hand-lowered', `${p.displayName || 'A moderator'} lowered your hand.`);
  }

  /**
   * Asks a participant to lower their hand (moderators; Jitsi Meet's convention: an
   * EndpointMessage { name: 'lower-hand-message' } through the bridge). False without a
   * bridge channel.
   */
  lowerHandOf(id) {
    return this.sendEndpointMessage({ name: LOWER_HAND_MESSAGE }, id);
  }

  // ---- moderator actions the focus carries out (shown only with this.capabilities) ---------

  /**
   * Asks the focus to mute a participant: Jitsi's <mute xmlns="http://jitsi.org/jitmeet/audio|video"
   * jid="room@conference/nick">true</mute> IQ to the focus occupant; the focus checks that we
   * are a moderator (else forbidden) and sends the same IQ, with actor, to the participant.
   */
  async muteParticipant(id, kind) {
    const cap = kind === 'audio' ? 'remoteMuteAudio' : 'remoteMuteVideo';
    if (!this.capabilities[cap]) throw new Error('This meeting service cannot mute others.');
    const focus = this.room?.focusOccupant();
    if (!focus) throw new Error('The conference service is not in the room.');
    const x = this.xmpp;
    try {
      await x.sendIQ(x.$iq({ type: 'set', to: `${this.roomJid}/${focus.id}` })
        .c('mute', { xmlns: `http://jitsi.org/jitmeet/${kind}`, jid: `${this.roomJid}/${id}` }).t('true'));
    } catch (e) {
      throw new Error(e.condition === 'forbidden' ? 'Only moderators can do that.' : 'The participant could not be muted.');
    }
  }

  /** Mutes everyone else's microphone (as Jitsi Meet does: one mute request per participant). */
  async muteEveryone() {
    const ids = [...this.participants.values()].filter((p) => !p.audioMuted).map((p) => p.id);
    await Promise.all(ids.map((id) => this.muteParticipant(id, 'audio')));
  }

  /**
   * Ends the meeting for everyone: <end-conference xmlns="urn:parley:end-conference:0" room/>
   * IQ to the focus, which destroys the room if we are a moderator (else forbidden). Everyone
   * then sees "The meeting has ended" (the room's destroy presence).
   */
  async endForEveryone() {
    if (!this.capabilities.endConference) throw new Error('This meeting service cannot end meetings for everyone.');
    const x = this.xmpp;
    try {
      await x.sendIQ(x.$iq({ type: 'set', to: this.focusJid || this.config.focus })
        .c('end-conference', { xmlns: FOCUS_FEATURES.endConference, room: this.roomJid }));
    } catch (e) {
      throw new Error(e.condition === 'forbidden' ? 'Only moderators can do that.' : 'The meeting could not be ended.');
    }
  }

  // ---- screen share ------------------------------------------------------------------------

  /** Starts sharing a screen; resolves like LocalMedia.startScreenShare. */
  startScreenShare() {
    return this.media.startScreenShare();
  }

  stopScreenShare() {
    this.media.stopScreenShare();
  }

  // ---- connection quality ------------------------------------------------------------------

  async sampleQuality() {
    if (this.state !== 'joined' || !this.session || this.session.ended) return;
    let st;
    try {
      st = await this.stats();
    } catch {
      return;
    }
    const list = [...this.participants.values()].map((p) => ({
      ...p, hasAudio: !!p.audioTrack, hasVideo: !!p.videoTrack,
    }));
    this.quality = this.qualitySampler.sample(st, list);
    for (const p of this.participants.values()) p.quality = this.quality[p.id] ?? null;
    this.dispatchEvent(new CustomEvent('quality', { detail: this.quality }));
  }

  setDisplayName(name) {
    this.displayName = name;
    this.room?.update({ displayName: name });
  }

  /** EndpointMessage through the bridge to everyone (to='') or one endpoint. */
  sendEndpointMessage(payload, to = '') {
    if (!this.channel) return false;
    return this.channel.sendEndpointMessage(payload, to);
  }

  async stats() {
    if (!this.session) return {};
    return this.session.stats((st) => this.isScreen(this.participants.get(st.owner), st.name, st.videoType));
  }

  teardown(graceful) {
    this.abort.abort();
    clearInterval(this.qualityTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.media.removeEventListener('track', this.onMediaTrack);
    this.media.removeEventListener('mute', this.onMediaMute);
    this.closeChannel();
    this.e2ee?.close();
    if (this.session && !this.session.ended) {
      if (graceful && this.xmpp?.connected) this.session.terminate('success', 'leaving');
      else this.session.close({ condition: 'success', text: 'local' }, false);
    }
    if (this.room && this.xmpp?.connected) this.room.leave();
    for (const h of this.handlers) this.xmpp?.removeHandler(h);
    this.handlers = [];
    if (this.xmpp) this.xmpp.disconnect().catch(() => {});
  }

  /** Leaves the meeting (session-terminate, unavailable presence, close the stream). */
  leave() {
    if (this.state === 'left') return;
    this.teardown(true);
    this.participants.clear();
    this.emitParticipants();
    this.setState('left');
  }
}

export { IqError };
