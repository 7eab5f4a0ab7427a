// SPDX-License-Identifier: MIT
// The participants panel: everyone in the meeting (raised hands first, in the order they went
// up, then by name), with moderator star, microphone and camera state, raised hand and screen
// share; for moderators a menu per participant with what the meeting can do today: lower
// their hand (Jitsi Meet's lower-hand EndpointMessage), make moderator and remove (muc#admin,
// security.js). Actions the focus carries out (mute one, mute everyone else, end the meeting
// for everyone) appear only when the focus offers them (Conference.capabilities, from its
// disco#info): ACTIONS below lists them with the capability each needs. While the meeting is
// end-to-end encrypted each row shows that person's padlock and, on request ("Verify"), the
// short authentication string of our pair of keys, to compare with them out of band.
// Main thread; one instance per meeting view, shown and hidden by it.

import { clear, h, hueFor, initials } from './dom.js';
import { ICONS } from './icons.js';
import { E2EE_TILE } from './e2ee-status.js';

/**
 * Moderator actions on one participant: [id, label, icon, needs(p, ctx) -> shown?]. `ctx` is
 * { caps, isModerator }. The first three need only the room; the others need the focus.
 */
export const ACTIONS = [
  ['lower-hand', 'Lower hand', 'hand', (p) => !!p.raisedHand],
  ['mute-audio', 'Mute', 'micOff', (p, c) => c.caps.remoteMuteAudio && !p.audioMuted],
  ['mute-video', 'Turn off camera', 'camOff', (p, c) => c.caps.remoteMuteVideo && !p.videoMuted],
  ['grant', 'Make moderator', 'star', (p) => p.role !== 'moderator'],
  ['kick', 'Remove from meeting', 'leave', () => true],
];

/** Order of the list: raised hands first (earliest first), then by name. */
export function participantOrder(a, b) {
  if (!!a.raisedHand !== !!b.raisedHand) return a.raisedHand ? -1 : 1;
  if (a.raisedHand && b.raisedHand && a.raisedHand !== b.raisedHand) return a.raisedHand - b.raisedHand;
  return (a.displayName || '').localeCompare(b.displayName || '') || a.id.localeCompare(b.id);
}

export class ParticipantsPanel {
  /**
   * @param {object} p { conference, security, onClose(), onAction(id, action), onMeetingAction(action) }
   */
  constructor(p) {
    this.p = p;
    this.menuFor = null;
    this.verifyFor = null; // participant whose SAS is shown
    this.sas = new Map(); // id -> { emoji, digits } | 'pending' | 'none'
    this.el = this.build();
    this.el.hidden = true;
  }

  get open() { return !this.el.hidden; }

  build() {
    this.count = h('span.panel-count.neutral');
    this.list = h('ul.people-list#people-list');
    this.hands = h('p.people-hands#people-hands', { hidden: true });
    this.meetingActions = h('div.people-actions#people-actions', { hidden: true });
    return h('aside.side-panel.people-panel#participants-panel', { role: 'dialog', ariaLabel: 'Participants' },
      h('header.panel-head', {},
        h('span.panel-head-icon', { html: ICONS.users }),
        h('h2', {}, 'Participants ', this.count),
        h('button.ghost.icon-only#participants-close', { type: 'button', ariaLabel: 'Close', title: 'Close', onclick: () => this.p.onClose() },
          h('span.icon', { html: ICONS.close }))),
      h('div.panel-body', {}, this.hands, this.list, this.meetingActions));
  }

  show() {
    this.el.hidden = false;
    this.update();
  }

  hide() {
    this.el.hidden = true;
    this.menuFor = null;
    this.verifyFor = null;
  }

  /** Shows (or hides) the short authentication string of our keys and participant `id`'s. */
  toggleVerify(id, open) {
    const want = open ?? this.verifyFor !== id;
    this.verifyFor = want ? id : null;
    const e2ee = this.p.conference.e2ee;
    if (want && !this.sas.has(id) && e2ee) {
      this.sas.set(id, 'pending');
      e2ee.sasWith(id).then((r) => { this.sas.set(id, r ?? 'none'); this.update(); },
        () => { this.sas.set(id, 'none'); this.update(); });
    }
    this.update();
  }

  /** The E2EE part of a row: padlock, Verify button, the SAS box when open. */
  e2eeParts(q, name) {
    const e2ee = this.p.conference.e2ee;
    if (!e2ee?.enabled) return { badge: null, button: null, box: null };
    if (q.self) {
      const ok = e2ee.supported;
      const b = h('span.people-e2ee', { html: ok ? ICONS.lock : ICONS.lockOpen, title: ok ? 'You encrypt end to end' : 'This browser cannot encrypt' });
      b.classList.toggle('warn', !ok);
      return { badge: b, button: null, box: null };
    }
    const status = e2ee.peerStatus(q.id);
    const spec = E2EE_TILE[status];
    const badge = spec ? h('span.people-e2ee', { html: ICONS[spec[0]], title: spec[1], dataset: { state: status } }) : null;
    badge?.classList.toggle('warn', spec[0] !== 'lock');
    const canVerify = e2ee.supported && !['unsupported', 'no-support-here'].includes(status);
    if (!canVerify) return { badge, button: null, box: null };
    const open = this.verifyFor === q.id;
    const button = h('button.ghost.small.people-verify', {
      type: 'button', title: `Verify the encryption with ${name}`, ariaExpanded: String(open),
      onclick: (ev) => { ev.stopPropagation(); this.toggleVerify(q.id); },
    }, h('span.icon', { html: ICONS.shieldCheck }), 'Verify');
    if (!open) return { badge, button, box: null };
    const sas = this.sas.get(q.id);
    let body;
    if (sas === 'pending' || !sas) body = h('p.muted', {}, 'Computing…');
    else if (sas === 'none') body = h('p.muted', {}, 'No keys have been exchanged with this person yet.');
    else {
      body = [
        h('div.sas-emoji', { role: 'list' }, sas.emoji.map(([c, label]) => h('span.sas-item', { role: 'listitem', title: label },
          h('span.sas-char', {}, c), h('span.sas-name', {}, label)))),
        h('div.sas-digits', {}, sas.digits),
      ];
    }
    const box = h('div.sas-box', { dataset: { id: q.id } },
      h('p.sas-help', {}, `Compare these with ${name}, by phone or in person. If you both see the same, `
        + 'nobody is listening in between you.'),
      body);
    return { badge, button, box };
  }

  update() {
    if (this.el.hidden) return;
    const c = this.p.conference;
    const mod = !!this.p.security?.isModerator;
    const caps = c.capabilities ?? {};
    const self = {
      id: c.endpointId, displayName: c.displayName, self: true, role: mod ? 'moderator' : 'participant',
      audioMuted: c.media.audioMuted || !c.media.audioTrack, videoMuted: !c.media.videoTrack,
      raisedHand: c.raisedHand, screenTrack: c.media.screenTrack,
    };
    const people = [self, ...c.participants.values()].sort(participantOrder);
    this.count.textContent = String(people.length);
    const raised = people.filter((x) => x.raisedHand);
    this.hands.hidden = !raised.length;
    this.hands.textContent = raised.length
      ? `${raised.length} raised hand${raised.length > 1 ? 's' : ''}: ${raised.map((x) => (x.self ? 'you' : x.displayName || 'Guest')).join(', ')}`
      : '';
    clear(this.list);
    for (const q of people) this.list.append(this.row(q, { mod, caps }));
    // Meeting-wide moderator actions: only those the focus carries out.
    clear(this.meetingActions);
    const all = [];
    if (mod && caps.remoteMuteAudio && c.participants.size) {
      all.push(h('button.secondary.small#mute-everyone', { type: 'button', onclick: () => this.p.onMeetingAction('mute-everyone') },
        h('span.icon', { html: ICONS.micOff }), 'Mute everyone else'));
    }
    if (mod && caps.endConference) {
      all.push(h('button.secondary.small.danger#end-meeting', { type: 'button', onclick: () => this.p.onMeetingAction('end-meeting') },
        h('span.icon', { html: ICONS.leave }), 'End meeting for everyone'));
    }
    this.meetingActions.hidden = !all.length;
    this.meetingActions.append(...all);
  }

  row(q, ctx) {
    const name = q.displayName || `Guest ${q.id.slice(0, 4)}`;
    const badges = [];
    if (q.raisedHand) badges.push(h('span.people-hand', { html: ICONS.hand, title: 'Raised hand' }));
    if (q.screenTrack) badges.push(h('span.people-screen', { html: ICONS.screen, title: 'Sharing their screen' }));
    const mic = h('span.people-state', {
      html: q.audioMuted ? ICONS.micOff : ICONS.mic, title: q.audioMuted ? 'Microphone off' : 'Microphone on',
    });
    mic.classList.toggle('off', !!q.audioMuted);
    const cam = h('span.people-state', {
      html: q.videoMuted ? ICONS.camOff : ICONS.cam, title: q.videoMuted ? 'Camera off' : 'Camera on',
    });
    cam.classList.toggle('off', !!q.videoMuted);
    const actions = !q.self && ctx.mod ? ACTIONS.filter(([, , , needs]) => needs(q, ctx)) : [];
    let menu = null;
    let menuBtn = null;
    if (actions.length) {
      menu = h('div.tile-menu.people-menu', { role: 'menu', hidden: this.menuFor !== q.id },
        actions.map(([id, label, icon]) => h(`button.menu-item.people-${id}${id === 'kick' ? '.danger' : ''}`, {
          type: 'button', role: 'menuitem',
          onclick: () => { this.menuFor = null; this.p.onAction(q.id, id); },
        }, h('span.icon', { html: ICONS[icon] }), label)));
      menuBtn = h('button.ghost.icon-only.people-menu-btn', {
        type: 'button', title: `Actions for ${name}`, ariaLabel: `Actions for ${name}`, ariaHaspopup: 'menu',
        ariaExpanded: String(this.menuFor === q.id),
        onclick: (e) => {
          e.stopPropagation();
          this.menuFor = this.menuFor === q.id ? null : q.id;
          this.update();
        },
      }, h('span.icon', { html: ICONS.more }));
    }
    const e2ee = this.e2eeParts(q, name);
    const li = h('li.people-row', { dataset: { id: q.id } },
      h('span.avatar.people-avatar', { style: `--hue:${hueFor(q.id)}` }, initials(q.displayName || 'Guest')),
      h('span.people-name-line', {},
        h('span.people-name', {}, name),
        q.self ? h('span.people-you', {}, '(you)') : null,
        q.role === 'moderator' ? h('span.tile-mod.people-mod', { html: ICONS.star, title: 'Moderator' }) : null),
      h('span.people-badges', {}, badges, e2ee.badge, mic, cam),
      e2ee.button, menuBtn, menu, e2ee.box);
    li.classList.toggle('raised', !!q.raisedHand);
    li.setAttribute('aria-label', `${name}${q.self ? ' (you)' : ''}${q.role === 'moderator' ? ', moderator' : ''}`
      + `${q.raisedHand ? ', hand raised' : ''}${q.audioMuted ? ', microphone off' : ''}${q.videoMuted ? ', camera off' : ''}`
      + `${q.screenTrack ? ', sharing screen' : ''}`);
    return li;
  }

  /** Closes an open row menu (a click elsewhere). */
  closeMenu() {
    if (this.menuFor === null) return;
    this.menuFor = null;
    this.update();
  }

  destroy() {
    this.hide();
  }
}
