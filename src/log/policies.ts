/**
 * Durability and retention policies: plain objects with string-literal modes, validated once at open.
 *
 * What a crash can lose (power loss; a process crash also loses records not yet handed to the OS, which the
 * log does at the end of the current event-loop turn):
 * - `never`: everything after the last explicit `sync()` or `close()`.
 * - `everyN`: records after the last completed fsync; one starts once `n` records are unsynced, so fewer than
 *   `n`, plus those appended while that fsync runs. The last < n records wait for more appends or `sync()`.
 * - `interval`: records appended in the last `ms` milliseconds, plus those appended while an fsync runs.
 * - `intervalOrBytes`: as `interval`, and an fsync also starts once `bytes` payload bytes are unsynced.
 * `RedexFile.durableSeq` says exactly which prefix is durable; `sync()` resolves when everything appended
 * before it is.
 */
import { InvalidArgumentError } from '../core/index.js';

export type DurabilityPolicy =
  | { mode: 'never' }
  | { mode: 'everyN'; n: number }
  | { mode: 'interval'; ms: number }
  | { mode: 'intervalOrBytes'; ms: number; bytes: number };

/** Retention bounds; omit one for no limit (0 is refused, as in the reference). */
export interface RetentionPolicy {
  maxRecords?: number;
  maxBytes?: number;
  maxAgeMs?: number;
}

function positiveInt(v: unknown, what: string): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new InvalidArgumentError(`${what} must be a positive integer, got ${String(v)}`);
}

export function validateDurability(p: DurabilityPolicy): void {
  switch (p.mode) {
    case 'never':
      return;
    case 'everyN':
      return positiveInt(p.n, 'durability.n');
    case 'interval':
      return positiveInt(p.ms, 'durability.ms');
    case 'intervalOrBytes':
      positiveInt(p.ms, 'durability.ms');
      return positiveInt(p.bytes, 'durability.bytes');
    default:
      throw new InvalidArgumentError(`unknown durability mode ${String((p as { mode: unknown }).mode)}`);
  }
}

export function validateRetention(r: RetentionPolicy): void {
  if (r.maxRecords !== undefined) positiveInt(r.maxRecords, 'retention.maxRecords');
  if (r.maxBytes !== undefined) positiveInt(r.maxBytes, 'retention.maxBytes');
  if (r.maxAgeMs !== undefined) positiveInt(r.maxAgeMs, 'retention.maxAgeMs');
}
