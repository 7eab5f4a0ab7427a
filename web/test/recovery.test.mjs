// SPDX-License-Identifier: MIT
// recovery.js: the reconnect back-off and the ICE watch (when to ask the focus for a new
// media session).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IceWatch, RECONNECT, reconnectDelay } from '../recovery.js';

test('reconnect delays double from 0.5 s to a 3 s cap', () => {
  const mid = () => 0.5; // no jitter at the middle of the range
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((a) => reconnectDelay(a, {}, mid)), [500, 1000, 2000, 3000, 3000, 3000]);
});

test('reconnect delays are spread by the jitter, never beyond it', () => {
  assert.equal(reconnectDelay(0, {}, () => 0), 375);
  assert.equal(reconnectDelay(3, {}, () => 0.999999), 3750);
  const seen = new Set();
  for (let i = 0; i < 200; i++) {
    const d = reconnectDelay(2);
    assert.ok(d >= 1500 && d <= 2500, `delay ${d}`);
    seen.add(d);
  }
  assert.ok(seen.size > 20, 'random delays differ from one client to the next');
});

test('a server back within the attempts is found within one capped delay', () => {
  // Worst case between a server coming back and the next attempt: the largest delay.
  const worst = reconnectDelay(RECONNECT.maxAttempts, {}, () => 0.999999);
  assert.ok(worst <= 4000, `worst wait ${worst} ms`);
  let total = 0;
  for (let a = 0; a < RECONNECT.maxAttempts; a++) total += reconnectDelay(a, {}, () => 0);
  assert.ok(total > 60000, `attempts cover more than a minute of outage (${total} ms)`);
});

/** An IceWatch on a fake clock. */
function watch(opts = {}) {
  const timers = new Map();
  let now = 0;
  let next = 1;
  const events = [];
  const w = new IceWatch({
    onNotify: (reason, n) => events.push(`notify ${reason} ${n} @${now}`),
    onGiveUp: () => events.push(`give-up @${now}`),
    setTimer: (fn, ms) => { const id = next++; timers.set(id, { fn, at: now + ms }); return id; },
    clearTimer: (id) => timers.delete(id),
    ...opts,
  });
  const advance = (ms) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = end;
  };
  return { w, events, advance, timers };
}

test('ICE failed asks for a new session at once', () => {
  const { w, events } = watch();
  w.update('checking');
  w.update('connected');
  w.update('failed');
  assert.deepEqual(events, ['notify failed 1 @0']);
});

test('a short disconnection asks nothing; one beyond 5 s asks for a new session', () => {
  const { w, events, advance } = watch();
  w.update('connected');
  w.update('disconnected');
  advance(4000);
  w.update('connected');
  advance(10000);
  assert.deepEqual(events, [], 'back within 5 s: nothing sent');
  w.update('disconnected');
  advance(4999);
  assert.deepEqual(events, []);
  advance(1);
  assert.deepEqual(events, ['notify disconnected 1 @19000']);
  w.update('failed'); // already asked: not again at once
  assert.equal(events.length, 1);
});

test('no new session: asked again every 10 s, then gives up', () => {
  const { w, events, advance } = watch();
  w.update('failed');
  advance(10000);
  advance(10000);
  advance(10000);
  assert.deepEqual(events, ['notify failed 1 @0', 'notify failed 2 @10000', 'notify failed 3 @20000', 'notify failed 4 @30000']);
  advance(10000);
  assert.deepEqual(events.slice(4), ['give-up @40000']);
  advance(60000);
  assert.equal(events.length, 5, 'nothing after giving up');
});

test('connected again resets; a closed session never asks', () => {
  const { w, events, advance, timers } = watch();
  w.update('failed');
  w.update('connected');
  advance(60000);
  assert.deepEqual(events, ['notify failed 1 @0']);
  w.update('disconnected');
  w.close();
  advance(60000);
  w.update('failed');
  assert.equal(events.length, 1);
  assert.equal(timers.size, 0, 'no timer left behind');
});
