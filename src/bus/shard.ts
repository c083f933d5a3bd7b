/**
 * One shard: its ring, its reusable batch buffer, its batch sizer and its lifecycle. `active` shards take new
 * events; a `draining` shard takes none and is dispatched until empty, then becomes `stopped` and leaves the bus
 * (its id may be reused later; its stored stream stays readable).
 */
import type { TimerHandle } from '../core/index.js';
import { AdaptiveBatchSize, EventBatch } from './batch.js';
import { ByteRing } from './ring.js';

export type ShardState = 'active' | 'draining' | 'stopped';

export class Shard {
  readonly ring: ByteRing;
  readonly batch: EventBatch;
  readonly sizer: AdaptiveBatchSize;
  state: ShardState = 'active';
  /** Events ever accepted into the ring, and events that left it for good (dispatched or dropped): FIFO, so a
   * flush barrier waits for `retired` to reach the `accepted` it saw. */
  accepted = 0;
  retired = 0;
  /** Events of the batch now with the adapter (0 when none). */
  inFlight = 0;
  dispatching = false;
  kickQueued = false;
  delayDue = false;
  timer: TimerHandle | undefined;
  /** Time the oldest buffered event has waited since, approximately (ms). */
  pendingSince = 0;

  constructor(
    readonly id: number,
    ringBytes: number,
    producerId: string,
    batchMin: number,
    batchMax: number,
    maxDelayMs: number,
    nowMs: number,
  ) {
    this.ring = new ByteRing(ringBytes);
    this.batch = new EventBatch(ringBytes, producerId);
    this.batch.shardId = id;
    this.sizer = new AdaptiveBatchSize(batchMin, batchMax, maxDelayMs, nowMs);
  }

  get fill(): number {
    return this.ring.usedBytes / this.ring.capacity;
  }
}
