// EventBus behaviour on a virtual clock: batching by size and delay, backpressure modes, flush, shutdown
// deadlines, retries, scaling and key routing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus, PayloadTooLargeError, type BusStats } from '../../src/bus/index.js';
import { BackpressureError, ClosedError, InvalidArgumentError, SeededRandom, VirtualScheduler } from '../../src/core/index.js';
import { FakeAdapter, tick } from './fake-adapter.js';

function setup(options: ConstructorParameters<typeof EventBus>[1] = {}) {
  const sched = new VirtualScheduler();
  const adapter = new FakeAdapter(sched);
  const bus = new EventBus({ adapter, clock: sched.clock, timers: sched, random: new SeededRandom(7) }, { scaling: { auto: false }, ...options });
  return { sched, adapter, bus };
}

function balanced(s: BusStats): void {
  assert.equal(s.eventsIngested, s.eventsDispatched + s.eventsDropped + s.eventsBuffered + s.eventsInFlight);
}

const ev = (n: number) => new Uint8Array([n & 0xff, n >> 8]);

test('a lone event waits at most maxDelayMs', async () => {
  const { sched, adapter, bus } = setup({ shards: 1, batch: { maxDelayMs: 5, minSize: 100 } });
  bus.emitBuffer(ev(1));
  await tick();
  assert.equal(adapter.stored, 0);
  sched.runFor(4);
  await tick();
  assert.equal(adapter.stored, 0);
  sched.runFor(1);
  await tick();
  assert.equal(adapter.stored, 1);
  assert.equal(bus.stats().eventsDispatched, 1);
});

test('a full batch goes without waiting for the delay', async () => {
  const { adapter, bus } = setup({ shards: 1, batch: { maxDelayMs: 1000, minSize: 10, maxSize: 10 } });
  for (let i = 0; i < 25; i++) bus.emitBuffer(ev(i));
  await tick();
  assert.equal(adapter.stored, 20);
  assert.equal(bus.stats().batchesDispatched, 2);
  balanced(bus.stats());
});

test('flush is a barrier and keeps order per shard', async () => {
  const { adapter, bus } = setup({ shards: 1 });
  for (let i = 0; i < 1000; i++) bus.emitBuffer(ev(i));
  await bus.flush();
  const s = bus.stats();
  assert.equal(s.eventsDispatched, 1000);
  balanced(s);
  const page = await adapter.store.pollShard(0, undefined, 2000);
  assert.deepEqual(page.events.map((e) => e.data[0]! | (e.data[1]! << 8)), [...Array(1000).keys()]);
});

test('drop_newest refuses into a full ring and counts it', async () => {
  const { bus } = setup({ shards: 1, ringBytes: 64, backpressure: 'drop_newest' });
  let accepted = 0;
  for (let i = 0; i < 10; i++) if (bus.emitBuffer(new Uint8Array(12))) accepted++;
  assert.equal(accepted, 4);
  assert.equal(bus.stats().droppedByReason.ringFull, 6);
  await bus.flush();
  balanced(bus.stats());
  assert.equal(bus.stats().eventsIngested, bus.stats().eventsDispatched + bus.stats().eventsDropped);
});

test('drop_oldest evicts the oldest buffered events', async () => {
  const { adapter, bus } = setup({ shards: 1, ringBytes: 64, backpressure: 'drop_oldest' });
  for (let i = 0; i < 10; i++) assert.equal(bus.emitBuffer(new Uint8Array(12).fill(i)), true);
  assert.equal(bus.stats().droppedByReason.evicted, 6);
  await bus.flush();
  const page = await adapter.store.pollShard(0, undefined, 100);
  assert.deepEqual(page.events.map((e) => e.data[0]), [6, 7, 8, 9]);
});

test('fail_producer throws BackpressureError and does not ingest', () => {
  const { bus } = setup({ shards: 1, ringBytes: 64, backpressure: 'fail_producer' });
  for (let i = 0; i < 4; i++) bus.emitBuffer(new Uint8Array(12));
  assert.throws(() => bus.emitBuffer(new Uint8Array(12)), BackpressureError);
  const s = bus.stats();
  assert.equal(s.eventsIngested, 4);
  assert.equal(s.rejectedByReason.backpressure, 1);
});

test('sample keeps about `rate` of the events, deterministically from the seed', async () => {
  const { bus } = setup({ shards: 2, backpressure: { mode: 'sample', rate: 0.25 } });
  let kept = 0;
  for (let i = 0; i < 10_000; i++) if (bus.emitBuffer(ev(i))) kept++;
  assert.ok(kept > 2300 && kept < 2700, `kept ${kept}`);
  await bus.flush();
  const s = bus.stats();
  assert.equal(s.droppedByReason.sampled, 10_000 - kept);
  assert.equal(s.eventsIngested, s.eventsDispatched + s.eventsDropped);
});

test('oversized payloads and emits after shutdown are refused with typed errors', async () => {
  const { bus } = setup({ maxPayloadBytes: 100 });
  assert.throws(() => bus.emitBuffer(new Uint8Array(101)), (e: unknown) => e instanceof PayloadTooLargeError && e.code === 'ERR_PAYLOAD_TOO_LARGE');
  assert.throws(() => bus.emit('x'.repeat(101)), PayloadTooLargeError);
  assert.throws(() => bus.emitBatch([new Uint8Array(1), new Uint8Array(101)]), PayloadTooLargeError);
  assert.equal(bus.stats().eventsIngested, 0, 'a batch with an oversized event is refused whole');
  await bus.shutdown();
  assert.throws(() => bus.emitBuffer(new Uint8Array(1)), ClosedError);
  assert.equal(bus.stats().rejectedByReason.oversize, 3);
});

test('transient adapter errors are retried with backoff; fatal ones drop the batch and count it', async () => {
  const { sched, adapter, bus } = setup({ shards: 1, retryBackoffMs: 10 });
  adapter.script = ['t', 't'];
  bus.emitBuffer(ev(1));
  const done = bus.flush();
  for (let i = 0; i < 20; i++) {
    sched.runFor(10);
    await tick();
  }
  await done;
  assert.equal(adapter.attempts, 3);
  assert.equal(bus.stats().batchRetries, 2);
  assert.equal(bus.stats().eventsDispatched, 1);
  adapter.script = ['f'];
  bus.emitBuffer(ev(2));
  const p = bus.flush();
  sched.runFor(10);
  await tick();
  await p;
  assert.equal(bus.stats().droppedByReason.adapter, 1);
  assert.match(bus.stats().lastAdapterError, /fatal/);
});

test('a hung adapter times out, and a shutdown past its deadline is lossy but accounted', async () => {
  const { sched, adapter, bus } = setup({ shards: 2, adapterTimeoutMs: 100, maxDispatchAttempts: 100, retryBackoffMs: 10 });
  adapter.script = Array(1000).fill('h');
  for (let i = 0; i < 50; i++) bus.emitBuffer(ev(i));
  const stopped = bus.shutdown({ deadlineMs: 1000 });
  for (let i = 0; i < 30; i++) {
    sched.runFor(50);
    await tick();
  }
  await stopped;
  const s = bus.stats();
  assert.equal(s.shutdownWasLossy, true);
  assert.equal(s.droppedByReason.shutdown, 50);
  assert.equal(s.eventsIngested, s.eventsDispatched + s.eventsDropped);
  assert.ok(adapter.attempts > 2, 'timed-out attempts were retried');
});

test('a clean shutdown is not lossy', async () => {
  const { bus } = setup();
  for (let i = 0; i < 100; i++) bus.emitBuffer(ev(i));
  await bus.shutdown();
  assert.equal(bus.stats().shutdownWasLossy, false);
  assert.equal(bus.stats().eventsDispatched, 100);
});

test('manual scaling adds shards and drains removed ones', async () => {
  const { bus } = setup({ shards: 2 });
  assert.equal(bus.addShard(), 2);
  assert.equal(bus.shards(), 3);
  for (let i = 0; i < 300; i++) bus.emitBuffer(ev(i));
  const removed = bus.removeShard();
  assert.equal(removed, 2);
  assert.equal(bus.shards(), 2);
  await bus.flush();
  await tick();
  const s = bus.stats();
  assert.equal(s.drainingShards, 0);
  assert.deepEqual(s.shardIds, [0, 1]);
  assert.equal(s.eventsDispatched, 300);
  assert.throws(() => bus.scaleTo(0), InvalidArgumentError);
  bus.scaleTo(1);
  assert.throws(() => bus.removeShard(), InvalidArgumentError);
});

test('auto-scaling grows on a filling ring, at most once per cooldown', async () => {
  const sched = new VirtualScheduler();
  const adapter = new FakeAdapter(sched);
  adapter.delayMs = 1_000_000;
  const bus = new EventBus({ adapter, clock: sched.clock, timers: sched }, { shards: 1, ringBytes: 1024, scaling: { maxShards: 4, cooldownMs: 30_000, highWatermark: 0.5 } });
  sched.clock.advance(30_000);
  for (let i = 0; i < 200; i++) bus.emitBuffer(new Uint8Array(8));
  assert.equal(bus.shards(), 2);
  sched.clock.advance(29_000);
  for (let i = 0; i < 200; i++) bus.emitBuffer(new Uint8Array(8));
  assert.equal(bus.shards(), 2, 'cooldown holds');
  sched.clock.advance(1_000);
  for (let i = 0; i < 200; i++) bus.emitBuffer(new Uint8Array(8));
  assert.equal(bus.shards(), 3);
});

test('keys route to a stable shard, and keys spread evenly (Lemire reduction)', async () => {
  const { adapter, bus } = setup({ shards: 4 });
  for (let r = 0; r < 3; r++) for (let k = 0; k < 4000; k++) bus.emit(`v${k}`, `key-${k}`);
  await bus.flush();
  const counts: number[] = [];
  const owner = new Map<string, number>();
  for (const id of [0, 1, 2, 3]) {
    const page = await adapter.store.pollShard(id, undefined, 100_000);
    counts.push(page.events.length);
    for (const e of page.events) {
      const k = Buffer.from(e.data).toString();
      assert.ok(!owner.has(k) || owner.get(k) === id, `key ${k} on two shards`);
      owner.set(k, id);
    }
  }
  for (const c of counts) assert.ok(c > 12_000 / 4 * 0.9 && c < 12_000 / 4 * 1.1, `uneven: ${counts.join(',')}`);
});

test('poll and subscribe read across shards with a composite cursor', async () => {
  const { bus } = setup({ shards: 3 });
  for (let i = 0; i < 90; i++) bus.emitBuffer(ev(i));
  await bus.flush();
  const seen = new Set<number>();
  let cursor: string | undefined;
  for (;;) {
    const r = await bus.poll({ limit: 20, cursor });
    for (const e of r.events) seen.add(e.data[0]!);
    cursor = r.nextCursor;
    if (!r.hasMore && r.events.length === 0) break;
  }
  assert.equal(seen.size, 90);
  const stream = bus.subscribe({ limit: 7 });
  let n = 0;
  for await (const e of stream) {
    assert.equal(e.data.length, 2);
    if (++n === 90) break;
  }
  assert.equal(n, 90);
  await assert.rejects(bus.poll({ limit: 0 }), InvalidArgumentError);
});
