/**
 * `poll` across shards: one page per shard in parallel (each under the adapter timeout), merged in shard order,
 * with the composite cursor advanced only past events actually returned. A shard that fails or times out is
 * reported in `failedShards` and keeps its position, so the next poll retries it; the others still advance.
 */
import { AbortedError, InvalidArgumentError, TimeoutError, type Timers } from '../core/index.js';
import type { BusAdapter, ShardPage, StoredEvent } from './adapter.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { DedupWindow } from './dedup.js';
import { raceAbort } from './abort.js';

/** Most events fetched from one shard per poll (the reference's `PER_SHARD_FETCH_CAP`). */
export const PER_SHARD_FETCH_CAP = 10_000;
/** Most events one poll returns. */
export const POLL_MAX_LIMIT = 100_000;

export interface PollRequest {
  /** Most events to return (1 .. 100,000). */
  limit: number;
  /** Where the previous poll stopped; from the beginning when omitted. */
  cursor?: string;
  /** Only these shard ids (default: the bus's shards, the cursor's and those the backend has). */
  shards?: number[];
  /** Consumer-side dedup: events whose dedup id the window has seen are skipped (and counted). */
  dedup?: DedupWindow;
}

export interface PollResponse {
  events: StoredEvent[];
  /** Pass back as `cursor` to continue. */
  nextCursor: string;
  hasMore: boolean;
  /** Shards whose read failed or timed out this time (their position did not move). */
  failedShards: number[];
  /** Shards that returned nothing. */
  stalledShards: number[];
  /** A shard had more than its share of `limit` (or than {@link PER_SHARD_FETCH_CAP}). */
  truncatedAtPerShardCap: boolean;
  /** Entries that did not decode and were skipped. */
  skipped: number;
  /** Repeats removed by `dedup`. */
  duplicates: number;
}

export async function pollShards(
  adapter: BusAdapter, busShards: number[], req: PollRequest, timeoutMs: number, timers: Timers, signal?: AbortSignal,
): Promise<PollResponse> {
  if (!Number.isInteger(req.limit) || req.limit < 1 || req.limit > POLL_MAX_LIMIT) {
    throw new InvalidArgumentError(`poll limit must be an integer in [1, ${POLL_MAX_LIMIT}], got ${String(req.limit)}`);
  }
  const positions = req.cursor === undefined ? new Map<number, string>() : decodeCursor(req.cursor, adapter.backend).positions;
  const ac = new AbortController();
  const timer = timers.setTimeout(() => ac.abort(new TimeoutError(`poll did not finish within ${timeoutMs} ms`)), timeoutMs);
  const onOuter = (): void => ac.abort(new AbortedError('poll aborted', { cause: signal?.reason }));
  signal?.addEventListener('abort', onOuter, { once: true });
  try {
    if (signal?.aborted) throw new AbortedError('poll aborted', { cause: signal.reason });
    let shardIds = req.shards;
    if (shardIds === undefined) {
      const known = new Set<number>([...busShards, ...positions.keys()]);
      for (const id of await raceAbort(adapter.listShards(ac.signal), ac.signal)) known.add(id);
      shardIds = [...known];
    }
    shardIds = [...new Set(shardIds)].sort((a, b) => a - b);
    const per = Math.min(PER_SHARD_FETCH_CAP, Math.max(1, Math.ceil(req.limit / Math.max(1, shardIds.length))));
    const pages = await Promise.all(
      shardIds.map((id) =>
        raceAbort(adapter.pollShard(id, positions.get(id), per, ac.signal), ac.signal).then(
          (page): ShardPage | undefined => page,
          (): undefined => undefined,
        ),
      ),
    );
    if (signal?.aborted) throw new AbortedError('poll aborted', { cause: signal.reason });
    const out: PollResponse = {
      events: [], nextCursor: '', hasMore: false, failedShards: [], stalledShards: [], truncatedAtPerShardCap: false, skipped: 0, duplicates: 0,
    };
    const dupBefore = req.dedup?.duplicates ?? 0;
    shardIds.forEach((id, i) => {
      const page = pages[i];
      if (page === undefined) {
        out.failedShards.push(id);
        return;
      }
      out.skipped += page.skipped;
      if (page.events.length === 0) out.stalledShards.push(id);
      let taken = 0;
      for (const ev of page.events) {
        if (out.events.length >= req.limit) break;
        taken++;
        positions.set(id, ev.id);
        if (req.dedup === undefined || req.dedup.admit(ev.dedupId)) out.events.push(ev);
      }
      if (taken === page.events.length && page.nextId !== undefined) positions.set(id, page.nextId);
      if (taken < page.events.length || page.hasMore) {
        out.hasMore = true;
        out.truncatedAtPerShardCap = true;
      }
    });
    out.duplicates = (req.dedup?.duplicates ?? 0) - dupBefore;
    out.nextCursor = encodeCursor(adapter.backend, positions);
    return out;
  } finally {
    timers.clearTimeout(timer);
    signal?.removeEventListener('abort', onOuter);
  }
}
