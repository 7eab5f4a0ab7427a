// SPDX-License-Identifier: MIT
// A secure domain from the user's side (docs/production.md, "Authenticated moderators"):
// guests wait on a clear screen until a moderator has started the meeting (the focus answers
// their conference request not-authorized until then; the request is repeated by itself), and
// a moderator signs in with an account of the XMPP server to start it. Two screens: "Waiting
// for the host" (with "I am the host") and the sign-in form (wrong password: said on the form).
// Nothing of the meeting is shown: the server has not let anyone in yet.
// Main thread; one instance while one of the two screens is up.

import { clear, h } from './dom.js';
import { ICONS } from './icons.js';
import { displayRoomName } from '../room.js';

/**
 * The JID a moderator logs in with: "alice" -> "alice@<domain>"; a full "alice@host" is kept.
 * Returns null for an empty or malformed name.
 */
export function loginJid(user, domain) {
  const u = String(user ?? '').trim();
  if (!u || /[\s/"&'<>:]/.test(u)) return null;
  if (u.includes('@')) return /^[^@]+@[^@]+$/.test(u) ? u : null;
  return `${u}@${domain}`;
}

/** Secure domain: guests log in on their own host, moderators with an account. */
export function isSecureDomain(config) {
  return !!config?.anonymousdomain;
}

export class LoginView {
  /**
   * @param {HTMLElement} root
   * @param {object} p { room, domain, onSignIn({ jid, password }), onCancel() }
   */
  constructor(root, p) {
    this.root = root;
    this.p = p;
    this.screen = null;
  }

  card(...kids) {
    clear(this.root).append(h('main.gate-screen', {}, h('div.gate-card', {}, ...kids)));
  }

  roomLine() {
    return h('p.gate-room', {}, h('span.muted', {}, 'Meeting '), h('strong.room-name', {}, displayRoomName(this.p.room)));
  }

  /** The guest's screen: the meeting has not started; it starts by itself when the host comes. */
  showWaiting() {
    this.screen = 'waiting-for-host';
    this.card(
      h('div.gate-waiting', {}, h('span.gate-icon', { html: ICONS.door }), h('span.gate-ring')),
      h('h1#wait-host', {}, 'Waiting for the host'),
      this.roomLine(),
      h('p.gate-text', {}, 'This meeting has not started yet. You will join as soon as the host starts it; '
        + 'keep this page open.'),
      h('div.actions', {},
        h('button.secondary#host-sign-in', { type: 'button', onclick: () => this.showSignIn() }, 'I am the host'),
        h('button.secondary#wait-cancel', { type: 'button', onclick: () => this.p.onCancel() }, 'Cancel')));
  }

  /** The moderator's sign-in form; @error (text) says why the last attempt failed. */
  showSignIn(error = null, user = '') {
    this.screen = 'sign-in';
    const userInput = h('input#login-user', {
      type: 'text', name: 'username', autocomplete: 'username', required: true, maxlength: '256',
      value: user, placeholder: `name or name@${this.p.domain}`, autocapitalize: 'off', spellcheck: 'false',
    });
    const pw = h('input#login-password', {
      type: 'password', name: 'password', autocomplete: 'current-password', required: true, maxlength: '1024',
      ariaInvalid: error ? 'true' : 'false',
    });
    const err = h('p.gate-error#login-error', { role: 'alert', hidden: !error },
      h('span.icon', { html: ICONS.warn }), h('span', {}, error ?? ''));
    const submit = h('button.primary#login-submit', { type: 'submit' }, 'Sign in');
    const form = h('form.gate-form', {
      onsubmit: (e) => {
        e.preventDefault();
        const jid = loginJid(userInput.value, this.p.domain);
        if (!jid) {
          err.hidden = false;
          err.lastChild.textContent = 'Enter your user name, such as alice or alice@' + this.p.domain + '.';
          userInput.focus();
          return;
        }
        if (!pw.value) { pw.focus(); return; }
        submit.disabled = true;
        submit.textContent = 'Signing in…';
        this.p.onSignIn({ jid, password: pw.value });
      },
    },
    h('label.field', {}, h('span', {}, 'User name'), userInput),
    h('label.field', {}, h('span', {}, 'Password'), pw),
    err,
    h('div.actions', {}, submit,
      h('button.secondary#login-cancel', { type: 'button', onclick: () => this.p.onCancel() }, 'Cancel')));
    this.card(
      h('span.gate-icon', { html: ICONS.lock }),
      h('h1', {}, 'Sign in to start the meeting'),
      this.roomLine(),
      h('p.gate-text', {}, 'Hosts sign in with their account on this server. Guests join once the meeting has started.'),
      form);
    (user ? pw : userInput).focus();
  }

  destroy() {
    this.screen = null;
  }
}
