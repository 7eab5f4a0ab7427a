// SPDX-License-Identifier: MIT
// A meeting from the client's side: XMPP connection -> conference request to the focus ->
// MUC join -> Jingle media session with the bridge (when the focus invites us) -> bridge
// channel (colibri-ws). Keeps the participant list that the UI renders and the test hook
// reads. Main thread; one Conference per join attempt (a rejoin makes a new one).
//
// Events (CustomEvent detail):
//   state        { state, previous }    idle|connecting|requesting|joining|joined|left|failed
//   media-state  { state }              none|negotiating|connected|interrupted|moving|failed
//   participants (Map snapshot)         any change in the participant list or their tracks
//   error        { code, message, fatal }
//   notice       { code, message }      transient information for a toast
//   endpoint-message { from, payload }
//   dominant-speaker { id }

import { BridgeChannel } from './colibri/bridge-channel.js';
import { NS } from './jingle/ns.js';
import { parseJingle } from './jingle/parse.js';
import { IqError, XmppConnection } from './xmpp/connection.js';
import { capsFor, FEATURES, IDENTITY } from './xmpp/disco.js';
import { FocusError, requestConference } from './xmpp/focus.js';
import { MediaSession } from './xmpp/media-session.js';
import { MucRoom, resourceOf } from './xmpp/muc.js';
import { newEndpointId } from './room.js';

const ICE_FAILED_GRACE_MS = 15000;

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
   * @param {object} p        { room, displayName, media: LocalMedia, machineUid }
   */
  constructor(config, p) {
    super();
    this.config = config;
    this.roomName = p.room;
    this.roomJid = `${p.room}@${config.muc}`;
    this.displayName = p.displayName ?? '';
    this.media = p.media;
    this.machineUid = p.machineUid;
    this.endpointId = newEndpointId();
    this.state = 'idle';
    this.mediaState = 'none';
    this.xmpp = null;
    this.room = null;
    this.session = null;
    this.channel = null;
    this.focusJid = null;
    this.participants = new Map(); // id -> participant
    this.dominantSpeaker = null;
    this.handlers = [];
    this.timers = new Set();
    this.abort = new AbortController();
    this.endpointMessages = [];
    this.events = []; // short history for debugging and tests
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
      this.xmpp = new XmppConnection(this.config);
      const { transport } = await this.xmpp.connect();
      this.log(`connected as ${this.xmpp.jid} over ${transport}`);
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
        onWait: ({ reason, delayMs }) => this.log(`conference request: ${reason}`) || this.notice(reason === 'not-ready' ? 'focus-not-ready' : 'focus-retry',
          reason === 'not-ready'
            ? `The meeting is being prepared… retrying in ${Math.round(delayMs / 1000)} s`
            : `Waiting for the meeting service… retrying in ${Math.round(delayMs / 1000)} s`),
      });
      const res = await confRequest();
      if (this.state !== 'requesting') return;
      this.focusJid = res.focusJid;
      this.log(`focus ready, focusjid=${res.focusJid}`);

      this.setState('joining');
      const caps = await capsFor();
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
        this.wireRoom(this.room);
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
      if (!this.room.focusOccupant()) {
        this.notice('no-focus', 'The conference service is not in the room.');
      }
      this.updateAloneState();
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
    for (const kind of ['audio', 'video']) {
      this.handlers.push(x.addHandler((iq) => { this.onRemoteMute(iq, kind); return true; },
        `http://jitsi.org/jitmeet/${kind}`, 'iq', 'set'));
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
    else this.media.setVideoMuted(true);
    this.notice('remote-mute', `A moderator turned off your ${kind === 'audio' ? 'microphone' : 'camera'}.`);
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
    this.cancel(this.iceTimer);
    const s = new MediaSession({
      xmpp: this.xmpp,
      model,
      from,
      endpointId: this.endpointId,
      media: this.media,
      options: {
        iceServers: this.config.iceServers ?? [],
        preferredVideoCodec: this.config.preferredVideoCodec ?? 'VP8',
        initialLastN: this.config.lastN ?? undefined,
      },
    });
    this.session = s;
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

  onIceState(s, state) {
    if (s !== this.session) return;
    if (state === 'connected' || state === 'completed') {
      this.cancel(this.iceTimer);
      this.iceTimer = null;
      this.setMediaState('connected');
    } else if (state === 'disconnected') {
      this.setMediaState('interrupted');
    } else if (state === 'failed') {
      this.setMediaState('interrupted');
      this.notice('ice-failed', 'Media connection lost; reconnecting…');
      s.notifyIceFailed();
      this.cancel(this.iceTimer);
      this.iceTimer = this.later(ICE_FAILED_GRACE_MS, () => {
        if (s === this.session && this.mediaState !== 'connected') {
          this.setMediaState('failed');
          this.dispatchEvent(new CustomEvent('error', {
            detail: { code: 'media-lost', message: 'The media connection was lost.', fatal: false },
          }));
        }
      });
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
      this.dispatchEvent(new CustomEvent('channel', { detail: { open: true } }));
    });
    ch.addEventListener('close', (e) => {
      this.log(`bridge channel closed (${e.detail.code})`);
      this.dispatchEvent(new CustomEvent('channel', { detail: { open: false } }));
    });
    ch.addEventListener('endpoint-message', (e) => {
      const m = { from: e.detail.from, payload: e.detail.payload, at: Date.now() };
      this.endpointMessages.push(m);
      if (this.endpointMessages.length > 100) this.endpointMessages.shift();
      this.dispatchEvent(new CustomEvent('endpoint-message', { detail: m }));
    });
    ch.addEventListener('dominant-speaker', (e) => {
      this.dominantSpeaker = e.detail.id;
      for (const p of this.participants.values()) p.dominant = p.id === e.detail.id;
      this.dispatchEvent(new CustomEvent('dominant-speaker', { detail: { id: e.detail.id } }));
      this.emitParticipants();
    });
    ch.addEventListener('connectivity', (e) => {
      const p = this.participants.get(e.detail.id);
      if (p) { p.connectionActive = e.detail.active; this.emitParticipants(); }
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

  /** Tells the bridge how much video we want: more height when there are fewer tiles. */
  sendConstraints() {
    if (!this.channel) return;
    const n = this.otherCount();
    const maxHeight = n <= 1 ? 720 : n <= 4 ? 360 : 180;
    this.channel.sendReceiverConstraints({ lastN: this.config.lastN ?? -1, defaultConstraints: { maxHeight } });
  }

  otherCount() {
    return this.participants.size;
  }

  wireRoom(room) {
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
    room.addEventListener('focus-left', () => {
      if (this.state === 'joined') this.fail('focus-left', 'The conference service left the meeting.');
    });
    room.addEventListener('left', (e) => {
      if (this.state !== 'joined') return;
      if (e.detail.kicked) this.fail('kicked', 'You were removed from the meeting.');
      else if (e.detail.destroyed) this.fail('room-destroyed', 'The meeting was closed.');
      else this.fail('connection-lost', 'You left the meeting room unexpectedly.');
    });
  }

  upsertParticipant(o, joined) {
    let p = this.participants.get(o.id);
    if (!p) {
      p = {
        id: o.id, displayName: null, audioMuted: false, videoMuted: false, audioTrack: null,
        videoTrack: null, dominant: false, connectionActive: true, videoForwarded: true, role: null,
      };
      this.participants.set(o.id, p);
    }
    p.displayName = o.displayName;
    p.audioMuted = o.audioMuted;
    p.videoMuted = o.videoMuted;
    p.role = o.role;
    if (joined && this.state === 'joined') this.notice('joined', `${o.displayName || 'Someone'} joined`);
    this.emitParticipants();
    if (joined) this.sendConstraints();
    this.updateAloneState();
  }

  updateAloneState() {
    if (this.state !== 'joined') return;
    if (!this.otherCount() && (!this.session || this.session.ended)) this.setMediaState('none');
  }

  onRemoteTrack(info) {
    let p = this.participants.get(info.owner);
    if (!p) {
      // Media can arrive before the owner's presence; keep it until the presence comes.
      p = {
        id: info.owner, displayName: null, audioMuted: false, videoMuted: false, audioTrack: null,
        videoTrack: null, dominant: false, connectionActive: true, videoForwarded: true, role: null,
        pendingPresence: true,
      };
      this.participants.set(info.owner, p);
    }
    if (info.media === 'audio') p.audioTrack = info.track;
    else if (info.videoType !== 'desktop' || !p.videoTrack) p.videoTrack = info.track;
    p[`${info.media}Mid`] = info.mid;
    this.emitParticipants();
  }

  onRemoteTrackRemoved(info) {
    const p = this.participants.get(info.owner);
    if (!p) return;
    if (info.media === 'audio' && p.audioTrack === info.track) p.audioTrack = null;
    if (info.media === 'video' && p.videoTrack === info.track) p.videoTrack = null;
    this.emitParticipants();
  }

  sourceInfo() {
    const info = {};
    if (this.media.audioTrack || this.media.has('audio')) info[`${this.endpointId}-a0`] = { muted: !!this.media.audioMuted };
    if (this.media.has('video')) info[`${this.endpointId}-v0`] = { muted: !!this.media.videoMuted };
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
    this.publishMuteState();
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
    return this.session ? this.session.stats() : {};
  }

  teardown(graceful) {
    this.abort.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.media.removeEventListener('track', this.onMediaTrack);
    this.media.removeEventListener('mute', this.onMediaMute);
    this.closeChannel();
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
