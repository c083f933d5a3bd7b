/**
 * The storage side of the bus. An adapter stores batches (one stream per shard) and reads them back; the bus
 * does batching, retries, timeouts and accounting, so adapters stay thin. The same conformance suite
 * (`test/bus/conformance.ts`) runs against every adapter.
 */
import type { EventBatch } from './batch.js';

/** One event read back from a backend. */
export interface StoredEvent {
  /** The backend's id of the event within its shard (Redis stream id, JetStream sequence, memory index). */
  id: string;
  shardId: number;
  data: Uint8Array;
  /** `<producerId>-<seq>`, the id consumers dedup on; '' when the entry carried none. */
  dedupId: string;
}

/** A page of one shard. */
export interface ShardPage {
  events: StoredEvent[];
  /** Position to continue after: the last id returned, or the id passed in when nothing was returned. */
  nextId: string | undefined;
  hasMore: boolean;
  /** Entries skipped because they did not decode (counted, never delivered). */
  skipped: number;
}

export interface BusAdapter {
  /** Backend name written into cursors ('memory', 'redis', 'jetstream'). */
  readonly backend: string;
  /**
   * Stores a batch. Resolving means every event is stored under the backend's durability policy (this is the
   * acknowledgement); rejecting with a transient {@link AdapterError} asks the bus to retry the same batch, whose
   * dedup ids stay the same. The batch buffer is reused once the call settles or `signal` aborts, so an adapter
   * must copy anything it keeps or sends later.
   */
  onBatch(batch: EventBatch, signal: AbortSignal): Promise<void>;
  /** Up to `limit` events of a shard after `afterId` (from the start when undefined), oldest first. */
  pollShard(shardId: number, afterId: string | undefined, limit: number, signal: AbortSignal): Promise<ShardPage>;
  /** Shard ids with stored events (so a restarted consumer finds shards the current bus does not run). */
  listShards(signal: AbortSignal): Promise<number[]>;
  /** Releases connections; later calls fail with a non-transient error. */
  shutdown(): Promise<void>;
}
