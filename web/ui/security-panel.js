// SPDX-License-Identifier: MIT
// The security panel of the meeting: the room-name verdict, lobby on/off, the room password
// (set, change, remove) and the people waiting in the lobby with Admit / Refuse each. Everyone
// can open it; only moderators can change anything (others get an explanation).
// Main thread; one instance per meeting view, shown and hidden (never rebuilt while open, so
// a password being typed survives state updates).

import { clear, h, hueFor, initials } from './dom.js';
import { ICONS } from './icons.js';

/** "just now", "45 s", "3 min", "1 h 5 min" */
export function waitedText(seconds) {
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s`;
  const min = Math.floor(seconds / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

export class SecurityPanel {
  /**
   * @param {object} p { security: RoomSecurity, onClose(), toast(message, kind) }
   */
  constructor(p) {
    this.p = p;
    this.busy = false;
    this.pendingLobby = null;
    this.el = this.build();
    this.el.hidden = true;
    this.tick = null;
  }

  get open() { return !this.el.hidden; }

  build() {
    this.note = h('p.panel-note#security-note', {},
      h('span.icon', { html: ICONS.star }),
      h('span', {}, 'Only moderators can change these settings. Moderators have a star next to their name.'));
    this.nameState = h('div.panel-status');

    this.lobbyToggle = h('input#lobby-toggle', { type: 'checkbox', role: 'switch', ariaLabel: 'Lobby' });
    this.lobbyToggle.addEventListener('change', () => {
      const on = this.lobbyToggle.checked;
      this.pendingLobby = on; // shown while the focus applies it
      this.act(() => this.p.security.setLobby(on), on ? 'Lobby on: new people ask to join.' : 'Lobby off: people join directly.')
        .finally(() => { this.pendingLobby = null; this.update(); });
    });
    const lobby = h('section.panel-section', {},
      h('div.panel-row', {},
        h('span.panel-icon', { html: ICONS.door }),
        h('div.panel-row-text', {},
          h('h3', {}, 'Lobby'),
          h('p', {}, 'New participants must ask to join. A moderator lets them in.')),
        h('label.switch', {}, this.lobbyToggle, h('span.switch-track', { ariaHidden: 'true' }))));

    this.pwState = h('span.panel-badge');
    this.pwInput = h('input#password-input', {
      type: 'password', autocomplete: 'new-password', maxlength: '256', placeholder: 'New password',
      ariaLabel: 'Meeting password',
    });
    this.pwSet = h('button.primary.small#password-set', { type: 'submit' }, 'Set');
    this.pwRemove = h('button.secondary.small#password-remove', {
      type: 'button',
      onclick: () => this.act(() => this.p.security.setPassword(''), 'Password removed.'),
    }, 'Remove');
    const pwForm = h('form.panel-form', {
      onsubmit: (e) => {
        e.preventDefault();
        const v = this.pwInput.value;
        if (!v) { this.pwInput.focus(); return; }
        this.act(async () => {
          await this.p.security.setPassword(v);
          this.pwInput.value = '';
        }, 'Password set. Share it with the people you invite.');
      },
    }, this.pwInput, this.pwSet, this.pwRemove);
    const password = h('section.panel-section', {},
      h('div.panel-row', {},
        h('span.panel-icon', { html: ICONS.lock }),
        h('div.panel-row-text', {},
          h('h3', {}, 'Password ', this.pwState),
          h('p', {}, 'Everyone joining must enter it.'))),
      pwForm);

    this.knockCount = h('span.panel-count');
    this.knockList = h('ul.knock-list#knock-list');
    this.knockSection = h('section.panel-section.knocks', {},
      h('h3', {}, 'Waiting to join ', this.knockCount),
      this.knockList);

    this.error = h('p.panel-error#security-error', { role: 'alert', hidden: true });
    return h('aside.side-panel#security-panel', { role: 'dialog', ariaLabel: 'Security' },
      h('header.panel-head', {},
        h('span.panel-head-icon', { html: ICONS.shield }),
        h('h2', {}, 'Security'),
        h('button.ghost.icon-only#security-close', { type: 'button', ariaLabel: 'Close', title: 'Close', onclick: () => this.p.onClose() },
          h('span.icon', { html: ICONS.close }))),
      h('div.panel-body', {}, this.note, this.nameState, lobby, password, this.knockSection, this.error));
  }

  show() {
    this.el.hidden = false;
    this.setError(null);
    this.update();
    clearInterval(this.tick);
    this.tick = setInterval(() => this.updateKnocks(), 5000);
  }

  hide() {
    this.el.hidden = true;
    clearInterval(this.tick);
    this.tick = null;
  }

  setError(msg) {
    this.error.textContent = msg ?? '';
    this.error.hidden = !msg;
  }

  async act(fn, done) {
    this.busy = true;
    this.setError(null);
    this.update();
    try {
      await fn();
      if (done) this.p.toast?.(done);
    } catch (e) {
      this.setError(e.message || 'That did not work. Try again.');
    } finally {
      this.busy = false;
      this.update();
    }
  }

  update() {
    const s = this.p.security;
    const mod = s.isModerator;
    this.note.hidden = mod;
    clear(this.nameState);
    if (s.roomNameWeak) {
      this.nameState.className = 'panel-status warn';
      this.nameState.append(h('span.icon', { html: ICONS.warn }),
        h('span', {}, s.lobbyEnabled || s.passwordSet
          ? 'The meeting name is easy to guess, but the meeting is protected.'
          : 'The meeting name is easy to guess. Turn on the lobby or set a password.'));
    } else {
      this.nameState.className = 'panel-status ok';
      this.nameState.append(h('span.icon', { html: ICONS.shieldCheck }),
        h('span', {}, 'The meeting name is hard to guess.'));
    }
    this.lobbyToggle.checked = this.pendingLobby ?? s.lobbyEnabled;
    this.lobbyToggle.disabled = !mod || this.busy;
    this.pwState.textContent = s.passwordSet ? 'set' : 'none';
    this.pwState.classList.toggle('on', s.passwordSet);
    this.pwInput.disabled = !mod || this.busy;
    this.pwInput.placeholder = s.passwordSet ? 'New password' : 'Choose a password';
    this.pwSet.textContent = s.passwordSet ? 'Change' : 'Set';
    this.pwSet.disabled = !mod || this.busy;
    this.pwRemove.hidden = !s.passwordSet;
    this.pwRemove.disabled = !mod || this.busy;
    this.knockSection.hidden = !mod;
    this.updateKnocks();
  }

  updateKnocks() {
    const s = this.p.security;
    const knocks = s.pendingKnocks;
    this.knockCount.textContent = knocks.length ? String(knocks.length) : '';
    clear(this.knockList);
    if (!knocks.length) {
      this.knockList.append(h('li.knock-empty', {}, s.lobbyEnabled ? 'Nobody is waiting.' : 'Nobody is waiting. With the lobby on, people who join wait here.'));
      return;
    }
    for (const k of knocks) {
      this.knockList.append(h('li.knock', { dataset: { id: k.id } },
        h('span.avatar.knock-avatar', { style: `--hue:${hueFor(k.jid ?? k.id)}` }, initials(k.nick)),
        h('span.knock-text', {},
          h('span.knock-name', {}, k.nick),
          h('span.knock-waited', {}, `waiting ${waitedText(k.waitingSeconds)}`)),
        h('button.primary.small.admit', {
          type: 'button', disabled: this.busy, onclick: () => this.act(() => s.admit(k.id), `${k.nick} was let in.`),
        }, 'Admit'),
        h('button.secondary.small.refuse', {
          type: 'button', disabled: this.busy, onclick: () => this.act(() => s.refuse(k.id), `${k.nick} was not let in.`),
        }, 'Refuse')));
    }
  }

  destroy() {
    this.hide();
  }
}
