// SPDX-License-Identifier: MIT
// Room security from the client's side (docs/security.md, "A client, step by step"): the
// room-name verdict, the password prompt and the lobby (knock, wait, admitted / refused) while
// joining, and in the meeting the lobby / password state, pending knocks and the moderator
// actions (urn:parley:lobby:0 to the focus; muc#admin to the room for moderator grants and
// removals). Main thread; one RoomSecurity per Conference, owned by SecureConference.
//
// RoomSecurity events (CustomEvent detail):
//   change        {}                          any state below changed
//   gate          { kind, stage, wrong, error } joining is held: kind 'password' | 'lobby';
//                                             lobby stage 'form' | 'sending' | 'waiting' | 'expired'
//   gate-passed   {}                          the join is sent again
//   knock         { knock }                   (moderators) someone new asks to join
//   knock-closed  { knock, status, by }       (moderators) a knock ended

import { Conference } from './conference.js';
import { isWeakRoomName } from './roomname.js';
import { sameBareJid } from './room.js';

export const NS_LOBBY = 'urn:parley:lobby:0';
const NS_FOCUS = 'http://jitsi.org/protocol/focus';
const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
const STATE_RETRIES = 3;

/** What a user should read for an error condition from the focus or the room. */
const ERROR_TEXT = {
  forbidden: 'Only moderators can do that.',
  'not-allowed': 'That is not allowed here.',
  'not-authorized': 'That password is not right.',
  'policy-violation': 'Too many wrong passwords were tried. Wait a minute, then try again.',
  conflict: 'You are already asking to join from another window.',
  'resource-constraint': 'Too many people are waiting to join. Try again later.',
  'unexpected-request': 'Another change is still being applied. Try again in a moment.',
  'internal-server-error': 'The meeting server did not apply the change. Try again.',
  'item-not-found': 'The meeting is not running any more.',
  'not-acceptable': 'That text is too long.',
  'bad-request': 'The meeting service did not understand the request.',
  'jid-malformed': 'This meeting name cannot be used.',
  'feature-not-implemented': 'This meeting service has no lobby.',
  'service-unavailable': 'This meeting service has no lobby.',
  timeout: 'The meeting service did not answer. Try again.',
  'not-connected': 'You are not connected to the meeting server.',
};

export class SecurityError extends Error {
  constructor(condition, message) {
    super(message);
    this.condition = condition;
  }
}

export function errorText(condition, fallback = 'That did not work. Try again.') {
  return ERROR_TEXT[condition] ?? fallback;
}

function wrap(e) {
  if (e instanceof SecurityError) return e;
  const condition = e?.condition ?? 'undefined-condition';
  return new SecurityError(condition, errorText(condition));
}

function bare(jid) {
  const i = jid ? jid.indexOf('/') : -1;
  return i >= 0 ? jid.slice(0, i) : jid;
}

export class RoomSecurity extends EventTarget {
  /** @param {Conference} conf */
  constructor(conf) {
    super();
    this.conf = conf;
    this.focusStrength = null; // 'weak' | 'strong' from the conference reply
    this.isModerator = false;
    this.lobbyEnabled = false;
    this.passwordSet = false;
    this.knocks = new Map(); // id -> { id, nick, jid, since }  (moderators only)
    this.gateState = null; // { kind, stage, wrong, error } while a join is held
    this.pendingGate = null; // { resolve, reject }
    this.myKnock = null; // { id, status, password }
    this.early = new Map(); // knock id -> status element that came before the knock result
    this.stateTries = 0;
  }

  get xmpp() { return this.conf.xmpp; }

  get focus() { return this.conf.focusJid || this.conf.config.focus; }

  get room() { return this.conf.roomJid; }

  /** 'weak' | 'strong': the focus's verdict once the reply came, our own rule before. */
  get roomNameStrength() {
    return this.focusStrength ?? (isWeakRoomName(this.conf.roomName) ? 'weak' : 'strong');
  }

  get roomNameWeak() { return this.roomNameStrength === 'weak'; }

  get pendingKnocks() {
    const now = Date.now();
    return [...this.knocks.values()].sort((a, b) => a.since - b.since)
      .map((k) => ({ id: k.id, nick: k.nick, jid: k.jid, waitingSeconds: Math.max(0, Math.round((now - k.since) / 1000)) }));
  }

  changed() {
    this.dispatchEvent(new CustomEvent('change', { detail: {} }));
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Called once the XMPP connection is up, before the conference request. */
  attach(xmpp) {
    const handlers = this.conf.handlers;
    handlers.push(xmpp.addHandler((iq) => { this.onConferenceReply(iq); return true; }, NS_FOCUS, 'iq', 'result'));
    handlers.push(xmpp.addHandler((m) => { this.onMessage(m); return true; }, NS_LOBBY, 'message'));
  }

  onConferenceReply(iq) {
    const c = iq.getElementsByTagNameNS(NS_FOCUS, 'conference')[0];
    if (!c || c.getAttribute('ready') !== 'true') return;
    for (const p of c.getElementsByTagName('property')) {
      if (p.getAttribute('name') !== 'roomNameStrength') continue;
      const v = p.getAttribute('value');
      if (v === 'weak' || v === 'strong') {
        this.focusStrength = v;
        this.conf.log(`focus says the room name is ${v}`);
        this.changed();
      }
    }
  }

  fromFocus(stanza) {
    const from = stanza.getAttribute('from');
    return !!from && (from === this.conf.focusJid || from === this.conf.config.focus);
  }

  // ---- joining: the gate ---------------------------------------------------------------------

  /** MucRoom's gate: the join was refused with `condition`. Resolves to { password }. */
  gate({ condition, password }) {
    return new Promise((resolve, reject) => {
      this.pendingGate = { resolve, reject };
      if (condition === 'not-authorized') {
        this.conf.log(password ? 'join refused: wrong password' : 'join refused: the room has a password');
        this.setGate({ kind: 'password', wrong: !!password });
      } else {
        this.conf.log('join refused: members only (lobby)');
        this.setGate({ kind: 'lobby', stage: 'form' });
      }
    });
  }

  setGate(g) {
    this.gateState = g;
    this.emit('gate', { ...g });
    this.changed();
  }

  passGate(answer) {
    const g = this.pendingGate;
    this.pendingGate = null;
    this.gateState = null;
    this.myKnock = null;
    this.emit('gate-passed', {});
    this.changed();
    g?.resolve(answer);
  }

  failGate(code, message) {
    const g = this.pendingGate;
    this.pendingGate = null;
    this.gateState = null;
    g?.reject(Object.assign(new Error(message), { code }));
  }

  /** The password prompt's answer. */
  submitPassword(password) {
    if (this.gateState?.kind !== 'password') return false;
    this.conf.password = password; // kept for a rejoin of this conference's room
    this.passGate({ password });
    return true;
  }

  /** Knocks with a display name (and optionally the password). */
  async knock(nick, password = '') {
    if (this.gateState?.kind !== 'lobby') throw new SecurityError('bad-request', 'Not waiting in the lobby.');
    this.setGate({ kind: 'lobby', stage: 'sending' });
    const x = this.xmpp;
    // Directed presence first: the focus learns when our session ends and closes the knock.
    x.send(x.$pres({ to: this.focus }));
    const attrs = { xmlns: NS_LOBBY, room: this.room, nick };
    if (password) attrs.password = password;
    let res;
    try {
      res = await x.sendIQ(x.$iq({ type: 'set', to: this.focus }).c('knock', attrs));
    } catch (e) {
      const err = wrap(e);
      this.conf.log(`knock refused: ${err.condition}`);
      if (this.gateState) this.setGate({ kind: 'lobby', stage: 'form', error: err.message, condition: err.condition });
      throw err;
    }
    if (this.gateState?.kind !== 'lobby') return 'gone';
    const k = res.getElementsByTagNameNS(NS_LOBBY, 'knock')[0];
    const status = k?.getAttribute('status') ?? 'pending';
    const id = k?.getAttribute('id') ?? null;
    this.conf.log(`knock ${id ?? '-'} ${status}`);
    this.myKnock = { id, status, password };
    if (status === 'pending') {
      this.setGate({ kind: 'lobby', stage: 'waiting' });
      const early = id && this.early.get(id);
      this.early.clear();
      if (early) this.onMyKnock(early);
    } else {
      this.onMyKnock(k);
    }
    return status;
  }

  /** Stops waiting in the lobby (the caller then leaves the conference). */
  cancelKnock() {
    const k = this.myKnock;
    this.myKnock = null;
    if (k?.id && this.xmpp?.connected) {
      this.xmpp.sendIQ(this.xmpp.$iq({ type: 'set', to: this.focus })
        .c('cancel', { xmlns: NS_LOBBY, room: this.room, knock: k.id }), 3000).catch(() => {});
    }
  }

  onMyKnock(k) {
    const status = k.getAttribute('status');
    const reason = k.getAttribute('reason');
    this.conf.log(`my knock: ${status}${reason ? ` (${reason})` : ''}`);
    switch (status) {
      case 'pending':
        return;
      case 'admitted':
        // Members join without the password while the lobby is on.
        this.passGate({ password: null });
        return;
      case 'open':
        // The lobby went off: join directly (a password may be asked for next).
        this.passGate({ password: this.myKnock?.password || null });
        return;
      case 'refused':
        this.failGate('lobby-refused', reason
          ? `A moderator declined your request to join: “${reason}”`
          : 'A moderator declined your request to join.');
        return;
      case 'expired':
        this.myKnock = null;
        this.setGate({ kind: 'lobby', stage: 'expired' });
        return;
      case 'ended':
        this.failGate('room-destroyed', 'The meeting ended while you were waiting.');
        return;
      default:
        // cancelled, left or a status we do not know: the knock is closed.
        this.myKnock = null;
        this.setGate({ kind: 'lobby', stage: 'form', error: 'Your request to join was closed. You can ask again.' });
    }
  }

  onMessage(m) {
    if (!this.fromFocus(m)) return;
    for (let el = m.firstChild; el; el = el.nextSibling) {
      if (el.nodeType !== 1 || el.namespaceURI !== NS_LOBBY) continue;
      if (el.getAttribute('room') && !sameBareJid(el.getAttribute('room'), this.room)) continue;
      if (el.localName === 'lobby') this.applyLobby(el);
      else if (el.localName === 'knock') this.onKnock(el);
    }
  }

  onKnock(k) {
    const id = k.getAttribute('id');
    const status = k.getAttribute('status');
    if (this.gateState?.kind === 'lobby') {
      if (this.myKnock?.id === id) this.onMyKnock(k);
      else if (!this.myKnock && id) this.early.set(id, k);
      return;
    }
    if (this.conf.state !== 'joined') return;
    if (status === 'pending') {
      if (this.knocks.has(id)) return;
      const knock = { id, nick: k.getAttribute('nick') || 'Someone', jid: k.getAttribute('jid'), since: Date.now() };
      this.knocks.set(id, knock);
      this.conf.log(`knock ${id} from ${knock.nick}`);
      this.emit('knock', { knock });
      this.changed();
      return;
    }
    const knock = this.knocks.get(id);
    if (!knock) return;
    this.knocks.delete(id);
    this.conf.log(`knock ${id} ${status}`);
    this.emit('knock-closed', { knock, status, by: k.getAttribute('by') });
    this.changed();
  }

  applyLobby(el) {
    const enabled = el.getAttribute('enabled') === 'true';
    const password = el.getAttribute('password') === 'true';
    const changed = enabled !== this.lobbyEnabled || password !== this.passwordSet;
    this.lobbyEnabled = enabled;
    this.passwordSet = password;
    if (!enabled && this.knocks.size) {
      for (const knock of this.knocks.values()) this.emit('knock-closed', { knock, status: 'open', by: null });
      this.knocks.clear();
    }
    if (changed) this.changed();
  }

  // ---- in the meeting ------------------------------------------------------------------------

  wireRoom(room) {
    room.gate = (info) => this.gate(info);
    room.addEventListener('self-updated', () => this.updateRole());
  }

  onJoined() {
    this.updateRole(true);
  }

  updateRole(force = false) {
    const r = this.conf.room;
    const mod = !!r && (r.role === 'moderator' || r.affiliation === 'owner' || r.affiliation === 'admin');
    if (mod === this.isModerator && !force) return;
    this.isModerator = mod;
    if (!mod && this.knocks.size) {
      for (const knock of this.knocks.values()) this.emit('knock-closed', { knock, status: 'not-moderator', by: null });
      this.knocks.clear();
    }
    this.conf.log(`moderator: ${mod}`);
    this.changed();
    this.stateTries = 0;
    this.fetchState();
  }

  /** <lobby/> get: lobby and password state, and (moderators) the pending knocks. */
  async fetchState() {
    const x = this.xmpp;
    if (!x?.connected || this.conf.state !== 'joined') return;
    try {
      const res = await x.sendIQ(x.$iq({ type: 'get', to: this.focus }).c('lobby', { xmlns: NS_LOBBY, room: this.room }), 10000);
      const l = res.getElementsByTagNameNS(NS_LOBBY, 'lobby')[0];
      if (!l) return;
      this.applyLobby(l);
      if (this.isModerator) {
        const now = Date.now();
        for (const k of l.getElementsByTagNameNS(NS_LOBBY, 'knock')) {
          const id = k.getAttribute('id');
          if (!id || this.knocks.has(id)) continue;
          const knock = { id, nick: k.getAttribute('nick') || 'Someone', jid: k.getAttribute('jid'),
            since: now - 1000 * (Number(k.getAttribute('waiting')) || 0) };
          this.knocks.set(id, knock);
          this.emit('knock', { knock });
        }
      }
      this.changed();
    } catch (e) {
      // Right after joining the focus may not have seen our presence yet.
      if (e.condition === 'forbidden' && ++this.stateTries < STATE_RETRIES) {
        this.conf.later(1000, () => this.fetchState());
      } else {
        this.conf.log(`lobby state: ${e.condition ?? e.message}`);
      }
    }
  }

  async request(name, attrs) {
    const x = this.xmpp;
    if (!x?.connected) throw new SecurityError('not-connected', errorText('not-connected'));
    try {
      return await x.sendIQ(x.$iq({ type: 'set', to: this.focus }).c(name, { xmlns: NS_LOBBY, room: this.room, ...attrs }));
    } catch (e) {
      throw wrap(e);
    }
  }

  /** Lobby on or off (moderators). */
  async setLobby(enabled) {
    await this.request('lobby', { enabled: String(!!enabled) });
    this.lobbyEnabled = !!enabled;
    this.changed();
  }

  /** Sets, changes or (with '') removes the room password (moderators). */
  async setPassword(value) {
    await this.request('password', { value: value ?? '' });
    this.passwordSet = !!value;
    this.changed();
  }

  async admit(id) {
    await this.decide('admit', id, {});
  }

  async refuse(id, reason) {
    await this.decide('refuse', id, reason ? { reason } : {});
  }

  async decide(what, id, extra) {
    try {
      await this.request(what, { knock: id, ...extra });
    } catch (e) {
      if (e.condition === 'item-not-found') this.closeKnock(id, 'gone');
      throw e;
    }
    this.closeKnock(id, what === 'admit' ? 'admitted' : 'refused');
  }

  closeKnock(id, status) {
    const knock = this.knocks.get(id);
    if (!knock) return;
    this.knocks.delete(id);
    this.emit('knock-closed', { knock, status, by: this.conf.endpointId });
    this.changed();
  }

  // ---- muc#admin -----------------------------------------------------------------------------

  async admin(item) {
    const x = this.xmpp;
    if (!x?.connected) throw new SecurityError('not-connected', errorText('not-connected'));
    try {
      await x.sendIQ(x.$iq({ type: 'set', to: this.room }).c('query', { xmlns: NS_MUC_ADMIN }).c('item', item));
    } catch (e) {
      const c = e.condition;
      throw new SecurityError(c, c === 'not-allowed' || c === 'forbidden'
        ? 'You are not allowed to do that to this participant.' : errorText(c));
    }
  }

  /** Makes a participant (by endpoint id) a moderator: owner affiliation of their bare JID. */
  async grantModerator(id) {
    const o = this.conf.room?.occupants.get(id);
    if (!o?.jid) throw new SecurityError('item-not-found', 'That participant is not in the meeting any more.');
    await this.admin({ affiliation: 'owner', jid: bare(o.jid) });
  }

  /** Removes a participant from the meeting (role none). */
  async kick(id) {
    if (!this.conf.room?.occupants.has(id)) throw new SecurityError('item-not-found', 'That participant is not in the meeting any more.');
    await this.admin({ role: 'none', nick: id });
  }

  /** Snapshot for the test hook. */
  snapshot() {
    return {
      isModerator: this.isModerator,
      lobbyEnabled: this.lobbyEnabled,
      passwordSet: this.passwordSet,
      pendingKnocks: this.pendingKnocks,
      roomNameStrength: this.roomNameStrength,
      focusRoomNameStrength: this.focusStrength,
      gate: this.gateState ? { ...this.gateState } : null,
    };
  }
}

/** A Conference with room security: password prompt and lobby while joining, moderation. */
export class SecureConference extends Conference {
  /** p as for Conference, plus password: a room password to try first (e.g. on a rejoin). */
  constructor(config, p) {
    super(config, p);
    this.security = new RoomSecurity(this);
    this.password = p.password ?? null;
  }

  setState(state) {
    if (state === 'requesting' && this.xmpp) this.security.attach(this.xmpp);
    super.setState(state);
    if (state === 'joined') this.security.onJoined();
  }

  wireRoom(room) {
    if (this.password && !room.password) room.password = this.password;
    this.security.wireRoom(room);
    super.wireRoom(room);
  }
}
