// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestGrid, fitTiles } from '../ui/meeting.js';

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

// The self-view floats 20 px from the stage edge; the grid box is 16 px in (style.css).
const selfAt = (W, H, w, inset = 4) => ({ x: W - inset - w, y: H - inset - w * 9 / 16, w, h: w * 9 / 16 });
const rects = (n, g, W, H, gap = 12) => {
  const bw = W - g.marginRight;
  const bh = H - g.marginBottom;
  const gw = g.cols * g.width + gap * (g.cols - 1);
  const gh = g.rows * g.height + gap * (g.rows - 1);
  return Array.from({ length: n }, (_, i) => ({
    x: (bw - gw) / 2 + (i % g.cols) * (g.width + gap),
    y: (bh - gh) / 2 + Math.floor(i / g.cols) * (g.height + gap),
    w: g.width, h: g.height,
  }));
};
const touches = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

test('tile grid: desktop tiles never sit under the self-view, at little or no cost', () => {
  // Stage boxes of a 1280x720 and a 960x540 window (top bar and toolbar taken off), and a
  // wide monitor; the self-view is clamp(140px, 18vw, 240px) wide.
  for (const [W, H, sw] of [[1248, 560, 230], [928, 380, 173], [1888, 900, 240]]) {
    const self = selfAt(W, H, sw);
    for (let n = 1; n <= 9; n++) {
      const g = fitTiles(n, W, H, self);
      const free = bestGrid(n, W, H);
      assert.equal(g.overlaps, false, `${W}x${H} n=${n}`);
      for (const t of rects(n, g, W, H)) {
        assert.ok(!touches(t, self), `${W}x${H} n=${n}: tile ${JSON.stringify(t)} under the self-view`);
        assert.ok(t.x >= -1e-6 && t.y >= -1e-6 && t.x + t.w <= W + 1e-6 && t.y + t.h <= H + 1e-6, 'inside the stage');
      }
      assert.ok(g.width >= 0.7 * free.width, `${W}x${H} n=${n}: tiles ${g.width} vs ${free.width}`);
    }
  }
});

test('tile grid: two people at 1280x720 keep full-size tiles, moved up off the self-view', () => {
  const W = 1248;
  const H = 560;
  const g = fitTiles(2, W, H, selfAt(W, H, 230));
  const free = bestGrid(2, W, H);
  assert.deepEqual([g.cols, g.rows], [2, 1]);
  assert.equal(g.width, free.width); // the tiles are width-limited: the band costs nothing
  assert.ok(g.marginBottom > 0 && g.marginRight === 0);
  // Without the self-view, or when the grid already clears it, nothing moves.
  assert.deepEqual(fitTiles(2, W, H, null), { ...free, marginRight: 0, marginBottom: 0, overlaps: false });
  const small = fitTiles(1, 400, 1000, selfAt(400, 1000, 120));
  assert.equal(small.marginBottom + small.marginRight, 0);
});

test('tile grid: a three-person grid leaves the empty cell for the self-view when it fits', () => {
  // 2x2 with three tiles: the bottom-right cell is empty, so a small self-view needs no band.
  const W = 1248;
  const H = 700;
  const g = fitTiles(3, W, H, selfAt(W, H, 230));
  assert.deepEqual([g.cols, g.rows, g.marginRight, g.marginBottom, g.overlaps], [2, 2, 0, 0, false]);
});

test('tile grid: phones stay sensible', () => {
  // Portrait phone (stage padding 10 px, self-view 120 px wide, 12 px from the edge).
  for (const n of [1, 2, 3, 4]) {
    const W = 370;
    const H = 560;
    const self = selfAt(W, H, 120, 2);
    const g = fitTiles(n, W, H, self);
    assert.equal(g.cols, 1, `n=${n}: one column on a portrait phone`);
    assert.equal(g.overlaps, false, `n=${n}`);
    assert.ok(g.width >= 0.5 * bestGrid(n, W, H).width);
  }
  // A tiny box where avoiding the self-view would more than halve the tiles: overlap instead.
  const g = fitTiles(1, 200, 120, { x: 70, y: 40, w: 120, h: 68 });
  assert.equal(g.overlaps, true);
  assert.equal(g.width, bestGrid(1, 200, 120).width);
});
