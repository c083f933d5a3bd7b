/** Shared helpers for log tests: a seeded workload and the prefix check every crash test runs after reopening. */
import assert from 'node:assert/strict';
import { SeededRandom, VirtualClock, VirtualScheduler } from '../../src/core/index.js';
import { RedexFile, type FileIO, type RedexOptions } from '../../src/log/index.js';

export const DIR = '/data';
export const CHANNEL = 'app/events';

/** Deterministic payloads: seq-tagged, lengths 0..40 (every 7th record inline when `inline`). */
export function payloads(n: number, seed = 7): Uint8Array[] {
  const r = new SeededRandom(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const p = new Uint8Array(i % 7 === 3 ? 8 : r.nextU32() % 41);
    r.fill(p);
    out.push(p);
  }
  return out;
}

export function appendOne(log: RedexFile, p: Uint8Array, i: number): number {
  return i % 7 === 3 ? log.appendInline(p) : log.append(p);
}

export async function openLog(io: FileIO, options: Partial<RedexOptions> = {}, clock = new VirtualClock()): Promise<RedexFile> {
  return RedexFile.open({ clock, fileIO: io, timers: new VirtualScheduler(clock) }, { channel: CHANNEL, dir: DIR, durability: { mode: 'never' }, ...options });
}

/**
 * The recovered log holds a contiguous run of seqs [first, next) whose payloads are exactly what was appended,
 * and `next` covers every seq that was durable before the crash.
 */
export function assertValidPrefix(log: RedexFile, expected: Uint8Array[], durable: number, firstAllowed: readonly number[] = [0]): void {
  assert.ok(log.nextSeq >= durable, `lost durable records: next ${log.nextSeq} < durable ${durable}`);
  assert.ok(log.nextSeq <= expected.length, `records appear that were never appended: ${log.nextSeq}`);
  assert.ok(firstAllowed.includes(log.firstSeq) || log.count === 0, `first seq ${log.firstSeq} not in ${firstAllowed.join(',')}`);
  for (let s = log.firstSeq; s < log.nextSeq; s++) {
    const e = log.read(s);
    assert.ok(e, `seq ${s} missing`);
    assert.deepEqual(e.payload, expected[s], `seq ${s} payload`);
  }
}
