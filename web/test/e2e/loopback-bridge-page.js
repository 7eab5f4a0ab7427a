// SPDX-License-Identifier: MIT
// Test-only "bridge" made of RTCPeerConnections, run in its own Chromium page and driven by
// fake-focus.mjs. Per endpoint it offers: an audio and a video sendrecv m-line (the bridge's
// own feedback sources, like JVB's jvb-a0/jvb-v0), then a sendonly audio+video pair per other
// participant. It forwards what it receives: the tracks an endpoint sends on its sendrecv
// m-lines are re-sent (decoded and re-encoded by Chromium) on every other endpoint's m-lines
// for that owner. Everything it learns about the client comes from the client's Jingle (the
// focus script turns it into SDP), so this exercises the real client end to end.
/* global RTCPeerConnection */
(() => {
  const eps = new Map(); // endpoint id -> { pc, slots: [{ t, media, owner }] }
  const tracks = new Map(); // owner -> { audio, video } as received from that endpoint
  let audioCtx = null;

  // Chromium does not re-send a received audio track on another peer connection as is
  // (no samples reach the sender); route it through WebAudio, with the remote stream also
  // attached to a muted <audio> element so that its samples flow at all.
  function forwardableAudio(track) {
    audioCtx ??= new AudioContext();
    const el = new Audio();
    el.muted = true;
    el.srcObject = new MediaStream([track]);
    el.play().catch(() => {});
    const src = audioCtx.createMediaStreamSource(new MediaStream([track]));
    const dst = audioCtx.createMediaStreamDestination();
    src.connect(dst);
    audioCtx.resume().catch(() => {});
    return dst.stream.getAudioTracks()[0];
  }

  function pushTrack(owner, kind, track) {
    for (const [ep, e] of eps) {
      if (ep === owner) continue;
      for (const s of e.slots) {
        if (s.owner === owner && s.media === kind && !s.stopped) s.t.sender.replaceTrack(track).catch(() => {});
      }
    }
  }

  function addOwnerSlots(e, owner) {
    for (const media of ['audio', 'video']) {
      const t = e.pc.addTransceiver(media, { direction: 'sendonly' });
      e.slots.push({ t, media, owner, stopped: false });
      const tr = tracks.get(owner)?.[media];
      if (tr) t.sender.replaceTrack(tr).catch(() => {});
    }
  }

  async function offer(e) {
    const o = await e.pc.createOffer();
    await e.pc.setLocalDescription(o);
    if (e.pc.iceGatheringState !== 'complete') {
      await new Promise((resolve) => {
        const done = () => { if (e.pc.iceGatheringState === 'complete') resolve(); };
        e.pc.addEventListener('icegatheringstatechange', done);
        setTimeout(resolve, 3000);
      });
    }
    return {
      sdp: e.pc.localDescription.sdp,
      slots: e.slots.map((s) => ({ mid: s.t.mid, media: s.media, owner: s.owner, stopped: s.stopped })),
    };
  }

  window.loopbackBridge = {
    async create(ep, owners) {
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
      const e = { pc, slots: [] };
      eps.set(ep, e);
      // Per media type: the feedback m-line first, then one per owner (the offer order the
      // client mirrors: audio..., video...).
      for (const media of ['audio', 'video']) {
        e.slots.push({ t: pc.addTransceiver(media, { direction: 'sendrecv' }), media, owner: null, stopped: false });
        for (const owner of owners) {
          const t = pc.addTransceiver(media, { direction: 'sendonly' });
          e.slots.push({ t, media, owner, stopped: false });
          const tr = tracks.get(owner)?.[media];
          if (tr) t.sender.replaceTrack(tr).catch(() => {});
        }
      }
      pc.addEventListener('track', (ev) => {
        const slot = e.slots.find((s) => s.t === ev.transceiver);
        if (!slot || slot.owner !== null) return;
        const kind = ev.track.kind;
        const cur = tracks.get(ep) ?? {};
        cur[kind] = kind === 'audio' ? forwardableAudio(ev.track) : ev.track;
        tracks.set(ep, cur);
        pushTrack(ep, kind, cur[kind]);
      });
      return offer(e);
    },
    async addOwners(ep, owners) {
      const e = eps.get(ep);
      for (const o of owners) addOwnerSlots(e, o);
      return offer(e);
    },
    async removeOwner(ep, owner) {
      const e = eps.get(ep);
      for (const s of e.slots) {
        if (s.owner === owner && !s.stopped) { s.t.stop(); s.stopped = true; }
      }
      return offer(e);
    },
    async restartIce(ep) {
      const e = eps.get(ep);
      e.pc.restartIce();
      return offer(e);
    },
    async setAnswer(ep, sdp) {
      await eps.get(ep).pc.setRemoteDescription({ type: 'answer', sdp });
    },
    async addCandidate(ep, candidate) {
      const e = eps.get(ep);
      const mid = e.slots.find((s) => !s.stopped)?.t.mid ?? '0';
      await e.pc.addIceCandidate({ candidate, sdpMid: mid });
    },
    close(ep) {
      const e = eps.get(ep);
      if (!e) return;
      e.pc.close();
      eps.delete(ep);
      tracks.delete(ep);
    },
    state(ep) {
      const e = eps.get(ep);
      return e ? { ice: e.pc.iceConnectionState, dtls: e.pc.connectionState, hasTracks: !!tracks.get(ep) } : null;
    },
  };
})();
