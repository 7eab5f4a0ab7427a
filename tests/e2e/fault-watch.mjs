// SPDX-License-Identifier: MIT
// Measuring recovery from a fault in the browser tests (faults-*.mjs): a sampler of the frames
// each page decodes from each other participant (WebRTC getStats through window.parley.stats,
// keyed by display name so a participant who came back with a new endpoint id is the same
// person), and the times at which media flows again after a fault. A page's counters restart
// from zero with a new media session; "rising" is two samples in a row with at least
// `minRise` more frames, both taken after the moment measured from.
// State belongs to the Node.js event loop thread.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Frames decoded per remote display name at `page` ({ name: frames }); null if unreadable. */
function framesByName(page) {
  return page.evaluate(async () => {
    const s = await window.parley.stats();
    const out = {};
    for (const q of window.parley.participants) out[q.displayName] = s[q.id]?.video?.framesDecoded ?? 0;
    return out;
  });
}

/**
 * Starts sampling every page every `intervalMs`. Returns { stop(), risingAt(page, name, since,
 * opts), waitBack(since, pairs, opts), maxGap(page, name, from, to), lastSample(page) }.
 */
export function frameWatch(pages, { intervalMs = 200 } = {}) {
  const samples = new Map(pages.map((p) => [p, []]));
  let running = true;
  const loop = async (p) => {
    while (running) {
      const started = Date.now();
      const f = await framesByName(p).catch(() => null);
      if (f) samples.get(p).push({ t: Date.now(), f });
      await sleep(Math.max(20, intervalMs - (Date.now() - started)));
    }
  };
  const loops = pages.map(loop);

  /**
   * When frames of `name` started rising again at `page` at or after `since` (the time of
   * the later of the two rising samples), or null. With requireStall, only after a pair of
   * samples (after `since`) without any new frame, or with fewer (a new session): media must
   * have stopped first.
   */
  const risingAt = (page, name, since, { requireStall = false, minRise = 2 } = {}) => {
    const list = samples.get(page).filter((s) => s.t >= since);
    let stalled = !requireStall;
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1].f[name];
      const b = list[i].f[name];
      if (a === undefined || b === undefined) continue;
      // No new frame, or a counter that went down (a new media session started from zero:
      // the old one stopped, even if no sample caught it standing still).
      if (b <= a) stalled = true;
      else if (stalled && b - a >= minRise) return list[i].t;
    }
    return null;
  };

  return {
    risingAt,
    lastSample: (page) => samples.get(page).at(-1) ?? null,
    /**
     * Waits until every [page, name] pair of `pairs` has frames rising after `since`;
     * resolves { [`${page.tag}<-${name}`]: ms after since }. Rejects after `timeout` (the
     * harness deadline, kept generous) naming the pairs still without media.
     */
    async waitBack(since, pairs, { timeout = 60000, requireStall = false, what = 'media' } = {}) {
      const end = Date.now() + timeout;
      for (;;) {
        const got = pairs.map(([p, n]) => [p, n, risingAt(p, n, since, { requireStall })]);
        if (got.every(([, , t]) => t !== null)) {
          return Object.fromEntries(got.map(([p, n, t]) => [`${p.tag}<-${n}`, t - since]));
        }
        if (Date.now() > end) {
          const missing = got.filter(([, , t]) => t === null).map(([p, n]) => `${p.tag}<-${n}`);
          const last = pairs.map(([p]) => `${p.tag}: ${JSON.stringify(samples.get(p).at(-1) ?? null)}`);
          throw new Error(`${what}: no frames rising within ${timeout} ms for ${missing.join(', ')} (last samples ${last.join('; ')})`);
        }
        await sleep(100);
      }
    },
    /** The longest time (ms) between `from` and `to` during which `name`'s frames at `page` did not rise. */
    maxGap(page, name, from, to) {
      const list = samples.get(page).filter((s) => s.t >= from && s.t <= to && s.f[name] !== undefined);
      let gap = 0;
      let lastRise = from;
      for (let i = 1; i < list.length; i++) {
        if (list[i].f[name] > list[i - 1].f[name]) {
          gap = Math.max(gap, list[i - 1].t - lastRise);
          lastRise = list[i].t;
        }
      }
      return Math.max(gap, (list.at(-1)?.t ?? to) - lastRise);
    },
    async stop() {
      running = false;
      await Promise.race([Promise.all(loops), sleep(3000)]);
    },
  };
}

/**
 * Resolves with Date.now() when `re` first matches the text `getText()` returns from offset
 * `from` on (polled every 50 ms); rejects after `timeout`.
 */
export async function textAppears(getText, from, re, { timeout = 30000, what } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const m = re.exec(getText().slice(from));
    if (m) return { at: Date.now(), match: m };
    if (Date.now() > end) throw new Error(`${what ?? re} not seen within ${timeout} ms`);
    await sleep(50);
  }
}

/** Every pair [page, name of another page] of a call. */
export function everyPair(pages) {
  return pages.flatMap((p) => pages.filter((q) => q !== p).map((q) => [p, q.name]));
}

/** Formats a recovery figure: "alice<-Bob 1234 ms, ..." and the worst. */
export function figures(map) {
  const worst = Math.max(...Object.values(map));
  return { worst, text: `${Object.entries(map).map(([k, v]) => `${k} ${v} ms`).join(', ')}; worst ${worst} ms` };
}
