import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetError, RealTimers, TimeoutError, VirtualClock, VirtualScheduler, SeededRandom } from '../../src/core/index.js';

test('equal times run in insertion order; earlier times first', () => {
  const s = new VirtualScheduler();
  const order: string[] = [];
  s.scheduleAt(5, () => order.push('a5'));
  s.scheduleAt(1, () => order.push('b1'));
  s.scheduleAt(5, () => order.push('c5'));
  s.schedule(1, () => order.push('d1'));
  s.scheduleAt(5, () => order.push('e5'));
  assert.equal(s.runUntilIdle(), 5);
  assert.deepEqual(order, ['b1', 'd1', 'a5', 'c5', 'e5']);
  assert.equal(s.nowMs(), 5);
});

test('heap order matches a sort by (time, seq) over many random events, with cancels', () => {
  const s = new VirtualScheduler();
  const r = new SeededRandom(3);
  const expected: { at: number; seq: number }[] = [];
  const got: number[] = [];
  const handles = [];
  for (let i = 0; i < 5000; i++) {
    const at = r.nextU32() % 200;
    handles.push(s.scheduleAt(at, () => got.push(i)));
    expected.push({ at, seq: i });
  }
  const cancelled = new Set<number>();
  for (let i = 0; i < 5000; i += 3) {
    assert.ok(s.cancel(handles[i]));
    cancelled.add(i);
  }
  assert.equal(s.cancel(handles[0]), false, 'second cancel is a no-op');
  assert.equal(s.pending, 5000 - cancelled.size);
  s.runUntilIdle();
  const want = expected.filter((e) => !cancelled.has(e.seq)).sort((a, b) => a.at - b.at || a.seq - b.seq).map((e) => e.seq);
  assert.deepEqual(got, want);
});

test('runUntil runs due events, stops at the bound and sets the clock; runFor is relative', () => {
  const clock = new VirtualClock();
  const s = new VirtualScheduler(clock);
  const seen: number[] = [];
  for (const t of [10, 20, 30]) s.scheduleAt(t, () => seen.push(s.nowMs()));
  assert.equal(s.runUntil(20), 2);
  assert.deepEqual(seen, [10, 20]);
  assert.equal(clock.nowMs(), 20);
  assert.equal(s.runFor(5), 0);
  assert.equal(clock.nowMs(), 25);
  assert.equal(s.nextAt(), 30);
  assert.throws(() => s.runUntil(1), NetError);
  s.runFor(100);
  assert.deepEqual(seen, [10, 20, 30]);
  assert.equal(s.pending, 0);
});

test('events scheduled while running, past times and the Timers face', () => {
  const s = new VirtualScheduler();
  const seen: string[] = [];
  s.setTimeout(() => {
    seen.push(`outer@${s.nowMs()}`);
    s.setTimeout(() => seen.push(`zero@${s.nowMs()}`), 0);
    s.scheduleAt(-5, () => seen.push(`past@${s.nowMs()}`));
  }, 10);
  const h = s.setTimeout(() => seen.push('never'), 10);
  s.clearTimeout(h);
  s.clearTimeout(undefined);
  s.runUntilIdle();
  assert.deepEqual(seen, ['outer@10', 'zero@10', 'past@10']);
});

test('runUntilIdle refuses to spin forever', () => {
  const s = new VirtualScheduler();
  const tick = (): void => void s.schedule(1, tick);
  tick();
  assert.throws(() => s.runUntilIdle(100), TimeoutError);
});

test('cancelling most events compacts the heap and keeps order', () => {
  const s = new VirtualScheduler();
  const got: number[] = [];
  for (let round = 0; round < 1000; round++) {
    // A machine re-arming one timer per packet: the old one is always cancelled.
    const h = s.schedule(1000 - round * 0.5, () => got.push(round));
    if (round < 999) s.cancel(h);
  }
  assert.equal(s.pending, 1);
  s.runUntilIdle();
  assert.deepEqual(got, [999]);
});

test('RealTimers fires and clears (unref by default)', async () => {
  const t = new RealTimers();
  let cleared = false;
  const h = t.setTimeout(() => (cleared = true), 1);
  t.clearTimeout(h);
  await new Promise<void>((resolve) => new RealTimers({ unref: false }).setTimeout(resolve, 2));
  assert.equal(cleared, false);
});
