/**
 * The in-process adapter: each batch is copied once into a chunk of its shard's store (one allocation per
 * batch, never per event). Nothing survives the process; retention bounds memory by dropping whole chunks from
 * the front (ids keep counting, so cursors stay valid and a consumer that fell behind skips ahead).
 */
import { InvalidArgumentError } from '../core/index.js';
import { AdapterError } from './errors.js';
import type { BusAdapter, ShardPage, ShardStats, StoredEvent } from './adapter.js';
import type { EventBatch } from './batch.js';
import { recordBytesFor } from './options.js';

export interface MemoryAdapterOptions {
  /** Events kept per shard before the oldest chunks go (default 10,000,000). */
  retainEventsPerShard?: number;
}

interface Chunk {
  /** Index of the chunk's first event in its shard. */
  first: number;
  count: number;
  bytes: Uint8Array;
  /** Start of each event's record in `bytes`. */
  offsets: Uint32Array;
  producerId: string;
  firstSeq: number;
}

export class MemoryAdapter implements BusAdapter {
  readonly backend = 'memory';
  private readonly shards = new Map<number, { chunks: Chunk[]; next: number; retained: number }>();
  private readonly retain: number;
  private closed = false;

  constructor(options: MemoryAdapterOptions = {}) {
    const r = options.retainEventsPerShard ?? 10_000_000;
    if (!Number.isInteger(r) || r < 1) throw new InvalidArgumentError(`retainEventsPerShard must be >= 1, got ${r}`);
    this.retain = r;
  }

  onBatch(batch: EventBatch): Promise<void> {
    if (this.closed) return Promise.reject(new AdapterError('memory adapter is shut down', false));
    let s = this.shards.get(batch.shardId);
    if (!s) this.shards.set(batch.shardId, (s = { chunks: [], next: 0, retained: 0 }));
    const bytes = batch.bytes.slice(0, batch.byteLength);
    const offsets = new Uint32Array(batch.count);
    const view = new DataView(bytes.buffer);
    for (let i = 0, pos = 0; i < batch.count; i++) {
      offsets[i] = pos;
      pos += recordBytesFor(view.getUint32(pos, true));
    }
    s.chunks.push({ first: s.next, count: batch.count, bytes, offsets, producerId: batch.producerId, firstSeq: batch.firstSeq });
    s.next += batch.count;
    s.retained += batch.count;
    while (s.retained > this.retain && s.chunks.length > 1) s.retained -= s.chunks.shift()!.count;
    return Promise.resolve();
  }

  pollShard(shardId: number, afterId: string | undefined, limit: number): Promise<ShardPage> {
    if (this.closed) return Promise.reject(new AdapterError('memory adapter is shut down', false));
    const s = this.shards.get(shardId);
    let from = afterId === undefined ? 0 : Number(afterId.split('-')[0]) + 1;
    const events: StoredEvent[] = [];
    if (!s) return Promise.resolve({ events, nextId: afterId, hasMore: false, skipped: 0 });
    let ci = chunkIndex(s.chunks, from);
    if (ci < s.chunks.length && from < s.chunks[ci]!.first) from = s.chunks[ci]!.first;
    for (; ci < s.chunks.length && events.length < limit; ci++) {
      const c = s.chunks[ci]!;
      const view = new DataView(c.bytes.buffer);
      for (let i = from - c.first; i < c.count && events.length < limit; i++) {
        const pos = c.offsets[i]!;
        const len = view.getUint32(pos, true);
        events.push({ id: String(c.first + i), shardId, data: c.bytes.subarray(pos + 4, pos + 4 + len), dedupId: `${c.producerId}-${c.firstSeq + i}` });
      }
      if (ci + 1 < s.chunks.length) from = s.chunks[ci + 1]!.first;
    }
    const last = events.length > 0 ? events[events.length - 1]!.id : afterId;
    return Promise.resolve({ events, nextId: last, hasMore: last === undefined ? s.next > 0 : Number(last) + 1 < s.next, skipped: 0 });
  }

  listShards(): Promise<number[]> {
    return Promise.resolve([...this.shards.keys()]);
  }

  shardStats(shardId: number, _signal?: AbortSignal): Promise<ShardStats> {
    if (this.closed) return Promise.reject(new AdapterError('memory adapter is shut down', false));
    const s = this.shards.get(shardId);
    if (!s || s.retained === 0) return Promise.resolve({ shardId, events: 0, firstId: undefined, lastId: undefined });
    return Promise.resolve({ shardId, events: s.retained, firstId: String(s.chunks[0]!.first), lastId: String(s.next - 1) });
  }

  shutdown(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Index of the first chunk holding an event >= `index` (chunks are sorted by `first`). */
function chunkIndex(chunks: Chunk[], index: number): number {
  let lo = 0;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = chunks[mid]!;
    if (c.first + c.count <= index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
