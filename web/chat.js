// SPDX-License-Identifier: MIT
// The meeting's chat: MUC groupchat to everyone, private messages to one participant (MUC
// private messages, as Jitsi Meet sends them), the room's recent history for late joiners
// (the XMPP server's MUC history, marked with a XEP-0203 delay), and the unread count. Each
// message keeps the sender's name as it was when it was written: the <nick> the message
// carries, else the sender's display name at arrival. Text is text: nothing here or in the UI
// interprets peer text as markup (see linkify()).
// Main thread; one Chat per Conference, fed by its MucRoom.
//
// Events (CustomEvent detail):
//   message  { message }   a message arrived or was sent (message: see add())
//   unread   { count }      the unread count changed
//   error    { message }    a private message could not be delivered

const MAX_MESSAGES = 500;
export const MAX_TEXT = 4000;

/**
 * Splits text into plain runs and web links: [{ text }, { text, href }]. Only http(s) URLs
 * become links; trailing punctuation stays text. The UI builds DOM nodes from the parts
 * (text nodes and <a> elements), so nothing a peer writes is ever parsed as HTML.
 */
export function linkify(text) {
  const out = [];
  const re = /\bhttps?:\/\/[^\s<>"']+/gi;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let url = m[0];
    const trail = /[.,;:!?)\]}]+$/.exec(url);
    if (trail) url = url.slice(0, -trail[0].length);
    let href = null;
    try {
      const u = new URL(url);
      if (u.protocol === 'http:' || u.protocol === 'https:') href = u.href;
    } catch { /* not a URL after all */ }
    if (!href) continue;
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    out.push({ text: url, href });
    last = m.index + url.length;
    re.lastIndex = last;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

let seq = 0;

export class Chat extends EventTarget {
  /**
   * @param {object} p
   * @param {() => string} p.selfId         our endpoint id (MUC nick)
   * @param {() => string} p.selfName       our display name
   * @param {(id: string) => string|null} p.nameOf   a participant's current display name
   */
  constructor(p) {
    super();
    this.p = p;
    this.messages = [];
    this.unread = 0;
    this.open = false; // the chat panel is showing: nothing is unread
    this.room = null;
  }

  /** Starts listening to a room (called before the join, so history is not missed). */
  attach(room) {
    this.room = room;
    room.addEventListener('message', (e) => this.onMessage(e.detail));
    room.addEventListener('message-error', (e) => this.onError(e.detail));
  }

  onMessage(m) {
    if (m.private && m.mine) return; // our own private message, reflected: added when sent
    // Our own groupchat messages come back from the room: that is the copy we show.
    const name = m.mine ? this.p.selfName() : (m.displayName || this.p.nameOf(m.from) || null);
    this.add({
      from: m.from, name, text: m.text, private: m.private, mine: m.mine, history: m.delayed,
      at: m.at ?? Date.now(), to: null,
    });
  }

  onError(e) {
    const msg = this.messages.find((x) => x.id === e.id);
    if (msg) msg.failed = e.error;
    this.dispatchEvent(new CustomEvent('error', {
      detail: { message: e.error === 'item-not-found' || e.error === 'recipient-unavailable'
        ? 'The message could not be delivered: that participant has left.'
        : 'The message could not be delivered.' },
    }));
  }

  add(m) {
    const message = { id: m.id ?? `m${++seq}`, ...m };
    this.messages.push(message);
    if (this.messages.length > MAX_MESSAGES) this.messages.shift();
    if (!message.mine && !message.history && !this.open) {
      this.unread++;
      this.dispatchEvent(new CustomEvent('unread', { detail: { count: this.unread } }));
    }
    this.dispatchEvent(new CustomEvent('message', { detail: { message } }));
    return message;
  }

  /**
   * Sends `text` to everyone (to = null) or privately to the participant `to` (endpoint id).
   * Returns false when there is nothing to send or no room.
   */
  send(text, to = null) {
    const t = String(text ?? '').replace(/\s+$/, '').slice(0, MAX_TEXT);
    if (!t.trim() || !this.room?.joined) return false;
    const id = `parley-${Date.now().toString(36)}-${(++seq).toString(36)}`;
    this.room.sendMessage(t, to, id);
    if (to) {
      // A private message is not echoed back by the room: show it now.
      this.add({
        id, from: this.p.selfId(), name: this.p.selfName(), text: t, private: true, mine: true,
        history: false, at: Date.now(), to, toName: this.p.nameOf(to),
      });
    }
    return true;
  }

  setOpen(open) {
    this.open = !!open;
    if (this.open && this.unread) {
      this.unread = 0;
      this.dispatchEvent(new CustomEvent('unread', { detail: { count: 0 } }));
    }
  }

  /** Snapshot for the test hook. */
  snapshot() {
    return this.messages.map((m) => ({
      from: m.from, name: m.name, text: m.text, private: m.private, mine: m.mine,
      history: m.history, to: m.to ?? null, failed: m.failed ?? null,
    }));
  }
}
