#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Parley's web server for the browser client: serves the files of web/, the strophe.js
// bundle, a generated /config.js, index.html for meeting paths (/<room> and /<tenant>/<room>,
// dots allowed: see isMeetingPath),
// and proxies the XMPP endpoints (/xmpp-websocket, /http-bind) and optionally the bridge
// channel (/colibri-ws/...) so the page talks to a single origin.
//
//   node web/serve.mjs --port 8000 [--host 127.0.0.1] [--domain meet.parley.test]
//        [--xmpp http://127.0.0.1:5280] [--bridge [ID=]http://127.0.0.1:8080 ...]
//        [--websocket URL] [--bosh URL]
// --bridge URL proxies every /colibri-ws/<bridge id>/ there; --bridge ID=URL (repeatable) the
// one bridge whose http.public_url path names ID (several bridges, as nginx does).
// Environment fallbacks: PARLEY_WEB_PORT, PARLEY_WEB_HOST, PARLEY_DOMAIN, PARLEY_XMPP_HTTP,
// PARLEY_BRIDGE_HTTP. --websocket/--bosh put explicit URLs into /config.js (then the page
// connects there directly and the proxy is unused).
// Single-threaded node event loop; no state besides the options (the bridges among them may
// grow while it runs: web/test/e2e/lib.mjs startWeb's addBridge).

import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));
const STROPHE = join(ROOT, 'node_modules', 'strophe.js', 'dist', 'strophe.umd.min.js');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// Top-level entries of web/ that are never served.
const PRIVATE = new Set(['node_modules', 'test', 'serve.mjs', 'package.json', 'package-lock.json']);

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self' ws: wss: http: https:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'Permissions-Policy': 'camera=(self), microphone=(self), display-capture=(self)',
};

export function parseArgs(argv, env = process.env) {
  const opts = {
    port: Number(env.PARLEY_WEB_PORT ?? 8000),
    host: env.PARLEY_WEB_HOST ?? '127.0.0.1',
    domain: env.PARLEY_DOMAIN ?? 'meet.parley.test',
    xmpp: env.PARLEY_XMPP_HTTP ?? 'http://127.0.0.1:5280',
    bridge: env.PARLEY_BRIDGE_HTTP ?? null,
    bridges: {}, // bridge id -> backend URL (--bridge ID=URL)
    websocket: null,
    bosh: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a}: missing value`);
      return argv[++i];
    };
    switch (a) {
      case '--port': opts.port = Number(v()); break;
      case '--host': opts.host = v(); break;
      case '--domain': opts.domain = v(); break;
      case '--xmpp': opts.xmpp = v(); break;
      case '--bridge': {
        const b = v();
        const m = /^([A-Za-z0-9._-]+)=(.*)$/.exec(b);
        if (m) opts.bridges[m[1]] = m[2];
        else opts.bridge = b;
        break;
      }
      case '--websocket': opts.websocket = v(); break;
      case '--bosh': opts.bosh = v(); break;
      case '-h': case '--help': opts.help = true; break;
      default: throw new Error(`${a}: unknown option`);
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new Error(`--port: '${opts.port}' is not 0-65535`);
  }
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(opts.domain)) {
    throw new Error(`--domain: '${opts.domain}' is not a DNS name`);
  }
  for (const k of ['xmpp', 'bridge']) {
    if (opts[k]) checkBackend(`--${k}`, opts[k]);
  }
  for (const [id, url] of Object.entries(opts.bridges)) checkBackend(`--bridge ${id}=`, url);
  return opts;
}

function checkBackend(what, url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${what}: '${url}' is not a URL`);
  }
  if (u.protocol !== 'http:') throw new Error(`${what}: only http:// backends are proxied`);
}

/** The backend of a /colibri-ws/<bridge id>/... path: that bridge's, else the default one. */
export function bridgeBackend(opts, path) {
  const id = path.split('/')[2] ?? '';
  return Object.hasOwn(opts.bridges ?? {}, id) ? opts.bridges[id] : (opts.bridge ?? null);
}

function configModule(opts) {
  const cfg = {
    domain: opts.domain,
    muc: `conference.${opts.domain}`,
    focus: `focus.${opts.domain}`,
    // Relative paths resolve against the page's origin (the proxy below).
    websocket: opts.websocket ?? '/xmpp-websocket',
    bosh: opts.bosh ?? '/http-bind',
    // With a bridge backend configured, colibri-ws URLs are rewritten to this origin.
    proxyColibri: !!opts.bridge || Object.keys(opts.bridges ?? {}).length > 0,
  };
  return `// Generated by web/serve.mjs\nexport default ${JSON.stringify(cfg, null, 2)};\n`;
}

function send(res, status, body, type = 'text/plain; charset=utf-8', extra = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

function isFile(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function serveFile(req, res, file) {
  let st;
  try {
    st = statSync(file);
  } catch {
    return send(res, 404, 'not found\n');
  }
  if (!st.isFile()) return send(res, 404, 'not found\n');
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'Cache-Control': 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

/** Maps a URL path to a file under web/, or null when it is not servable. */
export function resolveStatic(pathname) {
  let p;
  try {
    p = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (p.includes('\0')) return null;
  const rel = normalize(p).replace(/^([/\\])+/, '');
  if (!rel || rel.startsWith('..')) return null;
  const parts = rel.split(/[/\\]/);
  if (parts.some((x) => x.startsWith('.')) || PRIVATE.has(parts[0])) return null;
  const file = join(ROOT, rel);
  if (!file.startsWith(ROOT + sep)) return null;
  return file;
}

// First path segments that are folders of web/: a missing file under them is a 404, never
// the meeting page (a typo in a module path must not come back as HTML).
const FOLDERS = new Set(['ui', 'xmpp', 'jingle', 'colibri', 'e2ee', 'vendor']);

/**
 * Whether a path that is not a file names a meeting: "/<room>" or "/<tenant>/<room>", any
 * characters (dots too: "/team.sync", "/v1.2-review"), as Jitsi Meet's nginx rule serves the
 * page for any such path that is not a file. Deeper paths and web/'s own folders are not.
 */
export function isMeetingPath(pathname) {
  const segs = String(pathname).split('/');
  if (segs[0] !== '' || segs.length < 2 || segs.length > 3 || segs.some((x, i) => i > 0 && !x)) return false;
  return !FOLDERS.has(segs[1]) && !PRIVATE.has(segs[1]) && !segs[1].startsWith('.');
}

function backendOf(url) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 80) };
}

function proxyHttp(req, res, backend, log) {
  const { host, port } = backendOf(backend);
  const headers = { ...req.headers, host: `${host}:${port}` };
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  const up = http.request({ host, port, method: req.method, path: req.url, headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on('error', (e) => {
    log(`proxy ${req.url} -> ${backend}: ${e.message}`);
    if (!res.headersSent) send(res, 502, `backend unreachable: ${e.message}\n`);
    else res.destroy();
  });
  req.pipe(up);
}

function proxyUpgrade(req, socket, head, backend, log) {
  const { host, port } = backendOf(backend);
  const up = net.connect({ host, port }, () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      if (name.toLowerCase() === 'host') continue;
      lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
    }
    lines.push(`Host: ${host}:${port}`);
    lines.push(`X-Forwarded-For: ${req.socket.remoteAddress ?? ''}`);
    up.write(lines.join('\r\n') + '\r\n\r\n');
    if (head?.length) up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
  up.setNoDelay(true);
  socket.setNoDelay(true);
  const fail = (e) => {
    log(`proxy upgrade ${req.url} -> ${backend}: ${e.message}`);
    if (socket.writable && !up.readable) socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
    socket.destroy();
    up.destroy();
  };
  up.on('error', fail);
  socket.on('error', () => up.destroy());
  up.on('close', () => socket.destroy());
  socket.on('close', () => up.destroy());
}

/**
 * Creates the server (not yet listening). opts as returned by parseArgs(); opts.log is an
 * optional logger (default console.error).
 */
export function createServer(opts) {
  const log = opts.log ?? ((m) => console.error(`serve: ${m}`));
  const config = configModule(opts);
  const server = http.createServer((req, res) => {
    let url;
    try {
      url = new URL(req.url, 'http://localhost');
    } catch {
      return send(res, 400, 'bad request\n');
    }
    const path = url.pathname;
    if (path === '/http-bind' || path.startsWith('/http-bind/')) {
      return proxyHttp(req, res, opts.xmpp, log);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
    if (path === '/config.js') return send(res, 200, config, TYPES['.js']);
    if (path === '/vendor/strophe.js') return serveFile(req, res, STROPHE);
    if (path === '/about/health') return send(res, 200, 'ok\n');
    if (path === '/') return serveFile(req, res, join(ROOT, 'index.html'));
    // A file of web/ if there is one, else the meeting page for a meeting path.
    const file = resolveStatic(path);
    if (file && isFile(file)) return serveFile(req, res, file);
    if (isMeetingPath(path)) return serveFile(req, res, join(ROOT, 'index.html'));
    return send(res, 404, 'not found\n');
  });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/xmpp-websocket') return proxyUpgrade(req, socket, head, opts.xmpp, log);
    const bridge = path.startsWith('/colibri-ws/') ? bridgeBackend(opts, path) : null;
    if (bridge) return proxyUpgrade(req, socket, head, bridge, log);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    return undefined;
  });
  return server;
}

function usage() {
  return 'usage: node web/serve.mjs --port N [--host ADDR] [--domain D] [--xmpp http://HOST:PORT]\n'
    + '                           [--bridge [ID=]http://HOST:PORT ...] [--websocket URL] [--bosh URL]\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`serve: ${e.message}\n${usage()}`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(usage());
    process.exit(0);
  }
  if (!existsSync(STROPHE)) {
    process.stderr.write(`serve: ${STROPHE} missing (run npm ci in web/)\n`);
    process.exit(1);
  }
  const server = createServer(opts);
  server.on('error', (e) => {
    process.stderr.write(`serve: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(opts.port, opts.host, () => {
    const { port } = server.address();
    const bridges = Object.entries(opts.bridges).map(([id, url]) => `, bridge ${id} ${url}`).join('');
    process.stdout.write(`serve: http://${opts.host}:${port}/ (xmpp ${opts.xmpp}`
      + `${opts.bridge ? `, bridge ${opts.bridge}` : ''}${bridges})\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
