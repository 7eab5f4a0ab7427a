// SPDX-License-Identifier: MIT
// The conference MUC room: join with our nickname (= endpoint id), display name (XEP-0172
// nick), SourceInfo mute state, raised hand and caps; track occupants, their display names,
// mute state and raised hands; recognise the focus occupant (its real JID starts with the focus
// JID + '/') and what its presence says (bridgeNotAvailable); receive the room's messages
// (groupchat, private, history). Room JIDs are compared in canonical form (room.js): the
// server may spell our room differently from how we asked for it.
// Main thread; one instance per join; owns the occupant map.

import { NS } from '../jingle/ns.js';
import { sameBareJid } from '../room.js';
import { parsePresence as parseE2eePresence } from '../e2ee/signal.js';

/** Jitsi's raised-hand presence extension (a participant property): timestamp, 0 = lowered. */
export const RAISED_HAND = 'jitsi_participant_raisedHand';

const JOIN_TIMEOUT_MS = 15000;

function firstChild(el, name, ns) {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && n.localName === name && (!ns || n.namespaceURI === ns)) return n;
  }
  return null;
}

export function resourceOf(jid) {
  const i = jid ? jid.indexOf('/') : -1;
  return i >= 0 ? jid.slice(i + 1) : null;
}

/**
 * The raised-hand value of a presence: the time the hand went up (ms since the epoch), 0 when
 * lowered, null when the presence does not say. Jitsi Meet sends a timestamp and 0; older
 * clients 'true' / 'false'.
 */
export function parseRaisedHand(text) {
  if (text === null || text === undefined) return null;
  const t = String(text).trim();
  if (t === 'true') return Date.now();
  if (t === 'false' || t === '') return 0;
  const n = Number.parseInt(t, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export function bareOf(jid) {
  const i = jid ? jid.indexOf('/') : -1;
  return i >= 0 ? jid.slice(0, i) : jid;
}

/**
 * Parses what a participant's presence says about them: display name, mute state per source
 * (SourceInfo JSON, else the legacy audiomuted/videomuted elements), MUC item.
 */
export function parseOccupantPresence(pres) {
  const x = firstChild(pres, 'x', NS.MUC_USER);
  const item = x ? firstChild(x, 'item') : null;
  const statuses = x ? Array.from(x.getElementsByTagName('status')).map((s) => s.getAttribute('code')) : [];
  const nickEl = firstChild(pres, 'nick', NS.NICK);
  const info = firstChild(pres, 'SourceInfo');
  let sources = null;
  if (info) {
    try {
      const j = JSON.parse(info.textContent || '{}');
      if (j && typeof j === 'object' && !Array.isArray(j)) sources = j;
    } catch { /* ignore malformed SourceInfo */ }
  }
  const legacy = (name) => {
    const e = firstChild(pres, name);
    return e ? e.textContent.trim() === 'true' : null;
  };
  let audioMuted = legacy('audiomuted');
  let videoMuted = legacy('videomuted');
  if (sources) {
    audioMuted = true;
    videoMuted = true;
    for (const [name, v] of Object.entries(sources)) {
      const m = /-([av])\d+$/.exec(name);
      if (!m || !v || typeof v !== 'object') continue;
      if (m[1] === 'a' && !v.muted) audioMuted = false;
      if (m[1] === 'v' && !v.muted && (v.videoType ?? 'camera') === 'camera') videoMuted = false;
    }
  }
  const hand = firstChild(pres, RAISED_HAND);
  return {
    jid: item?.getAttribute('jid') ?? null,
    role: item?.getAttribute('role') ?? null,
    affiliation: item?.getAttribute('affiliation') ?? null,
    displayName: nickEl ? nickEl.textContent.slice(0, 100) : null,
    sources,
    audioMuted,
    videoMuted,
    raisedHand: hand ? parseRaisedHand(hand.textContent) : null,
    bridgeNotAvailable: !!firstChild(pres, 'bridgeNotAvailable', NS.FOCUS),
    statuses,
  };
}

/**
 * What a message from the room says, or null when it is not a chat message: groupchat
 * (type groupchat from room/nick) or private (type chat from room/nick), with the sender's
 * name from the message itself when it carries one (XEP-0172 <nick>, or Jitsi's
 * <display-name xmlns="http://jitsi.org/protocol/display-name">), and the XEP-0203 delay stamp
 * of room history. An error message (a private message the room refused) comes back as
 * { error: condition }.
 */
export function parseRoomMessage(msg) {
  const type = msg.getAttribute('type') ?? 'normal';
  const from = msg.getAttribute('from') ?? '';
  const nick = resourceOf(from);
  if (type === 'error') {
    const err = firstChild(msg, 'error');
    let condition = 'undefined-condition';
    for (let n = err?.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 1 && n.namespaceURI === NS.STANZAS && n.localName !== 'text') condition = n.localName;
    }
    return { error: condition, to: nick, id: msg.getAttribute('id') };
  }
  if (type !== 'groupchat' && type !== 'chat') return null;
  const body = firstChild(msg, 'body');
  if (!body || !nick) return null;
  const nickEl = firstChild(msg, 'nick', NS.NICK) ?? firstChild(msg, 'display-name', 'http://jitsi.org/protocol/display-name');
  const delay = firstChild(msg, 'delay', 'urn:xmpp:delay');
  const stamp = delay ? Date.parse(delay.getAttribute('stamp') ?? '') : NaN;
  return {
    id: msg.getAttribute('id') ?? null,
    from: nick,
    private: type === 'chat',
    text: body.textContent.slice(0, 10000),
    displayName: nickEl ? nickEl.textContent.slice(0, 100) : null,
    at: Number.isFinite(stamp) ? stamp : null,
    delayed: !!delay,
  };
}

export class MucRoom extends EventTarget {
  /**
   * @param {import('./connection.js').XmppConnection} xmpp
   * @param {object} p { roomJid, nick, displayName, focusJids: string[], caps?: {node, ver} }
   */
  constructor(xmpp, p) {
    super();
    this.xmpp = xmpp;
    this.roomJid = p.roomJid;
    this.nick = p.nick;
    this.focusJids = new Set(p.focusJids.filter(Boolean));
    this.caps = p.caps ?? null;
    this.codecList = p.codecList ?? null;
    this.local = {
      displayName: p.displayName ?? '', sourceInfo: {}, audioMuted: false, videoMuted: false, raisedHand: null,
    };
    this.focusState = { bridgeNotAvailable: false };
    // Functions (builder) => void adding elements to each of our presences (e2ee/e2ee.js).
    this.extensions = [];
    this.occupants = new Map(); // nick -> occupant
    this.joined = false;
    this.role = null;
    this.affiliation = null;
    this.handler = null;
    this.msgHandler = null;
    // Room security (docs/security.md): the room password sent in the join presence, and an
    // optional gate: async ({ condition, password }) => ({ password? }) called when the join
    // is refused with not-authorized (password) or registration-required (lobby). When it
    // resolves, the join is sent again; when it rejects, the join fails with that error.
    this.password = p.password ?? null;
    this.gate = p.gate ?? null;
    // async () => void: sends the conference request again. A join refused with `forbidden`
    // is not always a ban: ejabberd also says forbidden when the room does not exist and we
    // may not create it (e.g. it was destroyed after the conference request). With this set,
    // the first forbidden asks the focus again and re-sends the join; only a second one is a
    // ban. Without it, forbidden is a ban at once.
    this.reconference = p.reconference ?? null;
  }

  get myJid() {
    return `${this.roomJid}/${this.nick}`;
  }

  /** Whether an occupant full JID (room@muc/nick) is the focus. */
  isFocus(occupantJid) {
    if (!sameBareJid(occupantJid, this.roomJid)) return false;
    const o = this.occupants.get(resourceOf(occupantJid));
    return !!o?.isFocus;
  }

  focusOccupant() {
    for (const o of this.occupants.values()) if (o.isFocus) return o;
    return null;
  }

  realJidIsFocus(jid) {
    if (!jid) return false;
    for (const f of this.focusJids) if (jid.startsWith(`${f}/`)) return true;
    return false;
  }

  presence(type) {
    const b = this.xmpp.$pres(type ? { to: this.myJid, type } : { to: this.myJid });
    if (type) return b;
    if (!this.joined) {
      b.c('x', { xmlns: NS.MUC });
      if (this.password) b.c('password').t(this.password).up();
      b.up();
    }
    if (this.local.displayName) b.c('nick', { xmlns: NS.NICK }).t(this.local.displayName).up();
    b.c('SourceInfo').t(JSON.stringify(this.local.sourceInfo)).up();
    b.c('audiomuted').t(String(!!this.local.audioMuted)).up();
    b.c('videomuted').t(String(!!this.local.videoMuted)).up();
    // Read by the focus to pick codecs for the conference.
    if (this.codecList) b.c('jitsi_participant_codecList').t(this.codecList).up();
    // Once raised, always said: a lowered hand is 0 (a missing element changes nothing for
    // Jitsi clients).
    if (this.local.raisedHand !== null) b.c(RAISED_HAND).t(String(this.local.raisedHand || 0)).up();
    if (this.caps) {
      b.c('c', { xmlns: NS.CAPS, hash: 'sha-1', node: this.caps.node, ver: this.caps.ver }).up();
    }
    for (const ext of this.extensions) ext(b);
    return b;
  }

  /** Joins; resolves when our own presence comes back, rejects with { code, condition }. */
  join() {
    return new Promise((resolve, reject) => {
      let timer = null;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.pendingJoin = null;
          reject(Object.assign(new Error('no answer from the conference room'), { code: 'join-timeout' }));
        }, JOIN_TIMEOUT_MS);
      };
      arm();
      this.pendingJoin = {
        resolve: () => { clearTimeout(timer); this.pendingJoin = null; resolve(); },
        reject: (e) => { clearTimeout(timer); this.pendingJoin = null; reject(e); },
        pause: () => clearTimeout(timer), // no timeout while the user answers a gate
        resume: arm,
        gated: false,
        reconferenced: false, // the conference request was sent again after a forbidden
      };
      // Matched here, not by strophe's from filter: that compares JIDs as strings.
      this.handler = this.xmpp.addHandler((p) => {
        if (sameBareJid(p.getAttribute('from'), this.roomJid)) this.onPresence(p);
        return true;
      }, null, 'presence');
      // Installed before the join: room history follows our own presence at once.
      this.msgHandler = this.xmpp.addHandler((m) => {
        if (sameBareJid(m.getAttribute('from'), this.roomJid)) this.onMessage(m);
        return true;
      }, null, 'message');
      this.xmpp.send(this.presence());
    });
  }

  /** Updates and re-broadcasts our presence (display name, SourceInfo, mute flags). */
  update(changes) {
    Object.assign(this.local, changes);
    if (this.joined) this.xmpp.send(this.presence());
  }

  leave() {
    if (this.handler) this.xmpp.removeHandler(this.handler);
    if (this.msgHandler) this.xmpp.removeHandler(this.msgHandler);
    this.handler = null;
    this.msgHandler = null;
    if (this.joined) this.xmpp.send(this.presence('unavailable'));
    this.joined = false;
  }

  /** A message from the room or an occupant: chat ('message'), or a refused one ('message-error'). */
  onMessage(msg) {
    const m = parseRoomMessage(msg);
    if (!m) return;
    if (m.error) {
      if (m.id?.startsWith('e2ee-')) return; // an E2EE key message (e2ee/e2ee.js), not chat
      this.dispatchEvent(new CustomEvent('message-error', { detail: m }));
      return;
    }
    m.mine = m.from === this.nick && !m.delayed;
    this.dispatchEvent(new CustomEvent('message', { detail: m }));
  }

  /** Sends a groupchat message (to = null) or a private message to the occupant `to`. */
  sendMessage(text, to = null, id = null) {
    const attrs = to ? { to: `${this.roomJid}/${to}`, type: 'chat' } : { to: this.roomJid, type: 'groupchat' };
    if (id) attrs.id = id;
    const b = this.xmpp.$msg(attrs).c('body').t(text).up();
    // The sender's name travels with the message (XEP-0172), so history shows who wrote it
    // even after they left.
    if (this.local.displayName) b.c('nick', { xmlns: NS.NICK }).t(this.local.displayName).up();
    if (to) b.c('x', { xmlns: NS.MUC_USER }).up(); // XEP-0045 §7.5: a private message in a room
    this.xmpp.send(b);
  }

  /** Asks the gate (password prompt, lobby) and joins again once it answers. */
  runGate(condition) {
    const pj = this.pendingJoin;
    if (pj.gated) return;
    pj.gated = true;
    pj.pause();
    Promise.resolve().then(() => this.gate({ condition, password: this.password })).then((r) => {
      if (this.pendingJoin !== pj) return;
      if (r && 'password' in r) this.password = r.password || null;
      pj.gated = false;
      pj.resume();
      this.xmpp.send(this.presence());
    }, (e) => {
      if (this.pendingJoin === pj) pj.reject(e);
    });
  }

  /** First `forbidden` on a join: ask the focus for the conference again, then re-join. */
  runReconference(condition) {
    const pj = this.pendingJoin;
    pj.reconferenced = true;
    pj.gated = true;
    pj.pause();
    Promise.resolve().then(() => this.reconference({ condition })).then(() => {
      if (this.pendingJoin !== pj) return;
      pj.gated = false;
      pj.resume();
      this.xmpp.send(this.presence());
    }, (e) => {
      if (this.pendingJoin === pj) pj.reject(e);
    });
  }

  onPresence(pres) {
    const from = pres.getAttribute('from');
    const nick = resourceOf(from);
    const type = pres.getAttribute('type');
    if (!nick) return; // ejabberd sends some presence from the bare room JID
    if (type === 'error') {
      if (nick === this.nick && this.pendingJoin) {
        const err = firstChild(pres, 'error');
        let condition = 'undefined-condition';
        for (let n = err?.firstChild; n; n = n.nextSibling) {
          if (n.nodeType === 1 && n.namespaceURI === NS.STANZAS && n.localName !== 'text') condition = n.localName;
        }
        const code = {
          conflict: 'nick-conflict',
          'not-allowed': 'room-missing',
          'item-not-found': 'room-missing',
          'registration-required': 'members-only',
          'not-authorized': 'password-required',
          'service-unavailable': 'room-full',
          forbidden: 'banned',
        }[condition] ?? 'join-failed';
        if (this.gate && (condition === 'not-authorized' || condition === 'registration-required')) {
          this.runGate(condition);
          return;
        }
        if (condition === 'forbidden' && this.reconference && !this.pendingJoin.reconferenced) {
          if (!this.pendingJoin.gated) this.runReconference(condition);
          return;
        }
        this.pendingJoin.reject(Object.assign(new Error(`cannot join the room (${condition})`), { code, condition }));
      }
      return;
    }
    const info = parseOccupantPresence(pres);
    const self = nick === this.nick || info.statuses.includes('110');
    if (type === 'unavailable') {
      if (self) {
        if (!this.joined) return;
        this.joined = false;
        const kicked = info.statuses.includes('307');
        const destroyed = !!firstChild(firstChild(pres, 'x', NS.MUC_USER) ?? pres, 'destroy');
        this.dispatchEvent(new CustomEvent('left', { detail: { kicked, destroyed } }));
        return;
      }
      const o = this.occupants.get(nick);
      if (!o) return;
      this.occupants.delete(nick);
      // roomDestroyed: everyone leaves because the room is being destroyed (not a restart).
      const roomDestroyed = !!firstChild(firstChild(pres, 'x', NS.MUC_USER) ?? pres, 'destroy');
      this.dispatchEvent(new CustomEvent(o.isFocus ? 'focus-left' : 'occupant-left', { detail: { ...o, roomDestroyed } }));
      return;
    }
    if (self) {
      const changed = this.role !== info.role || this.affiliation !== info.affiliation;
      this.role = info.role;
      this.affiliation = info.affiliation;
      if (changed && this.joined) this.dispatchEvent(new CustomEvent('self-updated', { detail: info }));
      if (!this.joined) {
        this.joined = true;
        this.pendingJoin?.resolve();
      }
      return;
    }
    const existing = this.occupants.get(nick);
    const o = {
      id: nick,
      jid: info.jid,
      role: info.role,
      affiliation: info.affiliation,
      displayName: info.displayName ?? existing?.displayName ?? null,
      audioMuted: info.audioMuted ?? existing?.audioMuted ?? false,
      videoMuted: info.videoMuted ?? existing?.videoMuted ?? false,
      sources: info.sources,
      isFocus: this.realJidIsFocus(info.jid),
      e2ee: parseE2eePresence(pres),
    };
    o.raisedHand = info.raisedHand ?? existing?.raisedHand ?? 0;
    this.occupants.set(nick, o);
    if (o.isFocus) {
      if (!existing) this.dispatchEvent(new CustomEvent('focus-joined', { detail: o }));
      if (info.bridgeNotAvailable !== this.focusState.bridgeNotAvailable) {
        this.focusState = { bridgeNotAvailable: info.bridgeNotAvailable };
        this.dispatchEvent(new CustomEvent('focus-updated', { detail: { ...this.focusState } }));
      }
      return;
    }
    this.dispatchEvent(new CustomEvent(existing ? 'occupant-updated' : 'occupant-joined', { detail: o }));
  }
}
