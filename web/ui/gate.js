// SPDX-License-Identifier: MIT
// The screens between "Join" and the meeting when the room is protected: the password prompt
// (the room has a password), the lobby form (knock with a display name, optionally the
// password), the waiting screen while a moderator decides, and "nobody answered" after a knock
// expired. Nothing of the meeting is shown here: the server has not let us in yet.
// Main thread; one instance while a join is held (update() re-renders for each gate state).

import { clear, h, hueFor, initials } from './dom.js';
import { ICONS } from './icons.js';
import { displayRoomName } from '../room.js';

export class GateView {
  /**
   * @param {HTMLElement} root
   * @param {object} p { room, name, media, onPassword(pw), onKnock({ name, password }), onCancel() }
   */
  constructor(root, p) {
    this.root = root;
    this.p = p;
    this.gate = null;
    this.knowsPassword = false;
  }

  update(gate) {
    const prev = this.gate;
    this.gate = gate;
    if (gate.stage === 'sending' && prev?.kind === 'lobby' && this.knockBtn) {
      this.setSending(true);
      return;
    }
    if (gate.kind === 'password') this.renderPassword(gate);
    else if (gate.stage === 'waiting') this.renderWaiting();
    else if (gate.stage === 'expired') this.renderExpired();
    else this.renderLobby(gate);
  }

  preview() {
    const m = this.p.media;
    if (!m?.videoTrack) {
      return h('div.gate-avatar.avatar', { style: `--hue:${hueFor(this.p.name)}` }, initials(this.p.name));
    }
    // One element for every screen of the gate: the camera picture does not restart.
    if (!this.video) {
      this.video = h('video.gate-preview.mirror', { autoplay: true, muted: true, playsInline: true });
      this.video.muted = true;
    }
    if (this.video.srcObject !== m.stream) this.video.srcObject = m.stream;
    return this.video;
  }

  card(...kids) {
    clear(this.root).append(h('main.gate-screen', {}, h('div.gate-card', {}, ...kids)));
    // Taking the element out of the page paused it; start it again in its new place.
    if (this.video?.isConnected) this.video.play?.().catch(() => {});
  }

  roomLine() {
    return h('p.gate-room', {}, h('span.muted', {}, 'Meeting '), h('strong.room-name', {}, displayRoomName(this.p.room)));
  }

  renderPassword(gate) {
    const input = h('input#gate-password', {
      type: 'password', name: 'password', autocomplete: 'current-password', required: true,
      maxlength: '256', ariaInvalid: gate.wrong ? 'true' : 'false',
    });
    const error = h('p.gate-error#gate-error', { role: 'alert', hidden: !gate.wrong },
      h('span.icon', { html: ICONS.warn }), h('span', {}, 'That password is not right. Check it and try again.'));
    const form = h('form.gate-form', {
      onsubmit: (e) => {
        e.preventDefault();
        if (!input.value) { input.focus(); return; }
        submit.disabled = true;
        submit.textContent = 'Joining…';
        this.p.onPassword(input.value);
      },
    },
    h('label.field', {}, h('span', {}, 'Password'), input),
    error,
    h('div.actions', {},
      h('button.secondary#gate-cancel', { type: 'button', onclick: () => this.p.onCancel() }, 'Cancel')));
    const submit = h('button.primary#gate-join', { type: 'submit' }, 'Join meeting');
    form.lastChild.prepend(submit);
    this.card(
      h('span.gate-icon', { html: ICONS.lock }),
      h('h1', {}, 'This meeting needs a password'),
      this.roomLine(),
      h('p.gate-text', {}, 'Enter the password you got from the organiser.'),
      form);
    input.focus();
  }

  renderLobby(gate) {
    const name = h('input#lobby-name', {
      type: 'text', name: 'name', autocomplete: 'nickname', maxlength: '64', required: true,
      value: this.p.name ?? '', placeholder: 'e.g. Ada Lovelace',
    });
    const pw = h('input#lobby-password', {
      type: 'password', name: 'password', autocomplete: 'current-password', maxlength: '256',
      placeholder: 'Password',
    });
    const pwField = h('label.field', { hidden: !this.knowsPassword }, h('span', {}, 'Password'), pw);
    const know = h('input#lobby-know-password', { type: 'checkbox', checked: this.knowsPassword });
    know.addEventListener('change', () => {
      this.knowsPassword = know.checked;
      pwField.hidden = !know.checked;
      if (know.checked) pw.focus();
    });
    const error = h('p.gate-error#lobby-error', { role: 'alert', hidden: !gate.error },
      h('span.icon', { html: ICONS.warn }), h('span', {}, gate.error ?? ''));
    this.knockBtn = h('button.primary#lobby-knock', { type: 'submit' }, 'Ask to join');
    const form = h('form.gate-form', {
      onsubmit: (e) => {
        e.preventDefault();
        const n = name.value.trim();
        if (!n) { name.focus(); return; }
        this.p.name = n;
        this.setSending(true);
        this.p.onKnock({ name: n, password: know.checked ? pw.value : '' });
      },
    },
    h('label.field', {}, h('span', {}, 'Your name'), name),
    h('label.check', {}, know, h('span', {}, 'I know the password')),
    pwField,
    error,
    h('div.actions', {}, this.knockBtn,
      h('button.secondary#lobby-cancel', { type: 'button', onclick: () => this.p.onCancel() }, 'Cancel')));
    this.card(
      this.preview(),
      h('h1', {}, 'Ask to join'),
      this.roomLine(),
      h('p.gate-text', {}, 'This meeting has a lobby. A moderator lets people in.'),
      form);
    if (gate.condition === 'not-authorized' && this.knowsPassword) pw.focus();
    else name.focus();
  }

  setSending(on) {
    if (!this.knockBtn) return;
    this.knockBtn.disabled = on;
    this.knockBtn.textContent = on ? 'Asking…' : 'Ask to join';
  }

  renderWaiting() {
    this.knockBtn = null;
    this.card(
      h('div.gate-waiting', {}, this.preview(), h('span.gate-ring')),
      h('h1#lobby-waiting', {}, 'Asking to join…'),
      this.roomLine(),
      h('p.gate-text', {}, 'The moderator will let you in soon. Please wait.'),
      h('p.gate-as', {}, 'You will appear as ', h('strong', {}, this.p.name)),
      h('div.actions', {},
        h('button.secondary#lobby-cancel', { type: 'button', onclick: () => this.p.onCancel() }, 'Cancel')));
  }

  renderExpired() {
    this.knockBtn = null;
    this.card(
      h('span.gate-icon', { html: ICONS.door }),
      h('h1', {}, 'Nobody answered'),
      this.roomLine(),
      h('p.gate-text', {}, 'Your request to join timed out before a moderator answered it.'),
      h('div.actions', {},
        h('button.primary#lobby-knock-again', {
          type: 'button',
          onclick: () => this.p.onKnock({ name: this.p.name, password: '' }),
        }, 'Ask again'),
        h('button.secondary#lobby-cancel', { type: 'button', onclick: () => this.p.onCancel() }, 'Cancel')));
  }

  destroyVideo() {
    if (this.video) this.video.srcObject = null;
    this.video = null;
  }

  destroy() {
    this.destroyVideo();
  }
}
