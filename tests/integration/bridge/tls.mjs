// SPDX-License-Identifier: MIT
// parley-bridge verifies the XMPP server's certificate. A Prosody on loopback offers TLS with a
// certificate from a test CA made here with openssl; bridges with different xmpp.tls settings
// try to log in (the bridge account's domain, auth.DOMAIN, is the name checked):
//  - auto (the default) on loopback: logs in as before (plaintext would do too);
//  - required: refused without the CA (not a system CA), with another CA, and against a
//    certificate for another name; accepted with the right CA file (xmpp.tls_ca_file) or the
//    certificate's SHA-256 pin (xmpp.tls_pin), refused with a wrong pin;
//  - insecure: logs in, and warns at start that nothing is verified;
//  - required against a server that offers no TLS: refused.
// A refused bridge never sends its password: it never logs in and stays unhealthy.
// Run under tests/netns-run.sh (fixed ports). Exit 77 when prosody, openssl or the bridge is
// missing.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..', '..', '..');
const DOMAIN = 'meet.parley.test';
const AUTH = `auth.${DOMAIN}`;
const PASSWORD = 'bridgepass';
const HTTP_PORT = 18280;

function skip(why) {
  console.log(`SKIP bridge-tls: ${why}`);
  process.exit(77);
}
function step(msg) { console.log(`# ${msg}`); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function have(cmd) {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

const bridgeBin = process.env.PARLEY_BRIDGE_BIN;
if (!bridgeBin || !existsSync(bridgeBin)) skip(`PARLEY_BRIDGE_BIN not set or missing (${bridgeBin})`);
if (!have('prosody') || !have('prosodyctl')) skip('prosody is not installed');
if (!have('openssl')) skip('openssl is not installed');

const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bridge-tls-'));
const pdir = path.join(dir, 'prosody');
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

/** A CA: <name>.key, <name>.crt. */
function makeCa(name) {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
}
/** A server certificate for `dnsName` signed by CA `ca`: <name>.key, <name>.crt. */
function makeCert(name, dnsName, ca) {
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${dnsName}`,
    '-addext', `subjectAltName=DNS:${dnsName}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`,
    '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-copy_extensions', 'copy');
}
function sha256(certFile) {
  return new X509Certificate(readFileSync(path.join(dir, certFile))).fingerprint256;
}

function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

let prosody = null;
/** (Re)starts Prosody with TLS offered on c2s using certificate `cert` (null: no TLS). */
async function startProsody(cert) {
  await stopProsody();
  execFileSync(path.join(top, 'scripts', 'gen-prosody-config.sh'), ['--domain', DOMAIN, pdir], { stdio: 'ignore' });
  const cfgPath = path.join(pdir, 'prosody.cfg.lua');
  let cfg = readFileSync(cfgPath, 'utf8');
  if (cert) {
    cfg = cfg.replace('modules_disabled = { "s2s", "tls", "posix" }', 'modules_disabled = { "s2s", "posix" }')
      .replace('modules_enabled = {', 'modules_enabled = {\n  "tls";');
    assert.ok(!cfg.includes('"tls", "posix"') && cfg.includes('"tls";'), 'the tls module is enabled');
    // Prosody finds a host's certificate by name in its certificates directory.
    copyFileSync(path.join(dir, `${cert}.crt`), path.join(pdir, 'certs', `${AUTH}.crt`));
    copyFileSync(path.join(dir, `${cert}.key`), path.join(pdir, 'certs', `${AUTH}.key`));
  } else {
    rmSync(path.join(pdir, 'certs', `${AUTH}.crt`), { force: true });
  }
  writeFileSync(cfgPath, cfg);
  execFileSync('prosodyctl', ['--config', cfgPath, 'register', 'jvb', AUTH, PASSWORD], { stdio: 'ignore' });
  prosody = spawn('prosody', ['--config', cfgPath], { stdio: 'ignore', detached: true });
  const deadline = Date.now() + 20000;
  while (!(await portOpen(5222))) {
    if (Date.now() > deadline) throw new Error('Prosody did not listen on 5222 within 20 s');
    await sleep(50);
  }
}
async function stopProsody() {
  if (!prosody) return;
  const p = prosody;
  prosody = null;
  const exited = new Promise((r) => p.on('exit', r));
  p.kill('SIGTERM');
  await exited;
  const deadline = Date.now() + 10000;
  while (await portOpen(5222)) {
    if (Date.now() > deadline) throw new Error('port 5222 still open after Prosody stopped');
    await sleep(50);
  }
}

/**
 * Runs a bridge with `sets` until it logs in or is refused; resolves with { connected, log }.
 * Refused means: it logged `refusedRe` and, a moment later, had still not logged in.
 */
async function tryBridge(what, sets, refusedRe = /certificate refused/) {
  const args = [
    `xmpp.domain=${DOMAIN}`, `xmpp.password=${PASSWORD}`, 'ice.addresses=127.0.0.1',
    `http.port=${HTTP_PORT}`, 'media.workers=1', `log.level=${process.env.PARLEY_TLS_DEBUG ? 'debug' : 'info'}`, ...sets,
  ].flatMap((s) => ['--set', s]);
  const p = spawn(bridgeBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  p.stdout.on('data', (d) => { log += d; });
  p.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => p.on('exit', (code, signal) => r({ code, signal })));
  const deadline = Date.now() + 30000;
  let connected = false;
  for (;;) {
    if (/connected to XMPP server/.test(log)) { connected = true; break; }
    if (refusedRe.test(log)) {
      // Give a login that would follow the refusal every chance to show up.
      await sleep(1500);
      connected = /connected to XMPP server/.test(log);
      break;
    }
    if (Date.now() > deadline) {
      p.kill('SIGKILL');
      throw new Error(`${what}: neither logged in nor refused within 30 s; log:\n${log}`);
    }
    await sleep(50);
  }
  let health = null;
  try {
    health = (await fetch(`http://127.0.0.1:${HTTP_PORT}/about/health`)).status;
  } catch { /* not up */ }
  p.kill('SIGTERM');
  const st = await exited;
  assert.equal(st.code, 0, `${what}: the bridge exits cleanly (${JSON.stringify(st)})\n${log}`);
  return { connected, log, health };
}

async function expectConnected(what, sets) {
  const r = await tryBridge(what, sets);
  assert.ok(r.connected, `${what}: the bridge must log in; log:\n${r.log}`);
  assert.doesNotMatch(r.log, /certificate refused/, `${what}: nothing refused`);
  step(`${what}: logged in`);
  return r;
}

async function expectRefused(what, sets, refusedRe) {
  const r = await tryBridge(what, sets, refusedRe);
  assert.ok(!r.connected, `${what}: the bridge must not log in; log:\n${r.log}`);
  assert.notEqual(r.health, 200, `${what}: a refused bridge is not healthy`);
  step(`${what}: refused (${(refusedRe || /certificate refused: ([^(]*)/).exec(r.log)?.[0].trim()})`);
  return r;
}

try {
  makeCa('test-ca');
  makeCa('other-ca');
  makeCert('server', AUTH, 'test-ca');
  makeCert('wrong-name', 'other.example', 'test-ca');
  const caFile = path.join(dir, 'test-ca.crt');
  const otherCa = path.join(dir, 'other-ca.crt');
  const pin = sha256('server.crt');
  step(`test CA and a certificate for ${AUTH} made (SHA-256 ${pin})`);

  await startProsody('server');
  step('Prosody offers TLS with it');
  await expectConnected('xmpp.tls=auto (loopback)', []);
  await expectRefused('required, system CAs only', ['xmpp.tls=required']);
  await expectRefused('required, another CA', ['xmpp.tls=required', `xmpp.tls_ca_file=${otherCa}`]);
  await expectConnected('required, the right CA', ['xmpp.tls=required', `xmpp.tls_ca_file=${caFile}`]);
  await expectConnected('required, the right pin', ['xmpp.tls=required', `xmpp.tls_pin=${pin}`]);
  await expectConnected('the right pin, lowercase without colons (auto)', [`xmpp.tls_pin=${pin.replace(/:/g, '').toLowerCase()}`]);
  await expectRefused('required, a wrong pin', ['xmpp.tls=required', `xmpp.tls_pin=${sha256('test-ca.crt')}`]);
  const insecure = await expectConnected('xmpp.tls=insecure', ['xmpp.tls=insecure']);
  assert.match(insecure.log, /WARN.*xmpp\.tls=insecure: the server's certificate is NOT verified/,
    'insecure warns at start');

  await startProsody('wrong-name');
  step('Prosody now offers a certificate for another name, from the same CA');
  await expectRefused('required, the right CA, the wrong name', ['xmpp.tls=required', `xmpp.tls_ca_file=${caFile}`]);

  await startProsody(null);
  step('Prosody now offers no TLS at all');
  await expectConnected('xmpp.tls=auto (loopback) without TLS', []);
  await expectRefused('required without TLS', ['xmpp.tls=required', `xmpp.tls_ca_file=${caFile}`],
    /cannot log in to XMPP server/);
  await stopProsody();
  rmSync(dir, { recursive: true, force: true });
  console.log('ok bridge-tls');
  process.exit(0);
} catch (e) {
  console.error(`FAIL bridge-tls: ${e && e.stack ? e.stack : e}`);
  console.error(`(files kept in ${dir})`);
  await stopProsody().catch(() => {});
  process.exit(1);
}
