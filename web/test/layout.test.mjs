// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestGrid } from '../ui/meeting.js';

test('tile grid: largest 16:9 tiles for the participant count', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => bestGrid(n, 1248, 640)).map((g) => [g.cols, g.rows]),
    [[1, 1], [2, 1], [2, 2], [2, 2], [3, 2], [3, 3]]);
  const portrait = bestGrid(2, 390, 700);
  assert.deepEqual([portrait.cols, portrait.rows], [1, 2]);
  const g = bestGrid(2, 1248, 640);
  assert.ok(Math.abs(g.width / g.height - 16 / 9) < 1e-9);
  assert.ok(2 * g.width + 12 <= 1248 + 1e-9);
  assert.deepEqual(bestGrid(0, 100, 100).cols, 1);
});
