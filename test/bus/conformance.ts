// The adapter conformance suite: every BusAdapter (memory, Redis Streams, JetStream) must pass it unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdapterError, CursorBackendError, DedupWindow, EventBatch, EventBus, encodeCursor, type BusAdapter,
} from '../../src/bus/index.js';
import { isNetError } from '../../src/core/index.js';

export interface AdapterFixture {
  /** A fresh adapter over an empty namespace (stream prefix). */
  open(): Promise<BusAdapter>;
}

function batchOf(shardId: number, firstSeq: number, payloads: Uint8Array[]): EventBatch {
  const b = new EventBatch(1 << 16, 'feedc0de00000001');
  b.shardId = shardId;
  b.firstSeq = firstSeq;
  let pos = 0;
  for (const p of payloads) {
    b.words[pos >>> 2] = p.length;
    b.bytes.set(p, pos + 4);
    pos += 4 + ((p.length + 3) & ~3);
  }
  b.count = payloads.length;
  b.byteLength = pos;
  return b;
}

const never = new AbortController().signal;

export function conformance(name: string, fixture: AdapterFixture): void {
  test(`${name}: stores batches and reads them back in order with their dedup ids`, async () => {
    const a = await fixture.open();
    try {
      const payloads = Array.from({ length: 25 }, (_, i) => new Uint8Array([i, 0, 255, i * 3]));
      await a.onBatch(batchOf(3, 100, payloads.slice(0, 10)), never);
      await a.onBatch(batchOf(3, 110, payloads.slice(10)), never);
      await a.onBatch(batchOf(5, 200, [new Uint8Array(0)]), never);
      const p1 = await a.pollShard(3, undefined, 10, never);
      assert.equal(p1.events.length, 10);
      assert.equal(p1.hasMore, true);
      assert.deepEqual(p1.events.map((e) => [...e.data]), payloads.slice(0, 10).map((p) => [...p]));
      assert.deepEqual(p1.events.map((e) => e.dedupId), [...Array(10).keys()].map((i) => `feedc0de00000001-${100 + i}`));
      assert.ok(p1.events.every((e) => e.shardId === 3));
      const p2 = await a.pollShard(3, p1.nextId, 100, never);
      assert.equal(p2.events.length, 15);
      assert.equal(p2.hasMore, false);
      assert.deepEqual([...p2.events[14]!.data], [...payloads[24]!]);
      const p3 = await a.pollShard(3, p2.nextId, 100, never);
      assert.equal(p3.events.length, 0);
      assert.equal(p3.nextId, p2.nextId, 'an empty page echoes the position');
      const empty = await a.pollShard(5, undefined, 10, never);
      assert.equal(empty.events[0]!.data.length, 0);
      const none = await a.pollShard(9, undefined, 10, never);
      assert.equal(none.events.length, 0);
      assert.deepEqual((await a.listShards(never)).sort((x, y) => x - y), [3, 5]);
      assert.deepEqual(await a.shardStats(3, never), { shardId: 3, events: 25, firstId: p1.events[0]!.id, lastId: p2.events[14]!.id });
      assert.deepEqual(await a.shardStats(9, never), { shardId: 9, events: 0, firstId: undefined, lastId: undefined });
    } finally {
      await a.shutdown();
    }
  });

  test(`${name}: end to end through the bus, every event exactly once after dedup`, async () => {
    const a = await fixture.open();
    const bus = new EventBus({ adapter: a }, { shards: 3, batch: { maxSize: 500 } });
    try {
      const n = 3000;
      for (let i = 0; i < n; i++) bus.emit(`{"i":${i}}`, `k${i % 17}`);
      await bus.flush();
      const s = bus.stats();
      assert.equal(s.eventsDispatched, n);
      assert.equal(s.eventsIngested, s.eventsDispatched + s.eventsDropped);
      const seen = new Set<string>();
      const dedup = new DedupWindow(10_000);
      let cursor: string | undefined;
      for (let guard = 0; guard < 1000; guard++) {
        const r = await bus.poll({ limit: 700, cursor, dedup });
        assert.deepEqual(r.failedShards, []);
        for (const e of r.events) {
          const text = Buffer.from(e.data).toString();
          assert.ok(!seen.has(text), `duplicate ${text}`);
          seen.add(text);
        }
        cursor = r.nextCursor;
        if (r.events.length === 0 && !r.hasMore) break;
      }
      assert.equal(seen.size, n);
      const other = encodeCursor(a.backend === 'redis' ? 'jetstream' : 'redis', new Map([[0, '1']]));
      await assert.rejects(bus.poll({ limit: 1, cursor: other }), CursorBackendError);
    } finally {
      await bus.shutdown();
    }
  });

  test(`${name}: after shutdown, calls fail with a non-transient AdapterError`, async () => {
    const a = await fixture.open();
    await a.shutdown();
    await assert.rejects(a.onBatch(batchOf(0, 1, [new Uint8Array(1)]), never), (e: unknown) => e instanceof AdapterError && !e.transient);
    await assert.rejects(a.pollShard(0, undefined, 1, never), (e: unknown) => isNetError(e));
  });
}

/**
 * Consumer groups (adapters that have them): each event goes to one consumer; an event a consumer took and did
 * not acknowledge comes back to another consumer after the backend's idle time (the adapter under test must be
 * opened with a short one), with a higher delivery count; acknowledged events never come back.
 */
export function groupConformance(name: string, fixture: AdapterFixture): void {
  test(`${name}: consumer groups split a shard between consumers and reclaim what a dead consumer did not ack`, { timeout: 30_000 }, async () => {
    const a = await fixture.open();
    try {
      const groups = a.groups!;
      assert.ok(groups, 'adapter has consumer groups');
      const payloads = Array.from({ length: 20 }, (_, i) => new Uint8Array([i]));
      await a.onBatch(batchOf(2, 0, payloads), never);
      const c1 = await groups.read(2, 'g1', 'c1', 10, never);
      assert.deepEqual(c1.map((e) => e.data[0]), [...Array(10).keys()]);
      assert.ok(c1.every((e) => e.deliveries === 1));
      assert.equal(await groups.ack(2, 'g1', c1.slice(0, 5).map((e) => e.ackId), never), 5);
      const c2 = await groups.read(2, 'g1', 'c2', 10, never);
      assert.deepEqual(c2.map((e) => e.data[0]), [...Array(10).keys()].map((i) => i + 10), 'c2 gets the events c1 did not take');
      assert.equal(await groups.ack(2, 'g1', c2.map((e) => e.ackId), never), 10);
      // c1 dies holding 5 unacknowledged events; c2 gets them once they have been idle long enough
      const reclaimed: number[] = [];
      const deadline = Date.now() + 20_000;
      while (reclaimed.length < 5 && Date.now() < deadline) {
        const r = await groups.read(2, 'g1', 'c2', 10, never);
        for (const e of r) {
          assert.ok(e.deliveries >= 2, `redelivered event ${e.data[0]} has deliveries ${e.deliveries}`);
          reclaimed.push(e.data[0]!);
        }
        assert.equal(await groups.ack(2, 'g1', r.map((e) => e.ackId), never), r.length);
        if (r.length === 0) await new Promise((res) => setTimeout(res, 50));
      }
      assert.deepEqual(reclaimed.sort((x, y) => x - y), [5, 6, 7, 8, 9]);
      // a second group starts at the beginning and is independent of the first
      const other = await groups.read(2, 'g2', 'c1', 100, never);
      assert.equal(other.length, 20);
      // bad names and foreign ack ids are refused without touching the backend
      await assert.rejects(groups.read(2, 'bad group', 'c1', 1, never), (e: unknown) => e instanceof AdapterError && !e.transient);
      await assert.rejects(groups.ack(2, 'g1', ['$JS.API.STREAM.DELETE.x', '1-1 junk'], never), (e: unknown) => e instanceof AdapterError && !e.transient);
      await a.onBatch(batchOf(2, 20, [new Uint8Array([99])]), never);
      await new Promise((res) => setTimeout(res, 50));
      const late = await groups.read(2, 'g1', 'c3', 10, never);
      assert.deepEqual(late.map((e) => e.data[0]), [99], 'acknowledged events never come back');
    } finally {
      await a.shutdown();
    }
  });
}
