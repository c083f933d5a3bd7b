// Two StreamMux instances over a seeded lossy link (30 % loss, duplication, reordering): reliable streams
// deliver exactly once in order, fire-and-forget never duplicates, windows bound buffered bytes, a vanished peer
// resets the stream, and a seed reproduces the trace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamSendStatus, STREAM_DROP_COUNTERS } from '../../../src/transport/index.js';
import { Pair, eventBytes, eventIndex } from './harness.js';

const LOSSY = { loss: 0.3, duplicate: 0.1, minDelayMs: 1, maxDelayMs: 15 };

/** Sends `total` events on `id` as credit allows, flushing between bursts; returns how many were admitted. */
function pump(p: Pair, id: bigint, sid: number, total: number, next: { i: number }, burst = 16, len = 64): void {
  const a = p.muxes[0];
  while (next.i < total) {
    const batch = [];
    for (let k = 0; k < burst && next.i + k < total; k++) batch.push(eventBytes(sid, next.i + k, len));
    if (a.send(id, batch) !== StreamSendStatus.Ok) break;
    next.i += batch.length;
  }
  a.flush();
}

function assertCountersBalance(p: Pair): void {
  for (const m of p.muxes) {
    const c = m.counters;
    assert.equal(c.get('received'), c.get('accepted') + c.sum(STREAM_DROP_COUNTERS), 'received = accepted + drops');
  }
}

function runReliable(seed: number, total: number): { trace: number; p: Pair } {
  const p = new Pair(seed, LOSSY, { maxRetries: 12, windowBytes: 16_384 });
  p.muxes[0].openStream({ streamId: 7n, reliability: 'reliable' });
  const next = { i: 0 };
  const got = (): number => p.delivered[1].get(7n)?.length ?? 0;
  for (let round = 0; round < 10_000 && got() < total; round++) {
    pump(p, 7n, 7, total, next);
    p.run(p.clock.nowMs() + 5, () => false);
  }
  return { trace: p.trace, p };
}

test('reliable stream under 30% loss, duplication and reordering: every event exactly once, in order', () => {
  const total = 3000;
  const { p } = runReliable(1234, total);
  const got = p.delivered[1].get(7n) ?? [];
  assert.equal(got.length, total);
  got.forEach((e, i) => assert.deepEqual(eventIndex(e), [7, i]));
  const c1 = p.muxes[1].counters;
  const c0 = p.muxes[0].counters;
  assert.ok(c1.get('drop_duplicate') > 0, 'duplicates were seen and dropped');
  assert.ok(c0.get('retransmits_nack') > 0 && c0.get('retransmits_timeout') > 0, 'both recovery paths ran');
  assert.ok(c1.get('nacks_sent') > 0 && c1.get('acks_sent') > 0);
  assert.deepEqual(p.resets, [[], []]);
  assertCountersBalance(p);
  const st = p.muxes[0].streamStats(7n)!;
  assert.ok(st.rtoMs >= 10 && st.rtoMs <= 2000, `rto ${st.rtoMs} clamped`);
  assert.ok(st.cwnd >= 2);
});

test('same seed, same trace hash; another seed, another trace', () => {
  const a = runReliable(99, 400).trace;
  const b = runReliable(99, 400).trace;
  const c = runReliable(100, 400).trace;
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('fire-and-forget under loss and duplication: never a duplicate, never out of order, credit not stranded', () => {
  const p = new Pair(77, LOSSY, { windowBytes: 8192 });
  p.muxes[0].openStream({ streamId: 9n, reliability: 'fire_and_forget' });
  const next = { i: 0 };
  const total = 4000;
  for (let round = 0; round < 5000 && next.i < total; round++) {
    pump(p, 9n, 9, total, next, 8);
    p.run(p.clock.nowMs() + 3);
  }
  p.run(p.clock.nowMs() + 1000);
  assert.equal(next.i, total, 'the sender was never stuck: lost packets settle their credit');
  const got = (p.delivered[1].get(9n) ?? []).map((e) => eventIndex(e)[1]);
  assert.ok(got.length > total * 0.5 && got.length < total, `${got.length} delivered`);
  for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, 'strictly increasing: no duplicate, no late event');
  assert.ok(p.muxes[1].counters.get('drop_stale') > 0);
  assertCountersBalance(p);
});

test('receiver stops consuming: the sender buffers at most the window, nothing is lost, resume drains it', () => {
  const window = 4096;
  const p = new Pair(5, { loss: 0.3, duplicate: 0.1, minDelayMs: 1, maxDelayMs: 10 }, { windowBytes: window, maxRetries: 30 });
  const [a, b] = p.muxes;
  a.openStream({ streamId: 3n, reliability: 'reliable' });
  b.openStream({ streamId: 3n, reliability: 'reliable' });
  b.pauseReceive(3n);
  const next = { i: 0 };
  let refused = 0;
  for (let round = 0; round < 300; round++) {
    const before = next.i;
    pump(p, 3n, 3, 1_000_000, next, 4);
    if (next.i === before) refused++;
    assert.ok(a.bufferedBytes(3n) <= window, `buffered ${a.bufferedBytes(3n)} > window`);
    p.run(p.clock.nowMs() + 10);
  }
  assert.ok(refused > 200, 'backpressure held the sender');
  assert.ok(a.streamStats(3n)!.backpressureEvents > 0n);
  assert.equal(p.delivered[1].get(3n), undefined, 'nothing delivered while paused');
  assert.equal(b.counters.get('drop_rx_buffer_full'), 0, 'the window kept the receive buffer from overflowing');
  const admitted = next.i;
  b.resumeReceive(3n);
  p.run(p.clock.nowMs() + 5000, () => (p.delivered[1].get(3n)?.length ?? 0) === admitted);
  const got = p.delivered[1].get(3n) ?? [];
  assert.equal(got.length, admitted);
  got.forEach((e, i) => assert.equal(eventIndex(e)[1], i));
  assert.ok(p.writable[0] > 0, 'writable fired once credit came back');
});

test('a peer that vanishes: the reliable stream gives up, sends a reset and reports it', () => {
  const p = new Pair(8, { loss: 0, duplicate: 0, minDelayMs: 2, maxDelayMs: 2 }, { maxRetries: 3 });
  const [a, b] = p.muxes;
  a.openStream({ streamId: 11n });
  assert.equal(a.send(11n, [eventBytes(11, 0)]), StreamSendStatus.Ok);
  a.flush();
  p.run(100);
  assert.equal(p.delivered[1].get(11n)?.length, 1);
  p.blackhole[1] = true; // b's grants and acks vanish
  b.pauseReceive(11n);
  assert.equal(a.send(11n, [eventBytes(11, 1)]), StreamSendStatus.Ok);
  a.flush();
  p.run(60_000, () => p.resets[0].length > 0);
  assert.deepEqual(p.resets[0], ['11:retries-exhausted']);
  assert.equal(a.counters.get('resets_sent'), 1);
  assert.equal(a.streamStats(11n), null);
  assert.equal(a.send(11n, [eventBytes(11, 2)]), StreamSendStatus.NoStream);
  assert.ok(p.clock.nowMs() < 20_000, `gave up after ${p.clock.nowMs()} ms`);
  p.run(p.clock.nowMs() + 100);
  assert.deepEqual(p.resets[1], ['11:peer-reset'], 'the receiver heard the reset');
});
