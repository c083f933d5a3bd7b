/**
 * The crash-enumeration workload: 64 records appended in bursts with flushes and syncs, retention to 32 records,
 * two compactions (records appended after each must survive a restart), then a final sync. It records the
 * durable prefix the log promised, so a crash anywhere can be checked against it.
 */
import type { DurabilityPolicy } from '../../src/log/index.js';
import { RedexFile, SimFileIO } from '../../src/log/index.js';
import assert from 'node:assert/strict';
import { appendOne, assertValidPrefix, openLog, payloads } from './harness.js';

export const RECORDS = 64;
export const EXPECTED = payloads(RECORDS);
/** First seqs a reopened log may start at: generation 1, after the first compaction, after the second. */
export const FIRST_ALLOWED = [0, 8, 24] as const;

export interface Outcome {
  /** Highest `durableSeq` observed before the crash. */
  durable: number;
  crashed: boolean;
}

export async function runWorkload(io: SimFileIO, durability: DurabilityPolicy = { mode: 'never' }): Promise<Outcome> {
  const out: Outcome = { durable: 0, crashed: false };
  let log: RedexFile | undefined;
  try {
    log = await openLog(io, { durability, retention: { maxRecords: 32 }, maxSegmentBytes: 512 });
    for (let i = 0; i < RECORDS; i++) {
      appendOne(log, EXPECTED[i]!, i);
      if (i % 8 === 7) await log.flush();
      if (i % 16 === 15) await log.sync();
      if (i === 39 || i === 55) await log.compact();
      out.durable = Math.max(out.durable, log.durableSeq);
    }
    await log.sync();
    out.durable = log.durableSeq;
    await log.close();
  } catch {
    out.crashed = true;
    if (log) out.durable = Math.max(out.durable, log.durableSeq);
  }
  return out;
}

/**
 * Reopens after a crash and checks the prefix, then proves the log takes appends that survive another power
 * loss. Throws (with `label`) on any violation.
 */
export async function checkReopen(io: SimFileIO, durable: number, label: string): Promise<void> {
  try {
    const log = await openLog(io);
    assertValidPrefix(log, EXPECTED, durable, FIRST_ALLOWED);
    const next = log.nextSeq;
    log.append(new Uint8Array([1, 2, 3]));
    await log.sync();
    await log.close();
    io.powerLoss();
    const again = await openLog(io);
    assert.equal(again.nextSeq, next + 1, 'the append after recovery survives');
    await again.close();
  } catch (e) {
    throw new Error(`${label}: ${(e as Error).message}`, { cause: e });
  }
}
