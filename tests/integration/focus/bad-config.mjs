// SPDX-License-Identifier: MIT
// An admin's configuration mistake stops parley-focus at once with exit status 2 and one line
// on stderr naming the setting ("parley-focus: xmpp.port: ..."), instead of running with a
// default or failing later. A correct file passes --check-config. Needs no XMPP server.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFocusOnce, focusConfigText } from '../../lib/focus.mjs';
import { SkipError } from '../../lib/prosody.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-focus-bad-config-'));
const good = {
  xmpp: { host: '127.0.0.1', port: 5347, domain: 'meet.parley.test', secret: 'focussecret' },
  focus: { min_participants: 2 },
  log: { level: 'info' },
};
function withChange(group, key, value) {
  const s = structuredClone(good);
  if (value === undefined) delete s[group][key]; else s[group][key] = value;
  return s;
}
function write(name, settings) {
  const p = path.join(dir, name);
  writeFileSync(p, focusConfigText(settings));
  return p;
}

const cases = [
  ['port is not a number', ['--config', write('port.conf', withChange('xmpp', 'port', 'fivethree'))], 'xmpp.port'],
  ['port out of range', ['--config', write('port2.conf', withChange('xmpp', 'port', 70000))], 'xmpp.port'],
  ['secret missing', ['--config', write('secret.conf', withChange('xmpp', 'secret'))], 'xmpp.secret'],
  ['domain missing', ['--config', write('domain.conf', withChange('xmpp', 'domain'))], 'xmpp.domain'],
  ['domain not a domain', ['--config', write('domain2.conf', withChange('xmpp', 'domain', 'not a domain'))], 'xmpp.domain'],
  ['unknown setting (typo)', ['--config', write('typo.conf', withChange('focus', 'min_participant', 3))], 'focus.min_participant'],
  ['negative grace time', ['--config', write('grace.conf', withChange('focus', 'room_grace_seconds', -1))], 'focus.room_grace_seconds'],
  ['bad log level from --set', ['--config', write('ok.conf', good), '--set', 'log.level=loud'], 'log.level'],
];

let failed = 0;
try {
  for (const [what, args, setting] of cases) {
    const r = await runFocusOnce(args);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    try {
      assert.equal(r.code, 2, `exit status (stderr: ${r.stderr.trim()})`);
      assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${r.stderr}`);
      assert.match(lines[0], new RegExp(`^parley-focus: ${setting.replace('.', '\\.')}: \\S`),
        'the line names the setting');
      console.log(`ok - ${what}: ${lines[0]}`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${what}: ${e.message}`);
    }
  }
  // A missing file is an error too (exit 2), naming the file.
  const missing = path.join(dir, 'does-not-exist.conf');
  const r = await runFocusOnce(['--config', missing]);
  if (r.code === 2 && r.stderr.includes(missing)) {
    console.log(`ok - missing config file: ${r.stderr.trim()}`);
  } else {
    failed++;
    console.log(`not ok - missing config file: exit ${r.code}, stderr ${r.stderr.trim()}`);
  }
  // The same settings without mistakes pass --check-config (and it does not connect anywhere).
  const ok = await runFocusOnce(['--config', path.join(dir, 'ok.conf'), '--check-config']);
  if (ok.code === 0) {
    console.log('ok - a correct file passes --check-config');
  } else {
    failed++;
    console.log(`not ok - a correct file fails --check-config: exit ${ok.code}, stderr ${ok.stderr.trim()}`);
  }
} catch (e) {
  if (e instanceof SkipError) { console.log(`SKIP: ${e.message}`); process.exit(77); }
  throw e;
}
rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
