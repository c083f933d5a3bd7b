// CortEX adapter: watermarks, error policies, change events, waits, snapshots and replay from snapshot + tail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNetError } from '../../src/core/index.js';
import { CortexAdapter, CortexError, decodeCortexSnapshot, encodeCortexSnapshot } from '../../src/views/index.js';
import { counterFold, memLog, record, timers, u32 } from './harness.js';

test('ingest folds at once; records appended by others fold in a microtask; watermarks follow', async () => {
  const log = await memLog();
  log.append(record(0x80, 5));
  const cx = await CortexAdapter.open(log, { fold: counterFold });
  assert.equal(cx.state.sum, 5);
  assert.equal(cx.appliedThroughSeq, 0);
  const seq = cx.ingest(0x80, u32(10));
  assert.equal(seq, 1);
  assert.equal(cx.state.sum, 15, 'read your write at once');
  log.append(record(0x80, 100));
  assert.equal(cx.state.sum, 15, 'not folded synchronously inside the append');
  await Promise.resolve();
  assert.equal(cx.state.sum, 115);
  assert.equal(cx.foldedThroughSeq, 2);
  assert.equal(cx.appliedThroughSeq, 2);
  assert.equal(cx.counters.get('applied'), 3);
  cx.close();
  await log.close();
});

test('start positions: live skips what the log holds, a seq starts there', async () => {
  const log = await memLog();
  for (let i = 1; i <= 3; i++) log.append(record(0x80, i));
  const live = await CortexAdapter.open(log, { fold: counterFold, start: 'live' });
  const from1 = await CortexAdapter.open(log, { fold: counterFold, start: 1 });
  assert.equal(live.state.sum, 0);
  assert.equal(live.appliedThroughSeq, 2, 'nothing to apply before the start counts as applied');
  assert.equal(from1.state.sum, 5);
  log.append(record(0x80, 4));
  await Promise.resolve();
  assert.equal(live.state.sum, 4);
  assert.equal(from1.state.sum, 9);
  live.close();
  from1.close();
  await log.close();
});

test('stop policy: a record with a bad checksum halts the fold before it; applied stays the prefix', async () => {
  const log = await memLog();
  log.append(record(0x80, 1));
  const bad = record(0x80, 2);
  bad[bad.length - 1]! ^= 1; // flip a payload byte after the checksum was computed
  log.append(bad);
  log.append(record(0x80, 3));
  const cx = await CortexAdapter.open(log, { fold: counterFold });
  assert.equal(cx.state.sum, 1);
  assert.equal(cx.isRunning, false);
  assert.equal(cx.appliedThroughSeq, 0);
  assert.equal(cx.foldedThroughSeq, 0, 'the failing seq is not folded under stop');
  assert.equal(cx.counters.get('checksum_failures'), 1);
  assert.equal(cx.stopError?.code, ErrorCode.FoldStopped);
  await assert.rejects(cx.waitForSeq(2), (e) => isNetError(e, ErrorCode.FoldStopped) && (e as CortexError).appliedThroughSeq === 0);
  assert.throws(() => cx.ingest(0x80, u32(1)), (e) => isNetError(e, ErrorCode.FoldStopped));
  cx.close();
  await log.close();
});

test('skip policy: bad records are skipped and counted; applied halts at the first skip, folded goes on', async () => {
  const log = await memLog();
  log.append(record(0x80, 1));
  log.append(record(0x81, 0xdead)); // the fold throws FoldDecodeError
  const flipped = record(0x80, 2);
  flipped[4]! ^= 0x40; // origin byte: only the v2 checksum covers it
  log.append(flipped);
  log.append(record(0x80, 3));
  const cx = await CortexAdapter.open(log, { fold: counterFold, errorPolicy: 'skip' });
  assert.equal(cx.state.sum, 4);
  assert.equal(cx.counters.get('skipped'), 2);
  assert.equal(cx.foldedThroughSeq, 3);
  assert.equal(cx.appliedThroughSeq, 0);
  assert.equal(cx.isRunning, true);
  await cx.waitForSeq(3);
  await cx.waitForEvent(3);
  await assert.rejects(cx.waitForEvent(1), (e) => isNetError(e, ErrorCode.FoldSkipped));
  await assert.rejects(cx.waitForAppliedSeq(3, { timeoutMs: 0 }), (e) => isNetError(e, ErrorCode.Timeout));
  cx.close();
  await log.close();
});

test('a fold that throws anything but FoldDecodeError stops the view under either policy', async () => {
  const log = await memLog();
  log.append(record(0x80, 1));
  log.append(record(0x82, 1));
  const cx = await CortexAdapter.open(log, { fold: counterFold, errorPolicy: 'skip' });
  assert.equal(cx.isRunning, false);
  assert.equal(cx.stopError?.kind, 'stopped');
  assert.equal(cx.appliedThroughSeq, 0);
  cx.close();
  await log.close();
});

test('change events carry applied seqs in order and never the failing seq; a slow reader gets LaggedError', async () => {
  const log = await memLog();
  const cx = await CortexAdapter.open(log, { fold: counterFold, errorPolicy: 'skip' });
  const seen: number[] = [];
  const off = cx.onChange((seq) => seen.push(seq));
  const stream = cx.changes({ bufferSize: 8 });
  cx.ingest(0x80, u32(1));
  cx.ingest(0x81, u32(0xdead));
  cx.ingest(0x80, u32(2));
  assert.deepEqual(seen, [0, 2]);
  const got: number[] = [];
  for (let i = 0; i < 2; i++) got.push((await stream.next()).value!.seq);
  assert.deepEqual(got, [0, 2]);
  for (let i = 0; i < 9; i++) cx.ingest(0x80, u32(i));
  await assert.rejects(stream.next(), (e) => isNetError(e, ErrorCode.Lagged));
  assert.equal(cx.counters.get('change_lagged'), 1);
  off();
  cx.ingest(0x80, u32(1));
  assert.equal(seen.length, 11);
  cx.close();
  await log.close();
});

test('waits: resolve when reached, time out, abort, and fail on close', async () => {
  const log = await memLog();
  const cx = await CortexAdapter.open(log, { fold: counterFold }, { timers });
  const w = cx.waitForSeq(1);
  const t = cx.waitForSeq(5, { timeoutMs: 50 });
  const ac = new AbortController();
  const a = cx.waitForSeq(6, { signal: ac.signal });
  const c = cx.waitForSeq(7);
  log.append(record(0x80, 1));
  log.append(record(0x80, 2));
  await Promise.resolve();
  await w;
  timers.runFor(50);
  await assert.rejects(t, (e) => isNetError(e, ErrorCode.Timeout));
  ac.abort();
  await assert.rejects(a, (e) => isNetError(e, ErrorCode.Aborted));
  cx.close();
  await assert.rejects(c, (e) => isNetError(e, ErrorCode.Closed));
  await log.close();
});

test('snapshot round-trips through bytes; replay from snapshot + tail equals a full fold', async () => {
  const log = await memLog();
  const cx = await CortexAdapter.open(log, { fold: counterFold });
  for (let i = 0; i < 10; i++) cx.ingest(0x80, u32(i * 3));
  const snap = decodeCortexSnapshot(encodeCortexSnapshot(cx.snapshot()));
  assert.equal(snap.throughSeq, 9);
  assert.equal(snap.model, 'counter');
  for (let i = 0; i < 5; i++) cx.ingest(0x80, u32(i + 100));
  const restored = await CortexAdapter.openFromSnapshot(log, snap, { fold: counterFold });
  assert.deepEqual(restored.state, cx.state);
  assert.equal(restored.appliedThroughSeq, 14);
  cx.ingest(0x80, u32(7));
  await Promise.resolve();
  assert.deepEqual(restored.state, cx.state);
  restored.close();
  cx.close();
  await log.close();
});

test('snapshots that do not fit the log or the fold are refused with ERR_SNAPSHOT_INVALID', async () => {
  const log = await memLog();
  const cx = await CortexAdapter.open(log, { fold: counterFold });
  for (let i = 0; i < 4; i++) cx.ingest(0x80, u32(i));
  const snap = cx.snapshot();
  const empty = await memLog('test/other');
  await assert.rejects(CortexAdapter.openFromSnapshot(empty, snap, { fold: counterFold }), (e) => e instanceof CortexError && e.kind === 'snapshot-ahead');
  await assert.rejects(CortexAdapter.openFromSnapshot(log, { ...snap, model: 'tasks' }, { fold: counterFold }), (e) => e instanceof CortexError && e.kind === 'snapshot-model');
  await assert.rejects(CortexAdapter.openFromSnapshot(log, { ...snap, state: new Uint8Array(3) }, { fold: counterFold }), (e) => isNetError(e, ErrorCode.SnapshotInvalid));
  const trimmed = await RedexFileWithRetention();
  const s0 = (await CortexAdapter.open(trimmed, { fold: counterFold })).snapshot();
  for (let i = 0; i < 10; i++) trimmed.append(record(0x80, i));
  await assert.rejects(CortexAdapter.openFromSnapshot(trimmed, s0, { fold: counterFold }), (e) => e instanceof CortexError && e.kind === 'snapshot-gap');
  cx.close();
  await Promise.all([log.close(), empty.close(), trimmed.close()]);
});

test('records evicted before the fold read them: stop halts with lagged, skip jumps over and counts', async () => {
  const log = await RedexFileWithRetention();
  const stop = await CortexAdapter.open(log, { fold: counterFold });
  const skip = await CortexAdapter.open(log, { fold: counterFold, errorPolicy: 'skip' });
  for (let i = 0; i < 10; i++) log.append(record(0x80, 1)); // retention 4: six are gone before the microtask
  await Promise.resolve();
  assert.equal(stop.stopError?.kind, 'lagged');
  assert.equal(stop.stopError?.code, ErrorCode.FoldStopped);
  assert.equal(skip.state.sum, 4);
  assert.equal(skip.counters.get('evicted_unfolded'), 6);
  await assert.rejects(skip.waitForEvent(2), (e) => isNetError(e, ErrorCode.FoldSkipped));
  stop.close();
  skip.close();
  await log.close();
});

async function RedexFileWithRetention() {
  const { RedexFile } = await import('../../src/log/index.js');
  const { clock } = await import('./harness.js');
  return RedexFile.open({ clock }, { channel: 'test/ret', retention: { maxRecords: 4 } });
}
