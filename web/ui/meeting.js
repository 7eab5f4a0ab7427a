// SPDX-License-Identifier: MIT
// The meeting screen: a responsive grid with one tile per remote participant (live video or
// an avatar, display name, microphone state, dominant-speaker ring; remote audio played by
// an <audio> element per participant), our own small self-view, a top bar with room and
// connection status, and the toolbar (microphone, camera, leave). Tiles are updated in
// place so video elements never restart. Main thread; one instance per joined meeting.

import { clear, h, hueFor, initials } from './dom.js';
import { ICONS } from './icons.js';
import { displayRoomName } from '../room.js';

const MEDIA_LABEL = {
  none: 'Waiting for others',
  negotiating: 'Connecting media…',
  connected: 'Connected',
  interrupted: 'Reconnecting…',
  moving: 'Switching server…',
  failed: 'Media unavailable',
};

/** Columns and rows that give the largest 16:9 tiles for n tiles in a W x H box. */
export function bestGrid(n, W, H, gap = 12, aspect = 16 / 9) {
  if (n <= 0) return { cols: 1, rows: 1, width: W, height: H };
  let best = { cols: 1, rows: n, width: 0, height: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const cw = (W - gap * (cols - 1)) / cols;
    const ch = (H - gap * (rows - 1)) / rows;
    const width = Math.max(0, Math.min(cw, ch * aspect));
    if (width > best.width) best = { cols, rows, width, height: width / aspect };
  }
  return best;
}

export class MeetingView {
  /**
   * @param {HTMLElement} root
   * @param {object} p { conference, media, onLeave(), onToggleMic(), onToggleCam(), onCopyLink() }
   */
  constructor(root, p) {
    this.root = root;
    this.p = p;
    this.tiles = new Map(); // participant id -> tile parts
    this.render();
  }

  render() {
    const c = this.p.conference;
    clear(this.root);
    this.count = h('span.count', {}, '1');
    this.status = h('span.pill', { dataset: { state: 'none' } }, MEDIA_LABEL.none);
    const top = h('header.topbar', {},
      h('div.topbar-left', {},
        h('span.logo', { html: ICONS.logo }),
        h('span.room-title', {}, displayRoomName(c.roomName)),
        h('span.people', { title: 'People in the meeting' }, h('span.icon', { html: ICONS.users }), this.count)),
      h('div.topbar-right', {},
        this.status,
        h('button.ghost', { type: 'button', onclick: () => this.p.onCopyLink(), title: 'Copy meeting link' },
          h('span.icon', { html: ICONS.link }), h('span.label', {}, 'Copy link'))));

    this.grid = h('div.grid');
    this.alone = h('div.alone', {},
      h('div.alone-card', {},
        h('h2', {}, 'You\'re the only one here'),
        h('p', {}, 'Share the link and others can join right away.'),
        h('code.link', {}, location.href.split('?')[0]),
        h('button.secondary', { type: 'button', onclick: () => this.p.onCopyLink() },
          h('span.icon', { html: ICONS.link }), 'Copy link')));
    this.selfVideo = h('video.mirror', { autoplay: true, muted: true, playsInline: true });
    this.selfVideo.muted = true;
    this.selfAvatar = h('div.avatar', { style: `--hue:${hueFor(c.endpointId)}` }, initials(c.displayName));
    this.selfMic = h('span.tile-mic', { html: ICONS.micOff });
    this.self = h('div.selfview', { title: 'You' }, this.selfVideo, this.selfAvatar,
      h('div.tile-label', {}, this.selfMic, h('span', {}, 'You')));
    this.stage = h('section.stage', {}, this.grid, this.alone, this.self);

    this.micBtn = h('button.tool', { type: 'button', onclick: () => this.p.onToggleMic() });
    this.camBtn = h('button.tool', { type: 'button', onclick: () => this.p.onToggleCam() });
    const leave = h('button.tool.danger', { type: 'button', onclick: () => this.p.onLeave(), title: 'Leave meeting', ariaLabel: 'Leave meeting' },
      h('span.icon', { html: ICONS.leave }));
    const bar = h('footer.toolbar', {}, this.micBtn, this.camBtn, leave);
    this.banner = h('div.banner', { hidden: true });
    this.root.append(h('main.meeting', {}, top, this.banner, this.stage, bar));

    this.resize = new ResizeObserver(() => this.layout());
    this.resize.observe(this.stage);
    this.updateSelf();
    this.updateParticipants();
    this.setMediaState(c.mediaState);
  }

  updateSelf() {
    const m = this.p.media;
    const camOn = !!m.videoTrack;
    if (camOn && this.selfVideo.srcObject !== m.stream) this.selfVideo.srcObject = m.stream;
    this.selfVideo.hidden = !camOn;
    this.selfAvatar.hidden = camOn;
    this.selfAvatar.textContent = initials(this.p.conference.displayName);
    const micOn = !!m.audioTrack && !m.audioMuted;
    this.selfMic.hidden = micOn;
    this.micBtn.innerHTML = micOn ? ICONS.mic : ICONS.micOff;
    this.micBtn.classList.toggle('off', !micOn);
    this.micBtn.disabled = !m.audioTrack;
    const micLabel = !m.audioTrack ? 'No microphone' : micOn ? 'Mute microphone' : 'Unmute microphone';
    this.micBtn.title = `${micLabel} (M)`;
    this.micBtn.setAttribute('aria-label', micLabel);
    this.micBtn.setAttribute('aria-pressed', String(!micOn));
    this.camBtn.innerHTML = camOn ? ICONS.cam : ICONS.camOff;
    this.camBtn.classList.toggle('off', !camOn);
    this.camBtn.disabled = !!m.errors.video && !m.videoMuted;
    const camLabel = this.camBtn.disabled ? 'No camera' : camOn ? 'Turn camera off' : 'Turn camera on';
    this.camBtn.title = `${camLabel} (V)`;
    this.camBtn.setAttribute('aria-label', camLabel);
    this.camBtn.setAttribute('aria-pressed', String(!camOn));
  }

  tileFor(p) {
    let t = this.tiles.get(p.id);
    if (t) return t;
    const video = h('video', { autoplay: true, playsInline: true });
    video.muted = true; // sound comes from the <audio> element
    const audio = h('audio', { autoplay: true });
    const avatar = h('div.avatar.avatar-lg', { style: `--hue:${hueFor(p.id)}` });
    const name = h('span.tile-name');
    const mic = h('span.tile-mic', { html: ICONS.micOff, title: 'Microphone off' });
    const warn = h('div.tile-warn', { hidden: true }, h('span.icon', { html: ICONS.signal }), 'Connection problems');
    const root = h('div.tile', { dataset: { id: p.id } }, video, avatar, audio, warn,
      h('div.tile-label', {}, mic, name));
    t = { root, video, audio, avatar, name, mic, warn, videoTrack: null, audioTrack: null };
    this.tiles.set(p.id, t);
    this.grid.append(root);
    return t;
  }

  updateParticipants() {
    const parts = this.p.conference.participants;
    for (const [id, t] of this.tiles) {
      if (!parts.has(id)) {
        t.video.srcObject = null;
        t.audio.srcObject = null;
        t.root.remove();
        this.tiles.delete(id);
      }
    }
    for (const p of parts.values()) {
      const t = this.tileFor(p);
      const label = p.displayName || `Guest ${p.id.slice(0, 4)}`;
      t.name.textContent = label;
      t.avatar.textContent = initials(p.displayName || 'Guest');
      if (t.videoTrack !== p.videoTrack) {
        t.videoTrack = p.videoTrack;
        t.video.srcObject = p.videoTrack ? new MediaStream([p.videoTrack]) : null;
      }
      if (t.audioTrack !== p.audioTrack) {
        t.audioTrack = p.audioTrack;
        t.audio.srcObject = p.audioTrack ? new MediaStream([p.audioTrack]) : null;
        t.audio.play?.().catch(() => {});
      }
      const showVideo = !!p.videoTrack && !p.videoMuted;
      t.video.hidden = !showVideo;
      t.avatar.hidden = showVideo;
      t.mic.hidden = !p.audioMuted;
      t.root.classList.toggle('speaking', !!p.dominant);
      t.warn.hidden = p.connectionActive !== false;
      t.root.setAttribute('aria-label', `${label}${p.audioMuted ? ', microphone off' : ''}${p.videoMuted ? ', camera off' : ''}`);
    }
    const n = parts.size;
    this.count.textContent = String(n + 1);
    this.alone.hidden = n > 0 || this.p.conference.state !== 'joined';
    this.grid.hidden = n === 0;
    this.stage.classList.toggle('solo', n === 0);
    if (this.status) this.updateStatus();
    this.layout();
  }

  layout() {
    const n = this.tiles.size;
    const W = this.stage.clientWidth - 32;
    const H = this.stage.clientHeight - 32;
    if (W <= 0 || H <= 0) return;
    let g = bestGrid(n, W, H);
    // Keep tiles clear of the floating self-view when that costs little size: try the box
    // without a self-view-high band at top and bottom, or a self-view-wide band at the sides.
    // The self-view sits 20 px from the stage edge, the grid box 16 px in: 12 px leaves a gap.
    const sw = this.self.offsetWidth + 12;
    const sh = this.self.offsetHeight + 12;
    const gw = g.cols * g.width + 12 * (g.cols - 1);
    const gh = g.rows * g.height + 12 * (g.rows - 1);
    const overlaps = (W - gw) / 2 < sw && (H - gh) / 2 < sh;
    if (n > 0 && overlaps) {
      const options = [bestGrid(n, W, H - 2 * sh), bestGrid(n, W - 2 * sw, H)];
      const alt = options.sort((a, b) => b.width - a.width)[0];
      if (alt.width >= 0.8 * g.width) g = alt;
    }
    this.grid.style.setProperty('--tile-w', `${Math.floor(g.width)}px`);
    this.grid.style.setProperty('--tile-h', `${Math.floor(g.height)}px`);
    this.grid.style.setProperty('--cols', String(g.cols));
  }

  setMediaState(state) {
    this.mediaState = state;
    this.updateStatus();
    this.updateParticipants();
  }

  updateStatus() {
    const state = this.mediaState ?? 'none';
    const others = this.p.conference.participants.size;
    // With others present but no media session yet, the focus is about to invite us.
    const label = state === 'none' && others ? 'Waiting for media…' : (MEDIA_LABEL[state] ?? state);
    this.status.textContent = label;
    this.status.dataset.state = state === 'none' && others ? 'negotiating' : state;
  }

  /** A non-fatal problem with an optional action: { message, action, onAction }. */
  showBanner(b) {
    clear(this.banner);
    if (!b) {
      this.banner.hidden = true;
      return;
    }
    this.banner.append(h('span.icon', { html: ICONS.warn }), h('span', {}, b.message));
    if (b.action) this.banner.append(h('button.secondary.small', { type: 'button', onclick: b.onAction }, b.action));
    this.banner.hidden = false;
  }

  destroy() {
    this.resize?.disconnect();
    for (const t of this.tiles.values()) {
      t.video.srcObject = null;
      t.audio.srcObject = null;
    }
    this.selfVideo.srcObject = null;
  }
}
