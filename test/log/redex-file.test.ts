// The RedexFile API, in memory and on the simulated disk: appends, reads, ranges, inline and batch appends,
// bounds, tails (live, lagged, durable-only, aborted), retention by count, bytes and age, the durability policies'
// sync points, segment rollover, channel paths, backpressure and the ordered appender.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortedError, BackpressureError, ErrorCode, InvalidArgumentError, isNetError, VirtualClock,
  VirtualScheduler } from '../../src/core/index.js';
import { channelDirName, LaggedError, OrderedAppender, RedexFile, REDEX_MAX_PAYLOAD_BYTES, SimFileIO,
  type RedexEvent } from '../../src/log/index.js';
import { openLog } from './harness.js';

const bytes = (...v: number[]): Uint8Array => new Uint8Array(v);

async function memLog(options: Partial<Parameters<typeof RedexFile.open>[1]> = {}, clock = new VirtualClock()): Promise<RedexFile> {
  return RedexFile.open({ clock }, { channel: 'mem/test', ...options });
}

test('memory: append returns consecutive seqs; read, range, inline and batch appends return copies', async () => {
  const log = await memLog();
  assert.equal(log.append(bytes(1, 2)), 0);
  assert.equal(log.appendInline(bytes(1, 2, 3, 4, 5, 6, 7, 8)), 1);
  assert.equal(log.appendBatch([bytes(9), bytes(), bytes(10, 11)]), 2);
  assert.equal(log.appendBatch([]), undefined);
  assert.equal(log.nextSeq, 5);
  assert.deepEqual(log.read(1)?.payload, bytes(1, 2, 3, 4, 5, 6, 7, 8));
  assert.deepEqual(log.range(0, 100).map((e) => [...e.payload]), [[1, 2], [1, 2, 3, 4, 5, 6, 7, 8], [9], [], [10, 11]]);
  assert.deepEqual(log.range(1, 100, { maxRecords: 2 }).map((e) => e.seq), [1, 2]);
  assert.equal(log.read(5), undefined);
  assert.equal(log.read(-1), undefined);
  const e = log.read(0)!;
  e.payload[0] = 99;
  assert.equal(log.read(0)!.payload[0], 1, 'reads are copies');
  assert.equal(log.durableSeq, 0, 'nothing is durable in memory');
  await log.sync();
  await log.close();
  assert.throws(() => log.append(bytes(1)), (x: unknown) => isNetError(x, ErrorCode.Closed));
});

test('payloads are capped at 4 MiB (or the segment size); inline payloads are exactly 8 bytes; batches are all or nothing', async () => {
  const log = await memLog();
  log.append(new Uint8Array(REDEX_MAX_PAYLOAD_BYTES));
  assert.throws(() => log.append(new Uint8Array(REDEX_MAX_PAYLOAD_BYTES + 1)), InvalidArgumentError);
  assert.throws(() => log.appendInline(bytes(1, 2, 3)), InvalidArgumentError);
  assert.throws(() => log.appendBatch([bytes(1), new Uint8Array(REDEX_MAX_PAYLOAD_BYTES + 1)]), InvalidArgumentError);
  assert.equal(log.nextSeq, 1);
  const small = await memLog({ maxSegmentBytes: 100 });
  assert.throws(() => small.append(new Uint8Array(101)), InvalidArgumentError);
  await assert.rejects(memLog({ retention: { maxRecords: 0 } }), InvalidArgumentError);
  await assert.rejects(memLog({ durability: { mode: 'everyN', n: 0 } }), InvalidArgumentError);
});

test('tail: replays from a seq, then waits for live appends; close ends it', async () => {
  const log = await memLog();
  log.append(bytes(0));
  log.append(bytes(1));
  const t = log.tail(1);
  const got: number[] = [];
  const done = (async () => {
    for await (const e of t) {
      got.push(e.payload[0]!);
      if (got.length === 3) break;
    }
  })();
  await new Promise((r) => setImmediate(r));
  log.append(bytes(2));
  log.append(bytes(3));
  await done;
  assert.deepEqual(got, [1, 2, 3]);
  const t2 = log.tail();
  const pending = t2.next();
  t2.close();
  assert.equal((await pending).done, true);
});

test('tail: a caught-up reader that falls more than bufferSize behind gets LaggedError; evicted records too', async () => {
  const log = await memLog({ retention: { maxRecords: 10 } });
  const t = log.tail(0, { bufferSize: 4 });
  const first = t.next();
  log.append(bytes(0));
  assert.equal((await first).value?.seq, 0);
  for (let i = 1; i < 7; i++) log.append(bytes(i));
  await assert.rejects(t.next(), (e: unknown) => e instanceof LaggedError && e.code === ErrorCode.Lagged && e.resumeSeq === 1);
  for (let i = 7; i < 30; i++) log.append(bytes(i));
  const old = log.tail(5);
  await assert.rejects(old.next(), (e: unknown) => e instanceof LaggedError && e.resumeSeq === 20);
  const ac = new AbortController();
  const t3 = log.tail(undefined, { signal: ac.signal });
  const p = t3.next();
  ac.abort();
  await assert.rejects(p, AbortedError);
});

test('tail durableOnly delivers a record only after its fsync', async () => {
  const io = new SimFileIO();
  const log = await openLog(io, { durability: { mode: 'never' } });
  const t = log.tail(0, { durableOnly: true });
  log.append(bytes(42));
  await log.flush();
  const box: { got?: RedexEvent } = {};
  const p = t.next().then((r) => (box.got = r.value));
  await new Promise((r) => setImmediate(r));
  assert.equal(box.got, undefined, 'not yet durable');
  await log.sync();
  await p;
  assert.deepEqual((box.got as RedexEvent | undefined)?.payload, bytes(42));
  t.close();
  await log.close();
});

test('retention by count, by bytes and by age (an injected clock; stepping it back deletes nothing fresh)', async () => {
  const byCount = await memLog({ retention: { maxRecords: 3 } });
  for (let i = 0; i < 10; i++) byCount.append(bytes(i));
  assert.deepEqual([byCount.firstSeq, byCount.count], [7, 3]);
  const byBytes = await memLog({ retention: { maxBytes: 10 } });
  for (let i = 0; i < 10; i++) byBytes.append(new Uint8Array(4));
  assert.deepEqual([byBytes.firstSeq, byBytes.bytes], [8, 8]);
  const clock = new VirtualClock();
  const byAge = await memLog({ retention: { maxAgeMs: 1000 } }, clock);
  byAge.append(bytes(0));
  clock.advance(600);
  await Promise.resolve(); // the wall clock is re-read once per event-loop turn (and every 64 appends)
  byAge.append(bytes(1));
  clock.advance(600);
  assert.equal(byAge.sweepRetention(), 1);
  assert.equal(byAge.firstSeq, 1);
  const stepped = new VirtualClock();
  let wall = stepped.wallMs();
  const back = await RedexFile.open({ clock: { nowMs: () => 0, nowNs: () => 0n, wallMs: () => wall } }, { channel: 'x', retention: { maxAgeMs: 1000 } });
  back.append(bytes(0));
  wall -= 60_000;
  assert.equal(back.sweepRetention(), 0, 'a clock stepped backwards deletes nothing');
});

test('everyN(n) syncs once n records are unsynced; interval syncs after ms; intervalOrBytes after bytes', async () => {
  const io = new SimFileIO();
  const every = await openLog(io, { durability: { mode: 'everyN', n: 10 } });
  for (let i = 0; i < 25; i++) every.append(bytes(i));
  await every.flush();
  await new Promise((r) => setImmediate(r));
  assert.equal(every.durableSeq, 25, 'one fsync covered every record written with the batch that reached n');
  for (let i = 0; i < 5; i++) every.append(bytes(i));
  await every.flush();
  assert.equal(every.durableSeq, 25, 'fewer than n unsynced records wait');
  await every.close();

  const clock = new VirtualClock();
  const sched = new VirtualScheduler(clock);
  const io2 = new SimFileIO();
  const interval = await RedexFile.open({ clock, timers: sched, fileIO: io2 }, { channel: 'a', dir: '/d', durability: { mode: 'interval', ms: 50 } });
  interval.append(bytes(1));
  await interval.flush();
  assert.equal(interval.durableSeq, 0);
  sched.runFor(50);
  await new Promise((r) => setImmediate(r));
  assert.equal(interval.durableSeq, 1);
  await interval.close();

  const io3 = new SimFileIO();
  const ob = await RedexFile.open({ clock, timers: sched, fileIO: io3 }, { channel: 'a', dir: '/d', durability: { mode: 'intervalOrBytes', ms: 1e6, bytes: 100 } });
  ob.append(new Uint8Array(60));
  await ob.flush();
  assert.equal(ob.durableSeq, 0);
  ob.append(new Uint8Array(60));
  await ob.flush();
  await new Promise((r) => setImmediate(r));
  assert.equal(ob.durableSeq, 2);
  await ob.close();
});

test('segments roll over before the segment bound, and a rolled log reopens whole', async () => {
  const io = new SimFileIO();
  const log = await openLog(io, { maxSegmentBytes: 100 });
  for (let i = 0; i < 30; i++) log.append(new Uint8Array(30).fill(i));
  await log.close();
  const dats = io.listFiles().filter((f) => /\/dat\.\d+$/.test(f));
  assert.equal(dats.length, 10);
  for (const f of dats) assert.ok(io.fileBytes(f)!.length <= 100);
  const again = await openLog(io, { maxSegmentBytes: 100 });
  assert.equal(again.nextSeq, 30);
  assert.deepEqual(again.read(29)?.payload, new Uint8Array(30).fill(29));
  await again.close();
});

test('channel names map to one safe directory each', () => {
  assert.equal(channelDirName('a/b-c/d_e.f'), 'a%b-c%d_e.f');
  for (const bad of ['../x', 'a/../b', '/a', 'A', 'a//b', '']) assert.throws(() => channelDirName(bad), (e: unknown) => isNetError(e, ErrorCode.ChannelName));
});

test('append refuses with backpressure once maxPendingBytes are waiting for the disk', async () => {
  const io = new SimFileIO();
  const log = await openLog(io, { maxPendingBytes: 100 });
  log.append(new Uint8Array(60));
  assert.throws(() => log.append(new Uint8Array(60)), BackpressureError);
  await log.flush();
  log.append(new Uint8Array(60));
  await log.close();
});

test('ordered appender: commits in any order land in ticket order; abandoned tickets are skipped; the window is bounded', async () => {
  const log = await memLog();
  const oa = new OrderedAppender(log, 3);
  const [a, b, c] = [oa.reserve(), oa.reserve(), oa.reserve()];
  assert.throws(() => oa.reserve(), BackpressureError);
  oa.commit(c, bytes(3));
  oa.abandon(b);
  assert.equal(log.nextSeq, 0);
  oa.commit(a, bytes(1));
  assert.deepEqual(log.range(0, 10).map((e) => e.payload[0]), [1, 3]);
  assert.equal(oa.outstanding, 0);
  assert.throws(() => oa.commit(a, bytes(1)), InvalidArgumentError);
});

test('compaction with retention drops evicted records from disk and appends after it survive a restart', async () => {
  const io = new SimFileIO();
  const log = await openLog(io, { retention: { maxRecords: 5 } });
  for (let i = 0; i < 20; i++) log.append(bytes(i));
  await log.compact();
  log.append(bytes(20));
  await log.sync();
  io.powerLoss();
  const again = await openLog(io);
  assert.equal(again.recovery.generation, 2);
  assert.deepEqual([again.firstSeq, again.nextSeq], [15, 21]);
  assert.deepEqual(again.read(20)?.payload, bytes(20));
  await again.close();
});

test('retention evicting records while they are being written (tiny bound, many segments) leaves a valid disk', async () => {
  const io = new SimFileIO();
  const log = await openLog(io, { retention: { maxRecords: 3 }, maxSegmentBytes: 64 });
  const expected: Uint8Array[] = [];
  for (let i = 0; i < 3000; i++) {
    const p = new Uint8Array(1 + (i % 20)).fill(i & 0xff);
    expected.push(p);
    log.append(p);
    if (i % 97 === 0) await Promise.resolve();
    if (i % 500 === 499) await log.sync();
  }
  await log.sync();
  await log.close();
  io.powerLoss();
  const again = await openLog(io);
  assert.equal(again.nextSeq, 3000);
  assert.ok(again.firstSeq <= 2997);
  for (let s = again.firstSeq; s < again.nextSeq; s++) assert.deepEqual(again.read(s)?.payload, expected[s]);
  assert.equal(again.recovery.corruption, null);
  await again.close();
});
