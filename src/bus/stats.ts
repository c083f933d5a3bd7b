/** What the bus reports. `eventsIngested = eventsDispatched + eventsDropped + eventsBuffered + eventsInFlight`
 * always holds; after `flush()` with no concurrent emits, or after `shutdown()`, the last two are 0. */
export interface BusStats {
  /** Events the bus took responsibility for (stored in a ring, or dropped by its policy). */
  eventsIngested: number;
  /** Events the adapter acknowledged. */
  eventsDispatched: number;
  /** Events dropped, all reasons. */
  eventsDropped: number;
  droppedByReason: {
    /** `drop_newest`: the ring was full. */
    ringFull: number;
    /** `drop_oldest`: evicted by a newer event. */
    evicted: number;
    /** `sample`: not selected. */
    sampled: number;
    /** The adapter failed every attempt, or failed fatally. The events may or may not be stored. */
    adapter: number;
    /** Still buffered or in flight when the shutdown deadline passed. */
    shutdown: number;
  };
  /** Emits refused with an error (never ingested). */
  eventsRejected: number;
  rejectedByReason: { backpressure: number; oversize: number; closed: number };
  eventsBuffered: number;
  eventsInFlight: number;
  batchesDispatched: number;
  batchRetries: number;
  shards: number;
  shardIds: number[];
  drainingShards: number;
  scaleUps: number;
  scaleDowns: number;
  /** True once a shutdown had to drop events. */
  shutdownWasLossy: boolean;
  /** The message of the last adapter failure, or '' (credentials are never part of it). */
  lastAdapterError: string;
}
