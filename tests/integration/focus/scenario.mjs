// SPDX-License-Identifier: MIT
// Shared frame for the focus integration tests: a fresh Prosody (tests/lib/prosody.mjs) and a
// real parley-focus (tests/lib/focus.mjs) in a temporary directory, scripted XMPP clients,
// an overall deadline, and on failure the tails of both logs. Exit status: 0 pass, 1 fail,
// 77 skipped (a tool is missing). Must run inside tests/netns-run.sh (fixed ports).
// State belongs to the Node.js event loop thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startProsody, SkipError } from '../../lib/prosody.mjs';
import { startFocus } from '../../lib/focus.mjs';
import { XmppClient, missingModules, NS, child, mucPresence, stanzaError, xmlOf } from '../../lib/xmpp-client.mjs';

export { NS, child, mucPresence, stanzaError, xmlOf };

/** Prints a progress line to the test log. */
export function step(msg) {
  console.log(`# ${msg}`);
}

/**
 * Runs fn(ctx) with Prosody and parley-focus running (options: prosody = false to run
 * without either, focus = false for Prosody only, focusSettings, deadline in ms).
 * ctx: { dir, prosody, focus, domain, focusJid, mucDomain, connect(transport, opts),
 * newRoom(), startFocus(opts) }.
 */
export async function scenario(name, fn, opts = {}) {
  const deadlineMs = opts.deadline || 60000;
  const dir = mkdtempSync(path.join(os.tmpdir(), `parley-${name}-`));
  const ctx = { dir, prosody: null, focus: null, clients: [] };
  const deadline = setTimeout(() => {
    fail(new Error(`${name}: did not finish within ${deadlineMs} ms`));
  }, deadlineMs);

  function dumpLogs() {
    if (ctx.prosody) console.error(`---- prosody log (tail) ----\n${tailOf(ctx.prosody.readLog(), 40)}`);
    if (ctx.focus) console.error(`---- parley-focus log (tail) ----\n${tailOf(ctx.focus.log(), 80)}`);
    console.error(`(files kept in ${dir})`);
  }
  function fail(e) {
    if (e instanceof SkipError) {
      console.log(`SKIP ${name}: ${e.message}`);
      process.exit(77);
    }
    console.error(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    dumpLogs();
    process.exit(1);
  }

  try {
    if (missingModules) throw new SkipError(missingModules);
    if (opts.prosody !== false) {
      step('starting Prosody');
      ctx.prosody = await startProsody(dir);
      ctx.domain = ctx.prosody.domain;
      ctx.focusJid = `focus.${ctx.domain}`;
      ctx.mucDomain = `conference.${ctx.domain}`;
      ctx.startFocus = async (o = {}) => {
        ctx.focus = await startFocus(dir, ctx.prosody, {
          ...o, settings: { ...(opts.focusSettings || {}), ...(o.settings || {}) },
        });
        return ctx.focus;
      };
      if (opts.focus !== false) {
        step('starting parley-focus');
        await ctx.startFocus();
        step('parley-focus is connected');
      }
    }
    ctx.connect = async (transport, o = {}) => {
      const c = await XmppClient.connect({
        transport, domain: ctx.domain, port: ctx.prosody.httpPort, ...o,
      });
      ctx.clients.push(c);
      return c;
    };
    ctx.newRoom = (prefix = 'room') => `${prefix}-${randomBytes(4).toString('hex')}@${ctx.mucDomain}`;

    await fn(ctx);

    for (const c of ctx.clients) await c.close().catch(() => {});
    if (ctx.focus) {
      // stop() throws if the focus had died on its own during the test.
      const st = await ctx.focus.stop();
      step(`parley-focus stopped (${JSON.stringify(st)})`);
      if (st.signal === 'SIGKILL') throw new Error('parley-focus ignored SIGTERM for 5 s');
    }
    if (ctx.prosody) await ctx.prosody.stop();
  } catch (e) {
    fail(e);
  }
  clearTimeout(deadline);
  rmSync(dir, { recursive: true, force: true });
  console.log(`ok ${name}`);
  process.exit(0);
}

function tailOf(s, n) {
  return s.split('\n').slice(-n).join('\n');
}

/** Asserts the reply is an IQ result carrying <conference ready="true"/>; returns it. */
export function conferenceReady(reply) {
  const conf = child(reply, 'conference', NS.focus);
  if (reply.getAttribute('type') !== 'result' || !conf) {
    throw new Error(`conference request not answered with a result: ${xmlOf(reply)}`);
  }
  if (conf.getAttribute('ready') !== 'true') {
    throw new Error(`conference reply is not ready="true": ${xmlOf(reply)}`);
  }
  return conf;
}

/** Waits until `client` sees the focus occupant of `room`: nick "focus", real JID
 *  focusJid/..., affiliation owner. Returns its mucPresence. */
export async function waitForFocusOccupant(client, room, focusJid, { from = 0, timeout } = {}) {
  const el = await client.waitFor((s) => {
    if (s.localName !== 'presence') return false;
    const p = mucPresence(s);
    return p.room === room && p.nick === 'focus' && p.type === 'available';
  }, { from, timeout, what: `presence of the focus occupant ${room}/focus` });
  const p = mucPresence(el);
  if (!p.jid.startsWith(`${focusJid}/`)) {
    throw new Error(`focus occupant's real JID '${p.jid}' does not start with '${focusJid}/' `
      + `(clients would not recognise it as the focus): ${xmlOf(el)}`);
  }
  if (p.affiliation !== 'owner') {
    throw new Error(`focus occupant's affiliation is '${p.affiliation}', not owner: ${xmlOf(el)}`);
  }
  return p;
}

/** Waits for the client's own presence in `room` (status 110) showing role `role` and one of
 *  the affiliations given. Returns its mucPresence. */
export async function waitForSelfRole(client, room, nick, { role, affiliations, from = 0, timeout, what } = {}) {
  const el = await client.waitFor((s) => {
    if (s.localName !== 'presence') return false;
    const p = mucPresence(s);
    return s.getAttribute('from') === `${room}/${nick}` && p.self && p.type === 'available'
      && p.role === role && affiliations.includes(p.affiliation);
  }, { from, timeout, what: what || `own presence in ${room} as ${role} (${affiliations.join('/')})` });
  return mucPresence(el);
}
