// SPDX-License-Identifier: MIT
// The local camera and microphone: acquisition with graceful degradation (both, else
// whichever is allowed or present), mute (microphone: track.enabled; camera: the track is
// stopped so the light goes off, and re-acquired on unmute), device choice, and one
// MediaStream holding the current tracks. Also the screen share: a display capture track in a
// stream of its own (kind 'screen'), tuned for sharp text (contentHint 'detail', up to
// 1920x1080, frame rate capped; the sender keeps the resolution and drops frames under load).
// Main thread; owned by the app, shared by the pre-join preview and the meeting. Emits
// 'track' { kind: 'audio'|'video'|'screen', track } whenever a track appears or goes away.

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
// Screens are shared at up to 1080p (text stays readable) and at most 15 frames a second
// (slides and documents; the encoder lowers the rate further when the link or CPU is short).
export const SCREEN_CONSTRAINTS = {
  width: { max: 1920 }, height: { max: 1080 }, frameRate: { ideal: 15, max: 15 },
};
export const SCREEN_MAX_FPS = 15;
export const SCREEN_MAX_BITRATE = 2500000;

export class LocalMedia extends EventTarget {
  /** @param {object} [opts] { maxHeight: camera resolution cap (e.g. 360 to save bandwidth) } */
  constructor(opts = {}) {
    super();
    this.maxHeight = opts.maxHeight ?? null;
    this.stream = new MediaStream();
    this.audioTrack = null;
    this.videoTrack = null;
    this.screenTrack = null;
    this.screenStream = null;
    this.audioMuted = false;
    this.videoMuted = false;
    this.errors = { audio: null, video: null };
    this.devices = { audio: null, video: null, output: null }; // preferred device ids
  }

  track(kind) {
    if (kind === 'screen') return this.screenTrack;
    return kind === 'audio' ? this.audioTrack : this.videoTrack;
  }

  /** Whether a device of this kind was ever available (so it has a sender in the call). */
  has(kind) {
    if (kind === 'screen') return !!this.screenTrack;
    return kind === 'audio' ? !!this.audioTrack : (!!this.videoTrack || (this.videoMuted && !this.errors.video));
  }

  /** Whether this browser can share a screen at all. */
  static canShareScreen() {
    return !!globalThis.navigator?.mediaDevices?.getDisplayMedia;
  }

  /**
   * Starts sharing a screen, window or tab (the browser asks which). Resolves true when
   * sharing, false when the person cancelled or the browser refused (errors.screen says why).
   */
  async startScreenShare() {
    if (this.screenTrack) return true;
    if (!LocalMedia.canShareScreen()) {
      this.errors.screen = 'unsupported';
      return false;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: SCREEN_CONSTRAINTS, audio: false });
    } catch (e) {
      this.errors.screen = e?.name === 'NotAllowedError' ? 'cancelled' : classify(e);
      return false;
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return false;
    this.errors.screen = null;
    // Text and lines stay sharp; the encoder drops frames before it drops resolution.
    if ('contentHint' in track) track.contentHint = 'detail';
    this.screenStream = stream;
    this.screenTrack = track;
    // The browser's own "Stop sharing" button ends the track.
    track.addEventListener('ended', () => { if (this.screenTrack === track) this.stopScreenShare(); });
    this.dispatchEvent(new CustomEvent('track', { detail: { kind: 'screen', track } }));
    return true;
  }

  stopScreenShare() {
    const t = this.screenTrack;
    if (!t) return;
    this.screenTrack = null;
    this.screenStream = null;
    t.stop();
    this.dispatchEvent(new CustomEvent('track', { detail: { kind: 'screen', track: null } }));
  }

  /** The devices the browser lists: { audio: [...], video: [...], output: [...] } of {id, label}. */
  static async listDevices() {
    const out = { audio: [], video: [], output: [] };
    let list = [];
    try {
      list = await navigator.mediaDevices.enumerateDevices();
    } catch {
      return out;
    }
    const key = { audioinput: 'audio', videoinput: 'video', audiooutput: 'output' };
    for (const d of list) {
      const k = key[d.kind];
      if (!k || !d.deviceId) continue;
      if (out[k].some((x) => x.id === d.deviceId)) continue;
      out[k].push({ id: d.deviceId, label: d.label || `${k === 'video' ? 'Camera' : k === 'audio' ? 'Microphone' : 'Speaker'} ${out[k].length + 1}` });
    }
    return out;
  }

  /** The device id of the current track of a kind, or the preferred one. */
  currentDevice(kind) {
    const t = this.track(kind);
    return t?.getSettings?.().deviceId ?? this.devices[kind] ?? null;
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
    if (this.screenTrack) this.stopScreenShare();
  }
}
