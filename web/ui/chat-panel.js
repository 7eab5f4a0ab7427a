// SPDX-License-Identifier: MIT
// The chat panel: the meeting's messages (room history marked as earlier, private messages
// marked with who they went to or came from), a "To" choice (everyone or one participant) and
// the message box. Peer text is only ever put into text nodes; web links become <a> elements
// built from chat.js's linkify(), never markup.
// Main thread; one instance per meeting view, shown and hidden by it.

import { clear, h, hueFor, initials } from './dom.js';
import { ICONS } from './icons.js';
import { linkify, MAX_TEXT } from '../chat.js';

function timeOf(at) {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Text of a message as DOM nodes: text nodes and links (new tab, no referrer). */
export function messageNodes(text) {
  return linkify(text).map((part) => (part.href
    ? h('a', { href: part.href, target: '_blank', rel: 'noopener noreferrer' }, part.text)
    : document.createTextNode(part.text)));
}

export class ChatPanel {
  /**
   * @param {object} p { chat: Chat, conference, onClose() }
   */
  constructor(p) {
    this.p = p;
    this.el = this.build();
    this.el.hidden = true;
    this.rendered = 0;
    this.lastGroup = null;
  }

  get open() { return !this.el.hidden; }

  build() {
    this.list = h('ol.chat-list#chat-list', { ariaLive: 'polite' });
    this.empty = h('p.chat-empty', {}, 'No messages yet. Messages go to everyone unless you pick one person.');
    this.to = h('select#chat-to', { ariaLabel: 'Send to' });
    this.input = h('textarea#chat-input', {
      rows: 2, maxlength: String(MAX_TEXT), placeholder: 'Write a message…', ariaLabel: 'Message',
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.send();
      }
    });
    this.sendBtn = h('button.primary.small#chat-send', { type: 'submit', title: 'Send (Enter)' },
      h('span.icon', { html: ICONS.send }), 'Send');
    this.privateNote = h('p.chat-private-note', { hidden: true });
    const form = h('form.chat-form', { onsubmit: (e) => { e.preventDefault(); this.send(); } },
      h('label.chat-to-line', {}, h('span', {}, 'To'), this.to),
      this.privateNote,
      h('div.chat-compose', {}, this.input, this.sendBtn));
    return h('aside.side-panel.chat-panel#chat-panel', { role: 'dialog', ariaLabel: 'Chat' },
      h('header.panel-head', {},
        h('span.panel-head-icon', { html: ICONS.chat }),
        h('h2', {}, 'Chat'),
        h('button.ghost.icon-only#chat-close', { type: 'button', ariaLabel: 'Close', title: 'Close', onclick: () => this.p.onClose() },
          h('span.icon', { html: ICONS.close }))),
      h('div.chat-body', {}, this.empty, this.list),
      form);
  }

  show() {
    this.el.hidden = false;
    this.update();
    this.p.chat.setOpen(true);
    this.scrollDown();
    setTimeout(() => this.input.focus(), 0);
  }

  hide() {
    this.el.hidden = true;
    this.p.chat.setOpen(false);
  }

  /** Opens the panel with a private message to `id` chosen. */
  replyTo(id) {
    this.updateRecipients();
    if ([...this.to.options].some((o) => o.value === id)) this.to.value = id;
    this.updateNote();
  }

  send() {
    const text = this.input.value;
    const to = this.to.value || null;
    if (!text.trim()) return;
    if (this.p.chat.send(text, to)) this.input.value = '';
    this.input.focus();
  }

  updateRecipients() {
    const want = this.to.value;
    const parts = [...this.p.conference.participants.values()]
      .sort((a, b) => (a.displayName ?? '').localeCompare(b.displayName ?? ''));
    clear(this.to);
    this.to.append(h('option', { value: '' }, 'Everyone'));
    for (const q of parts) {
      this.to.append(h('option', { value: q.id }, `${q.displayName || `Guest ${q.id.slice(0, 4)}`} (private)`));
    }
    this.to.value = [...this.to.options].some((o) => o.value === want) ? want : '';
    this.updateNote();
  }

  updateNote() {
    const id = this.to.value;
    const name = id ? this.p.conference.participants.get(id)?.displayName || 'this participant' : null;
    this.privateNote.hidden = !id;
    this.privateNote.textContent = id ? `Private: only ${name} will see this message.` : '';
    this.el.classList.toggle('private', !!id);
  }

  /** Renders messages that arrived since the last call (and the recipients list). */
  update() {
    this.updateRecipients();
    const msgs = this.p.chat.messages;
    if (this.rendered > msgs.length) {
      clear(this.list);
      this.rendered = 0;
      this.lastGroup = null;
    }
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    for (; this.rendered < msgs.length; this.rendered++) this.list.append(this.item(msgs[this.rendered]));
    this.empty.hidden = msgs.length > 0;
    if (atBottom || msgs.at(-1)?.mine) this.scrollDown();
  }

  item(m) {
    // Consecutive messages from one sender (same kind, within 3 minutes) share a header.
    const group = `${m.from}|${m.private}|${m.to ?? ''}|${m.history}`;
    const same = this.lastGroup && this.lastGroup.key === group && m.at - this.lastGroup.at < 180000;
    this.lastGroup = { key: group, at: m.at };
    const name = m.name || `Guest ${String(m.from).slice(0, 4)}`;
    const kids = [];
    if (!same) {
      const who = m.mine ? 'You' : name;
      const privacy = m.private
        ? h('span.chat-private', {}, m.mine ? `privately to ${m.toName || 'them'}` : 'privately to you')
        : null;
      const reply = m.private && !m.mine && this.p.conference.participants.has(m.from)
        ? h('button.ghost.small.chat-reply', { type: 'button', onclick: () => this.replyTo(m.from) }, 'Reply')
        : null;
      kids.push(h('div.chat-meta', {},
        h('span.avatar.chat-avatar', { style: `--hue:${hueFor(m.from)}` }, initials(name)),
        h('span.chat-name', {}, who), privacy,
        h('time.chat-time', { title: new Date(m.at).toLocaleString() }, timeOf(m.at)), reply));
    }
    kids.push(h('p.chat-text', {}, messageNodes(m.text)));
    if (m.failed) kids.push(h('p.chat-failed', {}, 'Not delivered'));
    const cls = ['mine', 'private', 'history'].filter((k) => m[k]).map((k) => `.${k}`).join('');
    return h(`li.chat-msg${cls}${same ? '.cont' : ''}`, { dataset: { from: m.from } }, kids);
  }

  scrollDown() {
    this.list.scrollTop = this.list.scrollHeight;
  }

  destroy() {
    this.hide();
  }
}
