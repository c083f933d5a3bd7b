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

/** An event handed to one consumer of a group; acknowledge it with {@link ConsumerGroups.ack} and its `ackId`. */
export interface GroupEvent extends StoredEvent {
  /** What `ack` takes (a Redis stream id; a JetStream ack subject). */
  ackId: string;
  /** Times the group has handed this event out, this one included (> 1: a consumer took it and never acked). */
  deliveries: number;
}

/**
 * Consumer groups where the backend has them (Redis XREADGROUP/XACK/XAUTOCLAIM, JetStream durable pull
 * consumers). Each event of a shard goes to one consumer of the group; an event a consumer took and did not
 * acknowledge within the backend's idle time (`claimIdleMs` for Redis, the consumer's `ack_wait` for JetStream)
 * is handed out again, to whichever consumer reads next. A group starts at the beginning of each shard.
 */
export interface ConsumerGroups {
  /** Up to `limit` events of the shard for `consumer`: events whose idle time passed first, then new ones. */
  read(shardId: number, group: string, consumer: string, limit: number, signal: AbortSignal): Promise<GroupEvent[]>;
  /** Acknowledges events by `ackId`; resolves once the backend recorded them. Returns how many it knew. */
  ack(shardId: number, group: string, ackIds: readonly string[], signal: AbortSignal): Promise<number>;
}

/** Most events one consumer-group read returns. */
export const GROUP_READ_MAX = 10_000;

/** Group names: what both backends accept as a consumer group / durable consumer name. */
export const GROUP_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** What a backend holds for one shard. */
export interface ShardStats {
  shardId: number;
  /** Events stored now (after retention). */
  events: number;
  /** Id of the oldest and newest stored event; undefined when the shard is empty. */
  firstId: string | undefined;
  lastId: string | undefined;
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
  /** What the backend holds for a shard (for `net-mesh bus stats` and for tailing from the end). */
  shardStats(shardId: number, signal: AbortSignal): Promise<ShardStats>;
  /** Consumer groups, when the backend has them. */
  readonly groups?: ConsumerGroups;
  /** Releases connections; later calls fail with a non-transient error. */
  shutdown(): Promise<void>;
}
