// SPDX-License-Identifier: MIT
// The meeting screen: one tile per remote participant (live video or an avatar, display name,
// microphone state, raised hand, connection quality with a tooltip, dominant-speaker ring;
// remote audio played by an <audio> element per participant, on the chosen speaker), a tile
// per shared screen, our own small self-view, a top bar with room and connection status, the
// toolbar (microphone, camera, screen share, raise hand, chat, participants, security,
// settings, leave) and the side panels behind those buttons (one at a time). Shared screens
// are shown large with everyone's camera as a thumbnail (layout.js); several people may share
// at once. Room security: a warning when the room name is easy to guess, the security panel
// (with a badge counting people waiting in the lobby), moderator stars and, for moderators,
// a menu per participant (tile and participants panel). When the focus has no bridge, a
// clear screen says so until one comes. End-to-end encryption: a padlock in the top bar and
// on the toolbar (moderators turn it on and off there), a padlock per tile with what we can
// do with that person's media, and a banner when this browser cannot take part.
// Tiles are positioned absolutely and updated in place,
// so video elements never move or restart. Main thread; one instance per joined meeting.

import { clear, h, hueFor, initials } from './dom.js';
import { ICONS } from './icons.js';
import { gridRects, presentationRects } from './layout.js';
import { displayRoomName } from '../room.js';
import { QUALITY_LABEL } from '../quality.js';
import { ChatPanel } from './chat-panel.js';
import { ACTIONS, ParticipantsPanel } from './participants-panel.js';
import { SecurityPanel } from './security-panel.js';
import { E2EE_TILE } from './e2ee-status.js';
import { CAN_CHOOSE_SPEAKER, SettingsPanel } from './settings-panel.js';

export { bestGrid, fitTiles } from './layout.js';

const MEDIA_LABEL = {
  none: 'Waiting for others',
  'no-bridge': 'No media server',
  negotiating: 'Connecting media…',
  connected: 'Connected',
  interrupted: 'Reconnecting…',
  moving: 'Switching server…',
  failed: 'Media unavailable',
};

const GAP = 12;

/** The status pill's text and state for a media state and whether anyone else is here. */
export function statusOf(mediaState, others) {
  if (mediaState === 'failed') return { label: MEDIA_LABEL.failed, state: 'failed' };
  if (!others) return { label: MEDIA_LABEL.none, state: 'none' }; // alone (again): nothing else matters
  if (mediaState === 'none') return { label: 'Waiting for media…', state: 'negotiating' };
  return { label: MEDIA_LABEL[mediaState] ?? mediaState, state: mediaState };
}

const bars = (level) => `<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">${
  [[2, 11, 3], [6, 8, 6], [10, 5, 9]].map(([x, y, hgt], i) => {
    const on = level === 'good' || (level === 'fair' && i < 2) || (level === 'poor' && i < 1);
    return `<rect x="${x}" y="${y}" width="3" height="${hgt}" rx="1" fill="currentColor" opacity="${on ? 1 : 0.28}"/>`;
  }).join('')}</svg>`;

export class MeetingView {
  /**
   * @param {HTMLElement} root
   * @param {object} p { conference, media, security (RoomSecurity), onLeave(), onToggleMic(),
   *                    onToggleCam(), onToggleScreen(), onToggleHand(), onCopyLink(),
   *                    toast(message, kind) }
   */
  constructor(root, p) {
    this.root = root;
    this.p = p;
    this.tiles = new Map(); // participant id -> camera tile parts
    this.screens = new Map(); // participant id -> screen tile parts
    this.warningDismissed = false;
    this.openMenu = null;
    this.panel = null; // name of the open side panel
    this.sinkId = null;
    this.forceGrid = false;
    this.render();
  }

  get conf() { return this.p.conference; }

  render() {
    const c = this.conf;
    clear(this.root);
    this.count = h('span.count', {}, '1');
    this.status = h('span.pill#status-pill', { dataset: { state: 'none' } }, MEDIA_LABEL.none);
    this.layoutBtn = h('button.ghost#layout-toggle', { type: 'button', hidden: true, onclick: () => this.toggleLayout() });
    this.viewBtn = h('button.ghost#view-toggle', { type: 'button', hidden: true, onclick: () => this.toggleView() });
    const top = h('header.topbar', {},
      h('div.topbar-left', {},
        h('span.logo', { html: ICONS.logo }),
        h('span.room-title', {}, displayRoomName(c.roomName)),
        this.secured = h('span.secured#secured', { hidden: true }, h('span.icon', { html: ICONS.lock })),
        this.e2eeBadge = h('span.e2ee-badge#e2ee-badge', { hidden: true, title: 'Audio and video are end-to-end encrypted' },
          h('span.icon', { html: ICONS.lock }), h('span.label', {}, 'End-to-end encrypted')),
        h('button.people.ghost', { type: 'button', title: 'People in the meeting', onclick: () => this.togglePanel('participants') },
          h('span.icon', { html: ICONS.users }), this.count)),
      h('div.topbar-right', {},
        this.layoutBtn,
        this.viewBtn,
        this.status,
        h('button.ghost', { type: 'button', onclick: () => this.p.onCopyLink(), title: 'Copy meeting link' },
          h('span.icon', { html: ICONS.link }), h('span.label', {}, 'Copy link'))));

    this.grid = h('div.grid');
    this.alone = h('div.alone.stage-card', {},
      h('div.alone-card', {},
        h('h2', {}, 'You\'re the only one here'),
        this.aloneText = h('p', {}, 'Share the link and others can join right away.'),
        h('code.link', {}, location.href.split('?')[0]),
        h('button.secondary', { type: 'button', onclick: () => this.p.onCopyLink() },
          h('span.icon', { html: ICONS.link }), 'Copy link')));
    this.noBridge = h('div.no-bridge.stage-card#no-bridge', { hidden: true, role: 'status' },
      h('div.alone-card', {},
        h('span.no-bridge-icon', { html: ICONS.cloudOff }),
        h('h2', {}, 'Waiting for a media server'),
        h('p', {}, 'You are in the meeting, but no media server is available right now, so audio and video '
          + 'cannot start. The call starts by itself as soon as one is available: there is no need to reload.'),
        h('p.muted.small-print', {}, 'You can use the chat in the meantime. If this lasts, tell whoever runs this service.')));
    this.selfVideo = h('video.mirror', { autoplay: true, muted: true, playsInline: true });
    this.selfVideo.muted = true;
    this.selfAvatar = h('div.avatar', { style: `--hue:${hueFor(c.endpointId)}` }, initials(c.displayName));
    this.selfMic = h('span.tile-mic', { html: ICONS.micOff });
    this.selfStar = h('span.tile-mod', { html: ICONS.star, title: 'Moderator', hidden: true });
    this.selfHand = h('span.tile-hand', { html: ICONS.hand, title: 'Your hand is raised', hidden: true });
    this.selfQuality = this.qualityBadge();
    this.selfSharing = h('div.self-sharing', { hidden: true }, h('span.icon', { html: ICONS.screen }), 'Presenting');
    this.self = h('div.selfview', { title: 'You' }, this.selfVideo, this.selfAvatar, this.selfSharing,
      h('div.tile-top', {}, this.selfQuality.root, this.selfHand),
      h('div.tile-label', {}, this.selfMic, this.selfStar, h('span', {}, 'You')));
    this.stage = h('section.stage', {}, this.grid, this.alone, this.noBridge, this.self);

    const tool = (id, label, icon, onclick, badge) => h(`button.tool#${id}`, {
      type: 'button', title: label, ariaLabel: label, onclick,
    }, h('span.icon', { html: ICONS[icon] }), badge);
    this.micBtn = h('button.tool#mic-button', { type: 'button', onclick: () => this.p.onToggleMic() });
    this.camBtn = h('button.tool#camera-button', { type: 'button', onclick: () => this.p.onToggleCam() });
    this.screenBtn = tool('screen-button', 'Share your screen', 'screen', () => this.p.onToggleScreen());
    this.handBtn = tool('hand-button', 'Raise your hand (R)', 'hand', () => this.p.onToggleHand());
    this.chatBadge = h('span.tool-badge#chat-badge', { hidden: true });
    this.chatBtn = tool('chat-button', 'Chat (C)', 'chat', () => this.togglePanel('chat'), this.chatBadge);
    this.peopleBadge = h('span.tool-badge.neutral#people-badge', { hidden: true });
    this.peopleBtn = tool('participants-button', 'Participants (P)', 'users', () => this.togglePanel('participants'), this.peopleBadge);
    this.badge = h('span.tool-badge', { hidden: true });
    this.secBtn = tool('security-button', 'Security', 'shield', () => this.togglePanel('security'), this.badge);
    this.setBtn = tool('settings-button', 'Settings: camera, microphone, speaker', 'gear', () => this.togglePanel('settings'));
    this.e2eeBtn = tool('e2ee-button', 'End-to-end encryption', 'lockOpen', () => this.p.onToggleE2ee?.());
    this.e2eeBtn.hidden = !c.e2ee;
    const leave = h('button.tool.danger#leave-button', { type: 'button', onclick: () => this.p.onLeave(), title: 'Leave meeting', ariaLabel: 'Leave meeting' },
      h('span.icon', { html: ICONS.leave }));
    const bar = h('footer.toolbar', {},
      h('div.tool-group', {}, this.micBtn, this.camBtn, this.screenBtn, this.handBtn),
      h('div.tool-group', {}, this.chatBtn, this.peopleBtn, this.secBtn, this.e2eeBtn, this.setBtn),
      leave);

    this.banner = h('div.banner', { hidden: true });
    // Getting back into the meeting after a drop (app.js reconnectLater).
    this.reconnectText = h('span', {}, '');
    this.reconnectBtn = h('button.secondary.small#reconnect-now', { type: 'button' }, 'Reconnect now');
    this.reconnectBanner = h('div.banner.reconnect-banner#reconnect-banner', { hidden: true, role: 'status' },
      h('span.spinner', { ariaHidden: 'true' }), this.reconnectText, this.reconnectBtn);
    this.e2eeBanner = h('div.banner.e2ee-banner#e2ee-banner', { hidden: true, role: 'status' },
      h('span.icon', { html: ICONS.lockOpen }),
      h('span', {}, 'This meeting is end-to-end encrypted, but this browser cannot encrypt. You cannot see or hear the '
        + 'others and they cannot see or hear you; the chat still works.'));
    this.shareBanner = h('div.share-banner#share-banner', { hidden: true, role: 'status' },
      h('span.icon', { html: ICONS.screen }),
      h('span', {}, 'You are sharing your screen with everyone.'),
      h('button.secondary.small#stop-sharing', { type: 'button', onclick: () => this.p.onToggleScreen() }, 'Stop sharing'));
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

    const close = () => this.togglePanel(null);
    this.panels = {
      chat: new ChatPanel({ chat: c.chat, conference: c, onClose: close }),
      participants: new ParticipantsPanel({
        conference: c, security: this.p.security, onClose: close,
        onAction: (id, action) => this.act(id, action), onMeetingAction: (a) => this.meetingAction(a),
      }),
      security: this.p.security ? new SecurityPanel({
        security: this.p.security, onClose: close, toast: (m, k) => this.p.toast?.(m, k),
      }) : null,
      settings: new SettingsPanel({
        media: this.p.media, onClose: close, speaker: () => this.sinkId, onDevice: (kind, id) => this.useDevice(kind, id),
      }),
    };
    this.body = h('div.meeting-body', {}, this.stage,
      Object.values(this.panels).filter(Boolean).map((x) => x.el));
    this.header = h('div.meeting-head', {}, top, this.reconnectBanner, this.warning, this.e2eeBanner, this.banner,
      this.shareBanner);
    this.main = h('main.meeting', {}, this.header, this.body, bar);
    this.root.append(this.main);

    this.onDocClick = (e) => {
      if (this.openMenu && !this.openMenu.root.contains(e.target)) this.closeMenu();
      if (this.panels.participants.menuFor && !e.target.closest?.('.people-row')) this.panels.participants.closeMenu();
    };
    document.addEventListener('click', this.onDocClick);
    this.onChat = () => { this.updateChatBadge(); if (this.panel === 'chat') this.panels.chat.update(); };
    c.chat.addEventListener('message', this.onChat);
    c.chat.addEventListener('unread', this.onChat);
    this.onChatError = (e) => this.p.toast?.(e.detail.message, 'warn');
    c.chat.addEventListener('error', this.onChatError);
    this.onQuality = () => this.updateQuality();
    c.addEventListener('quality', this.onQuality);
    this.onE2ee = () => this.updateE2ee();
    c.e2ee?.addEventListener('change', this.onE2ee);

    this.resize = new ResizeObserver(() => this.layout());
    this.resize.observe(this.stage);
    this.resize.observe(this.header);
    this.updateSelf();
    this.updateParticipants();
    this.setMediaState(c.mediaState);
    this.updateSecurity();
    this.updateChatBadge();
  }

  // ---- side panels ---------------------------------------------------------------------------

  /** Opens the side panel `name` ('chat', 'participants', 'security', 'settings'), or closes it. */
  togglePanel(name, open) {
    const want = name && (open ?? this.panel !== name) ? name : null;
    if (want && !this.panels[want]) return;
    if (this.panel && this.panel !== want) this.panels[this.panel].hide();
    this.panel = want;
    if (want && this.panels[want].el.hidden) this.panels[want].show();
    const btn = { chat: this.chatBtn, participants: this.peopleBtn, security: this.secBtn, settings: this.setBtn };
    for (const [k, b] of Object.entries(btn)) {
      b.classList.toggle('active', k === want);
      b.setAttribute('aria-expanded', String(k === want));
    }
    document.body.classList.toggle('security-open', want === 'security');
    this.root.querySelector('.meeting')?.classList.toggle('panel-open', !!want);
    this.updateChatBadge();
  }

  /** Opens (true), closes (false) or toggles the security panel. */
  toggleSecurity(open) {
    this.togglePanel('security', open);
  }

  updateChatBadge() {
    const n = this.conf.chat.unread;
    this.chatBadge.hidden = n === 0;
    this.chatBadge.textContent = n > 99 ? '99+' : String(n);
    const label = n ? `Chat (${n} unread)` : 'Chat (C)';
    this.chatBtn.title = label;
    this.chatBtn.setAttribute('aria-label', label);
  }

  // ---- security ------------------------------------------------------------------------------

  /** Room-security state changed: warning, badge, lock, stars, panels. */
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
    if (this.panel === 'security') this.panels.security.update();
    this.updateParticipants();
    this.layout();
  }

  // ---- ourselves -----------------------------------------------------------------------------

  updateSelf() {
    const m = this.p.media;
    const camOn = !!m.videoTrack;
    if (camOn && this.selfVideo.srcObject !== m.stream) this.selfVideo.srcObject = m.stream;
    this.selfVideo.hidden = !camOn;
    this.selfAvatar.hidden = camOn;
    this.selfAvatar.textContent = initials(this.conf.displayName);
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

    const sharing = !!m.screenTrack;
    const canShare = !!navigator.mediaDevices?.getDisplayMedia;
    this.screenBtn.disabled = !canShare;
    this.screenBtn.classList.toggle('active', sharing);
    this.screenBtn.innerHTML = '';
    this.screenBtn.append(h('span.icon', { html: sharing ? ICONS.screenOff : ICONS.screen }));
    const shareLabel = !canShare ? 'This browser cannot share a screen' : sharing ? 'Stop sharing your screen (D)' : 'Share your screen (D)';
    this.screenBtn.title = shareLabel;
    this.screenBtn.setAttribute('aria-label', shareLabel);
    this.screenBtn.setAttribute('aria-pressed', String(sharing));
    this.shareBanner.hidden = !sharing;
    this.selfSharing.hidden = !sharing;

    const raised = !!this.conf.raisedHand;
    this.handBtn.classList.toggle('raised', raised);
    const handLabel = raised ? 'Lower your hand (R)' : 'Raise your hand (R)';
    this.handBtn.title = handLabel;
    this.handBtn.setAttribute('aria-label', handLabel);
    this.handBtn.setAttribute('aria-pressed', String(raised));
    this.selfHand.hidden = !raised;
    if (this.panel === 'participants') this.panels.participants.update();
    this.layout();
  }

  // ---- tiles ---------------------------------------------------------------------------------

  qualityBadge() {
    const icon = h('span.q-icon', { html: bars('unknown') });
    const tip = h('span.quality-tip', { role: 'tooltip' });
    const root = h('span.tile-quality', { tabindex: '0', dataset: { level: 'unknown' } }, icon, tip);
    return { root, icon, tip, level: 'unknown' };
  }

  setQuality(b, q, prefix = '') {
    const level = q?.level ?? 'unknown';
    if (b.level !== level) {
      b.level = level;
      b.icon.innerHTML = bars(level);
      b.root.dataset.level = level;
    }
    const text = `${prefix}${QUALITY_LABEL[level]}${q?.text ? `: ${q.text}` : ''}`;
    clear(b.tip).append(h('strong', {}, QUALITY_LABEL[level]), q?.text ? h('span', {}, q.text) : null);
    b.root.setAttribute('aria-label', text);
  }

  tileFor(p) {
    let t = this.tiles.get(p.id);
    if (t) return t;
    const video = h('video', { autoplay: true, playsInline: true });
    video.muted = true; // sound comes from the <audio> element
    const audio = h('audio', { autoplay: true });
    if (this.sinkId && audio.setSinkId) audio.setSinkId(this.sinkId).catch(() => {});
    const avatar = h('div.avatar.avatar-lg', { style: `--hue:${hueFor(p.id)}` });
    const name = h('span.tile-name');
    const mic = h('span.tile-mic', { html: ICONS.micOff, title: 'Microphone off' });
    const warn = h('div.tile-warn', { hidden: true }, h('span.icon', { html: ICONS.signal }), 'Connection interrupted');
    const star = h('span.tile-mod', { html: ICONS.star, title: 'Moderator', hidden: true });
    const hand = h('span.tile-hand', { html: ICONS.hand, title: 'Hand raised', hidden: true });
    const e2ee = h('span.tile-e2ee', { hidden: true });
    const e2eeWarn = h('div.tile-e2ee-warn', { hidden: true });
    const quality = this.qualityBadge();
    const menu = h('div.tile-menu', { role: 'menu', hidden: true });
    const menuBtn = h('button.tile-menu-btn', {
      type: 'button', title: 'Participant options', ariaLabel: 'Participant options', ariaHaspopup: 'menu', hidden: true,
      onclick: (e) => { e.stopPropagation(); this.toggleMenu(t); },
    }, h('span.icon', { html: ICONS.more }));
    // A double click puts the participant on stage (speaker view), again takes it off.
    const root = h('div.tile', { dataset: { id: p.id }, ondblclick: () => this.conf.pin(this.conf.pinned === p.id ? null : p.id) },
      video, avatar, audio, warn, e2eeWarn,
      h('div.tile-top', {}, quality.root, e2ee, hand), menuBtn, menu,
      h('div.tile-label', {}, mic, star, name));
    t = { root, video, audio, avatar, name, mic, warn, star, hand, quality, menu, menuBtn, e2ee, e2eeWarn,
      e2eeState: null, videoTrack: null, audioTrack: null, menuKey: '' };
    this.tiles.set(p.id, t);
    this.grid.append(root);
    return t;
  }

  screenTileFor(p) {
    let t = this.screens.get(p.id);
    if (t) return t;
    const video = h('video', { autoplay: true, playsInline: true });
    video.muted = true;
    const name = h('span.tile-name');
    const root = h('div.tile.screen-tile', { dataset: { screen: p.id } }, video,
      h('div.tile-label', {}, h('span.tile-screen-icon', { html: ICONS.screen }), name));
    t = { root, video, name, track: null };
    this.screens.set(p.id, t);
    this.grid.append(root);
    return t;
  }

  /** The menu of a camera tile (moderators): the same actions as the participants panel. */
  fillMenu(t, p) {
    const ctx = { caps: this.conf.capabilities ?? {}, isModerator: true };
    const items = ACTIONS.filter(([, , , needs]) => needs(p, ctx));
    const key = items.map((x) => x[0]).join();
    if (key === t.menuKey) return;
    t.menuKey = key;
    clear(t.menu);
    for (const [id, label, icon] of items) {
      const cls = { grant: '.make-moderator', kick: '.danger.remove-participant', 'lower-hand': '.lower-hand' }[id] ?? `.${id}`;
      t.menu.append(h(`button.menu-item${cls}`, { type: 'button', role: 'menuitem', onclick: () => this.act(p.id, id) },
        h('span.icon', { html: ICONS[icon] }), label));
    }
  }

  updateParticipants() {
    const parts = this.conf.participants;
    for (const [id, t] of this.tiles) {
      if (!parts.has(id)) {
        t.video.srcObject = null;
        t.audio.srcObject = null;
        t.root.remove();
        this.tiles.delete(id);
        if (this.openMenu === t) this.openMenu = null;
      }
    }
    for (const [id, t] of this.screens) {
      if (!parts.get(id)?.screenTrack) {
        t.video.srcObject = null;
        t.root.remove();
        this.screens.delete(id);
      }
    }
    const mod = !!this.p.security?.isModerator;
    let hands = 0;
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
      // Outside the bridge's last-N the camera is paused at the bridge: the avatar, not a
      // frozen last picture.
      const paused = !!p.videoTrack && !p.videoMuted && p.videoForwarded === false;
      const showVideo = !!p.videoTrack && !p.videoMuted && !paused;
      t.root.classList.toggle('video-paused', paused);
      t.root.title = paused ? `${label}: video paused (only the most active speakers' video is sent)` : '';
      t.video.hidden = !showVideo;
      t.avatar.hidden = showVideo;
      t.mic.hidden = !p.audioMuted;
      const isMod = p.role === 'moderator';
      t.star.hidden = !isMod;
      t.hand.hidden = !p.raisedHand;
      if (p.raisedHand) hands++;
      t.root.classList.toggle('raised', !!p.raisedHand);
      t.root.classList.toggle('moderator', isMod);
      t.menuBtn.hidden = !mod;
      if (mod) this.fillMenu(t, p);
      if (t.menuBtn.hidden && !t.menu.hidden) this.closeMenu();
      t.root.classList.toggle('speaking', !!p.dominant);
      t.warn.hidden = p.connectionActive !== false;
      t.root.classList.toggle('interrupted', p.connectionActive === false);
      t.root.setAttribute('aria-label', `${label}${isMod ? ', moderator' : ''}${p.raisedHand ? ', hand raised' : ''}`
        + `${p.audioMuted ? ', microphone off' : ''}${p.videoMuted ? ', camera off' : ''}`);
      this.setQuality(t.quality, p.quality);
      if (p.screenTrack) {
        const s = this.screenTileFor(p);
        s.name.textContent = `${label} is presenting`;
        if (s.track !== p.screenTrack) {
          s.track = p.screenTrack;
          s.video.srcObject = new MediaStream([p.screenTrack]);
        }
        s.root.setAttribute('aria-label', `${label}'s screen`);
      }
    }
    const n = parts.size;
    this.count.textContent = String(n + 1);
    const raisedAll = hands + (this.conf.raisedHand ? 1 : 0);
    this.peopleBadge.hidden = raisedAll === 0;
    this.peopleBadge.textContent = raisedAll ? String(raisedAll) : '';
    this.peopleBadge.title = raisedAll ? `${raisedAll} raised hand${raisedAll > 1 ? 's' : ''}` : '';
    const noBridge = this.mediaState === 'no-bridge';
    this.noBridge.hidden = !noBridge;
    this.alone.hidden = n > 0 || this.conf.state !== 'joined';
    this.grid.hidden = n === 0 || noBridge;
    this.stage.classList.toggle('solo', n === 0);
    this.layoutBtn.hidden = this.screens.size === 0;
    this.layoutBtn.textContent = this.forceGrid ? 'Show screens large' : 'Tile view';
    this.viewBtn.hidden = this.screens.size > 0 || n < 2;
    this.viewBtn.textContent = this.conf.view === 'speaker' ? 'Tile view' : 'Speaker view';
    if (this.status) this.updateStatus();
    this.updateE2ee(false);
    if (this.panel === 'participants') this.panels.participants.update();
    if (this.panel === 'chat') this.panels.chat.updateRecipients();
    this.layout();
  }

  /** E2EE: the badge, the toolbar padlock, the banner and each tile's padlock. */
  updateE2ee(panels = true) {
    const e = this.conf.e2ee;
    if (!e) return;
    const on = e.enabled;
    this.e2eeBadge.hidden = !on;
    this.e2eeBtn.innerHTML = '';
    this.e2eeBtn.append(h('span.icon', { html: on ? ICONS.lock : ICONS.lockOpen }));
    this.e2eeBtn.classList.toggle('active', on);
    this.e2eeBtn.setAttribute('aria-pressed', String(on));
    const mod = e.isModerator;
    const label = !e.supported && !on ? 'This browser cannot use end-to-end encryption'
      : mod ? (on ? 'End-to-end encryption is on: turn it off' : 'Turn on end-to-end encryption for everyone')
        : `End-to-end encryption is ${on ? 'on' : 'off'} (moderators can change this)`;
    this.e2eeBtn.title = label;
    this.e2eeBtn.setAttribute('aria-label', label);
    this.e2eeBtn.classList.toggle('locked', !mod || (!e.supported && !on));
    const banner = !(on && !e.supported);
    const relayout = this.e2eeBanner.hidden !== banner;
    this.e2eeBanner.hidden = banner;
    for (const [id, t] of this.tiles) {
      const state = e.peerStatus(id);
      if (t.e2eeState === state) continue;
      t.e2eeState = state;
      const spec = state ? E2EE_TILE[state] : null;
      t.e2ee.hidden = !spec;
      t.e2eeWarn.hidden = !spec?.[2];
      t.root.dataset.e2ee = state ?? 'off';
      if (!spec) continue;
      t.e2ee.innerHTML = ICONS[spec[0]];
      t.e2ee.title = spec[1];
      t.e2ee.setAttribute('aria-label', spec[1]);
      t.e2ee.classList.toggle('warn', spec[0] !== 'lock');
      t.e2eeWarn.textContent = spec[2] ?? '';
    }
    if (panels && this.panel === 'participants') this.panels.participants.update();
    if (relayout) this.layout();
  }

  updateQuality() {
    for (const p of this.conf.participants.values()) {
      const t = this.tiles.get(p.id);
      if (t) this.setQuality(t.quality, p.quality);
    }
    this.setQuality(this.selfQuality, this.conf.quality?._local, 'You: ');
  }

  toggleLayout() {
    this.forceGrid = !this.forceGrid;
    this.updateParticipants();
  }

  /** Speaker view (the one on stage large, a strip of the others) or tile view. */
  toggleView() {
    this.conf.setView(this.conf.view === 'speaker' ? 'tile' : 'speaker');
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

  /** A moderator action on one participant (tile menu or participants panel); errors become a toast. */
  async act(id, what) {
    this.closeMenu();
    const s = this.p.security;
    const c = this.conf;
    const p = c.participants.get(id);
    const who = p?.displayName || 'The participant';
    try {
      if (what === 'grant') {
        await s.grantModerator(id);
        this.p.toast?.(`${who} is now a moderator.`);
      } else if (what === 'kick') {
        await s.kick(id);
        this.p.toast?.(`${who} was removed from the meeting.`);
      } else if (what === 'lower-hand') {
        if (!c.lowerHandOf(id)) throw new Error('That needs the media connection. Try again in a moment.');
        this.p.toast?.(`Asked ${who} to lower their hand.`);
      } else if (what === 'mute-audio' || what === 'mute-video') {
        await c.muteParticipant(id, what === 'mute-audio' ? 'audio' : 'video');
        this.p.toast?.(`${who} was muted.`);
      }
    } catch (e) {
      this.p.toast?.(e.message || 'That did not work.', 'warn');
    }
    if (this.panel === 'participants') this.panels.participants.update();
  }

  /** Meeting-wide moderator actions (only offered when the focus carries them out). */
  async meetingAction(what) {
    try {
      if (what === 'mute-everyone') {
        await this.conf.muteEveryone();
        this.p.toast?.('Everyone else was muted.');
      } else if (what === 'end-meeting') {
        await this.conf.endForEveryone();
      }
    } catch (e) {
      this.p.toast?.(e.message || 'That did not work.', 'warn');
    }
  }

  // ---- devices -------------------------------------------------------------------------------

  /** A device chosen in the settings panel. Resolves false when it could not be used. */
  async useDevice(kind, id) {
    if (kind === 'output') return this.setSpeaker(id);
    const ok = await this.p.media.useDevice(kind, id);
    this.updateSelf();
    return ok;
  }

  /** Plays every participant's audio on the output device `id` (setSinkId). */
  async setSpeaker(id) {
    if (!CAN_CHOOSE_SPEAKER) return false;
    try {
      await Promise.all([...this.tiles.values()].map((t) => t.audio.setSinkId(id)));
      this.sinkId = id;
      return true;
    } catch {
      return false;
    }
  }

  // ---- layout --------------------------------------------------------------------------------

  layout() {
    if (!this.stage) return;
    this.placeToasts();
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
    const cams = [...this.tiles.values()];
    const screens = [...this.screens.values()];
    const presenting = screens.length > 0 && !this.forceGrid;
    const place = (t, r, thumb) => {
      const st = t.root.style;
      st.left = `${Math.round(r.x)}px`;
      st.top = `${Math.round(r.y)}px`;
      st.width = `${Math.floor(r.w)}px`;
      st.height = `${Math.floor(r.h)}px`;
      t.root.classList.toggle('thumb', thumb);
    };
    const stageId = presenting ? null : this.conf.stageParticipant?.();
    const staged = stageId && cams.length > 1 ? this.tiles.get(stageId) : null;
    if (presenting) {
      const r = presentationRects(screens.length, cams.length, W, H, self, GAP);
      screens.forEach((t, i) => place(t, r.screens[i], false));
      cams.forEach((t, i) => place(t, r.thumbs[i], true));
    } else if (staged) {
      // Speaker view: the stage tile where a screen would be, the others as thumbnails.
      const rest = cams.filter((t) => t !== staged);
      const r = presentationRects(1, rest.length, W, H, self, GAP);
      place(staged, r.screens[0], false);
      rest.forEach((t, i) => place(t, r.thumbs[i], true));
    } else {
      const all = [...screens, ...cams];
      const rects = gridRects(all.length, W, H, self, GAP);
      all.forEach((t, i) => place(t, rects[i], false));
    }
    this.grid.classList.toggle('presenting', presenting || !!staged);
  }

  /** Toasts and knock notifications go below the header, warnings and banners included. */
  placeToasts() {
    const bottom = this.header?.getBoundingClientRect().bottom ?? 56;
    document.documentElement.style.setProperty('--toast-top', `${Math.round(bottom + 10)}px`);
  }

  setMediaState(state) {
    this.mediaState = state;
    this.updateStatus();
    this.updateParticipants();
  }

  updateStatus() {
    const { label, state } = this.reconnecting ? { label: 'Reconnecting…', state: 'interrupted' }
      : statusOf(this.mediaState ?? 'none', this.conf.participants.size);
    this.status.textContent = label;
    this.status.dataset.state = state;
  }

  /** A non-fatal problem with an optional action: { message, action, onAction }. */
  /**
   * The connection is lost and the page is getting back in: `{ message, onAction }` shows the
   * "Reconnecting…" banner (with "Reconnect now" when onAction is set) and dims the stage;
   * null hides it.
   */
  setReconnecting(r) {
    this.reconnectBanner.hidden = !r;
    this.reconnecting = !!r;
    this.updateStatus();
    this.main.classList.toggle('reconnecting', !!r);
    if (r) {
      this.reconnectText.textContent = r.message;
      this.reconnectBtn.hidden = !r.onAction;
      this.reconnectBtn.onclick = r.onAction;
    }
    this.layout();
  }

  showBanner(b) {
    clear(this.banner);
    if (!b) {
      this.banner.hidden = true;
      this.layout();
      return;
    }
    this.banner.append(h('span.icon', { html: ICONS.warn }), h('span', {}, b.message));
    if (b.action) this.banner.append(h('button.secondary.small', { type: 'button', onclick: b.onAction }, b.action));
    this.banner.hidden = false;
    this.layout();
  }

  destroy() {
    this.resize?.disconnect();
    for (const x of Object.values(this.panels)) x?.destroy();
    const c = this.conf;
    c.chat.removeEventListener('message', this.onChat);
    c.chat.removeEventListener('unread', this.onChat);
    c.chat.removeEventListener('error', this.onChatError);
    c.removeEventListener('quality', this.onQuality);
    c.e2ee?.removeEventListener('change', this.onE2ee);
    document.body.classList.remove('security-open');
    document.documentElement.style.removeProperty('--toast-top');
    document.removeEventListener('click', this.onDocClick);
    for (const t of this.tiles.values()) {
      t.video.srcObject = null;
      t.audio.srcObject = null;
    }
    for (const t of this.screens.values()) t.video.srcObject = null;
    this.selfVideo.srcObject = null;
  }
}
