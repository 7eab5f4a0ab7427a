// SPDX-License-Identifier: MIT
// Starts and stops a real parley-focus for integration tests. The binary comes from
// $PARLEY_FOCUS_BIN (meson sets it). Its stdout and stderr go to <dir>/focus.log and are kept
// in memory so that tests can wait for log lines. State belongs to the Node.js event loop.
//
//   const focus = await startFocus(dir, prosody);          // waits for "connected to XMPP server"
//   await focus.waitForLog(/connected to XMPP server/, { from: mark });
//   const { code, signal } = await focus.stop();           // throws if it had crashed before
import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { SkipError } from './prosody.mjs';

export const CONNECTED_RE = /connected to XMPP server as (\S+)/;

/** The parley-focus executable to test. */
export function focusBinary() {
  const bin = process.env.PARLEY_FOCUS_BIN;
  if (!bin) throw new SkipError('PARLEY_FOCUS_BIN is not set (run the test through meson)');
  if (!existsSync(bin)) throw new Error(`PARLEY_FOCUS_BIN=${bin} does not exist`);
  return bin;
}

/** INI text for a parley-focus config: settings is { group: { key: value } }. */
export function focusConfigText(settings) {
  let out = '# parley-focus test configuration\n';
  for (const [group, kv] of Object.entries(settings)) {
    out += `[${group}]\n`;
    for (const [k, v] of Object.entries(kv)) out += `${k} = ${v}\n`;
  }
  return out;
}

/**
 * Runs parley-focus once to completion (for command-line and config checks).
 * Resolves with { code, signal, stdout, stderr }.
 */
export function runFocusOnce(args, { timeout = 10000 } = {}) {
  const bin = focusBinary();
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`parley-focus ${args.join(' ')} did not exit within ${timeout} ms`));
    }, timeout);
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

/**
 * Starts parley-focus against a running Prosody (the handle from startProsody). opts:
 * settings (extra { group: { key: value } } merged over the defaults), args (extra
 * command-line arguments), waitConnected (default true), timeout (ms, default 10000).
 * Resolves with { process, configPath, logPath, log(), mark(), waitForLog(re, opts),
 * stop(), exited }.
 */
export async function startFocus(dir, prosody, opts = {}) {
  const bin = focusBinary();
  const settings = {
    xmpp: {
      host: prosody.address,
      port: prosody.componentPort,
      domain: prosody.domain,
      secret: prosody.secret,
    },
    focus: {},
    log: { level: 'debug' },
  };
  for (const [g, kv] of Object.entries(opts.settings || {})) settings[g] = { ...(settings[g] || {}), ...kv };
  const configPath = path.join(dir, 'focus.conf');
  writeFileSync(configPath, focusConfigText(settings));
  const logPath = path.join(dir, 'focus.log');
  const logFile = createWriteStream(logPath, { flags: 'a' });
  const timeout = opts.timeout || 10000;

  const proc = spawn(bin, ['--config', configPath, ...(opts.args || [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, G_MESSAGES_DEBUG: process.env.G_MESSAGES_DEBUG || 'all' },
  });
  let text = '';
  const watchers = [];
  const onData = (d) => {
    const s = d.toString();
    text += s;
    logFile.write(s);
    if (process.env.PARLEY_FOCUS_TRACE) process.stderr.write(s);
    for (const w of [...watchers]) w();
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  let exitInfo = null;
  let stopping = false;
  const exited = new Promise((resolve) => {
    proc.on('close', (code, signal) => {
      exitInfo = { code, signal };
      logFile.end();
      for (const w of [...watchers]) w();
      resolve(exitInfo);
    });
  });
  proc.on('error', (e) => { exitInfo = { code: -1, signal: null, error: e }; });

  const handle = {
    process: proc,
    configPath,
    logPath,
    exited,
    log: () => text,
    /** Offset into the log from which a later waitForLog looks. */
    mark: () => text.length,
    /** Whether the focus is still running (it did not crash or exit). */
    running: () => exitInfo === null,
    /**
     * Resolves with the regex match once the log (from offset `from`) matches; rejects on
     * timeout or if the focus exits first.
     */
    waitForLog(re, { from = 0, timeout: t = timeout } = {}) {
      return new Promise((resolve, reject) => {
        let timer = null;
        const check = () => {
          const m = re.exec(text.slice(from));
          if (m) { done(); resolve(m); return true; }
          if (exitInfo && !stopping) {
            done();
            reject(new Error(`parley-focus exited (${JSON.stringify(exitInfo)}) before logging ${re}; log:\n${tail(text)}`));
            return true;
          }
          return false;
        };
        const done = () => {
          clearTimeout(timer);
          const i = watchers.indexOf(check);
          if (i >= 0) watchers.splice(i, 1);
        };
        if (check()) return;
        watchers.push(check);
        timer = setTimeout(() => {
          done();
          reject(new Error(`parley-focus did not log ${re} within ${t} ms; log:\n${tail(text.slice(from))}`));
        }, t);
      });
    },
    /**
     * Stops the focus with SIGTERM (SIGKILL after 5 s) and resolves with its exit status.
     * Throws if the focus had already exited on its own: a crash is a test failure.
     */
    async stop() {
      if (exitInfo) {
        throw new Error(`parley-focus had exited by itself (${JSON.stringify(exitInfo)}); log:\n${tail(text)}`);
      }
      stopping = true;
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const info = await exited;
      clearTimeout(killer);
      return info;
    },
  };

  if (opts.waitConnected !== false) {
    await handle.waitForLog(CONNECTED_RE, { timeout });
  }
  return handle;
}

function tail(s, lines = 40) {
  return s.split('\n').slice(-lines).join('\n');
}
