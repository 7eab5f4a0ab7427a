// SPDX-License-Identifier: MIT
// The whole Parley stack for browser meeting tests: a real Prosody (tests/lib/prosody.mjs),
// the real parley-focus ($PARLEY_FOCUS_BIN), the real parley-bridge ($PARLEY_BRIDGE_BIN, ICE on
// 127.0.0.1, colibri-ws reached through web/serve.mjs's --bridge proxy), the web client served
// by web/serve.mjs, and headless Chromium (fake camera and microphone) with one browser context
// per participant. Helpers poll what a user would notice through window.parley and WebRTC
// getStats. Must run inside tests/netns-run.sh (fixed loopback ports).
// State belongs to the Node.js event loop thread.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOP, failed, launch, loadPlaywright, skip, startWeb, watchConsole } from '../../web/test/e2e/lib.mjs';

export { check, failed, outDir, reached } from '../../web/test/e2e/lib.mjs';

const { startProsody, SkipError } = await import(join(TOP, 'tests', 'lib', 'prosody.mjs'));
const { startFocus } = await import(join(TOP, 'tests', 'lib', 'focus.mjs'));

export const BRIDGE_HTTP_PORT = 8080;

function tail(s, n = 40) {
  return s.split('\n').slice(-n).join('\n');
}

/**
 * Starts parley-bridge; resolves once the focus logs that the bridge joined the brewery.
 * opts: nick, httpPort, icePort (a second bridge needs its own).
 */
async function startBridge(dir, prosody, focus, { nick = 'jvb-e2e', httpPort = BRIDGE_HTTP_PORT, icePort = 20000 } = {}) {
  const bin = process.env.PARLEY_BRIDGE_BIN;
  if (!bin) throw new SkipError('PARLEY_BRIDGE_BIN is not set (run the test through meson)');
  if (!existsSync(bin)) throw new Error(`PARLEY_BRIDGE_BIN=${bin} does not exist`);
  const sets = [
    `xmpp.domain=${prosody.domain}`, `xmpp.password=${prosody.bridgePassword}`,
    `xmpp.port=${prosody.c2sPort}`, `xmpp.nickname=${nick}`,
    'ice.addresses=127.0.0.1', `ice.port=${icePort}`,
    `http.port=${httpPort}`, `http.public_url=http://127.0.0.1:${httpPort}`,
    'log.level=info',
  ];
  const logPath = join(dir, nick === 'jvb-e2e' ? 'bridge.log' : `bridge-${nick}.log`);
  const logFile = createWriteStream(logPath, { flags: 'a' });
  const mark = focus.mark();
  const proc = spawn(bin, sets.flatMap((s) => ['--set', s]), { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const onData = (d) => { text += d; logFile.write(d); };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  let exit = null;
  const exited = new Promise((resolve) => proc.on('close', (code, signal) => {
    exit = { code, signal };
    logFile.end();
    resolve(exit);
  }));
  const bridge = {
    proc, pid: proc.pid, logPath, exited, nick, httpPort,
    log: () => text,
    running: () => exit === null,
    killed: false,
    /** Kills it on purpose (a fault the test makes): stop() then has nothing to do. */
    async kill(signal = 'SIGKILL') {
      bridge.killed = true;
      proc.kill(signal);
      return exited;
    },
    async stop() {
      if (bridge.killed) return exit ?? {};
      if (exit) throw new Error(`parley-bridge had exited by itself (${JSON.stringify(exit)}):\n${tail(text)}`);
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 8000);
      const r = await exited;
      clearTimeout(killer);
      return r;
    },
  };
  try {
    await focus.waitForLog(new RegExp(`bridge joined bridge=\\S+/${nick}\\b`), { from: mark, timeout: 20000 });
  } catch (e) {
    throw new Error(`${e.message}\n---- parley-bridge log ----\n${tail(text)}`);
  }
  return bridge;
}

/**
 * Starts Prosody, parley-focus, parley-bridge, the web server and Chromium. Exits 77 when a
 * tool is missing. Resolves with the stack: { dir, prosody, focus, bridge, web, browser,
 * join(room, name, opts), startBridge(), dump(), stop() }. With { bridge: false } no bridge
 * is started (st.bridge is null) until st.startBridge(); `browserArgs` go to Chromium after
 * the usual ones (e.g. a file for the fake camera); `focusSettings` are more parley-focus
 * settings (e.g. { auth: { login_domain } } for a secure domain).
 */
export async function startStack(name, { bridge = true, browserArgs = [], focusSettings = {} } = {}) {
  const pw = await loadPlaywright();
  if (!process.env.PARLEY_FOCUS_BIN) skip('PARLEY_FOCUS_BIN is not set (run the test through meson)');
  if (!process.env.PARLEY_BRIDGE_BIN) skip('PARLEY_BRIDGE_BIN is not set (run the test through meson)');
  const dir = mkdtempSync(join(tmpdir(), `parley-${name}-`));
  const st = { dir, pages: [], logs: [] };
  try {
    st.prosody = await startProsody(dir);
    st.focus = await startFocus(dir, st.prosody, { settings: { log: { level: 'info' }, ...focusSettings } });
    await st.focus.waitForLog(/joined brewery \S+ as focus/, { timeout: 10000 });
    st.bridge = bridge ? await startBridge(dir, st.prosody, st.focus) : null;
  } catch (e) {
    if (e instanceof SkipError) skip(e.message);
    throw e;
  }
  st.web = await startWeb({ domain: st.prosody.domain, xmpp: `http://127.0.0.1:${st.prosody.httpPort}`,
    bridge: `http://127.0.0.1:${BRIDGE_HTTP_PORT}` });
  // Screen sharing picks the whole (headless) screen without asking.
  st.browser = await launch(pw, { extraArgs: [
    '--auto-select-desktop-capture-source=Entire screen',
    // Three fake cameras, to switch cameras in a call: fake_device_0 stays the default;
    // Chromium's fake_device_1 is a depth camera whose frames no encoder takes; fake_device_2
    // is an ordinary one.
    '--use-fake-device-for-media-stream=device-count=3',
    ...browserArgs,
  ] });

  st.bridges = st.bridge ? [st.bridge] : [];
  /**
   * Starts the bridge (for a stack started without one); resolves once the focus sees it.
   * With opts ({ nick, httpPort, icePort }): one more bridge (or the same one again after a
   * kill), kept in st.bridges and stopped with the stack.
   */
  st.startBridge = async (opts) => {
    if (!opts && st.bridge) throw new Error('the bridge is already running');
    const b = await startBridge(dir, st.prosody, st.focus, opts);
    // Its colibri-ws (/colibri-ws/<nick>/) through the web server, as nginx routes each bridge.
    st.web.addBridge(b.nick, `http://127.0.0.1:${b.httpPort}`);
    st.bridges.push(b);
    if (!opts) st.bridge = b;
    return b;
  };

  /**
   * Restarts parley-focus: SIGTERM (graceful: it leaves its rooms) or, with { kill: true },
   * SIGKILL; then a new one with the same settings. Resolves once the new one is in the
   * brewery and sees `bridges` bridge(s).
   */
  st.restartFocus = async ({ kill = false, bridges = 1 } = {}) => {
    if (kill) {
      st.focus.process.kill('SIGKILL');
      await st.focus.exited;
    } else {
      await st.focus.stop();
    }
    st.focus = await startFocus(dir, st.prosody, { settings: { log: { level: 'info' }, ...focusSettings } });
    await st.focus.waitForLog(/joined brewery \S+ as focus/, { timeout: 10000 });
    if (bridges) await st.focus.waitForLog(new RegExp(`(?:bridge joined bridge=[\\s\\S]*?){${bridges}}`), { timeout: 20000 });
    return st.focus;
  };

  /**
   * Opens the page of `room` as `name` in a fresh browser context. opts: transport
   * ('bosh'|'websocket'), autojoin (default true: waits until joined), viewport, res, params
   * (more URL parameters, e.g. { e2ee: '0' }).
   */
  st.join = async (room, displayName, opts = {}) => {
    const ctx = await st.browser.newContext({ viewport: opts.viewport ?? { width: 960, height: 540 } });
    const page = await ctx.newPage();
    page.tag = opts.tag ?? displayName.split(' ')[0].toLowerCase();
    st.logs.push(watchConsole(page, page.tag));
    const q = new URLSearchParams({ name: displayName, res: String(opts.res ?? 360), debug: '1' });
    if (opts.autojoin !== false) q.set('autojoin', '1');
    for (const [k, v] of Object.entries(opts.params ?? {})) q.set(k, v);
    if (opts.transport) q.set('transport', opts.transport);
    await page.goto(`${st.web.url}/${room}?${q}`, { timeout: 90000 });
    page.ctx = ctx;
    st.pages.push(page);
    if (opts.autojoin !== false) {
      await page.waitForFunction(() => window.parley?.state === 'joined', null, { timeout: 90000 });
      page.id = await page.evaluate(() => window.parley.endpointId);
    }
    return page;
  };

  st.dump = () => {
    console.error(`---- prosody log (tail) ----\n${tail(st.prosody.readLog(), 20)}`);
    console.error(`---- parley-focus log (tail) ----\n${tail(st.focus.log(), 80)}`);
    for (const b of st.bridges) console.error(`---- parley-bridge ${b.nick} log (tail) ----\n${tail(b.log(), 60)}`);
    for (const l of st.logs) console.error(l.slice(-25).join('\n'));
    console.error(`(files kept in ${dir})`);
  };

  /**
   * The end of a test script. On `error` (what the script's try caught; null when it ran
   * through) it is reported and every page's screenshot saved as failure-<tag>.png in `out`;
   * on an error or a failed check the logs are printed. Then `before()` (the script's own
   * clients, say) and the stack are stopped, a failed shutdown failing the test, and the
   * process exits with the result.
   */
  st.finish = async (error, { out = dir, before } = {}) => {
    let code = 0;
    if (error) {
      console.log(`not ok - ${error.stack ?? error}`);
      code = 1;
      for (const ctx of st.browser.contexts()) {
        for (const pg of ctx.pages()) await pg.screenshot({ path: join(out, `failure-${pg.tag ?? 'page'}.png`) }).catch(() => {});
      }
    }
    if (code || failed()) st.dump();
    await before?.();
    try {
      await st.stop();
    } catch (e) {
      console.log(`not ok - clean shutdown: ${e.message}`);
      code = 1;
    }
    console.log('# stopped');
    process.exit(code || (failed() ? 1 : 0));
  };

  /** Closes the pages, then stops everything; throws if the focus or bridge had crashed. */
  st.stop = async () => {
    await st.browser.close().catch(() => {});
    await st.web.close().catch(() => {});
    let b = {};
    for (const x of st.bridges) {
      const r = await x.stop();
      if (r.signal === 'SIGKILL' && !x.killed) b = r;
    }
    const f = await st.focus.stop();
    await st.prosody.stop().catch(() => {});
    if (b.signal === 'SIGKILL' || f.signal === 'SIGKILL') throw new Error(`SIGTERM ignored: bridge ${JSON.stringify(b)} focus ${JSON.stringify(f)}`);
    if (/CRITICAL|AddressSanitizer|runtime error/.test(st.focus.log() + st.bridges.map((x) => x.log()).join(''))) {
      throw new Error('parley-focus or parley-bridge logged a critical error');
    }
  };
  return st;
}

/** Polls `fn(arg)` (may be async) in the page until it returns something truthy. */
export async function until(page, fn, arg, { timeout = 60000, what } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await page.evaluate(fn, arg);
    if (v) return v;
    if (Date.now() > end) {
      throw new Error(`${page.tag}: timed out after ${timeout} ms waiting for ${what ?? fn.toString().slice(0, 160)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const stats = (page) => page.evaluate(() => window.parley.stats());

/**
 * Starts recording in `page` how the tiles of `ids` present frames (requestVideoFrameCallback:
 * frames as shown): per tile the longest time one frame stayed on screen, and the time spent in
 * gaps over `frozenGapMs`. stopPresenting(page) ends it and returns
 * { id: { found, max, frozen } } in ms (a frame still on screen counts up to then).
 */
export const startPresenting = (page, ids, frozenGapMs = 300) => page.evaluate(([list, frozenGap]) => {
  window.__presenting = {};
  for (const id of list) {
    const v = document.querySelector(`.tile[data-id="${id}"] video`);
    const g = { last: null, max: 0, frozen: 0, stop: false, found: !!v, frozenGap };
    window.__presenting[id] = g;
    if (!v) continue;
    const tick = (now) => {
      if (g.last !== null) {
        const gap = now - g.last;
        g.max = Math.max(g.max, gap);
        if (gap > frozenGap) g.frozen += gap;
      }
      g.last = now;
      if (!g.stop) v.requestVideoFrameCallback(tick);
    };
    v.requestVideoFrameCallback(tick);
  }
}, [ids, frozenGapMs]);
export const stopPresenting = (page) => page.evaluate(() => Object.fromEntries(Object.entries(window.__presenting)
  .map(([id, g]) => {
    g.stop = true;
    const open = g.last !== null ? performance.now() - g.last : 0;
    return [id, { found: g.found, max: Math.round(Math.max(g.max, open)), frozen: Math.round(g.frozen + (open > g.frozenGap ? open : 0)) }];
  })));

/** Waits until `page` decodes `big` at >= 540 lines and `small` at <= 270; returns ms. */
export async function waitLayers(page, big, small, what, timeout = 60000) {
  const start = Date.now();
  await until(page, async ([b, s]) => {
    const r = await window.parley.stats();
    const hb = r[b]?.video?.frameHeight ?? 0;
    const hs = r[s]?.video?.frameHeight ?? 0;
    return hb >= 540 && hs > 0 && hs <= 270;
  }, [big, small], { timeout, what });
  return Date.now() - start;
}

/** Frames decoded and audio packets received by `page` from each endpoint in `ids`. */
export async function counters(page, ids) {
  const s = await stats(page);
  return Object.fromEntries(ids.map((id) => [id, {
    frames: s[id]?.video?.framesDecoded ?? 0,
    audio: s[id]?.audio?.packetsReceived ?? 0,
  }]));
}

/**
 * Waits until `page` decodes video from every endpoint in `ids` and receives their audio,
 * and the numbers keep growing (frames by at least `minFrames` more, audio by 10 packets).
 * Also waits for each remote tile's <video> to play (videoWidth > 0).
 */
export async function receivingFrom(page, ids, { minFrames = 10, timeout = 30000 } = {}) {
  await until(page, async ([who, n]) => {
    const s = await window.parley.stats();
    return who.every((id) => (s[id]?.video?.framesDecoded ?? 0) >= n && (s[id]?.audio?.packetsReceived ?? 0) > 10);
  }, [ids, minFrames], { timeout, what: `${page.tag} decoding video and receiving audio from ${ids.join(', ')}` });
  const before = await counters(page, ids);
  await until(page, async ([who, b, n]) => {
    const s = await window.parley.stats();
    return who.every((id) => (s[id]?.video?.framesDecoded ?? 0) >= b[id].frames + n
      && (s[id]?.audio?.packetsReceived ?? 0) >= b[id].audio + 10);
  }, [ids, before, minFrames], { timeout, what: `${page.tag}: frames and audio packets from ${ids.join(', ')} increasing` });
  await until(page, (who) => who.every((id) => document.querySelector(`.tile[data-id="${id}"] video`)?.videoWidth > 0),
    ids, { timeout, what: `${page.tag}: tiles of ${ids.join(', ')} playing video` });
  return true;
}

/** Ids of the remote tiles on the page. */
export const tileIds = (page) => page.evaluate(() => [...document.querySelectorAll('.tile[data-id]')].map((t) => t.dataset.id));

/** Jingle lines of the page's conference log ("jingle <action> sid=... from=..."). */
export async function jingleLog(page) {
  const log = await page.evaluate(() => window.parley.log);
  return log.filter((l) => / jingle \S+ sid=/.test(l));
}

/** The sid of the page's latest session-initiate (from the conference log), or null. */
export async function currentSid(page) {
  const lines = (await jingleLog(page)).filter((l) => l.includes('jingle session-initiate'));
  const m = /sid=(\S+)/.exec(lines.at(-1) ?? '');
  return m ? m[1] : null;
}

/**
 * Sends a raw IQ (XML text; `xmlns="jabber:client"` is added) over the page's own XMPP
 * connection (the ?debug=1 hook window.parleyXmpp). Resolves { type, xml } with the reply.
 */
export function rawIq(page, xml) {
  return page.evaluate(async (text) => {
    const x = window.parleyXmpp;
    if (!x) throw new Error('window.parleyXmpp missing (page not opened with ?debug=1)');
    const doc = new DOMParser().parseFromString(text, 'text/xml');
    const iq = doc.documentElement;
    iq.setAttribute('xmlns', 'jabber:client');
    try {
      const r = await x.sendIQ(iq, 10000);
      return { type: 'result', xml: new XMLSerializer().serializeToString(r) };
    } catch (e) {
      return { type: 'error', condition: e.condition, xml: e.stanza ? new XMLSerializer().serializeToString(e.stanza) : null };
    }
  }, xml);
}

/** Condition, error type and application condition of an error reply from rawIq. */
export function errorParts(reply) {
  const xml = reply.xml ?? '';
  const err = /<error\b[^>]*type="([^"]+)"[^>]*>([\s\S]*?)<\/error>/.exec(xml);
  if (!err) return { type: null, condition: reply.type === 'error' ? reply.condition : null, app: [] };
  const conds = [...err[2].matchAll(/<([a-z-]+)\b[^>]*xmlns="([^"]+)"/g)];
  const std = conds.find((c) => c[2] === 'urn:ietf:params:xml:ns:xmpp-stanzas' && c[1] !== 'text');
  const text = /<text\b[^>]*>([\s\S]*?)<\/text>/.exec(err[2]);
  return {
    type: err[1],
    condition: std ? std[1] : null,
    app: conds.filter((c) => c[2] !== 'urn:ietf:params:xml:ns:xmpp-stanzas').map((c) => `${c[2]}#${c[1]}`),
    text: text ? text[1] : null,
  };
}
