// Bus configuration: documented defaults, and unknown keys or values refused with a typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUS_DEFAULT_BATCH_SIZE, BUS_MAX_BATCH_SIZE, DedupWindow, ProducerSequence, resolveBusOptions, type EventBusOptions } from '../../src/bus/index.js';
import { InvalidArgumentError, NetError, SeededRandom } from '../../src/core/index.js';

test('defaults follow the reference: batch 10,000 (max 1,000,000), 4 shards, cooldown 30 s, maxShards 2 x CPUs', () => {
  const o = resolveBusOptions({}, 2);
  assert.equal(o.batch.maxSize, BUS_DEFAULT_BATCH_SIZE);
  assert.equal(BUS_DEFAULT_BATCH_SIZE, 10_000);
  assert.equal(o.shards, 4);
  assert.equal(o.scaling.maxShards, 4);
  assert.equal(o.scaling.cooldownMs, 30_000);
  assert.equal(o.backpressure, 'drop_newest');
  assert.equal(resolveBusOptions({ batch: { maxSize: BUS_MAX_BATCH_SIZE } }).batch.maxSize, 1_000_000);
});

test('unknown keys and values are refused', () => {
  const bad: unknown[] = [
    { shard: 2 }, { batch: { max: 5 } }, { batch: { maxSize: 1_000_001 } }, { batch: { maxSize: 0 } },
    { backpressure: 'drop-oldest' }, { backpressure: { mode: 'sample', rate: 0 } }, { backpressure: { mode: 'sample', rate: 1.5 } },
    { backpressure: { mode: 'sample', rate: 0.5, extra: 1 } }, { scaling: { cooldown: 1 } }, { shards: 1.5 }, { maxPayloadBytes: 2 ** 21 },
    { adapterTimeoutMs: 0 }, { dedupCapacity: 2 ** 25 },
  ];
  for (const b of bad) assert.throws(() => resolveBusOptions(b as EventBusOptions), InvalidArgumentError, JSON.stringify(b));
});

test('dedup window forgets first-in first-out', () => {
  const d = new DedupWindow(2);
  assert.equal(d.admit('a'), true);
  assert.equal(d.admit('a'), false);
  d.admit('b');
  d.admit('c');
  assert.equal(d.admit('a'), true, 'a was evicted');
  assert.equal(d.duplicates, 1);
  assert.equal(d.admit(''), true);
});

test('producer sequence persists its id and never reuses a sequence across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-prod-'));
  const path = join(dir, 'producer');
  const a = ProducerSequence.open(path, new SeededRandom(1), 100);
  assert.equal(a.take(10), 0);
  assert.equal(a.take(95), 10);
  const b = ProducerSequence.open(path, new SeededRandom(2), 100);
  assert.equal(b.producerId, a.producerId);
  assert.ok(b.take(1) >= 105, 'continues past everything the first run could have used');
  writeFileSync(path, 'garbage');
  assert.throws(() => ProducerSequence.open(path, new SeededRandom(3)), NetError);
  assert.match(readFileSync(path, 'utf8'), /garbage/);
});
