// SPDX-License-Identifier: MIT
// Shared helpers for Parley's browser tests: start web/serve.mjs in-process on a free port,
// launch headless Chromium through playwright-core with the flags pitfalls.md lists, and
// skip (exit 77) with a reason when a tool is missing. Run the scripts inside
// tests/netns-run.sh: they open sockets.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOP = join(WEB, '..');
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export function skip(reason) {
  console.log(`SKIP: ${reason}`);
  process.exit(77);
}

export async function loadPlaywright() {
  if (!existsSync(CHROMIUM)) skip(`${CHROMIUM} not found (apt-get install chromium)`);
  try {
    return await import('playwright-core');
  } catch {
    return skip('playwright-core is not installed (npm ci in web/)');
  }
}

/** Starts web/serve.mjs on 127.0.0.1 and a free port; resolves to { url, close }. */
export async function startWeb(extra = {}) {
  const { createServer, parseArgs } = await import(join(WEB, 'serve.mjs'));
  const opts = { ...parseArgs([], {}), port: 0, log: () => {}, ...extra };
  const server = createServer(opts);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    /** Proxies /colibri-ws/<id>/ to `url` from now on (one more bridge, as --bridge ID=URL). */
    addBridge: (id, url) => { opts.bridges = { ...opts.bridges, [id]: url }; },
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

/** Launches Chromium; `fakeVideo` may name a .y4m/.mjpeg file for the fake camera. */
export async function launch(pw, { fakeVideo, extraArgs = [] } = {}) {
  const args = [...CHROMIUM_ARGS, ...extraArgs];
  if (fakeVideo) args.push(`--use-file-for-fake-video-capture=${fakeVideo}`);
  return pw.chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

export function outDir(name) {
  const dir = process.env.PARLEY_E2E_OUT ?? join(TOP, 'build-web', 'e2e', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Collects console errors and page errors of a page, for failure reports. */
export function watchConsole(page, tag) {
  const lines = [];
  page.on('console', (m) => {
    const t = `[${tag}] ${m.type()}: ${m.text()}`;
    lines.push(t);
    if (process.env.PARLEY_E2E_VERBOSE) console.log(t);
  });
  page.on('pageerror', (e) => {
    const t = `[${tag}] pageerror: ${e.message}`;
    lines.push(t);
    console.log(t);
  });
  return lines;
}

let failures = 0;
export function check(cond, what) {
  if (cond) console.log(`ok - ${what}`);
  else { failures++; console.log(`not ok - ${what}`); }
  return cond;
}
/** Records a step the test waited for: the wait before it throws (and fails the test) when
 * the step is not reached in time, so reaching this line is the check. */
export function reached(what) {
  console.log(`ok - ${what}`);
}
export function failed() {
  return failures;
}
