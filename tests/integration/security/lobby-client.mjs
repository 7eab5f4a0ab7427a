// SPDX-License-Identifier: MIT
// What a client of the focus's room security needs (docs/security.md, urn:parley:lobby:0):
// the request stanzas, waiting for the focus's headline notifications, and joining the way a
// Jitsi client does (conference request first) with the Jingle-answering client of
// tests/integration/jingle/harness.mjs, so a test can tell whether someone got a media offer.
// State belongs to the Node.js event loop thread.
import assert from 'node:assert/strict';
import { JingleClient, LJM_FEATURES } from '../jingle/harness.mjs';
import { NS, child, children, esc, mucPresence, stanzaError, xmlOf } from '../../lib/xmpp-client.mjs';

export const LNS = 'urn:parley:lobby:0';

/** Request payloads (docs/security.md "Requests"). */
export const req = {
  lobbySet: (room, enabled) => `<lobby xmlns="${LNS}" room="${esc(room)}" enabled="${enabled}"/>`,
  lobbyGet: (room) => `<lobby xmlns="${LNS}" room="${esc(room)}"/>`,
  password: (room, value) => `<password xmlns="${LNS}" room="${esc(room)}" value="${esc(value)}"/>`,
  knock: (room, nick, password) => `<knock xmlns="${LNS}" room="${esc(room)}" nick="${esc(nick)}"`
    + `${password !== undefined ? ` password="${esc(password)}"` : ''}/>`,
  cancel: (room, id) => `<cancel xmlns="${LNS}" room="${esc(room)}" knock="${esc(id)}"/>`,
  admit: (room, id) => `<admit xmlns="${LNS}" room="${esc(room)}" knock="${esc(id)}"/>`,
  refuse: (room, id, reason) => `<refuse xmlns="${LNS}" room="${esc(room)}" knock="${esc(id)}"`
    + `${reason ? ` reason="${esc(reason)}"` : ''}/>`,
};

/** Sends a request to the focus; resolves with the reply stanza. */
export function ask(xmpp, focusJid, type, payload) {
  return xmpp.iq(type, focusJid, payload);
}

/** Asserts an empty (or any) IQ result. */
export function expectResult(reply, what) {
  assert.equal(reply.getAttribute('type'), 'result', `${what}: ${xmlOf(reply)}`);
  return reply;
}

/** Asserts an IQ error with this type and condition. */
export function expectIqError(reply, type, condition, what) {
  const e = stanzaError(reply);
  assert.ok(e, `${what}: expected ${type}/${condition}, got ${xmlOf(reply)}`);
  assert.equal(`${e.type}/${e.condition}`, `${type}/${condition}`, `${what}: ${xmlOf(reply)}`);
  return e;
}

/**
 * Waits for a headline <message> from the focus carrying <name xmlns=LNS> with attributes
 * matching `attrs` (a value of undefined only requires presence); resolves with the element.
 */
export async function waitNote(xmpp, focusJid, name, attrs = {}, { from = 0, timeout = 10000 } = {}) {
  const m = await xmpp.waitFor((s) => {
    if (s.localName !== 'message' || s.getAttribute('type') !== 'headline') return false;
    if (s.getAttribute('from') !== focusJid) return false;
    const el = child(s, name, LNS);
    if (!el) return false;
    return Object.entries(attrs).every(([k, v]) => (v === undefined ? el.hasAttribute(k) : el.getAttribute(k) === v));
  }, { from, timeout, what: `<${name} ${JSON.stringify(attrs)}/> notification from ${focusJid}` });
  return child(m, name, LNS);
}

/** Notifications of this kind received from index `from` (elements). */
export function notes(xmpp, focusJid, name, { from = 0 } = {}) {
  return xmpp.received.slice(from).filter((s) => s.localName === 'message'
    && s.getAttribute('from') === focusJid && child(s, name, LNS)).map((s) => child(s, name, LNS));
}

/**
 * A participant that has asked the focus for the conference (ready="true") but not joined
 * the room yet; Jingle IQs are acknowledged and kept (c.jingles). Returns { c, conf }.
 */
export async function newcomer(ctx, room, nick, { transport = 'websocket' } = {}) {
  const xmpp = await ctx.connect(transport, { name: nick });
  const c = new JingleClient(ctx, xmpp, room, nick, LJM_FEATURES);
  const reply = await xmpp.conferenceRequest(ctx.focusJid, room);
  const conf = child(reply, 'conference', NS.focus);
  assert.ok(reply.getAttribute('type') === 'result' && conf?.getAttribute('ready') === 'true',
    `${nick}: conference request not ready: ${xmlOf(reply)}`);
  return { c, conf };
}

/** The value of <property name=...> in a <conference/> reply element, or null. */
export function confProperty(conf, name) {
  const p = children(conf, 'property').find((e) => e.getAttribute('name') === name);
  return p ? p.getAttribute('value') : null;
}

/** Joins (optionally with a password) and asserts success; returns the self mucPresence. */
export async function joinOk(c, password) {
  const p = await c.xmpp.joinRoom(c.room, c.nick, { password });
  assert.equal(p.error, null, `${c.nick} joins: ${JSON.stringify(p.error)}`);
  return p;
}

/** Joins and asserts the server refuses with `condition`; returns the error. */
export async function joinRefused(c, condition, password) {
  const p = await c.xmpp.joinRoom(c.room, c.nick, { password });
  assert.ok(p.error, `${c.nick} must be refused (${condition}) but joined`);
  assert.equal(p.error.condition, condition, `${c.nick} refused: ${JSON.stringify(p.error)}`);
  return p.error;
}

/** Waits for the client's own presence in its room with this role and affiliation. */
export async function waitSelf(c, { role, affiliation, from = 0, timeout = 10000 }) {
  const el = await c.xmpp.waitFor((s) => {
    if (s.localName !== 'presence') return false;
    const p = mucPresence(s);
    return s.getAttribute('from') === `${c.room}/${c.nick}` && p.self && p.type === 'available'
      && (!role || p.role === role) && (!affiliation || p.affiliation === affiliation);
  }, { from, timeout, what: `own presence of ${c.nick} as ${role || '*'}/${affiliation || '*'}` });
  return mucPresence(el);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
