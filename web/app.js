// SPDX-License-Identifier: MIT
// Parley's browser client: routes /<room> to the pre-join screen, then the meeting; shows
// the password prompt and the lobby when the room is protected (security.js); shows errors
// with a way forward (retry, rejoin); tells moderators about knocks (toast with Admit /
// Refuse); exposes window.parley for automated tests.
// Main thread; this module owns the current screen, LocalMedia and Conference.
//
// URL parameters (handy for tests and links): name=<display name>, autojoin=1, audio=0,
// video=0, res=<camera height, e.g. 360>, relay=1 (TURN relays only), debug=1, e2ee=0 (behave
// as a browser that cannot encrypt end to end) or e2ee=streams / e2ee=script (which
// encoded-transform API to use).
// Secure domain (config.anonymousdomain): guests wait for the host, hosts sign in
// (ui/login.js).

import config from '/config.js';
import { SecureConference } from './security.js';
import { LocalMedia } from './media.js';
import { clear, h } from './ui/dom.js';
import { ICONS } from './ui/icons.js';
import { GateView } from './ui/gate.js';
import { LoginView, isSecureDomain } from './ui/login.js';
import { MeetingView } from './ui/meeting.js';
import { Prejoin, mediaNotes } from './ui/prejoin.js';
import { displayRoomName, randomHex, roomFromPath, roomPath } from './room.js';
import { RECONNECT, RECONNECT_CODES, reconnectDelay } from './recovery.js';

const params = new URLSearchParams(location.search);
const app = document.getElementById('app');
const toasts = document.getElementById('toasts');
const knocks = document.getElementById('knocks');
globalThis.PARLEY_DEBUG = params.get('debug') === '1';
// ?simulcast=0: the camera as one stream (config.simulcast = false does the same for a site).
if (params.get('simulcast') === '0') config.simulcast = false;
// ?codec=vp9: prefer that video codec (config.preferredVideoCodec for a site); VP9 sends the
// camera as one SVC encoding (L3T3_KEY) instead of VP8 simulcast, as does AV1.
if (/^(vp8|vp9|av1|h264)$/i.test(params.get('codec') ?? '')) config.preferredVideoCodec = params.get('codec').toUpperCase();
// At most N videos at once (the bridge's last-N), e.g. ?lastN=4 on a weak machine or link.
if (/^\d+$/.test(params.get('lastN') ?? '')) config.lastN = Number(params.get('lastN'));

const ERROR_TITLES = {
  'server-unreachable': 'Can\'t reach the meeting server',
  'focus-unreachable': 'The meeting service isn\'t answering',
  'connection-lost': 'You were disconnected',
  'focus-left': 'The meeting service restarted',
  kicked: 'You were removed from the meeting',
  'room-destroyed': 'The meeting has ended',
  'not-authorized': 'Sign-in required',
  'members-only': 'This meeting is locked',
  'password-required': 'This meeting needs a password',
  'room-full': 'This meeting is full',
  'lobby-refused': 'You were not let in',
  banned: 'You can\'t join this meeting',
  internal: 'Something went wrong',
};

// Canonical room URL: /Team%20Sync -> /team%20sync, /Acme/Retro -> /acme/retro (the room
// the link really names).
{
  const room = roomFromPath(location.pathname);
  if (room && location.pathname !== roomPath(room)) {
    history.replaceState(null, '', `${roomPath(room)}${location.search}${location.hash}`);
  }
}

const state = {
  screen: 'prejoin',
  room: roomFromPath(location.pathname),
  name: params.get('name') ?? localStorage.getItem('parley.displayName') ?? '',
  media: new LocalMedia({ maxHeight: Number(params.get('res')) || null }),
  conference: null,
  prejoin: null,
  meeting: null,
  gate: null,
  roomPassword: null, // { [room]: password } that last got us into the meeting (for rejoins)
  credentials: null, // { jid, password }: a signed-in host of a secure domain (memory only)
  login: null, // LoginView while waiting for the host or signing in
  errors: [],
  lastError: null,
  retry: { attempt: 0, timer: null, tick: null },
  // While a meeting we were in comes back by itself (recovery.js): { attempt, since, code,
  // endpointId, transport, timer, tick, at }; null otherwise.
  reconnect: null,
  reconnects: 0, // meetings got back by reconnecting, for the test hook
  // XEP-0198: the XMPP stream is being resumed (a logged-in account's short network loss):
  // { since } or null; `resumes` counts the streams resumed, for the test hook.
  resuming: null,
  resumes: 0,
  lastResumeMs: null,
  lastReconnectMs: null, // how long the last one took, from the drop to joined
};

const AUTO_RETRY = new Set(['connection-lost', 'focus-left']);
const E2EE_FORCE = { 0: 'none', streams: 'streams', script: 'script' };
const MAX_AUTO_RETRIES = 4;

function cancelAutoRetry() {
  clearTimeout(state.retry.timer);
  clearInterval(state.retry.tick);
  state.retry.timer = null;
  state.retry.tick = null;
}

function machineUid() {
  let id = localStorage.getItem('parley.machineUid');
  if (!id) {
    id = randomHex(16);
    localStorage.setItem('parley.machineUid', id);
  }
  return id;
}

function toast(message, kind = 'info') {
  const t = h(`div.toast.${kind}`, {}, message);
  toasts.append(t);
  setTimeout(() => t.classList.add('leaving'), 3600);
  setTimeout(() => t.remove(), 4000);
  while (toasts.children.length > 4) toasts.firstChild.remove();
}

/** A moderator's notification of a knock: stays until someone decides or the knock ends. */
function knockToast(conf, knock) {
  if (knocks.querySelector(`.knock-toast[data-knock="${CSS.escape(knock.id)}"]`)) return;
  const sec = conf.security;
  const decide = async (what, btn) => {
    for (const b of t.querySelectorAll('button')) b.disabled = true;
    btn.textContent = what === 'admit' ? 'Admitting…' : 'Refusing…';
    try {
      await (what === 'admit' ? sec.admit(knock.id) : sec.refuse(knock.id));
    } catch (e) {
      toast(e.message, 'warn');
      t.remove();
    }
  };
  const admit = h('button.primary.small.admit', { type: 'button', onclick: () => decide('admit', admit) }, 'Admit');
  const refuse = h('button.secondary.small.refuse', { type: 'button', onclick: () => decide('refuse', refuse) }, 'Refuse');
  const t = h('div.toast.knock-toast', { dataset: { knock: knock.id }, role: 'alert' },
    h('span.knock-toast-icon', { html: ICONS.hand }),
    h('span.knock-toast-text', {}, h('strong', {}, knock.nick), h('span', {}, 'wants to join')),
    h('span.knock-toast-actions', {}, admit, refuse));
  knocks.append(t);
  if (knocks.children.length > 3) knocks.firstChild.remove(); // the panel lists them all
}

function closeKnockToast(knock, status) {
  knocks.querySelector(`.knock-toast[data-knock="${CSS.escape(knock.id)}"]`)?.remove();
  const text = { admitted: `${knock.nick} joined from the lobby`, refused: `${knock.nick} was not let in`,
    cancelled: `${knock.nick} stopped waiting`, left: `${knock.nick} stopped waiting`, expired: `${knock.nick}'s request expired` }[status];
  if (text) toast(text);
}

function setTitle() {
  const room = state.conference?.roomName ?? state.room;
  document.title = room ? `${displayRoomName(room)} · Parley` : 'Parley';
}

async function showPrejoin() {
  state.screen = 'prejoin';
  state.meeting?.destroy();
  state.meeting = null;
  setTitle();
  const wantAudio = params.get('audio') !== '0';
  const wantVideo = params.get('video') !== '0';
  if (!state.media.audioTrack && !state.media.videoTrack) {
    clear(app).append(h('main.loading', {}, h('span.logo', { html: ICONS.logo }), h('p', {}, 'Starting camera and microphone…')));
    await state.media.start({ audio: wantAudio, video: wantVideo });
    if (!wantAudio) state.media.errors.audio = null;
    if (!wantVideo) state.media.errors.video = null;
  }
  state.prejoin = new Prejoin(app, {
    room: state.room,
    name: state.name,
    media: state.media,
    onJoin: ({ room, name }) => join(room, name),
  });
  if (params.get('autojoin') === '1' && state.name && state.room) join(state.room, state.name);
}

function showJoining(room) {
  state.meeting?.destroy();
  state.meeting = null;
  state.gate?.destroy();
  state.gate = null;
  state.screen = 'joining';
  clear(app).append(h('main.loading', {}, h('span.logo', { html: ICONS.logo }),
    h('p', {}, `Joining ${displayRoomName(room)}…`)));
}

function copyLink() {
  const url = location.href.split('?')[0];
  navigator.clipboard?.writeText(url).then(() => toast('Link copied'), () => toast(url));
}

async function join(room, name) {
  state.name = name;
  try { localStorage.setItem('parley.displayName', name); } catch { /* private mode */ }
  if (room !== state.room) {
    state.room = room;
    history.replaceState(null, '', `${roomPath(room)}${location.search}`);
  }
  if (state.screen === 'prejoin') state.prejoin?.setBusy(true);
  else if (!state.reconnect) showJoining(room);
  const r = state.reconnect;
  // A reconnect uses the transport that worked (no BOSH fallback wait while the server is
  // down) and our old nickname (endpoint id).
  const cfg = r?.transport && !config.transport ? { ...config, transport: r.transport } : config;
  const conf = new SecureConference(cfg, {
    endpointId: r?.endpointId ?? undefined,
    room, displayName: name, media: state.media, machineUid: machineUid(), credentials: state.credentials,
    e2ee: config.e2ee === false ? null : { force: E2EE_FORCE[params.get('e2ee')] ?? null },
    // A password that worked for this room before (rejoin after a drop): tried first.
    password: state.roomPassword?.[room] ?? null,
  });
  state.conference = conf;
  if (globalThis.PARLEY_DEBUG) globalThis.parleyConference = conf;
  const sec = conf.security;
  sec.addEventListener('gate', (e) => {
    if (conf !== state.conference) return;
    if (state.reconnect) {
      // The room wants something from the user now (a new password, the lobby).
      stopReconnecting();
      state.meeting?.destroy();
      state.meeting = null;
    }
    showGate(conf, e.detail);
  });
  sec.addEventListener('gate-passed', () => { if (conf === state.conference) showJoining(state.room); });
  sec.addEventListener('change', () => { if (conf === state.conference) state.meeting?.updateSecurity(); });
  sec.addEventListener('knock', (e) => { if (conf === state.conference) knockToast(conf, e.detail.knock); });
  sec.addEventListener('knock-closed', (e) => { if (conf === state.conference) closeKnockToast(e.detail.knock, e.detail.status); });
  state.lastError = null;
  conf.addEventListener('state', (e) => onState(conf, e.detail.state));
  conf.addEventListener('media-state', (e) => {
    if (conf !== state.conference) return;
    state.meeting?.setMediaState(e.detail.state);
    if (e.detail.state === 'connected') state.meeting?.showBanner(null);
  });
  conf.addEventListener('participants', () => { if (conf === state.conference) state.meeting?.updateParticipants(); });
  conf.addEventListener('hand', () => { if (conf === state.conference) state.meeting?.updateSelf(); });
  conf.e2ee?.addEventListener('toggled', (e) => {
    if (conf !== state.conference || !state.meeting) return;
    const { enabled, by } = e.detail;
    const who = by ? (conf.participants.get(by)?.displayName || 'A moderator') : 'You';
    toast(`${who} turned end-to-end encryption ${enabled ? 'on' : 'off'}.`);
  });
  conf.addEventListener('notice', (e) => {
    if (conf !== state.conference) return;
    if (e.detail.code === 'waiting-for-host') { showWaitingForHost(); return; }
    if (['joined', 'left', 'remote-mute', 'ice-failed', 'focus-not-ready', 'focus-retry', 'hand', 'hand-lowered',
      'focus-away', 'focus-back',
      'bridge-back'].includes(e.detail.code)) {
      toast(e.detail.message);
    }
  });
  conf.addEventListener('error', (e) => onError(conf, e.detail));
  conf.addEventListener('endpoint-message', (e) => {
    window.parley.lastEndpointMessages.push(e.detail);
    if (window.parley.lastEndpointMessages.length > 100) window.parley.lastEndpointMessages.shift();
  });
  await conf.join();
}

/** The join is held: password prompt or lobby (ui/gate.js). */
function showGate(conf, gate) {
  if (!state.gate) {
    state.prejoin?.destroy();
    state.prejoin = null;
    state.gate = new GateView(app, {
      room: state.room,
      name: state.name,
      media: state.media,
      onPassword: (pw) => conf.security.submitPassword(pw),
      onKnock: ({ name, password }) => {
        if (name !== state.name) {
          state.name = name;
          conf.setDisplayName(name); // the name we join with once admitted
        }
        conf.security.knock(name, password).catch(() => { /* shown on the form */ });
      },
      onCancel: () => cancelGate(conf),
    });
  }
  state.screen = gate.kind === 'password' ? 'password' : 'lobby';
  state.gate.update(gate);
}

function cancelGate(conf) {
  conf.security.cancelKnock();
  conf.leave();
  state.gate?.destroy();
  state.gate = null;
  state.conference = null;
  showPrejoin();
}

/** Secure domain: a guest waits until the host has started the meeting (ui/login.js). */
function showWaitingForHost(error = null) {
  if (!state.login) {
    state.prejoin?.destroy();
    state.prejoin = null;
    state.login = new LoginView(app, {
      room: state.room,
      domain: config.domain,
      onSignIn: (credentials) => {
        state.credentials = credentials;
        state.conference?.leave(); // the guest's session, still asking
        state.conference = null;
        join(state.room, state.name);
      },
      onCancel: () => {
        state.login?.destroy();
        state.login = null;
        state.conference?.leave();
        state.conference = null;
        showPrejoin();
      },
    });
  }
  if (error) {
    state.screen = 'sign-in';
    state.login.showSignIn(error, state.credentials?.jid ?? '');
  } else if (state.login.screen !== 'sign-in') {
    state.screen = 'waiting-for-host';
    state.login.showWaiting();
  }
}

function closeLogin() {
  state.login?.destroy();
  state.login = null;
}

const streamWatched = new WeakSet();

/**
 * A logged-in account's XMPP stream being resumed after a short loss (xmpp/connection.js):
 * the meeting stays, dimmed, with "Reconnecting…", and comes back without a rejoin. If the
 * resume fails, the connection reports a loss and the usual rejoin (reconnectLater) follows.
 */
function watchStream(conf) {
  const x = conf.xmpp;
  if (!x || streamWatched.has(x)) return;
  streamWatched.add(x);
  x.addEventListener('interrupted', (e) => {
    if (conf !== state.conference) return;
    state.resuming = { since: e.detail.since };
    conf.log('XMPP connection lost: resuming the stream');
    if (!state.reconnect) state.meeting?.setReconnecting({ message: 'Connection lost. Reconnecting…', onAction: null });
  });
  x.addEventListener('resumed', (e) => {
    if (conf !== state.conference) return;
    state.resuming = null;
    state.resumes++;
    state.lastResumeMs = e.detail.ms;
    conf.log(`XMPP stream resumed after ${e.detail.ms} ms (${e.detail.resent} stanza(s) sent again)`);
    if (!state.reconnect) {
      state.meeting?.setReconnecting(null);
      toast('Reconnected.');
    }
  });
  x.addEventListener('disconnected', () => { if (conf === state.conference) state.resuming = null; });
}

function onState(conf, s) {
  if (conf !== state.conference) return;
  watchStream(conf);
  if (s === 'joining' && state.login) {
    closeLogin();
    showJoining(state.room);
  }
  if (s === 'joined') {
    state.roomPassword = conf.password ? { [conf.roomName]: conf.password } : state.roomPassword;
    state.retry.attempt = 0;
    const back = state.reconnect;
    if (back) {
      state.reconnects++;
      state.lastReconnectMs = Date.now() - back.since;
      conf.log(`reconnected after ${state.lastReconnectMs} ms (${back.attempt} attempt(s))`);
      stopReconnecting();
    }
    showMeeting(conf);
    if (back) toast('Reconnected.');
  }
  setTitle();
}

function showMeeting(conf) {
  closeLogin();
  state.meeting?.destroy(); // the view of the meeting before a reconnect
  state.prejoin?.destroy();
  state.prejoin = null;
  state.gate?.destroy();
  state.gate = null;
  state.screen = 'meeting';
  state.meeting = new MeetingView(app, {
    conference: conf,
    media: state.media,
    security: conf.security,
    toast,
    onLeave: () => leave(),
    onToggleMic: () => {
      state.media.setAudioMuted(!state.media.audioMuted);
      state.meeting?.updateSelf();
    },
    onToggleCam: async () => {
      const ok = await state.media.setVideoMuted(!!state.media.videoTrack);
      if (!ok) toast('The camera could not be started.', 'warn');
      state.meeting?.updateSelf();
    },
    onToggleScreen: () => toggleScreen(),
    onToggleHand: () => conf.setHandRaised(!conf.raisedHand),
    onToggleE2ee: () => toggleE2ee(conf),
    onCopyLink: copyLink,
  });
  for (const n of mediaNotes(state.media.errors)) toast(n, 'warn');
}

/** The toolbar padlock: moderators turn E2EE on or off for everyone; others are told who can. */
function toggleE2ee(conf) {
  const e = conf.e2ee;
  if (!e) return;
  if (!e.isModerator) {
    toast(`End-to-end encryption is ${e.enabled ? 'on' : 'off'}. Only moderators can change it.`);
    return;
  }
  try {
    e.setEnabled(!e.enabled);
  } catch (err) {
    toast(err.message, 'warn');
  }
}

/** Starts or stops our screen share; says why when the browser did not start it. */
async function toggleScreen() {
  const conf = state.conference;
  if (!conf) return false;
  if (state.media.screenTrack) {
    conf.stopScreenShare();
    return true;
  }
  const ok = await conf.startScreenShare();
  if (!ok && state.media.errors.screen && state.media.errors.screen !== 'cancelled') {
    toast(state.media.errors.screen === 'unsupported' ? 'This browser cannot share a screen.'
      : 'Screen sharing could not start.', 'warn');
  }
  state.meeting?.updateSelf();
  return ok;
}

function onError(conf, err) {
  if (conf !== state.conference) return;
  state.errors.push(err.code);
  state.lastError = err;
  if (err.code === 'auth-failed' && isSecureDomain(config) && state.credentials) {
    // A host's sign-in was refused: the form again, saying so.
    state.conference = null;
    showWaitingForHost('Wrong user name or password. Check them and try again.');
    state.credentials = null;
    return;
  }
  if (!err.fatal) {
    state.meeting?.showBanner({ message: err.message, action: 'Rejoin', onAction: () => rejoin() });
    return;
  }
  // Dropped out of a meeting we were in (or failing to get back in): reconnect by itself.
  if (RECONNECT_CODES.has(err.code) && (state.reconnect || (state.screen === 'meeting' && state.meeting))) {
    reconnectLater(conf, err);
    return;
  }
  stopReconnecting();
  showErrorScreen(err);
}

/**
 * The connection (or the focus) was lost mid-meeting: the meeting view stays, dimmed, with a
 * "Reconnecting…" banner, and we join the same room again with the same name, nickname and
 * password after a back-off with jitter (recovery.js); the focus invites us again. After
 * RECONNECT.maxAttempts, the error screen (with its own slower retries and Rejoin button).
 */
function reconnectLater(conf, err) {
  if (!state.reconnect) {
    state.reconnect = { attempt: 0, since: Date.now(), code: err.code, endpointId: conf.endpointId,
      transport: conf.xmpp?.transport ?? null, timer: null, tick: null, at: 0 };
    conf.log(`connection lost (${err.code}): reconnecting`);
  }
  const r = state.reconnect;
  clearTimeout(r.timer);
  clearInterval(r.tick);
  if (r.attempt >= RECONNECT.maxAttempts) {
    stopReconnecting();
    showErrorScreen(err);
    return;
  }
  const delay = reconnectDelay(r.attempt++);
  r.at = Date.now() + delay;
  state.screen = 'reconnecting';
  const show = () => {
    const left = Math.max(0, Math.ceil((r.at - Date.now()) / 1000));
    state.meeting?.setReconnecting({
      message: left ? `Connection lost. Reconnecting in ${left} s…` : 'Connection lost. Reconnecting…',
      onAction: () => reconnectNow(),
    });
  };
  show();
  r.tick = setInterval(show, 1000);
  r.timer = setTimeout(() => reconnectNow(), delay);
}

function reconnectNow() {
  const r = state.reconnect;
  if (!r) return;
  clearTimeout(r.timer);
  r.timer = null;
  state.meeting?.setReconnecting({ message: 'Connection lost. Reconnecting…', onAction: null });
  const old = state.conference;
  state.conference = null;
  old?.leave();
  join(state.room, state.name);
}

function stopReconnecting() {
  const r = state.reconnect;
  if (!r) return;
  clearTimeout(r.timer);
  clearInterval(r.tick);
  state.reconnect = null;
  state.meeting?.setReconnecting(null);
}

function showErrorScreen(err) {
  cancelAutoRetry();
  stopReconnecting();
  closeLogin();
  state.prejoin?.destroy();
  state.prejoin = null;
  state.gate?.destroy();
  state.gate = null;
  state.meeting?.destroy();
  state.meeting = null;
  state.screen = 'error';
  clear(toasts);
  clear(knocks);
  const inMeeting = ['connection-lost', 'focus-left', 'media-lost'].includes(err.code);
  // A dropped call retries by itself a few times (3 s, 6 s, 12 s, 24 s): the usual cause is a
  // network blip or a server restart. Failures while retrying keep the countdown going.
  if (AUTO_RETRY.has(err.code)) state.retry.attempt = Math.max(state.retry.attempt, 0);
  const retrying = (AUTO_RETRY.has(err.code) || state.retry.attempt > 0)
    && state.retry.attempt < MAX_AUTO_RETRIES;
  const countdown = h('p.retry-note', { hidden: !retrying });
  if (retrying) {
    let left = 3 * 2 ** state.retry.attempt;
    state.retry.attempt++;
    const show = () => { countdown.textContent = `Trying again in ${left} s…`; };
    show();
    state.retry.tick = setInterval(() => { left = Math.max(0, left - 1); show(); }, 1000);
    state.retry.timer = setTimeout(() => { cancelAutoRetry(); rejoin(); }, left * 1000);
  } else {
    state.retry.attempt = 0;
  }
  clear(app).append(h('main.error-screen', {},
    h('div.error-card', { role: 'alert' },
      h('span.error-icon', { html: ICONS.warn }),
      h('h1', {}, ERROR_TITLES[err.code] ?? 'Could not join the meeting'),
      h('p', {}, err.message),
      countdown,
      h('div.actions', {},
        h('button.primary#rejoin', { type: 'button', onclick: () => { cancelAutoRetry(); rejoin(); } },
          h('span.icon', { html: ICONS.refresh }), inMeeting || retrying ? 'Rejoin now' : 'Try again'),
        h('button.secondary', {
          type: 'button',
          onclick: () => { cancelAutoRetry(); state.retry.attempt = 0; state.conference = null; showPrejoin(); },
        }, 'Back')))));
}

async function rejoin() {
  const old = state.conference;
  old?.leave();
  state.conference = null;
  if (!state.media.audioTrack && !state.media.videoTrack) {
    // Coming back from "You left": the camera and microphone were released.
    showJoining(state.room);
    state.media.videoMuted = false;
    await state.media.start({ audio: params.get('audio') !== '0', video: params.get('video') !== '0' });
  }
  await join(state.room, state.name);
}

function leave() {
  cancelAutoRetry();
  stopReconnecting();
  state.retry.attempt = 0;
  state.conference?.leave();
  state.meeting?.destroy();
  state.meeting = null;
  state.media.stop(); // camera light off once we are out
  state.screen = 'left';
  clear(toasts);
  clear(knocks);
  clear(app).append(h('main.error-screen', {},
    h('div.error-card', {},
      h('span.error-icon.calm', { html: ICONS.check }),
      h('h1', {}, 'You left the meeting'),
      h('p', {}, 'Camera and microphone are off. ', h('strong', {}, displayRoomName(state.room)),
        ' is still open for the others.'),
      h('div.actions', {},
        h('button.primary#rejoin', { type: 'button', onclick: () => rejoin() }, 'Rejoin'),
        h('button.secondary', { type: 'button', onclick: () => { state.conference = null; showPrejoin(); } }, 'Back')))));
  setTitle();
}

/** A request to the E2EE worker, for tests (?debug=1 only: it can read keys). */
function debugAsk(m) {
  if (!globalThis.PARLEY_DEBUG) return Promise.reject(new Error('needs ?debug=1'));
  const e = state.conference?.e2ee;
  return e ? e.ask(m) : Promise.resolve(null);
}

window.addEventListener('pagehide', () => state.conference?.leave());
// Keyboard (not while typing): M microphone, V camera, D screen share, R raise or lower your
// hand, C chat, P participants; as in Jitsi Meet.
window.addEventListener('keydown', (e) => {
  if (state.screen !== 'meeting' || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName ?? '')) return;
  const k = e.key.toLowerCase();
  const m = state.meeting;
  if (!m) return;
  if (k === 'm') m.p.onToggleMic();
  else if (k === 'v') m.p.onToggleCam();
  else if (k === 'd') m.p.onToggleScreen();
  else if (k === 'r') m.p.onToggleHand();
  else if (k === 'c') m.togglePanel('chat');
  else if (k === 'p') m.togglePanel('participants');
  else return;
  e.preventDefault();
});
state.media.addEventListener('track', () => state.meeting?.updateSelf());

// ---- test hook ----------------------------------------------------------------------------
window.parley = {
  config,
  get screen() { return state.screen; },
  /**
   * Getting back into the meeting by itself after a drop: null, or { attempt, since, code }
   * (code: why: connection-lost, focus-left, ...). `reconnects` counts the times it worked,
   * `lastReconnectMs` how long the last one took (drop to joined).
   */
  get reconnecting() {
    const r = state.reconnect;
    return r ? { attempt: r.attempt, since: r.since, code: r.code } : null;
  },
  get reconnects() { return state.reconnects; },
  /**
   * XEP-0198 on the page's XMPP stream: whether it is on and resumable, `resuming` ({ since }
   * while a lost stream is being resumed, else null), `resumes` (streams resumed by the
   * server) and `lastResumeMs` (loss to resumed).
   */
  get stream() {
    const sm = state.conference?.xmpp?.sm;
    return {
      sm: sm?.phase ?? 'off',
      resumable: !!sm?.resumable,
      resuming: state.resuming ? { since: state.resuming.since } : null,
      resumes: state.resumes,
      lastResumeMs: state.lastResumeMs,
    };
  },
  get lastReconnectMs() { return state.lastReconnectMs; },
  /** The focus left the room and we wait for it to come back: { since } or null. */
  get focusAway() { return state.conference?.focusAway ? { since: state.conference.focusAway.since } : null; },
  get state() { return state.conference?.state ?? state.screen; },
  get mediaState() { return state.conference?.mediaState ?? 'none'; },
  get endpointId() { return state.conference?.endpointId ?? null; },
  get roomJid() { return state.conference?.roomJid ?? null; },
  /** The account a secure domain's host signed in with, or null (anonymous). */
  get signedInAs() { return state.credentials?.jid ?? null; },
  /** The ICE servers from the XMPP server (XEP-0215) and whether only relays are used. */
  get iceServers() { return (state.conference?.iceServers ?? []).map((s) => s.urls); },
  get transport() { return state.conference?.xmpp?.transport ?? null; },
  get bridgeChannelOpen() { return !!state.conference?.channel?.open; },
  get dominantSpeaker() { return state.conference?.dominantSpeaker ?? null; },
  /** 'tile' or 'speaker', and who is on stage in speaker view. */
  get view() { return state.conference?.view ?? 'tile'; },
  get stage() { return state.conference?.stageParticipant() ?? null; },
  setView: (v) => state.conference?.setView(v),
  pin: (id) => state.conference?.pin(id),
  setLastN: (n) => state.conference?.setLastN(n),
  get participants() {
    return [...(state.conference?.participants.values() ?? [])].map((p) => ({
      id: p.id,
      displayName: p.displayName,
      audioMuted: p.audioMuted,
      videoMuted: p.videoMuted,
      hasAudio: !!p.audioTrack,
      hasVideo: !!p.videoTrack,
      dominant: !!p.dominant,
      role: p.role ?? null,
      moderator: p.role === 'moderator',
      raisedHand: p.raisedHand || 0,
      sharing: !!p.screenTrack,
      screenSource: p.screenTrack ? p.screenSource : null,
      quality: p.quality ? { level: p.quality.level, text: p.quality.text } : null,
      // The bridge says this participant's media stopped (EndpointConnectivityStatusChangeEvent).
      interrupted: p.connectionActive === false,
      // The bridge forwards this participant's camera to us (ForwardedSources; last-N).
      videoForwarded: p.videoForwarded !== false,
      e2ee: state.conference?.e2ee?.peerStatus(p.id) ?? null,
    }));
  },
  get local() {
    return {
      audio: !!state.media.audioTrack, video: !!state.media.videoTrack,
      audioMuted: state.media.audioMuted, videoMuted: state.media.videoMuted, errors: { ...state.media.errors },
      screen: !!state.media.screenTrack, raisedHand: state.conference?.raisedHand ?? 0,
      devices: { audio: state.media.currentDevice('audio'), video: state.media.currentDevice('video'),
        output: state.meeting?.sinkId ?? null },
      trackIds: { audio: state.media.audioTrack?.id ?? null, video: state.media.videoTrack?.id ?? null },
    };
  },
  /** false while the focus says it has no bridge (bridgeNotAvailable). */
  get bridgeAvailable() { return state.conference?.bridgeAvailable ?? true; },
  /** Moderator actions the focus carries out (Conference.capabilities). */
  get capabilities() { return { ...(state.conference?.capabilities ?? {}) }; },
  /** The open side panel: 'chat', 'participants', 'security', 'settings' or null. */
  get panel() { return state.meeting?.panel ?? null; },
  /** Chat messages: [{ from, name, text, private, mine, history, to, failed }], and unread. */
  get chat() { return state.conference?.chat.snapshot() ?? []; },
  get unread() { return state.conference?.chat.unread ?? 0; },
  sendChat: (text, to = null) => state.conference?.chat.send(text, to) ?? false,
  setHandRaised: (raised) => state.conference?.setHandRaised(raised),
  lowerHandOf: (id) => state.conference?.lowerHandOf(id) ?? false,
  toggleScreenShare: () => toggleScreen(),
  openPanel: (name, open = true) => state.meeting?.togglePanel(name, open),
  /** Switches a device ('audio' | 'video' | 'output'); resolves false when it failed. */
  useDevice: (kind, id) => state.meeting?.useDevice(kind, id) ?? Promise.resolve(false),
  devices: () => LocalMedia.listDevices(),
  get errors() { return [...state.errors]; },
  get lastError() { return state.lastError; },
  get log() { return state.conference?.events ?? []; },
  lastEndpointMessages: [],
  /** Per remote participant receive counters (see MediaSession.stats). */
  stats: () => state.conference?.stats() ?? Promise.resolve({}),
  /** The camera's simulcast layers as sent (MediaSession.cameraLayers). */
  cameraLayers: () => state.conference?.session?.cameraLayers() ?? Promise.resolve([]),
  sendEndpointMessage: (payload, to = '') => state.conference?.sendEndpointMessage(payload, to) ?? false,
  join: (room, name) => join(room ?? state.room, name ?? (state.name || 'Tester')),
  leave: () => leave(),
  rejoin: () => rejoin(),
  setAudioMuted: (m) => { state.media.setAudioMuted(m); state.meeting?.updateSelf(); },
  setVideoMuted: async (m) => { const r = await state.media.setVideoMuted(m); state.meeting?.updateSelf(); return r; },
  /**
   * End-to-end encryption (e2ee/e2ee.js): `state` (a snapshot: supported, api, enabled,
   * participants with their status, the worker's counts and timings), `setEnabled(on)`
   * (moderators), `sas(id)`. With ?debug=1 also the test helpers of the worker: `record(id,
   * n, kind)` keeps the next n encrypted frames from id, `records(id)`, `exportKeys(id)` the
   * keys we hold for id, `trial(id, keys, frames)` how many frames open with those keys.
   */
  e2ee: {
    get state() { return state.conference?.e2ee?.snapshot() ?? null; },
    setEnabled: (on) => state.conference.e2ee.setEnabled(on),
    sas: (id) => state.conference?.e2ee?.sasWith(id) ?? Promise.resolve(null),
    record: (id, n = 10, kind = 'video') => debugAsk({ op: 'record', sender: id, n, kind }),
    records: (id) => debugAsk({ op: 'records', sender: id }),
    exportKeys: (id) => debugAsk({ op: 'export', sender: id }),
    trial: (id, keys = null, frames = null) => debugAsk({ op: 'trial', sender: id, keys, frames }),
  },
  /** Room security: state snapshot and the panel's actions (see security.js). */
  get security() {
    return state.conference?.security?.snapshot() ?? null;
  },
  securityActions: {
    setLobby: (on) => state.conference.security.setLobby(on),
    setPassword: (pw) => state.conference.security.setPassword(pw),
    admit: (id) => state.conference.security.admit(id),
    refuse: (id, reason) => state.conference.security.refuse(id, reason),
    grantModerator: (id) => state.conference.security.grantModerator(id),
    kick: (id) => state.conference.security.kick(id),
    submitPassword: (pw) => state.conference.security.submitPassword(pw),
    knock: (name, pw) => state.conference.security.knock(name, pw),
    openPanel: (open = true) => state.meeting?.toggleSecurity(open),
  },
};

showPrejoin();
