/**
 * The unit an adapter stores: a shard's events in the ring's record layout (`[len:u32][payload][pad]`), with
 * the producer's sequence numbers `firstSeq .. firstSeq + count - 1`. One batch buffer per shard is reused:
 * a shard has at most one batch in flight, and the buffer holds the whole ring, so it never grows.
 */
import { recordBytesFor } from './options.js';

export class EventBatch {
  shardId = 0;
  /** Sequence of the first event; event i has `firstSeq + i`. Unique per producer across restarts. */
  firstSeq = 0;
  count = 0;
  byteLength = 0;
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;

  constructor(
    capacityBytes: number,
    /** Producer id (hex) the dedup ids start with. */
    readonly producerId: string,
  ) {
    this.bytes = new Uint8Array(capacityBytes & ~3);
    this.words = new Uint32Array(this.bytes.buffer, 0, this.bytes.length >>> 2);
  }

  /** Calls `fn(bytes, start, len, i)` for each event, oldest first; `bytes` is the batch buffer (no copies). */
  forEach(fn: (bytes: Uint8Array, start: number, len: number, i: number) => void): void {
    let pos = 0;
    for (let i = 0; i < this.count; i++) {
      const len = this.words[pos >>> 2]!;
      fn(this.bytes, pos + 4, len, i);
      pos += recordBytesFor(len);
    }
  }

  /** The dedup id of event `i`: `<producerId>-<seq>`, stable across retries of this batch. */
  dedupId(i: number): string {
    return `${this.producerId}-${this.firstSeq + i}`;
  }
}

/**
 * Adaptive batch size: the events a shard receives in one `maxDelayMs` window (an EWMA of the ingest rate),
 * clamped to [minSize, maxSize]. Under load batches grow to `maxSize` (few adapter round trips); when idle they
 * shrink so a lone event is not held back waiting for company.
 */
export class AdaptiveBatchSize {
  private ratePerMs = 0;
  private lastMs: number;
  private sinceLast = 0;
  target: number;

  constructor(
    private readonly minSize: number,
    private readonly maxSize: number,
    private readonly maxDelayMs: number,
    nowMs: number,
  ) {
    this.lastMs = nowMs;
    this.target = minSize;
  }

  /** Counts one ingested event (hot path: one increment). */
  note(n: number): void {
    this.sinceLast += n;
  }

  /** Updates the target at a dispatch. */
  update(nowMs: number): number {
    const dt = nowMs - this.lastMs;
    if (dt > 0) {
      const sample = this.sinceLast / dt;
      this.ratePerMs = this.ratePerMs === 0 ? sample : this.ratePerMs * 0.7 + sample * 0.3;
      this.lastMs = nowMs;
      this.sinceLast = 0;
    } else if (this.sinceLast > this.target) {
      // Many events within one clock tick: the rate is above what dt can show.
      this.ratePerMs = Math.max(this.ratePerMs, this.sinceLast);
    }
    const want = Math.ceil(this.ratePerMs * Math.max(this.maxDelayMs, 1));
    this.target = want < this.minSize ? this.minSize : want > this.maxSize ? this.maxSize : want;
    return this.target;
  }
}
