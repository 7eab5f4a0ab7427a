// SPDX-License-Identifier: MIT
// Where the meeting's tiles go. Two layouts, both computed here and applied by the meeting
// view as absolute positions (so a tile's <video> never moves in the DOM and never restarts):
//   - tile view: every camera tile the same size, the largest 16:9 grid that fits, kept clear of
//     the floating self-view (fitTiles);
//   - presentation: shared screens large (several screens share the main area), everyone's
//     camera as a thumbnail in a strip along the self-view's side: a column above it on wide
//     stages, a row left of it on tall ones (presentationRects).
// Pure functions: no DOM.

/** Columns and rows that give the largest 16:9 tiles for n tiles in a W x H box. */
export function bestGrid(n, W, H, gap = 12, aspect = 16 / 9) {
  if (n <= 0) return { cols: 1, rows: 1, width: W, height: H };
  let best = { cols: 1, rows: n, width: 0, height: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const cw = (W - gap * (cols - 1)) / cols;
    const ch = (H - gap * (rows - 1)) / rows;
    const width = Math.max(0, Math.min(cw, ch * aspect));
    if (width > best.width) best = { cols, rows, width, height: width / aspect };
  }
  return best;
}

/** Rectangles of n tiles laid out by `g` (CSS grid, rows filled left to right, grid centred). */
export function tileRects(n, g, x0, y0, gap) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const c = i % g.cols;
    const r = Math.floor(i / g.cols);
    out.push({ x: x0 + c * (g.width + gap), y: y0 + r * (g.height + gap), w: g.width, h: g.height });
  }
  return out;
}

export const intersects = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Tile grid for n tiles in a W x H box that keeps the tiles clear of the floating self-view.
 * `self` is the self-view's rectangle in box coordinates ({x, y, w, h}, or null). Three
 * candidates: the whole box; the box above the self-view (a band as high as the self-view
 * reserved at the bottom); the box left of it (a band reserved at the right). The grid is
 * centred in its box. Of the candidates whose tiles do not touch the self-view (with `gap`
 * around it), the one with the largest tiles wins; often that costs nothing, because the
 * tiles are limited by the other dimension. Only when avoiding the self-view would halve the
 * tiles (a tiny screen) may they overlap it.
 * Returns { cols, rows, width, height, marginRight, marginBottom, overlaps }.
 */
export function fitTiles(n, W, H, self = null, gap = 12) {
  const at = (boxW, boxH, marginRight, marginBottom) => {
    const g = bestGrid(n, boxW, boxH, gap);
    const gw = g.cols * g.width + gap * (g.cols - 1);
    const gh = g.rows * g.height + gap * (g.rows - 1);
    const keep = self && { x: self.x - gap, y: self.y - gap, w: self.w + 2 * gap, h: self.h + 2 * gap };
    const overlaps = n > 0 && !!keep
      && tileRects(n, g, (boxW - gw) / 2, (boxH - gh) / 2, gap).some((t) => intersects(t, keep));
    return { ...g, marginRight, marginBottom, overlaps };
  };
  const full = at(W, H, 0, 0);
  if (!self || n <= 0 || !full.overlaps) return full;
  const bottom = Math.max(0, H - self.y + gap);
  const right = Math.max(0, W - self.x + gap);
  const clear = [at(W, H - bottom, 0, bottom), at(W - right, H, right, 0)].filter((o) => !o.overlaps);
  const best = clear.sort((a, b) => b.width - a.width)[0];
  return best && best.width >= 0.5 * full.width ? best : full;
}


/** Rectangles of the tile view: fitTiles' grid, centred in the box it chose. */
export function gridRects(n, W, H, self = null, gap = 12) {
  const g = fitTiles(n, W, H, self, gap);
  const bw = W - g.marginRight;
  const bh = H - g.marginBottom;
  const gw = g.cols * g.width + gap * (g.cols - 1);
  const gh = g.rows * g.height + gap * (g.rows - 1);
  return tileRects(n, g, (bw - gw) / 2, (bh - gh) / 2, gap);
}

/**
 * Presentation layout for `screens` shared screens and `thumbs` camera thumbnails in a W x H
 * box, with the self-view at `self` ({x, y, w, h} in box coordinates, bottom-right, or null).
 * Wide boxes: a strip as wide as the self-view down the right edge, thumbnails stacked above
 * the self-view, screens in the rest. Tall boxes: a strip as high as the self-view along the
 * bottom, thumbnails left of the self-view, screens above. Screens are laid out 16:9 by
 * bestGrid and centred; thumbnails shrink (16:9) when too many for the strip.
 * Returns { screens: [rect], thumbs: [rect], strip: 'right' | 'bottom' }.
 */
export function presentationRects(screens, thumbs, W, H, self = null, gap = 12) {
  const wide = W >= H;
  const sw = self?.w ?? Math.min(240, Math.max(140, W * 0.18));
  const sh = self?.h ?? (sw * 9) / 16;
  const out = { screens: [], thumbs: [], strip: wide ? 'right' : 'bottom' };
  let main;
  if (wide) {
    // The strip is the self-view's column (it floats a few pixels in from the edge).
    const x0 = self ? Math.min(self.x, W - sw) : W - sw;
    main = { x: 0, y: 0, w: Math.max(0, x0 - gap), h: H };
    const avail = Math.max(0, (self ? self.y - gap : H));
    let th = (sw * 9) / 16;
    if (thumbs > 0 && thumbs * th + (thumbs - 1) * gap > avail) th = Math.max(0, (avail - (thumbs - 1) * gap) / thumbs);
    const tw = (th * 16) / 9;
    const x = x0 + (sw - tw) / 2;
    for (let i = 0; i < thumbs; i++) out.thumbs.push({ x, y: i * (th + gap), w: tw, h: th });
  } else {
    const y0 = self ? Math.min(self.y, H - sh) : H - sh;
    main = { x: 0, y: 0, w: W, h: Math.max(0, y0 - gap) };
    const avail = Math.max(0, (self ? self.x - gap : W));
    let tw = (sh * 16) / 9;
    if (thumbs > 0 && thumbs * tw + (thumbs - 1) * gap > avail) tw = Math.max(0, (avail - (thumbs - 1) * gap) / thumbs);
    const th = (tw * 9) / 16;
    const y = y0 + (sh - th) / 2;
    for (let i = 0; i < thumbs; i++) out.thumbs.push({ x: i * (tw + gap), y, w: tw, h: th });
  }
  if (screens > 0) {
    const g = bestGrid(screens, main.w, main.h, gap);
    const gw = g.cols * g.width + gap * (g.cols - 1);
    const gh = g.rows * g.height + gap * (g.rows - 1);
    out.screens = tileRects(screens, g, main.x + (main.w - gw) / 2, main.y + (main.h - gh) / 2, gap);
  }
  return out;
}
