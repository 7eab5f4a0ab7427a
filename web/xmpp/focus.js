// SPDX-License-Identifier: MIT
// The conference request (jitsi-wire-reference §1): an IQ set to focus.<domain> with the room
// JID and our machine-uid, retried with exponential backoff (1 s doubling, capped at 120 s)
// while the focus answers ready="false". A guest of a secure domain (waitForHost) whose room no
// moderator has opened yet gets not-authorized, and asks again every WAIT_FOR_HOST_MS, as Jitsi
// Meet's "waiting for the host" does. Main thread; no state beyond one request loop.

import { NS } from '../jingle/ns.js';
import { IqError } from './connection.js';

/** How often a guest waiting for the host asks again. */
export const WAIT_FOR_HOST_MS = 3000;

/** Backoff delays: 1 s, 2 s, 4 s ... capped. */
export function backoffDelay(attempt, stepMs = 1000, capMs = 120000) {
  return Math.min(stepMs * 2 ** Math.max(0, attempt), capMs);
}

/**
 * Errors that mean the focus is not there (as opposed to refusing us). `forbidden` is here
 * because ejabberd answers an IQ to a disconnected component with auth/forbidden ("Access
 * denied by service policy") where Prosody says wait/remote-server-timeout; Parley's focus
 * never answers the conference request with forbidden itself.
 */
export const UNREACHABLE = new Set(['timeout', 'service-unavailable', 'remote-server-not-found',
  'remote-server-timeout', 'recipient-unavailable', 'item-not-found', 'not-connected',
  'forbidden']);

export class FocusError extends Error {
  constructor(code, message, cause) {
    super(message);
    this.code = code; // 'focus-unreachable' | 'not-authorized' | 'rejected' | 'cancelled'
    this.cause = cause;
  }
}

/**
 * Sends the conference request until the focus is ready.
 * @param {import('./connection.js').XmppConnection} xmpp
 * @param {object} p { focus, room, machineUid, signal?: AbortSignal, waitForHost?: boolean,
 *                     onWait?: (info: {reason, delayMs, attempt}) => void,
 *                     maxUnreachable?: number, sleep?: (ms) => Promise }
 * @returns {Promise<{ focusJid: string|null, sessionId: string|null, properties: object }>}
 */
export async function requestConference(xmpp, p) {
  const sleep = p.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const maxUnreachable = p.maxUnreachable ?? 3;
  let notReady = 0;
  let unreachable = 0;
  let hostWaits = 0;
  for (;;) {
    if (p.signal?.aborted) throw new FocusError('cancelled', 'cancelled');
    const iq = xmpp.$iq({ type: 'set', to: p.focus })
      .c('conference', { xmlns: NS.FOCUS, room: p.room, 'machine-uid': p.machineUid })
      .c('property', { name: 'rtcstatsEnabled', value: 'false' }).up();
    let res;
    try {
      res = await xmpp.sendIQ(iq, p.timeoutMs ?? 10000);
    } catch (e) {
      if (!(e instanceof IqError)) throw e;
      if (e.condition === 'not-authorized' && p.waitForHost) {
        p.onWait?.({ reason: 'waiting-for-host', delayMs: WAIT_FOR_HOST_MS, attempt: ++hostWaits });
        await sleep(WAIT_FOR_HOST_MS);
        continue;
      }
      if (e.condition === 'not-authorized') {
        throw new FocusError('not-authorized', 'the conference service requires authentication', e);
      }
      if (UNREACHABLE.has(e.condition) && ++unreachable < maxUnreachable) {
        const delayMs = backoffDelay(unreachable - 1);
        p.onWait?.({ reason: e.condition, delayMs, attempt: unreachable });
        await sleep(delayMs);
        continue;
      }
      if (UNREACHABLE.has(e.condition)) {
        throw new FocusError('focus-unreachable', `the conference service is not answering (${e.condition})`, e);
      }
      throw new FocusError('rejected', `the conference service refused the request (${e.condition})`, e);
    }
    const conf = res.getElementsByTagNameNS(NS.FOCUS, 'conference')[0];
    const properties = {};
    if (conf) {
      for (const pr of Array.from(conf.getElementsByTagName('property'))) {
        properties[pr.getAttribute('name')] = pr.getAttribute('value');
      }
    }
    if (conf && conf.getAttribute('ready') === 'true') {
      return {
        focusJid: conf.getAttribute('focusjid'),
        sessionId: conf.getAttribute('session-id'),
        properties,
      };
    }
    const delayMs = backoffDelay(notReady++);
    p.onWait?.({ reason: 'not-ready', delayMs, attempt: notReady });
    await sleep(delayMs);
  }
}
