// SPDX-License-Identifier: MIT
// Node.js side of the Prosody test harness: runs tests/lib/prosody.sh (which generates the
// config with scripts/gen-prosody-config.sh) and describes the running server. Tests must
// run inside tests/netns-run.sh: the ports are fixed. State belongs to the Node.js event loop.
//
//   const prosody = await startProsody(dir);   // throws SkipError if Prosody is missing
//   ... prosody.domain, prosody.httpPort, prosody.readLog() ...
//   await prosody.restart(); await prosody.stop();
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const topDir = path.resolve(here, '..', '..');
const script = path.join(here, 'prosody.sh');

/** Thrown when a tool a test needs is missing; the test then exits 77 (skipped). */
export class SkipError extends Error {}

function run(args, env) {
  return new Promise((resolve) => {
    execFile('bash', [script, ...args], { env, timeout: 30000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * Starts Prosody with its config, data and log in `dir`. opts: domain, secret,
 * bridgePassword, address, c2sPort, componentPort, httpPort, logLevel.
 * Resolves with { dir, domain, secret, bridgePassword, address, c2sPort, componentPort,
 * httpPort, logPath, stop(), restart(), readLog() }.
 */
export async function startProsody(dir, opts = {}) {
  const cfg = {
    dir,
    domain: opts.domain || process.env.PARLEY_DOMAIN || 'meet.parley.test',
    secret: opts.secret || process.env.PARLEY_FOCUS_SECRET || 'focussecret',
    bridgePassword: opts.bridgePassword || process.env.PARLEY_BRIDGE_PASSWORD || 'bridgepass',
    address: opts.address || '127.0.0.1',
    c2sPort: opts.c2sPort || 5222,
    componentPort: opts.componentPort || 5347,
    httpPort: opts.httpPort || 5280,
    logLevel: opts.logLevel || process.env.PARLEY_PROSODY_LOG_LEVEL || 'info',
  };
  const env = {
    ...process.env,
    PARLEY_DOMAIN: cfg.domain,
    PARLEY_FOCUS_SECRET: cfg.secret,
    PARLEY_BRIDGE_PASSWORD: cfg.bridgePassword,
    PARLEY_PROSODY_ADDRESS: cfg.address,
    PARLEY_C2S_PORT: String(cfg.c2sPort),
    PARLEY_COMPONENT_PORT: String(cfg.componentPort),
    PARLEY_HTTP_PORT: String(cfg.httpPort),
    PARLEY_PROSODY_LOG_LEVEL: cfg.logLevel,
  };
  const logPath = path.join(dir, 'prosody.log');
  const handle = {
    ...cfg,
    logPath,
    running: false,
    async start() {
      const r = await run(['start', dir], env);
      if (r.code === 77) throw new SkipError(r.stderr.trim() || 'prosody is not installed');
      if (r.code !== 0) throw new Error(`starting Prosody failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
      handle.running = true;
    },
    async stop() {
      const r = await run(['stop', dir], env);
      handle.running = false;
      if (r.code !== 0) throw new Error(`stopping Prosody failed (exit ${r.code}):\n${r.stderr}`);
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
