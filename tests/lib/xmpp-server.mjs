// SPDX-License-Identifier: MIT
// The XMPP server under test, Prosody or ejabberd, behind one interface. Parley must behave
// the same on both, so tests take the server from $PARLEY_XMPP_SERVER (prosody | ejabberd,
// default prosody) and never ask which one runs, except to name it in messages.
// Each server has a shell harness with the same contract (tests/lib/prosody.sh,
// tests/lib/ejabberd.sh: start|stop <dir>, same domain, hosts, account and ports). Tests must
// run inside tests/netns-run.sh: the ports are fixed. State belongs to the Node.js event loop.
//
//   const server = await startXmppServer(dir);  // throws SkipError if the server is missing
//   ... server.kind, server.domain, server.httpPort, server.readLog() ...
//   await server.restart(); await server.stop();
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { SkipError } from './prosody.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

export const SERVERS = {
  prosody: {
    name: 'Prosody',
    script: path.join(here, 'prosody.sh'),
    log: 'prosody.log',
    addressVar: 'PARLEY_PROSODY_ADDRESS',
    logLevelVar: 'PARLEY_PROSODY_LOG_LEVEL',
  },
  ejabberd: {
    name: 'ejabberd',
    script: path.join(here, 'ejabberd.sh'),
    log: 'ejabberd.log',
    addressVar: 'PARLEY_XMPP_ADDRESS',
    logLevelVar: 'PARLEY_EJABBERD_LOG_LEVEL',
  },
};

/** The server kind the tests run against: $PARLEY_XMPP_SERVER, default prosody. */
export function serverKind() {
  const kind = process.env.PARLEY_XMPP_SERVER || 'prosody';
  if (!SERVERS[kind]) {
    throw new Error(`PARLEY_XMPP_SERVER=${kind}: expected one of ${Object.keys(SERVERS).join(', ')}`);
  }
  return kind;
}

function run(script, args, env) {
  return new Promise((resolve) => {
    execFile('bash', [script, ...args], { env, timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * Starts the XMPP server with its config, data and log in `dir`. opts: kind (default
 * serverKind()), domain, secret, bridgePassword, address, c2sPort, componentPort, httpPort,
 * logLevel, genArgs (more options for the config generator, e.g. ['--secure-domain']),
 * accounts (more accounts: ['name:password' on auth.DOMAIN, 'name@host:password']).
 * Resolves with { kind, name, dir, domain, secret, bridgePassword, address,
 * c2sPort, componentPort, httpPort, logPath, stop(), restart(), readLog() }.
 */
export async function startXmppServer(dir, opts = {}) {
  const kind = opts.kind || serverKind();
  const srv = SERVERS[kind];
  if (!srv) throw new Error(`unknown XMPP server kind '${kind}'`);
  const cfg = {
    kind,
    name: srv.name,
    dir,
    domain: opts.domain || process.env.PARLEY_DOMAIN || 'meet.parley.test',
    secret: opts.secret || process.env.PARLEY_FOCUS_SECRET || 'focussecret',
    bridgePassword: opts.bridgePassword || process.env.PARLEY_BRIDGE_PASSWORD || 'bridgepass',
    address: opts.address || '127.0.0.1',
    c2sPort: opts.c2sPort || 5222,
    componentPort: opts.componentPort || 5347,
    httpPort: opts.httpPort || 5280,
    logLevel: opts.logLevel || process.env[srv.logLevelVar] || 'info',
  };
  const env = {
    ...process.env,
    PARLEY_DOMAIN: cfg.domain,
    PARLEY_FOCUS_SECRET: cfg.secret,
    PARLEY_BRIDGE_PASSWORD: cfg.bridgePassword,
    [srv.addressVar]: cfg.address,
    PARLEY_C2S_PORT: String(cfg.c2sPort),
    PARLEY_COMPONENT_PORT: String(cfg.componentPort),
    PARLEY_HTTP_PORT: String(cfg.httpPort),
    [srv.logLevelVar]: cfg.logLevel,
  };
  if (opts.genArgs?.length) env.PARLEY_GEN_ARGS = opts.genArgs.join(' ');
  if (opts.accounts?.length) env.PARLEY_EXTRA_ACCOUNTS = opts.accounts.join(' ');
  const logPath = path.join(dir, srv.log);
  const handle = {
    ...cfg,
    logPath,
    running: false,
    async start() {
      const r = await run(srv.script, ['start', dir], env);
      if (r.code === 77) throw new SkipError(r.stderr.trim() || `${srv.name} is not installed`);
      if (r.code !== 0) throw new Error(`starting ${srv.name} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
      handle.running = true;
    },
    async stop() {
      const r = await run(srv.script, ['stop', dir], env);
      handle.running = false;
      if (r.code !== 0) throw new Error(`stopping ${srv.name} failed (exit ${r.code}):\n${r.stderr}`);
    },
    async restart() {
      await handle.stop();
      await handle.start();
    },
    readLog() {
      return existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    },
  };
  await handle.start();
  return handle;
}
