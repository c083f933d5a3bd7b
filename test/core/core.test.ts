import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BoundedQueue, CounterSet, DecodeError, ErrorCode, NetError, SeededRandom, VirtualClock, isNetError,
  readU64LE, writeU64LE, u64FromWords, u64Hi, u64Lo, readSafeU64LE, writeSafeU64LE, fromHex, toHex,
} from '../../src/core/index.js';

test('NetError keeps code, name and cause', () => {
  const cause = new Error('inner');
  const e = new DecodeError(ErrorCode.DecodeShort, 'too short', { cause });
  assert.ok(e instanceof NetError);
  assert.equal(e.code, 'ERR_DECODE_SHORT');
  assert.equal(e.name, 'DecodeError');
  assert.equal(e.cause, cause);
  assert.ok(isNetError(e, ErrorCode.DecodeShort));
  assert.ok(!isNetError(new Error('x')));
});

test('u64 helpers round-trip at the edges of 2^53 and 2^64', () => {
  const buf = new Uint8Array(8);
  for (const v of [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n]) {
    writeU64LE(buf, 0, v);
    assert.equal(readU64LE(buf, 0), v);
    assert.equal(u64FromWords(u64Lo(v), u64Hi(v)), v);
    assert.equal(readSafeU64LE(buf, 0), v < 2n ** 53n ? Number(v) : -1);
  }
  writeSafeU64LE(buf, 0, 2 ** 53 - 1);
  assert.equal(readU64LE(buf, 0), 2n ** 53n - 1n);
  assert.throws(() => writeU64LE(buf, 0, 2n ** 64n), NetError);
  assert.throws(() => writeU64LE(buf, 0, -1n), NetError);
  assert.equal(toHex(fromHex('00ff10')), '00ff10');
  assert.throws(() => fromHex('0g'), NetError);
});

test('bounded queue refuses instead of growing', () => {
  const q = new BoundedQueue<number>(3);
  assert.ok(q.push(1) && q.push(2) && q.push(3));
  assert.equal(q.push(4), false);
  assert.equal(q.size, 3);
  assert.equal(q.shift(), 1);
  assert.ok(q.push(5));
  assert.deepEqual([q.shift(), q.shift(), q.shift(), q.shift()], [2, 3, 5, undefined]);
  assert.throws(() => new BoundedQueue(0), NetError);
});

test('seeded random is reproducible and spreads', () => {
  const a = new SeededRandom(42);
  const b = new SeededRandom(42);
  const xs = Array.from({ length: 1000 }, () => a.nextU32());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.nextU32()));
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => new SeededRandom(43).nextU32()));
  const buckets = new Array(16).fill(0);
  const r = new SeededRandom(7);
  for (let i = 0; i < 16000; i++) buckets[Math.floor(r.nextFloat() * 16)]++;
  for (const n of buckets) assert.ok(n > 800 && n < 1200, `bucket ${n}`);
  const bytes = new Uint8Array(7);
  new SeededRandom(1).fill(bytes);
  const again = new Uint8Array(7);
  new SeededRandom(1).fill(again);
  assert.deepEqual(bytes, again);
});

test('virtual clock only moves forward', () => {
  const c = new VirtualClock(1000);
  assert.equal(c.nowMs(), 0);
  c.advance(1.5);
  assert.equal(c.nowMs(), 1.5);
  assert.equal(c.wallMs(), 1001.5);
  assert.equal(c.nowNs(), 1_500_000n);
  assert.throws(() => c.advance(-1), NetError);
  assert.throws(() => c.set(1), NetError);
});

test('counter sets add up', () => {
  const c = new CounterSet(['received', 'accepted', 'dropShort'] as const);
  c.inc('received', 3);
  c.inc('accepted', 2);
  c.incSlot(c.slot('dropShort'));
  assert.equal(c.get('received'), c.sum(['accepted', 'dropShort']));
  assert.deepEqual(c.snapshot(), { received: 3, accepted: 2, dropShort: 1 });
});
