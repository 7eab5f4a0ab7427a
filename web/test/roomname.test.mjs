// SPDX-License-Identifier: MIT
// The room-name rule in JS against the vectors the focus's C implementation is tested with
// (tests/vectors/room-names.json): the same name must get the same verdict on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  RULE, assessRoomName, isWeakRoomName, normalizeForStrength, roomNameStrength,
} from '../roomname.js';

const vectors = JSON.parse(readFileSync(new URL('../../tests/vectors/room-names.json', import.meta.url), 'utf8'));

test('the vector file is for this rule', () => {
  assert.equal(vectors.rule, RULE);
  assert.ok(vectors.vectors.length >= 40);
});

test('every shared vector gives the same assessment', () => {
  for (const v of vectors.vectors) {
    const r = assessRoomName(v.name);
    const label = `${JSON.stringify(v.name)} (${v.why})`;
    assert.equal(r.normalized, v.normalized, `${label}: normalized`);
    assert.equal(r.decoded, v.decoded, `${label}: decoded`);
    assert.equal(r.length, v.length, `${label}: length`);
    assert.equal(r.classes, v.classes, `${label}: classes`);
    assert.equal(r.distinct, v.distinct, `${label}: distinct`);
    assert.equal(r.score, v.score, `${label}: score`);
    assert.equal(r.uuid, v.uuid, `${label}: uuid`);
    assert.equal(r.strength, v.strength, `${label}: strength`);
    assert.equal(roomNameStrength(v.name), v.strength, label);
    assert.equal(isWeakRoomName(v.name), v.strength === 'weak', label);
    assert.equal(normalizeForStrength(v.name), v.normalized, label);
  }
});

test('the names users try first are weak; generated and UUID names are strong', () => {
  for (const n of ['test', 'foobar', 'room3', 'meeting', 'Test123', 'daily-standup']) {
    assert.equal(roomNameStrength(n), 'weak', n);
  }
  for (const n of ['calm-otter-4821', crypto.randomUUID(), 'board-review-2024-q3',
    'Weekly%20Planning%20Room%207']) {
    assert.equal(roomNameStrength(n), 'strong', n);
  }
});

test('case never changes the verdict (the server folds case)', () => {
  for (const v of vectors.vectors) {
    assert.equal(roomNameStrength(v.name.toUpperCase()), roomNameStrength(v.name.toLowerCase()),
      JSON.stringify(v.name));
  }
});

test('not a string: treated as its string form, null and undefined as empty', () => {
  assert.equal(assessRoomName(null).length, 0);
  assert.equal(assessRoomName(undefined).strength, 'weak');
  assert.equal(assessRoomName(12345678).normalized, '12345678');
});

test('characters from Unicode versions after 15.0 are kept verbatim', () => {
  // U+1CCD6 OUTLINED LATIN CAPITAL LETTER A (Unicode 16) has an NFKC mapping to "A" in
  // runtimes that know it; the rule keeps it so GLib 2.74 (Unicode 15.0) agrees.
  const a = String.fromCodePoint(0x1ccd6);
  assert.equal(normalizeForStrength(`${a}x`), `${a}x`);
  // A character the table does not cover is normalised as usual.
  assert.equal(normalizeForStrength('\uFF21'), 'a');
});

test('the runtime is not newer than the pinned Unicode table covers', () => {
  // The table of post-15.0 code points in roomname.js and focus/room-name.c lists what Unicode
  // 15.1 to 17.0 added. A runtime with newer data may normalise characters GLib does not know:
  // extend both tables (and this bound) when this fails.
  const [major] = String(process.versions.unicode ?? '0').split('.').map(Number);
  assert.ok(major <= 17, `Unicode ${process.versions.unicode}: extend POST15 in roomname.js and room-name.c`);
});
