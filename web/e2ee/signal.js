// SPDX-License-Identifier: MIT
// E2EE on the XMPP wire (docs/e2ee.md, "Signalling"), namespace urn:parley:e2ee:0:
//   - in every participant's MUC presence: <e2ee supported="true" x25519="…" p256="…"/>
//     (its public keys), or supported="false" from a browser that cannot encrypt; moderators
//     add the meeting's state: enabled="true|false" v="N";
//   - MUC private messages (type chat, no body) carry the wrapped media keys,
//     <e2ee type="keys" seq="N">base64</e2ee>, their acknowledgements,
//     <e2ee type="ack" seq="N"/>, and requests for them from a participant who gets frames it
//     has no key for, <e2ee type="request" seq="0"/>.
// The meeting's state is what the moderators declare: the declaration with the highest
// version wins (on beats off at the same version); declarations from anyone who is not a
// moderator (the role the MUC service stamps on the presence) are ignored.
// Pure: parses DOM elements, builds with a strophe-like builder; no state.

import { fromB64, toB64 } from './exchange.js';

export const NS_E2EE = 'urn:parley:e2ee:0';

function child(el, name, ns) {
  for (let n = el?.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && n.localName === name && (!ns || n.namespaceURI === ns)) return n;
  }
  return null;
}

/**
 * What a presence says about E2EE: null without our element; else { supported, pubs:
 * { x25519?, p256? } (Uint8Array), state: { enabled, v } | null }.
 */
export function parsePresence(pres) {
  const el = child(pres, 'e2ee', NS_E2EE);
  if (!el) return null;
  const pubs = {};
  for (const [c, len] of [['x25519', 32], ['p256', 65]]) {
    const v = el.getAttribute(c);
    if (!v) continue;
    try {
      const b = fromB64(v);
      if (b.length === len) pubs[c] = b;
    } catch { /* not base64: ignored */ }
  }
  const supported = el.getAttribute('supported') !== 'false' && Object.keys(pubs).length > 0;
  let state = null;
  const en = el.getAttribute('enabled');
  const v = Number.parseInt(el.getAttribute('v') ?? '', 10);
  if ((en === 'true' || en === 'false') && Number.isInteger(v) && v >= 0) state = { enabled: en === 'true', v };
  return { supported, pubs, state };
}

/**
 * Adds our <e2ee/> to a presence builder: `me` is { supported, pubs } and `state` the
 * meeting's state when we are a moderator (else null).
 */
export function addPresence(b, me, state) {
  const attrs = { xmlns: NS_E2EE, supported: String(!!me.supported) };
  if (me.supported) for (const [c, pub] of Object.entries(me.pubs ?? {})) attrs[c] = toB64(pub);
  if (state) {
    attrs.enabled = String(!!state.enabled);
    attrs.v = String(state.v);
  }
  b.c('e2ee', attrs).up();
  return b;
}

/** Whether a declaration should replace the state we follow. */
export function supersedes(decl, cur) {
  if (!decl) return false;
  if (!cur) return true;
  return decl.v > cur.v || (decl.v === cur.v && decl.enabled && !cur.enabled);
}

/** The meeting's state from occupants' declarations [{ role, state }]: moderators only. */
export function meetingState(declarations, base = null) {
  let cur = base;
  for (const d of declarations) {
    if (d.role !== 'moderator' || !d.state) continue;
    if (supersedes(d.state, cur)) cur = d.state;
  }
  return cur;
}

/**
 * An E2EE message (<message> element) from an occupant: { type: 'keys', seq, payload } |
 * { type: 'ack' | 'request', seq } | null.
 */
export function parseMessage(msg) {
  const el = child(msg, 'e2ee', NS_E2EE);
  if (!el) return null;
  const type = el.getAttribute('type');
  const seq = Number.parseInt(el.getAttribute('seq') ?? '', 10);
  if (!Number.isInteger(seq) || seq < 0) return null;
  if (type === 'ack' || type === 'request') return { type, seq };
  if (type === 'keys') {
    const payload = (el.textContent ?? '').trim();
    if (!payload || payload.length > 4096) return null;
    return { type, seq, payload };
  }
  return null;
}

/** A private message to `to` (room@muc/nick) carrying keys or an ack. */
export function buildMessage(xmpp, to, { type, seq, payload }) {
  const b = xmpp.$msg({ to, type: 'chat', id: `e2ee-${type}-${seq}-${Math.random().toString(36).slice(2, 8)}` })
    .c('e2ee', { xmlns: NS_E2EE, type, seq: String(seq) });
  if (payload) b.t(payload);
  b.up();
  // Not for archives or offline storage: keys of a meeting that is over are of no use.
  b.c('no-store', { xmlns: 'urn:xmpp:hints' }).up();
  b.c('x', { xmlns: 'http://jabber.org/protocol/muc#user' }).up();
  return b;
}
