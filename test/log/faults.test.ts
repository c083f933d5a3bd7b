// Write errors (test plan §5.9 L6, L9): EIO, ENOSPC and short writes mid-append roll back to the bytes before
// the batch, so the next append lands at the right offset; a rollback that fails, or a failed fsync, poisons the
// handle with a typed error and nothing more is written; reopening recovers the longest valid prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNetError } from '../../src/core/index.js';
import { LogPoisonedError, SimFileIO, StorageError } from '../../src/log/index.js';
import { assertValidPrefix, openLog, payloads } from './harness.js';

const ps = payloads(40, 11);

for (const [label, fault] of [
  ['EIO on dat', { op: 'write', path: '/dat.', errno: 'EIO' }],
  ['ENOSPC on dat after a short write', { op: 'write', path: '/dat.', errno: 'ENOSPC', afterBytes: 7 }],
  ['EIO on idx after a short write', { op: 'write', path: '/idx.', errno: 'EIO', afterBytes: 13 }],
  ['ENOSPC on ts after a short write', { op: 'write', path: '/ts.', errno: 'ENOSPC', afterBytes: 5 }],
] as const) {
  test(`${label} mid-append rolls back; the retry lands at the right offsets`, async () => {
    const io = new SimFileIO();
    const log = await openLog(io);
    for (let i = 0; i < 20; i++) log.append(ps[i]!);
    await log.sync();
    const sizes = io.listFiles().map((f) => [f, io.fileBytes(f)!.length] as const);
    io.injectFault(fault);
    for (let i = 20; i < 30; i++) log.append(ps[i]!);
    const err = await log.sync().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StorageError, `got ${String(err)}`);
    assert.equal(err.code, fault.errno === 'ENOSPC' ? ErrorCode.StorageFull : ErrorCode.StorageIO);
    assert.equal(err.errno, fault.errno);
    for (const [f, n] of sizes) assert.equal(io.fileBytes(f)!.length, n, `${f} rolled back`);
    assert.equal(log.durableSeq, 20);
    assert.equal(log.read(25)?.payload.length, ps[25]!.length, 'memory still serves the records');
    // The fault was one-shot: the next sync writes the same batch again, at the same offsets.
    for (let i = 30; i < 40; i++) log.append(ps[i]!);
    await log.sync();
    assert.equal(log.durableSeq, 40);
    await log.close();
    io.powerLoss();
    const again = await openLog(io);
    assertValidPrefix(again, ps, 40);
    assert.equal(again.nextSeq, 40);
    assert.equal(again.recovery.truncated, null);
    await again.close();
  });
}

test('a failed rollback poisons the handle with a typed error and writes nothing more', async () => {
  const io = new SimFileIO();
  const log = await openLog(io);
  for (let i = 0; i < 10; i++) log.append(ps[i]!);
  await log.sync();
  io.injectFault({ op: 'write', path: '/idx.', errno: 'EIO', afterBytes: 3 });
  io.injectFault({ op: 'truncate', errno: 'EIO' });
  for (let i = 10; i < 20; i++) log.append(ps[i]!);
  await assert.rejects(log.sync(), (e: unknown) => isNetError(e, ErrorCode.StoragePoisoned));
  assert.ok(log.poisoned instanceof LogPoisonedError);
  const opsBefore = io.ops;
  assert.throws(() => log.append(ps[0]!), LogPoisonedError);
  await assert.rejects(log.sync(), LogPoisonedError);
  await assert.rejects(log.close(), LogPoisonedError);
  assert.equal(io.ops, opsBefore, 'no write, truncate or fsync after poisoning');
  io.powerLoss();
  const again = await openLog(io);
  assertValidPrefix(again, ps, 10);
  assert.equal(again.nextSeq, 10);
  await again.close();
});

for (const file of ['dat', 'idx', 'ts']) {
  test(`a failed fsync of ${file} poisons (no retry-and-assume-success) and the prefix before it survives`, async () => {
    const io = new SimFileIO();
    const log = await openLog(io, { durability: { mode: 'everyN', n: 5 } });
    for (let i = 0; i < 10; i++) log.append(ps[i]!);
    await log.sync();
    io.injectFault({ op: 'sync', path: `/${file}.` });
    for (let i = 10; i < 20; i++) log.append(ps[i]!);
    await assert.rejects(log.sync(), LogPoisonedError);
    assert.equal(log.durableSeq, 10);
    io.powerLoss();
    const again = await openLog(io);
    assertValidPrefix(again, ps, 10);
    await again.close();
  });
}

test('a failed compaction leaves the live generation in use and appends keep working', async () => {
  const io = new SimFileIO();
  const log = await openLog(io);
  for (let i = 0; i < 20; i++) log.append(ps[i]!);
  await log.sync();
  io.injectFault({ op: 'write', path: '/v0000000002/', errno: 'ENOSPC' });
  await assert.rejects(log.compact(), (e: unknown) => isNetError(e, ErrorCode.StorageFull));
  assert.ok(!io.listFiles().some((f) => f.includes('v0000000002')), 'the half-written generation is removed');
  for (let i = 20; i < 30; i++) log.append(ps[i]!);
  await log.sync();
  await log.close();
  io.powerLoss();
  const again = await openLog(io);
  assert.equal(again.recovery.generation, 1);
  assertValidPrefix(again, ps, 30);
  await again.close();
});

test('a second writer on the same log is refused by the lock file', async () => {
  const io = new SimFileIO();
  const log = await openLog(io);
  await assert.rejects(openLog(io), (e: unknown) => isNetError(e, ErrorCode.StorageLocked));
  await log.close();
  const again = await openLog(io);
  await again.close();
});

test('a full disk (ENOSPC from capacity) is a typed error and the log stays readable', async () => {
  const io = new SimFileIO(4096);
  const log = await openLog(io);
  const big = new Uint8Array(500).fill(7);
  let err: unknown;
  for (let i = 0; i < 20 && err === undefined; i++) {
    log.append(big);
    err = await log.sync().then(() => undefined, (e: unknown) => e);
  }
  assert.ok(isNetError(err, ErrorCode.StorageFull), `got ${String(err)}`);
  const durable = log.durableSeq;
  assert.ok(durable > 0);
  assert.deepEqual(log.read(0)?.payload, big);
  io.powerLoss();
  const again = await openLog(io);
  assert.equal(again.nextSeq, durable);
  await again.close();
});
