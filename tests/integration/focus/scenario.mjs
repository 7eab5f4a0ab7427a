// SPDX-License-Identifier: MIT
// Shared frame for the focus integration tests: a fresh XMPP server (Prosody or ejabberd, from
// $PARLEY_XMPP_SERVER; tests/lib/xmpp-server.mjs) and a real parley-focus (tests/lib/focus.mjs)
// in a temporary directory, scripted XMPP clients, an overall deadline, and on failure the
// tails of both logs. The same test must pass on both servers: where they differ, Parley (the
// focus) has to cope, not the test. Exit status: 0 pass, 1 fail, 77 skipped (a tool is
// missing). Must run inside tests/netns-run.sh (fixed ports).
// State belongs to the Node.js event loop thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { SkipError } from '../../lib/prosody.mjs';
import { startXmppServer, serverKind } from '../../lib/xmpp-server.mjs';
import { startFocus } from '../../lib/focus.mjs';
import { XmppClient, missingModules, NS, child, mucPresence, stanzaError, xmlOf } from '../../lib/xmpp-client.mjs';

export { NS, child, mucPresence, stanzaError, xmlOf };

/** Prints a progress line to the test log. */
export function step(msg) {
  console.log(`# ${msg}`);
}

/**
 * Runs fn(ctx) with the XMPP server and parley-focus running (options: server = false (or
 * prosody = false) to run without either, focus = false for the server only, focusSettings,
 * serverOptions (startXmppServer's: genArgs, accounts), deadline in ms). The test's name gets the suffix -<server> unless the server is Prosody.
 * ctx: { dir, server (alias prosody), serverKind, focus, domain, focusJid, mucDomain,
 * connect(transport, opts), newRoom(), startFocus(opts) }.
 */
export async function scenario(baseName, fn, opts = {}) {
  const kind = serverKind();
  const name = kind === 'prosody' ? baseName : `${baseName}-${kind}`;
  const deadlineMs = opts.deadline || 60000;
  const dir = mkdtempSync(path.join(os.tmpdir(), `parley-${name}-`));
  const ctx = { dir, server: null, prosody: null, serverKind: kind, focus: null, clients: [] };
  const deadline = setTimeout(() => {
    fail(new Error(`${name}: did not finish within ${deadlineMs} ms`));
  }, deadlineMs);

  function dumpLogs() {
    if (ctx.server) console.error(`---- ${ctx.server.name} log (tail) ----\n${tailOf(ctx.server.readLog(), 40)}`);
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
    if (opts.server !== false && opts.prosody !== false) {
      const t0 = performance.now();
      ctx.server = await startXmppServer(dir, { kind, ...(opts.serverOptions || {}) });
      ctx.prosody = ctx.server; // older name, kept for tests written against Prosody only
      step(`${ctx.server.name} started in ${(performance.now() - t0).toFixed(0)} ms`);
      ctx.domain = ctx.server.domain;
      ctx.focusJid = `focus.${ctx.domain}`;
      ctx.mucDomain = `conference.${ctx.domain}`;
      ctx.startFocus = async (o = {}) => {
        ctx.focus = await startFocus(dir, ctx.server, {
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
        transport, domain: ctx.domain, port: ctx.server.httpPort, ...o,
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
    if (ctx.server) await ctx.server.stop();
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

/**
 * Conditions a MUC service answers when someone who may not create rooms joins a room that
 * does not exist. XEP-0045 §10.1.1 says not-allowed (Prosody); ejabberd 23.01 says forbidden
 * ("Room creation is denied by service policy"). Both mean the same to the user: refused.
 * Any other condition (not-authorized for a password, registration-required for members-only,
 * service-unavailable, ...) is a different refusal and must not pass for this one.
 */
export const ROOM_CREATION_REFUSED = ['not-allowed', 'forbidden'];

/** True if a refused join (mucPresence().error) says "you may not create this room". */
export function isRoomCreationRefused(error) {
  return !!error && ROOM_CREATION_REFUSED.includes(error.condition);
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
