// SPDX-License-Identifier: MIT
// The meeting screen: a responsive grid with one tile per remote participant (live video or
// an avatar, display name, microphone state, dominant-speaker ring; remote audio played by
// an <audio> element per participant), our own small self-view, a top bar with room and
// connection status, and the toolbar (microphone, camera, security, leave). Room security:
// a warning when the room name is easy to guess, the security panel behind the shield button
// (with a badge counting people waiting in the lobby), moderator stars on tiles and, for
// moderators, a tile menu to make someone moderator or remove them. Tiles are updated in
// place so video elements never restart. Main thread; one instance per joined meeting.

import { clear, h, hueFor, initials } from './dom.js';
import { ICONS } from './icons.js';
import { displayRoomName } from '../room.js';
import { SecurityPanel } from './security-panel.js';

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

/** Rectangles of n tiles laid out by `g` (CSS grid, rows filled left to right, grid centred). */
function tileRects(n, g, x0, y0, gap) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const c = i % g.cols;
    const r = Math.floor(i / g.cols);
    out.push({ x: x0 + c * (g.width + gap), y: y0 + r * (g.height + gap), w: g.width, h: g.height });
  }
  return out;
}

const intersects = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Tile grid for n tiles in a W x H box that keeps the tiles clear of the floating self-view.
 * `self` is the self-view's rectangle in box coordinates ({x, y, w, h}, or null). Three
 * candidates: the whole box; the box above the self-view (a band as high as the self-view
 * reserved at the bottom); the box left of it (a band reserved at the right). The grid is
 * centred in its box. Of the candidates whose tiles do not touch the self-view (with `gap`
 * around it), the one with the largest tiles wins; often that costs nothing, because the
 * tiles are limited by the other dimension. Only when avoiding the self-view would halve the
 * tiles (a tiny screen) may they overlap it.
 * Returns { cols, rows, width, height, marginRight, marginBottom, overlaps }.
 */
export function fitTiles(n, W, H, self = null, gap = 12) {
  const at = (boxW, boxH, marginRight, marginBottom) => {
    const g = bestGrid(n, boxW, boxH, gap);
    const gw = g.cols * g.width + gap * (g.cols - 1);
    const gh = g.rows * g.height + gap * (g.rows - 1);
    const keep = self && { x: self.x - gap, y: self.y - gap, w: self.w + 2 * gap, h: self.h + 2 * gap };
    const overlaps = n > 0 && !!keep
      && tileRects(n, g, (boxW - gw) / 2, (boxH - gh) / 2, gap).some((t) => intersects(t, keep));
    return { ...g, marginRight, marginBottom, overlaps };
  };
  const full = at(W, H, 0, 0);
  if (!self || n <= 0 || !full.overlaps) return full;
  const bottom = Math.max(0, H - self.y + gap);
  const right = Math.max(0, W - self.x + gap);
  const clear = [at(W, H - bottom, 0, bottom), at(W - right, H, right, 0)].filter((o) => !o.overlaps);
  const best = clear.sort((a, b) => b.width - a.width)[0];
  return best && best.width >= 0.5 * full.width ? best : full;
}

export class MeetingView {
  /**
   * @param {HTMLElement} root
   * @param {object} p { conference, media, security (RoomSecurity), onLeave(), onToggleMic(),
   *                    onToggleCam(), onCopyLink(), toast(message, kind) }
   */
  constructor(root, p) {
    this.root = root;
    this.p = p;
    this.tiles = new Map(); // participant id -> tile parts
    this.warningDismissed = false;
    this.openMenu = null;
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
        this.secured = h('span.secured#secured', { hidden: true }, h('span.icon', { html: ICONS.lock })),
        h('span.people', { title: 'People in the meeting' }, h('span.icon', { html: ICONS.users }), this.count)),
      h('div.topbar-right', {},
        this.status,
        h('button.ghost', { type: 'button', onclick: () => this.p.onCopyLink(), title: 'Copy meeting link' },
          h('span.icon', { html: ICONS.link }), h('span.label', {}, 'Copy link'))));

    this.grid = h('div.grid');
    this.alone = h('div.alone', {},
      h('div.alone-card', {},
        h('h2', {}, 'You\'re the only one here'),
        this.aloneText = h('p', {}, 'Share the link and others can join right away.'),
        h('code.link', {}, location.href.split('?')[0]),
        h('button.secondary', { type: 'button', onclick: () => this.p.onCopyLink() },
          h('span.icon', { html: ICONS.link }), 'Copy link')));
    this.selfVideo = h('video.mirror', { autoplay: true, muted: true, playsInline: true });
    this.selfVideo.muted = true;
    this.selfAvatar = h('div.avatar', { style: `--hue:${hueFor(c.endpointId)}` }, initials(c.displayName));
    this.selfMic = h('span.tile-mic', { html: ICONS.micOff });
    this.selfStar = h('span.tile-mod', { html: ICONS.star, title: 'Moderator', hidden: true });
    this.self = h('div.selfview', { title: 'You' }, this.selfVideo, this.selfAvatar,
      h('div.tile-label', {}, this.selfMic, this.selfStar, h('span', {}, 'You')));
    this.stage = h('section.stage', {}, this.grid, this.alone, this.self);

    this.micBtn = h('button.tool', { type: 'button', onclick: () => this.p.onToggleMic() });
    this.camBtn = h('button.tool', { type: 'button', onclick: () => this.p.onToggleCam() });
    const leave = h('button.tool.danger', { type: 'button', onclick: () => this.p.onLeave(), title: 'Leave meeting', ariaLabel: 'Leave meeting' },
      h('span.icon', { html: ICONS.leave }));
    this.badge = h('span.tool-badge', { hidden: true });
    this.secBtn = h('button.tool#security-button', {
      type: 'button', title: 'Security', ariaLabel: 'Security', onclick: () => this.toggleSecurity(),
    }, h('span.icon', { html: ICONS.shield }), this.badge);
    const bar = h('footer.toolbar', {}, this.micBtn, this.camBtn, this.secBtn, leave);
    this.banner = h('div.banner', { hidden: true });
    this.warning = h('div.room-warning#room-name-warning', { role: 'status', hidden: true },
      h('span.icon', { html: ICONS.warn }),
      h('span.room-warning-text', {},
        h('strong', {}, 'This meeting name is unsafe.'),
        ' Others could guess it, so unwanted participants may join. You can secure the meeting with the security button.'),
      h('button.secondary.small#secure-meeting', { type: 'button', onclick: () => this.toggleSecurity(true) },
        h('span.icon', { html: ICONS.shield }), 'Secure meeting'),
      h('button.ghost.icon-only#dismiss-warning', {
        type: 'button', title: 'Dismiss', ariaLabel: 'Dismiss the warning',
        onclick: () => { this.warningDismissed = true; this.updateSecurity(); },
      }, h('span.icon', { html: ICONS.close })));
    this.panel = this.p.security ? new SecurityPanel({
      security: this.p.security,
      onClose: () => this.toggleSecurity(false),
      toast: (m, k) => this.p.toast?.(m, k),
    }) : null;
    this.root.append(h('main.meeting', {}, top, this.warning, this.banner, this.stage, bar, this.panel?.el));
    this.onDocClick = (e) => {
      if (this.openMenu && !this.openMenu.root.contains(e.target)) this.closeMenu();
    };
    document.addEventListener('click', this.onDocClick);

    this.resize = new ResizeObserver(() => this.layout());
    this.resize.observe(this.stage);
    this.updateSelf();
    this.updateParticipants();
    this.setMediaState(c.mediaState);
    this.updateSecurity();
  }

  /** Opens (true), closes (false) or toggles the security panel. */
  toggleSecurity(open) {
    if (!this.panel) return;
    const want = open ?? !this.panel.open;
    if (want) this.panel.show();
    else this.panel.hide();
    this.secBtn.classList.toggle('active', want);
    document.body.classList.toggle('security-open', want);
    this.secBtn.setAttribute('aria-expanded', String(want));
  }

  /** Room-security state changed: warning, badge, lock, stars, panel. */
  updateSecurity() {
    const s = this.p.security;
    if (!s) return;
    const secured = s.lobbyEnabled || s.passwordSet;
    this.warning.hidden = !s.roomNameWeak || secured || this.warningDismissed;
    const n = s.isModerator ? s.knocks.size : 0;
    this.badge.hidden = n === 0;
    this.badge.textContent = String(n);
    const label = n ? `Security (${n} waiting to join)` : 'Security';
    this.secBtn.title = label;
    this.secBtn.setAttribute('aria-label', label);
    this.secured.hidden = !secured;
    this.aloneText.textContent = s.lobbyEnabled
      ? 'Share the link. People who join wait in the lobby until a moderator lets them in.'
      : s.passwordSet ? 'Share the link and the password. Others can join with both.'
        : 'Share the link and others can join right away.';
    this.secured.title = [s.lobbyEnabled && 'Lobby on', s.passwordSet && 'Password set'].filter(Boolean).join(' · ');
    this.selfStar.hidden = !s.isModerator;
    if (this.panel?.open) this.panel.update();
    this.updateParticipants();
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
    const star = h('span.tile-mod', { html: ICONS.star, title: 'Moderator', hidden: true });
    const makeMod = h('button.menu-item.make-moderator', { type: 'button', role: 'menuitem', onclick: () => this.moderate(p.id, 'grant') },
      h('span.icon', { html: ICONS.star }), 'Make moderator');
    const kick = h('button.menu-item.danger.remove-participant', { type: 'button', role: 'menuitem', onclick: () => this.moderate(p.id, 'kick') },
      h('span.icon', { html: ICONS.leave }), 'Remove from meeting');
    const menu = h('div.tile-menu', { role: 'menu', hidden: true }, makeMod, kick);
    const menuBtn = h('button.tile-menu-btn', {
      type: 'button', title: 'Participant options', ariaLabel: 'Participant options', ariaHaspopup: 'menu', hidden: true,
      onclick: (e) => { e.stopPropagation(); this.toggleMenu(t); },
    }, h('span.icon', { html: ICONS.more }));
    const root = h('div.tile', { dataset: { id: p.id } }, video, avatar, audio, warn, menuBtn, menu,
      h('div.tile-label', {}, mic, star, name));
    t = { root, video, audio, avatar, name, mic, warn, star, menu, menuBtn, makeMod, videoTrack: null, audioTrack: null };
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
      const mod = p.role === 'moderator';
      t.star.hidden = !mod;
      t.root.classList.toggle('moderator', mod);
      t.menuBtn.hidden = !this.p.security?.isModerator;
      t.makeMod.hidden = mod;
      if (t.menuBtn.hidden && !t.menu.hidden) this.closeMenu();
      t.root.classList.toggle('speaking', !!p.dominant);
      t.warn.hidden = p.connectionActive !== false;
      t.root.setAttribute('aria-label', `${label}${mod ? ', moderator' : ''}${p.audioMuted ? ', microphone off' : ''}${p.videoMuted ? ', camera off' : ''}`);
    }
    const n = parts.size;
    this.count.textContent = String(n + 1);
    this.alone.hidden = n > 0 || this.p.conference.state !== 'joined';
    this.grid.hidden = n === 0;
    this.stage.classList.toggle('solo', n === 0);
    if (this.status) this.updateStatus();
    this.layout();
  }

  toggleMenu(t) {
    const wasOpen = this.openMenu === t;
    this.closeMenu();
    if (wasOpen) return;
    t.menu.hidden = false;
    t.menuBtn.setAttribute('aria-expanded', 'true');
    this.openMenu = t;
  }

  closeMenu() {
    if (!this.openMenu) return;
    this.openMenu.menu.hidden = true;
    this.openMenu.menuBtn.setAttribute('aria-expanded', 'false');
    this.openMenu = null;
  }

  /** Moderator actions from a tile menu; errors become a toast. */
  async moderate(id, what) {
    this.closeMenu();
    const s = this.p.security;
    const p = this.p.conference.participants.get(id);
    const who = p?.displayName || 'The participant';
    try {
      if (what === 'grant') {
        await s.grantModerator(id);
        this.p.toast?.(`${who} is now a moderator.`);
      } else {
        await s.kick(id);
        this.p.toast?.(`${who} was removed from the meeting.`);
      }
    } catch (e) {
      this.p.toast?.(e.message || 'That did not work.', 'warn');
    }
  }

  layout() {
    const n = this.tiles.size;
    const cs = getComputedStyle(this.stage);
    const padL = parseFloat(cs.paddingLeft) || 0;
    const padT = parseFloat(cs.paddingTop) || 0;
    const W = this.stage.clientWidth - padL - (parseFloat(cs.paddingRight) || 0);
    const H = this.stage.clientHeight - padT - (parseFloat(cs.paddingBottom) || 0);
    if (W <= 0 || H <= 0) return;
    // The self-view floats in the stage's bottom-right corner (style.css); keep tiles off it.
    const self = this.self.offsetWidth ? {
      x: this.self.offsetLeft - padL, y: this.self.offsetTop - padT,
      w: this.self.offsetWidth, h: this.self.offsetHeight,
    } : null;
    const g = fitTiles(n, W, H, self);
    this.grid.style.setProperty('--tile-w', `${Math.floor(g.width)}px`);
    this.grid.style.setProperty('--tile-h', `${Math.floor(g.height)}px`);
    this.grid.style.setProperty('--cols', String(g.cols));
    // The stage centres the grid's margin box: a margin moves it into the free part.
    this.grid.style.marginRight = `${Math.floor(g.marginRight)}px`;
    this.grid.style.marginBottom = `${Math.floor(g.marginBottom)}px`;
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
    this.panel?.destroy();
    document.body.classList.remove('security-open');
    document.removeEventListener('click', this.onDocClick);
    for (const t of this.tiles.values()) {
      t.video.srcObject = null;
      t.audio.srcObject = null;
    }
    this.selfVideo.srcObject = null;
  }
}
