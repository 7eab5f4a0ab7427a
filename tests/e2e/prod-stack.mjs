// SPDX-License-Identifier: MIT
// A production-shaped Parley deployment inside the test's network namespace, built from what
// `meson install` installs (docs/production.md): the installed parley-focus and parley-bridge,
// the installed web client served by nginx alone with TLS (a test CA made here with openssl;
// site and config.js from the installed scripts/gen-nginx-config.sh), the XMPP server
// (Prosody or ejabberd, $PARLEY_XMPP_SERVER) configured by the generators as a secure domain
// with TURN credentials, coturn with the same shared secret, and headless Chromium that
// reaches https://meet.parley.test (mapped to 127.0.0.1) and trusts the test CA's server
// certificate through --ignore-certificate-errors-spki-list.
// Must run inside tests/netns-run.sh (fixed ports: 80, 443, 3478, 5222, 5280, 5347, 8080,
// 8888). State belongs to the Node.js event loop thread.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TOP, launch, loadPlaywright, skip, watchConsole } from '../../web/test/e2e/lib.mjs';

export { check, failed, outDir, reached } from '../../web/test/e2e/lib.mjs';

const { SkipError } = await import(join(TOP, 'tests', 'lib', 'prosody.mjs'));
const { startXmppServer } = await import(join(TOP, 'tests', 'lib', 'xmpp-server.mjs'));
const { startFocus } = await import(join(TOP, 'tests', 'lib', 'focus.mjs'));

const run = promisify(execFile);

export const DOMAIN = 'meet.parley.test';
export const ORIGIN = `https://${DOMAIN}`;
export const TURN_SECRET = 'coturn-shared-secret-e2e';
export const HOST_USER = 'host';
export const HOST_PASSWORD = 'host-password-e2e';
export const FOCUS_HTTP = 'http://127.0.0.1:8888';

const tail = (s, n = 40) => s.split('\n').slice(-n).join('\n');

function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

async function waitPort(port, what, proc, timeout = 20000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await portOpen(port)) return;
    if (proc && proc.exitCode !== null) throw new Error(`${what} exited (${proc.exitCode}) before listening on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: nothing listens on 127.0.0.1:${port} after ${timeout} ms`);
}

/** A process with its output in `dir/name.log`; resolves once `ready()` says so. */
function startProcess(dir, name, cmd, args) {
  const logPath = join(dir, `${name}.log`);
  const file = createWriteStream(logPath, { flags: 'a' });
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const onData = (d) => { text += d; file.write(d); };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const exited = new Promise((resolve) => proc.on('close', (code, signal) => { file.end(); resolve({ code, signal }); }));
  return {
    proc, logPath, exited, log: () => text,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill(signal);
      const killer = setTimeout(() => proc.kill('SIGKILL'), 8000);
      const r = await exited;
      clearTimeout(killer);
      return r;
    },
  };
}

/** `meson install --destdir` of the build under test; returns the installed paths. */
async function installTree(dir) {
  const meson = process.env.PARLEY_MESON;
  const build = process.env.PARLEY_BUILD_ROOT;
  if (!meson || !build) skip('PARLEY_MESON / PARLEY_BUILD_ROOT not set (run the test through meson)');
  const root = join(dir, 'root');
  try {
    await run(meson, ['install', '-C', build, '--destdir', root, '--no-rebuild', '--quiet'], { timeout: 120000 });
  } catch (e) {
    throw new Error(`meson install --destdir failed: ${e.stderr || e.message}`);
  }
  const p = (v) => join(root, process.env[v]);
  const tree = {
    root,
    focus: join(p('PARLEY_INSTALL_BINDIR'), 'parley-focus'),
    bridge: join(p('PARLEY_INSTALL_BINDIR'), 'parley-bridge'),
    web: join(p('PARLEY_INSTALL_DATADIR'), 'parley', 'web'),
    scripts: join(p('PARLEY_INSTALL_DATADIR'), 'parley', 'scripts'),
    units: p('PARLEY_INSTALL_UNITDIR'),
  };
  for (const [k, f] of Object.entries(tree)) {
    if (!existsSync(f)) throw new Error(`meson install did not install ${k}: ${f} is missing`);
  }
  if (!existsSync(join(tree.web, 'vendor', 'strophe.js'))) throw new Error('the installed web client has no vendor/strophe.js');
  return tree;
}

/** A test CA and a certificate for DOMAIN it signed; the SPKI hash Chromium is told to trust. */
async function makeCertificates(dir) {
  const o = (args) => run('openssl', args, { cwd: dir });
  await o(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=Parley test CA', '-keyout', 'ca.key', '-out', 'ca.crt']);
  await o(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${DOMAIN}`,
    '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=DNS:${DOMAIN}\nextendedKeyUsage=serverAuth\n`);
  await o(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'server.ext', '-out', 'server.crt']);
  const { stdout: pub } = await o(['x509', '-in', 'server.crt', '-pubkey', '-noout']);
  writeFileSync(join(dir, 'server.pub'), pub);
  await o(['pkey', '-pubin', '-in', 'server.pub', '-outform', 'der', '-out', 'server.pub.der']);
  const { createHash } = await import('node:crypto');
  const spki = createHash('sha256').update(readFileSync(join(dir, 'server.pub.der'))).digest('base64');
  return { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ca: join(dir, 'ca.crt'), spki };
}

async function startNginx(dir, tree, tls) {
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((f) => existsSync(f));
  if (!nginx) skip('nginx is not installed (apt-get install nginx)');
  const site = join(dir, 'nginx');
  await run('bash', [join(tree.scripts, 'gen-nginx-config.sh'), '--domain', DOMAIN, '--cert', tls.cert, '--key', tls.key,
    '--listen', '127.0.0.1', '--web-root', tree.web, '--config-js', join(site, 'config.js'),
    '--xmpp', 'http://127.0.0.1:5280', '--bridge', 'jvb1=http://127.0.0.1:8080', '--secure-domain', site]);
  const temp = join(dir, 'nginx-temp');
  // The generated site inside a minimal nginx.conf of the test's own (paths in the test dir;
  // workers stay root so that they read the test's private directories).
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log info;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log ${dir}/nginx-access.log;
    client_body_temp_path ${temp}/body;
    proxy_temp_path ${temp}/proxy;
    fastcgi_temp_path ${temp}/fastcgi;
    uwsgi_temp_path ${temp}/uwsgi;
    scgi_temp_path ${temp}/scgi;
    include ${site}/parley.conf;
}
`);
  await run('mkdir', ['-p', temp]);
  try {
    await run(nginx, ['-t', '-c', join(dir, 'nginx.conf')]);
  } catch (e) {
    throw new Error(`nginx -t refused the generated site: ${e.stderr}`);
  }
  const p = startProcess(dir, 'nginx', nginx, ['-c', join(dir, 'nginx.conf')]);
  await waitPort(443, 'nginx', p.proc);
  return { ...p, site, configJs: join(site, 'config.js') };
}

async function startCoturn(dir) {
  const bin = ['/usr/bin/turnserver', '/usr/sbin/turnserver'].find((f) => existsSync(f));
  if (!bin) skip('coturn is not installed (apt-get install coturn)');
  const p = startProcess(dir, 'coturn', bin, ['-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1',
    '--listening-port=3478', '--min-port=40000', '--max-port=40999', '--use-auth-secret',
    `--static-auth-secret=${TURN_SECRET}`, `--realm=${DOMAIN}`, '--no-tls', '--no-dtls', '--no-cli',
    '--allow-loopback-peers', '--no-multicast-peers', `--userdb=${join(dir, 'turndb')}`,
    `--pidfile=${join(dir, 'turnserver.pid')}`, '--log-file=stdout', '--simple-log', '--verbose']);
  await waitPort(3478, 'coturn', p.proc);
  return p;
}

async function startBridge(dir, tree, focus) {
  const mark = focus.mark();
  const sets = [`xmpp.domain=${DOMAIN}`, 'xmpp.password=bridgepass', 'xmpp.nickname=jvb-prod',
    'ice.addresses=127.0.0.1', 'ice.port=20000', 'http.port=8080',
    `http.public_url=${ORIGIN}`, 'bridge.id=jvb1', 'log.level=info'];
  const p = startProcess(dir, 'bridge', tree.bridge, sets.flatMap((s) => ['--set', s]));
  try {
    await focus.waitForLog(/bridge joined bridge=\S+\/jvb-prod\b/, { from: mark, timeout: 20000 });
  } catch (e) {
    throw new Error(`${e.message}\n---- parley-bridge log ----\n${tail(p.log())}`);
  }
  return p;
}

/**
 * Starts the whole deployment. opts: server (prosody|ejabberd, default $PARLEY_XMPP_SERVER),
 * turn (default true: coturn and TURN credentials). Exits 77 when a tool is missing.
 */
export async function startProdStack(name, { turn = true } = {}) {
  const pw = await loadPlaywright();
  for (const tool of ['openssl']) {
    try { await run('which', [tool]); } catch { skip(`${tool} is not installed`); }
  }
  const dir = mkdtempSync(join(tmpdir(), `parley-${name}-`));
  const st = { dir, pages: [], logs: [] };
  try {
    st.tree = await installTree(dir);
    st.tls = await makeCertificates(dir);
    st.coturn = turn ? await startCoturn(dir) : null;
    const genArgs = ['--secure-domain'];
    if (turn) genArgs.push('--turn-host', '127.0.0.1', '--turn-secret', TURN_SECRET, '--turns-port', '0');
    st.xmpp = await startXmppServer(dir, { domain: DOMAIN, genArgs, accounts: [`${HOST_USER}@${DOMAIN}:${HOST_PASSWORD}`] });
    process.env.PARLEY_FOCUS_BIN = st.tree.focus; // the installed program
    st.focus = await startFocus(dir, st.xmpp, {
      settings: { auth: { login_domain: DOMAIN }, http: { port: 8888 }, log: { level: 'info' } },
    });
    await st.focus.waitForLog(/joined brewery \S+ as focus/, { timeout: 10000 });
    st.bridge = await startBridge(dir, st.tree, st.focus);
    st.nginx = await startNginx(dir, st.tree, st.tls);
  } catch (e) {
    if (e instanceof SkipError) skip(e.message);
    throw e;
  }
  st.browser = await launch(pw, { extraArgs: [
    `--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1`,
    `--ignore-certificate-errors-spki-list=${st.tls.spki}`,
  ] });

  /** Opens `room` as `name` in a fresh context. opts: transport, relay, autojoin (default true). */
  st.open = async (room, displayName, opts = {}) => {
    const ctx = await st.browser.newContext({ viewport: { width: 960, height: 540 } });
    const page = await ctx.newPage();
    page.tag = opts.tag ?? displayName.split(' ')[0].toLowerCase();
    st.logs.push(watchConsole(page, page.tag));
    const q = new URLSearchParams({ name: displayName, res: '360', debug: '1', autojoin: '1' });
    if (opts.transport) q.set('transport', opts.transport);
    if (opts.relay) q.set('relay', '1');
    await page.goto(`${ORIGIN}/${room}?${q}`, { timeout: 90000 });
    page.ctx = ctx;
    st.pages.push(page);
    return page;
  };

  /** The focus's /metrics as { 'name{labels}': value }. */
  st.metrics = async () => {
    const res = await fetch(`${FOCUS_HTTP}/metrics`);
    if (res.status !== 200) throw new Error(`/metrics: HTTP ${res.status}`);
    const out = {};
    for (const line of (await res.text()).split('\n')) {
      const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (m) out[m[1]] = Number(m[2]);
    }
    return out;
  };

  st.dump = () => {
    console.error(`---- ${st.xmpp?.name} log (tail) ----\n${tail(st.xmpp?.readLog() ?? '', 20)}`);
    console.error(`---- parley-focus log (tail) ----\n${tail(st.focus?.log() ?? '', 60)}`);
    console.error(`---- parley-bridge log (tail) ----\n${tail(st.bridge?.log() ?? '', 40)}`);
    if (existsSync(join(dir, 'nginx-error.log'))) console.error(`---- nginx error log ----\n${tail(readFileSync(join(dir, 'nginx-error.log'), 'utf8'), 20)}`);
    if (st.coturn) console.error(`---- coturn log (tail) ----\n${tail(st.coturn.log(), 20)}`);
    for (const l of st.logs) console.error(l.slice(-25).join('\n'));
    console.error(`(files kept in ${dir})`);
  };

  st.stop = async () => {
    await st.browser.close().catch(() => {});
    await st.nginx?.stop('SIGQUIT');
    const b = await st.bridge.stop();
    const f = await st.focus.stop();
    await st.coturn?.stop();
    await st.xmpp.stop().catch(() => {});
    if (b.signal === 'SIGKILL' || f.signal === 'SIGKILL') throw new Error(`SIGTERM ignored: bridge ${JSON.stringify(b)} focus ${JSON.stringify(f)}`);
    if (/CRITICAL|AddressSanitizer|runtime error/.test(st.focus.log() + st.bridge.log())) {
      throw new Error('parley-focus or parley-bridge logged a critical error');
    }
  };
  return st;
}

/** The local candidate type of the page's selected ICE pair ('host', 'relay', ...) or null. */
export function selectedCandidateType(page) {
  return page.evaluate(async () => {
    const pc = window.parleyConference?.session?.pc;
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
    });
    if (!pair) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
    return pair ? stats.get(pair.localCandidateId)?.candidateType ?? null : null;
  });
}
