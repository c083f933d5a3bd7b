// Bit flips at rest (test plan §5.9 L4) and external truncation (L5): a flipped byte anywhere in dat, idx, ts,
// MANIFEST or GEN is detected. In a segment file, loading stops at the damaged record, reports it, and keeps
// exactly the records before it; wrong data is never returned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNetError } from '../../src/core/index.js';
import { SimFileIO } from '../../src/log/index.js';
import { openLog, payloads } from './harness.js';

const ps = payloads(48, 5);

async function written(): Promise<SimFileIO> {
  const io = new SimFileIO();
  const log = await openLog(io);
  ps.forEach((p, i) => (i % 7 === 3 ? log.appendInline(p) : log.append(p)));
  await log.close();
  return io;
}

function assertIntactPrefix(log: Awaited<ReturnType<typeof openLog>>, upTo: number): void {
  assert.equal(log.firstSeq, 0);
  assert.equal(log.nextSeq, upTo);
  for (let s = 0; s < upTo; s++) assert.deepEqual(log.read(s)?.payload, ps[s]);
}

test('a flipped byte anywhere in dat, idx or ts stops loading at that record and reports it', async () => {
  const base = await written();
  const files = base.listFiles().filter((f) => /\/(dat|idx|ts)\.\d+$/.test(f));
  let cases = 0;
  for (const file of files) {
    const bytes = base.fileBytes(file)!;
    for (let pos = 0; pos < bytes.length; pos++) {
      const io = base.clone();
      const flipped = bytes.slice();
      flipped[pos]! ^= 1 << (pos % 8);
      io.setFileBytes(file, flipped);
      const log = await openLog(io);
      const c = log.recovery.corruption;
      assert.ok(c, `${file}@${pos}: detected`);
      assertIntactPrefix(log, c.seq);
      assert.ok(log.recovery.truncated, `${file}@${pos}: the damaged tail is cut`);
      await log.close();
      cases++;
    }
  }
  assert.ok(cases > 2000, `${cases} cases`);
});

test('a flipped byte in MANIFEST falls back to the intact generation and says so', async () => {
  const base = await written();
  const path = base.listFiles().find((f) => f.endsWith('/MANIFEST'))!;
  const bytes = base.fileBytes(path)!;
  for (let pos = 0; pos < bytes.length; pos++) {
    const io = base.clone();
    const flipped = bytes.slice();
    flipped[pos]! ^= 0x10;
    io.setFileBytes(path, flipped);
    const log = await openLog(io);
    assert.equal(log.recovery.manifestFallback, true, `MANIFEST@${pos}`);
    assertIntactPrefix(log, ps.length);
    await log.close();
  }
});

test('a flipped byte in the live GEN header is refused as corruption, not papered over', async () => {
  const base = await written();
  const path = base.listFiles().find((f) => f.endsWith('/GEN'))!;
  const bytes = base.fileBytes(path)!;
  for (let pos = 0; pos < bytes.length; pos++) {
    const io = base.clone();
    const flipped = bytes.slice();
    flipped[pos]! ^= 0x01;
    io.setFileBytes(path, flipped);
    await assert.rejects(openLog(io), (e: unknown) => isNetError(e, ErrorCode.StorageCorrupt), `GEN@${pos}`);
  }
});

test('external truncation of any file to any length reopens to a consistent prefix with original timestamps', async () => {
  const base = await written();
  const before = await openLog(base.clone());
  const stamps = before.range(0, ps.length).map((e) => e.timestampMs);
  await before.close();
  for (const file of base.listFiles().filter((f) => /\/(dat|idx|ts)\.\d+$/.test(f))) {
    const bytes = base.fileBytes(file)!;
    for (let len = 0; len < bytes.length; len += 3) {
      const io = base.clone();
      io.setFileBytes(file, bytes.subarray(0, len));
      const log = await openLog(io);
      assertIntactPrefix(log, log.nextSeq);
      assert.equal(log.recovery.corruption, null, `${file} cut to ${len} is a torn tail`);
      for (let s = 0; s < log.nextSeq; s++) assert.equal(log.read(s)?.timestampMs, stamps[s]);
      await log.close();
    }
  }
});
