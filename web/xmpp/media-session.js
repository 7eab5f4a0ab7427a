// SPDX-License-Identifier: MIT
// One Jingle session with the focus, i.e. our media leg to the bridge: an RTCPeerConnection
// driven by the Jingle offer (session-initiate) and its updates (source-add/-remove,
// transport-info), answered with session-accept, trickled transport-info, and our own
// source-add/-remove when our sending sources change (camera or microphone appearing, a screen
// share starting or stopping: the screen goes on a local m-line of its own, see offer.js).
// With end-to-end encryption (options.e2ee, from e2ee/e2ee.js) every sender and receiver gets
// its encoded transform as soon as it exists, and sending can be blocked (a browser that
// cannot encrypt sends nothing while the meeting is encrypted).
// Main thread. Owned by the Conference; every operation on the peer connection is
// serialized through `this.ops` (a promise chain) so renegotiations never interleave.

import { buildIceFailed, buildSessionAccept, buildSessionTerminate, buildSourceChange,
  buildTransportInfo, diffSources, localSources } from '../jingle/answer.js';
import { RemoteOffer } from '../jingle/offer.js';
import { firstTransport } from '../jingle/parse.js';
import { activeLayers, addSimulcast, cameraCodec, layerHeights, SIMULCAST_SCALABILITY_MODE,
  svcEncodingFor, svcModeFor } from '../jingle/simulcast.js';
import { candidateToSdp, parseSdp } from '../jingle/sdp.js';
import { toBuilder } from '../jingle/xml.js';
import { SCREEN_MAX_BITRATE, SCREEN_MAX_FPS } from '../media.js';

const CANDIDATE_BATCH_MS = 150;

/** How long nobody must need a camera layer before it stops encoding (setCameraMaxHeight). */
export const CAMERA_LAYER_OFF_DELAY_MS = 10000;

export class MediaSession extends EventTarget {
  /**
   * @param {object} p
   * @param {import('./connection.js').XmppConnection} p.xmpp
   * @param {object} p.model       parsed session-initiate
   * @param {string} p.from        the focus occupant JID the offer came from
   * @param {string} p.endpointId  our nickname
   * @param {import('../media.js').LocalMedia} p.media
   * @param {object} [p.options]   { iceServers, iceTransportPolicy, preferredVideoCodec, simulcast
   *                                 (default true: the camera as three layers: simulcast, or
   *                                 with VP9/AV1 preferred and negotiated one SVC encoding),
   *                                 initialLastN, e2ee }
   *   e2ee: { pcConfig, sender(sender, kind), receiver(receiver, kind, owner), sendBlocked }
   */
  constructor(p) {
    super();
    this.xmpp = p.xmpp;
    this.sid = p.model.sid;
    this.remoteJid = p.from;
    this.initiator = p.model.initiator || p.from;
    this.endpointId = p.endpointId;
    this.media = p.media;
    this.options = p.options ?? {};
    // The bridge's limit for our camera (SenderSourceConstraints); null: none yet.
    this.cameraMaxHeight = this.options.cameraMaxHeight ?? null;
    this.cameraLowerTimer = null;
    this.bridgeSessionId = p.model.bridgeSession?.id ?? null;
    this.startMuted = p.model.startMuted;
    const t = firstTransport(p.model);
    this.webSocketUrl = t?.webSockets?.[0] ?? null;
    this.offer = RemoteOffer.fromSessionInitiate(this.withoutOwn(p.model), {
      preferredVideoCodec: this.options.preferredVideoCodec,
    });
    // Already sharing (a new session after a move, or sharing before anyone came).
    if (this.media.screenTrack) this.offer.addLocalSlot('video', 'desktop');
    this.pc = null;
    this.ops = Promise.resolve();
    this.signalled = { sources: [], groups: [] };
    this.acceptSent = false;
    this.pendingCandidates = [];
    this.candidateTimer = null;
    this.remote = new Map(); // mid -> { mid, track, owner, media, name, videoType }
    this.ended = false;
    this.iceState = 'new';
    this.startedAt = performance.now();
    this.connectedAt = null;
    this.e2ee = this.options.e2ee ?? null;
    this.sendBlocked = !!this.e2ee?.sendBlocked;
  }

  /** Our track of `kind` ('audio', 'video', 'screen') as it should be sent now. */
  sendTrack(kind) {
    if (this.sendBlocked) return null;
    return kind === 'screen' ? this.media.screenTrack : this.media.track(kind);
  }

  /**
   * Puts the E2EE transforms on every sender and receiver that has none yet (and tells the
   * worker who owns each receiver now). Cheap when nothing changed.
   */
  attachTransforms() {
    const e = this.e2ee;
    if (!e?.sender || !this.pc) return;
    for (const tr of this.pc.getTransceivers()) {
      if (!tr.mid || tr.stopped) continue;
      const slot = this.offer.slotByMid(tr.mid);
      if (!slot) continue;
      const stream = this.offer.streamForMid(tr.mid);
      const kind = slot.media;
      if (slot.local) e.sender(tr.sender, kind);
      e.receiver(tr.receiver, kind, stream && !stream.bridge ? stream.owner ?? null : null);
    }
  }

  /** Stops (true) or resumes (false) sending our media, keeping the session as it is. */
  setSendBlocked(blocked) {
    return this.enqueue('send-blocked', async () => {
      if (this.sendBlocked === !!blocked) return;
      this.sendBlocked = !!blocked;
      if (!this.pc) return;
      for (const tr of this.pc.getTransceivers()) {
        const slot = tr.mid ? this.offer.slotByMid(tr.mid) : null;
        if (!slot?.local) continue;
        const track = this.sendTrack(slot.role === 'desktop' ? 'screen' : slot.media);
        if (tr.sender.track !== track) await tr.sender.replaceTrack(track);
      }
    });
  }

  /**
   * Drops sources the focus attributes to us: receiving our own SSRCs on the same BUNDLE
   * transport would make the browser refuse the description.
   */
  withoutOwn(model) {
    const own = new Set(this.signalled?.sources.map((x) => x.ssrc) ?? []);
    const mine = (x) => x.owner === this.endpointId || own.has(x.ssrc);
    const dropped = new Set(model.sources.filter(mine).map((x) => x.ssrc));
    if (!dropped.size) return model;
    return {
      ...model,
      sources: model.sources.filter((x) => !dropped.has(x.ssrc)),
      ssrcGroups: model.ssrcGroups.filter((g) => !g.ssrcs.some((x) => dropped.has(x))),
    };
  }

  /** Runs fn after every queued operation; errors end up in 'error' events, not thrown. */
  enqueue(label, fn) {
    const run = this.ops.then(async () => {
      if (this.ended) return undefined;
      return fn();
    });
    this.ops = run.catch((e) => {
      this.dispatchEvent(new CustomEvent('error', { detail: { label, error: e } }));
    });
    return run;
  }

  /** Our source names per local mid, Jitsi's way: -a0 microphone, -v0 camera, -v1 screen. */
  sourceNames() {
    const names = {};
    const a = this.offer.localMid('audio');
    const v = this.offer.localMid('video');
    const d = this.offer.localMid('video', 'desktop');
    if (a) names[a] = { name: `${this.endpointId}-a0` };
    if (v) names[v] = { name: `${this.endpointId}-v0`, videoType: 'camera' };
    if (d) names[d] = { name: `${this.endpointId}-v1`, videoType: 'desktop' };
    return names;
  }

  jingleIq(tree) {
    const b = this.xmpp.$iq({ type: 'set', to: this.remoteJid });
    return toBuilder(tree, b);
  }

  /** Creates the peer connection, answers the offer, sends session-accept. */
  start() {
    return this.enqueue('session-initiate', async () => {
      const pc = new RTCPeerConnection({
        bundlePolicy: 'max-bundle',
        rtcpMuxPolicy: 'require',
        iceServers: this.options.iceServers ?? [],
        iceTransportPolicy: this.options.iceTransportPolicy ?? 'all',
        ...(this.e2ee?.pcConfig ?? {}),
      });
      this.pc = pc;
      pc.addEventListener('icecandidate', (e) => this.onLocalCandidate(e.candidate));
      pc.addEventListener('track', (e) => this.onTrack(e));
      pc.addEventListener('iceconnectionstatechange', () => this.onIceState());
      try {
        await this.negotiate();
      } catch (e) {
        this.terminate('failed-application', `cannot apply the offer: ${e.message}`);
        throw e;
      }
      const { jingle, sources } = buildSessionAccept({
        sid: this.sid,
        initiator: this.initiator,
        responder: this.xmpp.jid,
        sdp: this.pc.localDescription.sdp,
        endpointId: this.endpointId,
        mids: { audio: this.offer.localMid('audio'), video: this.offer.localMid('video') },
        names: this.sourceNames(),
        initialLastN: this.options.initialLastN,
      });
      await this.tuneScreenSender();
      this.signalled = sources;
      const accept = this.xmpp.sendIQ(this.jingleIq(jingle));
      this.acceptSent = true;
      this.flushCandidates();
      try {
        await accept;
      } catch (e) {
        this.dispatchEvent(new CustomEvent('accept-rejected', { detail: e }));
        throw e;
      }
      this.dispatchEvent(new CustomEvent('accepted'));
    });
  }

  /** One offer/answer round from the current RemoteOffer state. */
  async negotiate() {
    const pc = this.pc;
    await pc.setRemoteDescription({ type: 'offer', sdp: this.offer.toSdp() });
    await this.applyLocalTracks();
    const answer = await pc.createAnswer();
    let sdp = answer.sdp;
    // The camera as three layers (jingle/simulcast.js), unless turned off: with VP9 preferred
    // and negotiated, one encoding with spatial and temporal layers (SVC, set up in
    // tuneCameraSender); otherwise three simulcast encodings (a SIM group munged in).
    const mid = this.offer.localMid('video');
    this.cameraSvc = this.options.simulcast !== false
      ? svcModeFor(this.options.preferredVideoCodec) && svcModeFor(cameraCodec(sdp, mid)) : null;
    if (this.options.simulcast !== false && !this.cameraSvc) {
      this.simulcastState ??= {};
      sdp = addSimulcast(sdp, mid, this.simulcastState);
    }
    await pc.setLocalDescription({ type: 'answer', sdp });
    this.dropGoneTracks();
    await this.tuneCameraSender();
  }

  /**
   * The camera's simulcast layers: temporal layers on each (where Chromium allows it), and only
   * the layers some receiver needs (the bridge's SenderSourceConstraints, `cameraMaxHeight`):
   * an unwatched 720p layer costs the sender's CPU and uplink for nothing. The same for an SVC
   * camera's spatial layers (fewer layers, the input scaled down).
   */
  async tuneCameraSender() {
    const mid = this.offer.localMid('video');
    const tr = mid ? this.pc?.getTransceivers().find((t) => t.mid === mid) : null;
    if (!tr?.sender.track) return;
    try {
      const params = tr.sender.getParameters();
      if (this.cameraSvc && params.encodings?.length === 1) {
        // SVC: the layers in the one encoding, the bridge picks per receiver; the spatial
        // layers above what any receiver needs are not encoded.
        const height = tr.sender.track.getSettings?.().height ?? 720;
        const want = svcEncodingFor(this.cameraSvc, height, this.cameraMaxHeight);
        const e = params.encodings[0];
        if (e.scalabilityMode !== want.scalabilityMode || (e.scaleResolutionDownBy ?? 1) !== want.scaleResolutionDownBy) {
          e.scalabilityMode = want.scalabilityMode;
          e.scaleResolutionDownBy = want.scaleResolutionDownBy;
          await tr.sender.setParameters(params);
        }
        return;
      }
      if (!params.encodings || params.encodings.length < 2) return;
      const height = tr.sender.track.getSettings?.().height ?? 720;
      const active = activeLayers(layerHeights(params.encodings, height), this.cameraMaxHeight);
      let changed = false;
      params.encodings.forEach((e, i) => {
        if (e.scalabilityMode !== SIMULCAST_SCALABILITY_MODE) {
          e.scalabilityMode = SIMULCAST_SCALABILITY_MODE;
          changed = true;
        }
        if (e.active !== active[i]) {
          e.active = active[i];
          changed = true;
        }
      });
      if (changed) await tr.sender.setParameters(params);
    } catch (e) {
      this.dispatchEvent(new CustomEvent('warning', { detail: `camera sender parameters: ${e.message}` }));
    }
  }

  /**
   * The highest camera resolution any receiver needs (SenderSourceConstraints for our `-v0`
   * source; null: no limit). Layers above it stop, but only once nobody has needed them for
   * CAMERA_LAYER_OFF_DELAY_MS: a layer that was stopped takes seconds to come back in HD
   * (Chromium ramps its bandwidth estimate up again), and in a meeting the stage moves often.
   * A higher limit applies at once.
   */
  setCameraMaxHeight(maxHeight) {
    const h = typeof maxHeight === 'number' && maxHeight >= 0 ? maxHeight : null;
    clearTimeout(this.cameraLowerTimer);
    this.cameraLowerTimer = null;
    if (h === this.cameraMaxHeight) return undefined;
    const apply = () => {
      this.cameraLowerTimer = null;
      this.cameraMaxHeight = h;
      return this.enqueue('camera-layers', () => this.tuneCameraSender());
    };
    const raise = h === null || (this.cameraMaxHeight !== null && h > this.cameraMaxHeight);
    if (raise) return apply();
    this.cameraLowerTimer = setTimeout(apply, CAMERA_LAYER_OFF_DELAY_MS);
    return undefined;
  }

  /**
   * What the camera sends, per simulcast layer (lowest first; one entry for SVC):
   * [{ ssrc, active, scalabilityMode, frameHeight, framesEncoded }].
   */
  async cameraLayers() {
    const mid = this.offer.localMid('video');
    const tr = mid ? this.pc?.getTransceivers().find((t) => t.mid === mid) : null;
    if (!tr || this.ended) return [];
    const params = tr.sender.getParameters();
    const report = await tr.sender.getStats();
    const bySsrc = new Map();
    report.forEach((s) => { if (s.type === 'outbound-rtp') bySsrc.set(s.ssrc, s); });
    // The SIM group's order is the encodings' order, lowest first (jingle/simulcast.js).
    const st = this.simulcastState;
    const ssrcs = st?.primary ? [st.primary, ...(st.extra ?? []).map(([s]) => s)] : [...bySsrc.keys()];
    return (params.encodings ?? []).map((e, i) => ({
      active: e.active !== false,
      scalabilityMode: e.scalabilityMode ?? null,
      ssrc: ssrcs[i] ?? null,
      frameHeight: bySsrc.get(ssrcs[i])?.frameHeight ?? 0,
      framesEncoded: bySsrc.get(ssrcs[i])?.framesEncoded ?? 0,
    }));
  }

  /**
   * Our camera/microphone go on the first audio/video m-line (the offer's sendrecv ones), our
   * screen share on the desktop m-line (offered recvonly: we answer sendonly).
   */
  async applyLocalTracks() {
    // Transforms first: Chromium routes no frames through a sender's transform set after its
    // track (nor through a receiver's set after the answer).
    this.attachTransforms();
    for (const kind of ['audio', 'video']) {
      const mid = this.offer.localMid(kind);
      const tr = this.pc.getTransceivers().find((t) => t.mid === mid);
      if (!tr) continue;
      const track = this.sendTrack(kind);
      const send = !!this.media.track(kind) || this.media.has(kind);
      tr.direction = send ? 'sendrecv' : 'recvonly';
      if (tr.sender.track !== track) await tr.sender.replaceTrack(track);
      // The stream goes into the answer's msid even while sending is blocked (no track).
      if (this.media.track(kind) && !tr.streamsSet) {
        tr.sender.setStreams(this.media.stream);
        tr.streamsSet = true;
      }
    }
    const dmid = this.offer.localMid('video', 'desktop');
    const dtr = dmid ? this.pc.getTransceivers().find((t) => t.mid === dmid) : null;
    if (dtr) {
      const track = this.sendTrack('screen');
      dtr.direction = this.media.screenTrack ? 'sendonly' : 'inactive';
      if (dtr.sender.track !== track) await dtr.sender.replaceTrack(track);
      if (this.media.screenTrack && this.media.screenStream && dtr.streamsSet !== this.media.screenStream) {
        dtr.sender.setStreams(this.media.screenStream);
        dtr.streamsSet = this.media.screenStream;
      }
    }
  }

  /**
   * The screen's sender: up to SCREEN_MAX_FPS frames a second and SCREEN_MAX_BITRATE, keeping
   * the resolution (text stays readable) and dropping frames when bandwidth or CPU is short.
   */
  async tuneScreenSender() {
    const dmid = this.offer.localMid('video', 'desktop');
    const tr = dmid ? this.pc?.getTransceivers().find((t) => t.mid === dmid) : null;
    if (!tr?.sender.track) return;
    try {
      const params = tr.sender.getParameters();
      if (!params.encodings?.length) params.encodings = [{}];
      for (const e of params.encodings) {
        e.maxFramerate = SCREEN_MAX_FPS;
        e.maxBitrate = SCREEN_MAX_BITRATE;
      }
      params.degradationPreference = 'maintain-resolution';
      await tr.sender.setParameters(params);
    } catch (e) {
      this.dispatchEvent(new CustomEvent('warning', { detail: `screen sender parameters: ${e.message}` }));
    }
  }

  /** A local track appeared, changed or went away: swap it in, renegotiate if needed. */
  updateLocalTrack(kind) {
    if (kind === 'screen') return this.enqueue('local-screen', () => this.updateScreen());
    return this.enqueue(`local-${kind}`, async () => {
      if (!this.pc) return;
      const mid = this.offer.localMid(kind);
      const tr = this.pc.getTransceivers().find((t) => t.mid === mid);
      if (!tr) return;
      const track = this.sendTrack(kind);
      const wantSend = !!this.media.track(kind) || this.media.has(kind);
      const sending = tr.currentDirection === 'sendrecv' || tr.currentDirection === 'sendonly';
      if (wantSend === sending) {
        await tr.sender.replaceTrack(track);
        if (this.media.track(kind) && !tr.streamsSet) { tr.sender.setStreams(this.media.stream); tr.streamsSet = true; }
        return;
      }
      await this.renegotiate();
    });
  }

  /**
   * The screen share started, changed or stopped. Start: a desktop m-line (new, or a rejected
   * one recycled), renegotiate, source-add of <endpoint>-v1 (videoType desktop). Another screen
   * while sharing: replaceTrack, nothing signalled. Stop: the m-line is rejected, source-remove.
   */
  async updateScreen() {
    if (!this.pc) return;
    const track = this.media.screenTrack;
    const mid = this.offer.localMid('video', 'desktop');
    if (track && mid) {
      const tr = this.pc.getTransceivers().find((t) => t.mid === mid);
      if (tr && tr.currentDirection === 'sendonly') {
        await tr.sender.replaceTrack(this.sendTrack('screen'));
        if (this.media.screenStream) tr.sender.setStreams(this.media.screenStream);
        await this.tuneScreenSender();
        return;
      }
    }
    if (track) {
      if (!this.offer.addLocalSlot('video', 'desktop')) return; // no video in this session
    } else if (!this.offer.removeLocalSlot('video', 'desktop')) {
      return;
    }
    await this.renegotiate();
    if (track) await this.tuneScreenSender();
  }

  /** Renegotiates and tells the focus about changes in our own sources. */
  async renegotiate() {
    const names = this.sourceNames();
    await this.negotiate();
    // Names as they were before negotiating: a removed desktop m-line's sources are gone from
    // the answer anyway, and the diff goes by SSRC.
    const now = localSources(this.pc.localDescription.sdp, this.endpointId, { ...names, ...this.sourceNames() });
    const d = diffSources(this.signalled, now);
    this.signalled = now;
    const base = { sid: this.sid, initiator: this.initiator };
    if (d.removed.sources.length || d.removed.groups.length) {
      this.xmpp.sendIQ(this.jingleIq(buildSourceChange('source-remove', { ...base, ...d.removed })))
        .catch((e) => this.dispatchEvent(new CustomEvent('warning', { detail: `source-remove: ${e.message}` })));
    }
    if (d.added.sources.length || d.added.groups.length) {
      this.xmpp.sendIQ(this.jingleIq(buildSourceChange('source-add', { ...base, ...d.added })))
        .catch((e) => this.dispatchEvent(new CustomEvent('warning', { detail: `source-add: ${e.message}` })));
    }
  }

  /** Handles a Jingle action from the focus (already acked). */
  handle(model) {
    switch (model.action) {
      case 'source-add':
        return this.enqueue('source-add', async () => {
          const m = this.withoutOwn(model);
          this.offer.addSources(m.sources, m.ssrcGroups);
          await this.renegotiate();
        });
      case 'source-remove':
        return this.enqueue('source-remove', async () => {
          this.offer.removeSources(model.sources, model.ssrcGroups);
          await this.renegotiate();
        });
      case 'transport-info':
        return this.enqueue('transport-info', async () => this.onRemoteTransport(model));
      case 'session-terminate':
        this.close(model.reason ?? { condition: 'success', text: null }, true);
        return Promise.resolve();
      default:
        return Promise.resolve();
    }
  }

  async onRemoteTransport(model) {
    const t = firstTransport(model);
    if (!t) return;
    const cur = this.offer.transport;
    if (t.ufrag && cur && t.ufrag !== cur.ufrag) {
      this.iceGeneration = t.iceGeneration ?? null;
      // ICE restart: new credentials from the bridge; answering gives ours a new ufrag too,
      // and the new candidates trickle out in transport-info.
      this.offer.setTransport({
        ...t,
        fingerprints: t.fingerprints.length ? t.fingerprints : cur.fingerprints,
        webSockets: t.webSockets.length ? t.webSockets : cur.webSockets,
      });
      await this.renegotiate();
      this.sendOwnTransport([]);
      return;
    }
    const fresh = this.offer.addCandidates(t.candidates);
    const sdpMid = this.offer.bundleMids()[0];
    for (const c of fresh) {
      await this.pc.addIceCandidate({ candidate: candidateToSdp(c), sdpMid });
    }
  }

  onLocalCandidate(cand) {
    if (!cand || !cand.candidate) return; // end of gathering
    this.pendingCandidates.push(cand.candidate);
    if (!this.acceptSent) return;
    if (!this.candidateTimer) {
      this.candidateTimer = setTimeout(() => this.flushCandidates(), CANDIDATE_BATCH_MS);
    }
  }

  flushCandidates() {
    clearTimeout(this.candidateTimer);
    this.candidateTimer = null;
    if (!this.pendingCandidates.length || this.ended) return;
    const batch = this.pendingCandidates.splice(0);
    this.sendOwnTransport(batch);
  }

  sendOwnTransport(candidates) {
    const local = this.pc?.localDescription;
    if (!local) return;
    const p = parseSdp(local.sdp);
    const m = p.media.find((x) => x.mid === this.offer.bundleMids()[0]) ?? p.media[0];
    if (!m) return;
    // Drop candidates of an older ICE generation (their ufrag differs).
    const current = candidates.filter((c) => {
      const u = / ufrag (\S+)/.exec(c);
      return !u || u[1] === m.ufrag;
    });
    const tree = buildTransportInfo({
      sid: this.sid, initiator: this.initiator, media: m.type, ufrag: m.ufrag, pwd: m.pwd,
      fingerprint: m.fingerprint, setup: m.setup, candidates: current,
      iceGeneration: this.iceGeneration ?? undefined,
    });
    this.xmpp.sendIQ(this.jingleIq(tree))
      .catch((e) => this.dispatchEvent(new CustomEvent('warning', { detail: `transport-info: ${e.message}` })));
  }

  onTrack(e) {
    const mid = e.transceiver?.mid;
    const slot = mid ? this.offer.slotByMid(mid) : null;
    const stream = mid ? this.offer.streamForMid(mid) : null;
    // Before any frame of this m-line reaches the decoder.
    if (slot && this.e2ee?.receiver) {
      this.e2ee.receiver(e.receiver, slot.media, stream && !stream.bridge ? stream.owner ?? null : null);
    }
    if (slot?.local) return; // our own m-lines (the desktop one has no remote track to show)
    if (!stream || stream.bridge || !stream.owner) return;
    const info = {
      mid, track: e.track, owner: stream.owner, media: stream.media, name: stream.name,
      videoType: stream.videoType,
    };
    this.remote.set(mid, info);
    this.dispatchEvent(new CustomEvent('remote-track', { detail: info }));
  }

  /** After a renegotiation: tracks whose m-line was rejected are gone. */
  dropGoneTracks() {
    for (const [mid, info] of this.remote) {
      const st = this.offer.streamForMid(mid);
      if (st && st.owner === info.owner) continue;
      this.remote.delete(mid);
      this.dispatchEvent(new CustomEvent('remote-track-removed', { detail: info }));
    }
  }

  onIceState() {
    const s = this.pc.iceConnectionState;
    this.iceState = s;
    if ((s === 'connected' || s === 'completed') && !this.connectedAt) {
      this.connectedAt = performance.now();
    }
    this.dispatchEvent(new CustomEvent('ice-state', { detail: s }));
  }

  /** Tells the focus ICE failed; it answers with a new session (terminate + initiate). */
  notifyIceFailed() {
    this.xmpp.sendIQ(this.jingleIq(buildIceFailed({
      sid: this.sid, initiator: this.initiator, bridgeSessionId: this.bridgeSessionId,
    }))).catch(() => { /* the focus may be gone; the conference handles that */ });
  }

  /** Ends the session from our side (sends session-terminate). */
  terminate(reason = 'success', text = null, restart = false) {
    if (this.ended) return;
    // Fire and forget (we may be disconnecting right after), but as a proper IQ with an id.
    this.xmpp.sendIQ(this.jingleIq(buildSessionTerminate({
      sid: this.sid, initiator: this.initiator, reason, text,
      bridgeSessionId: this.bridgeSessionId, restart,
    })), 5000).catch(() => {});
    this.close({ condition: reason, text }, false);
  }

  close(reason, byRemote) {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.cameraLowerTimer);
    clearTimeout(this.candidateTimer);
    for (const info of this.remote.values()) {
      this.dispatchEvent(new CustomEvent('remote-track-removed', { detail: info }));
    }
    this.remote.clear();
    try { this.pc?.close(); } catch { /* already closed */ }
    this.dispatchEvent(new CustomEvent('ended', { detail: { reason, byRemote } }));
  }

  /**
   * Receive statistics per remote participant:
   * { <endpointId>: { audio: {packetsReceived, bytesReceived, packetsLost, jitter},
   *                   video: {packetsReceived, bytesReceived, framesDecoded, framesReceived,
   *                           frameWidth, frameHeight, keyFramesDecoded, codec} } }
   * plus `screen` (like video) for a shared screen, `_local` (what we send: audio, video,
   * screen; remoteLoss and remoteRtt from the bridge's receiver reports) and `_transport`
   * (selected pair, ICE state). `isScreen(stream)` says whether a remote stream is a shared
   * screen (default: its Jingle videoType is desktop).
   */
  async stats(isScreen = (st) => st?.videoType === 'desktop') {
    if (!this.pc || this.ended) return {};
    const report = await this.pc.getStats();
    const out = {};
    const codecs = new Map();
    report.forEach((s) => { if (s.type === 'codec') codecs.set(s.id, s.mimeType); });
    const add = (target, s) => {
      for (const k of ['packetsReceived', 'bytesReceived', 'packetsLost', 'framesDecoded',
        'framesReceived', 'keyFramesDecoded', 'framesDropped', 'nackCount', 'pliCount', 'firCount',
        'freezeCount', 'totalFreezesDuration']) {
        if (typeof s[k] === 'number') target[k] = (target[k] ?? 0) + s[k];
      }
      if (typeof s.jitter === 'number') target.jitter = Math.max(target.jitter ?? 0, s.jitter);
      if (s.frameWidth) target.frameWidth = s.frameWidth;
      if (s.frameHeight) target.frameHeight = s.frameHeight;
      if (s.codecId && codecs.has(s.codecId)) target.codec = codecs.get(s.codecId);
      target.ssrcs = [...(target.ssrcs ?? []), s.ssrc];
    };
    const local = { audio: {}, video: {}, screen: {} };
    const dmid = this.offer.localMid('video', 'desktop');
    let lost = 0;
    let rtt = null;
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') {
        const st = s.mid ? this.offer.streamForMid(s.mid) : null;
        const owner = st?.bridge ? 'jvb' : (st?.owner ?? '_unknown');
        const kind = s.kind === 'video' && st && !st.bridge && isScreen(st) ? 'screen' : s.kind;
        out[owner] ??= {};
        out[owner][kind] ??= {};
        add(out[owner][kind], s);
      } else if (s.type === 'remote-inbound-rtp') {
        if (typeof s.fractionLost === 'number') lost = Math.max(lost, s.fractionLost);
        if (typeof s.roundTripTime === 'number') rtt = Math.max(rtt ?? 0, s.roundTripTime);
      } else if (s.type === 'outbound-rtp') {
        const t = (s.kind === 'video' && dmid && s.mid === dmid ? local.screen : local[s.kind]) ?? {};
        for (const k of ['packetsSent', 'bytesSent', 'framesEncoded', 'framesSent']) {
          if (typeof s[k] === 'number') t[k] = (t[k] ?? 0) + s[k];
        }
        if (s.frameWidth) t.frameWidth = s.frameWidth;
        if (s.frameHeight) t.frameHeight = s.frameHeight;
        if (s.codecId && codecs.has(s.codecId)) t.codec = codecs.get(s.codecId);
      }
    });
    local.remoteLoss = lost;
    local.remoteRtt = rtt;
    out._local = local;
    let pair = null;
    report.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
    });
    out._transport = {
      iceState: this.pc.iceConnectionState,
      connectionState: this.pc.connectionState,
      rtt: pair?.currentRoundTripTime ?? null,
      availableOutgoingBitrate: pair?.availableOutgoingBitrate ?? null,
    };
    return out;
  }
}
