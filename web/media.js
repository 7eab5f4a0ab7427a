// SPDX-License-Identifier: MIT
// The local camera and microphone: acquisition with graceful degradation (both, else
// whichever is allowed or present), mute (microphone: track.enabled; camera: the track is
// stopped so the light goes off, and re-acquired on unmute), and one MediaStream holding the
// current tracks. Main thread; owned by the app, shared by the pre-join preview and the
// meeting. Emits 'track' { kind, track } whenever a track appears or goes away.

function classify(err) {
  switch (err?.name) {
    case 'NotAllowedError': case 'SecurityError': case 'PermissionDeniedError': return 'denied';
    case 'NotFoundError': case 'DevicesNotFoundError': case 'OverconstrainedError': return 'not-found';
    case 'NotReadableError': case 'TrackStartError': case 'AbortError': return 'in-use';
    case 'TypeError': return 'unsupported';
    default: return 'failed';
  }
}

export const VIDEO_CONSTRAINTS = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
export const AUDIO_CONSTRAINTS = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export class LocalMedia extends EventTarget {
  /** @param {object} [opts] { maxHeight: camera resolution cap (e.g. 360 to save bandwidth) } */
  constructor(opts = {}) {
    super();
    this.maxHeight = opts.maxHeight ?? null;
    this.stream = new MediaStream();
    this.audioTrack = null;
    this.videoTrack = null;
    this.audioMuted = false;
    this.videoMuted = false;
    this.errors = { audio: null, video: null };
    this.devices = { audio: null, video: null }; // preferred device ids
  }

  track(kind) {
    return kind === 'audio' ? this.audioTrack : this.videoTrack;
  }

  /** Whether a device of this kind was ever available (so it has a sender in the call). */
  has(kind) {
    return kind === 'audio' ? !!this.audioTrack : (!!this.videoTrack || (this.videoMuted && !this.errors.video));
  }

  constraints(kind) {
    const base = kind === 'audio' ? { ...AUDIO_CONSTRAINTS } : { ...VIDEO_CONSTRAINTS };
    if (kind === 'video' && this.maxHeight) {
      base.height = { ideal: this.maxHeight };
      base.width = { ideal: Math.round((this.maxHeight * 16) / 9) };
    }
    if (this.devices[kind]) base.deviceId = { exact: this.devices[kind] };
    return base;
  }

  /** Acquires what it can. Resolves with this.errors ({audio, video}: null or a reason). */
  async start({ audio = true, video = true } = {}) {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.errors = { audio: audio ? 'unsupported' : null, video: video ? 'unsupported' : null };
      return this.errors;
    }
    const want = { audio, video };
    if (audio && video) {
      try {
        const s = await navigator.mediaDevices.getUserMedia({
          audio: this.constraints('audio'), video: this.constraints('video'),
        });
        for (const t of s.getTracks()) this.setTrack(t.kind, t);
        this.errors = { audio: null, video: null };
        return this.errors;
      } catch {
        // Fall through: try each kind alone to learn which one failed.
      }
    }
    for (const kind of ['audio', 'video']) {
      if (!want[kind]) { this.errors[kind] = null; continue; }
      try {
        const s = await navigator.mediaDevices.getUserMedia({ [kind]: this.constraints(kind) });
        this.setTrack(kind, s.getTracks()[0]);
        this.errors[kind] = null;
      } catch (e) {
        this.errors[kind] = classify(e);
      }
    }
    return this.errors;
  }

  setTrack(kind, track) {
    const old = this.track(kind);
    if (old === track) return;
    if (old) {
      this.stream.removeTrack(old);
      old.stop();
    }
    if (kind === 'audio') this.audioTrack = track; else this.videoTrack = track;
    if (track) {
      this.stream.addTrack(track);
      if (kind === 'audio') track.enabled = !this.audioMuted;
      track.addEventListener('ended', () => {
        if (this.track(kind) !== track) return;
        // Device unplugged or permission revoked.
        this.setTrack(kind, null);
        this.errors[kind] = 'ended';
      });
    }
    this.dispatchEvent(new CustomEvent('track', { detail: { kind, track } }));
  }

  setAudioMuted(muted) {
    this.audioMuted = !!muted;
    if (this.audioTrack) this.audioTrack.enabled = !muted;
    this.dispatchEvent(new CustomEvent('mute', { detail: { kind: 'audio', muted: this.audioMuted } }));
  }

  /** Camera off stops the device; camera on opens it again. Resolves false if that fails. */
  async setVideoMuted(muted) {
    if (muted) {
      this.videoMuted = true;
      this.setTrack('video', null);
      this.dispatchEvent(new CustomEvent('mute', { detail: { kind: 'video', muted: true } }));
      return true;
    }
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: this.constraints('video') });
      this.videoMuted = false;
      this.errors.video = null;
      this.setTrack('video', s.getVideoTracks()[0]);
      this.dispatchEvent(new CustomEvent('mute', { detail: { kind: 'video', muted: false } }));
      return true;
    } catch (e) {
      this.errors.video = classify(e);
      return false;
    }
  }

  /** Switches to another device of a kind (keeps mute state). */
  async useDevice(kind, deviceId) {
    this.devices[kind] = deviceId || null;
    if (kind === 'video' && this.videoMuted) return true;
    try {
      const s = await navigator.mediaDevices.getUserMedia({ [kind]: this.constraints(kind) });
      this.errors[kind] = null;
      this.setTrack(kind, s.getTracks()[0]);
      return true;
    } catch (e) {
      this.errors[kind] = classify(e);
      return false;
    }
  }

  stop() {
    for (const kind of ['audio', 'video']) {
      const t = this.track(kind);
      if (t) { this.stream.removeTrack(t); t.stop(); }
    }
    this.audioTrack = null;
    this.videoTrack = null;
  }
}
