/**
 * Live tails: an async iterator over a log from a seq onwards, reading records straight from the store (no
 * per-reader copy of the stream). It waits for appends with one promise per wait, not per record.
 *
 * A reader gets {@link LaggedError} when records it has not read were evicted by retention, or when, after
 * having caught up with the head once, it falls more than `bufferSize` records behind: a live consumer that
 * cannot keep up is told so instead of silently reading ever older data. Re-tail from `resumeSeq`, or catch up
 * with `range()` first.
 */
import { AbortedError, ClosedError } from '../core/index.js';
import { LaggedError } from './errors.js';

/** One record as the API returns it: a copy of its payload. */
export interface RedexEvent {
  seq: number;
  payload: Uint8Array;
  /** Wall-clock time of the append in milliseconds since the Unix epoch (the ts record, ~256 ns precision). */
  timestampMs: number;
}

/** What a tail reads from (implemented by RedexFile). */
export interface TailSource {
  readonly firstSeq: number;
  /** Seqs below this may be delivered (the head, or the durable prefix for `durableOnly` tails). */
  tailLimit(durableOnly: boolean): number;
  eventAt(seq: number): RedexEvent;
  readonly isClosed: boolean;
  addWaker(fn: () => void): void;
  removeWaker(fn: () => void): void;
}

export interface TailOptions {
  signal?: AbortSignal;
  /** Records a caught-up reader may fall behind before it gets LaggedError. */
  bufferSize?: number;
  /** Deliver only records already durable (default false: every appended record, before its fsync). */
  durableOnly?: boolean;
}

export class RedexTail implements AsyncIterableIterator<RedexEvent> {
  private done = false;
  private caughtUp = false;
  private wake: (() => void) | undefined;
  private readonly onAbort = (): void => this.wake?.();

  constructor(
    private readonly src: TailSource,
    private cursor: number,
    private readonly bufferSize: number,
    private readonly durableOnly: boolean,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The next seq this tail will deliver. */
  get position(): number {
    return this.cursor;
  }

  /** Synchronous when a record is ready (one resolved promise, no async frame), waiting otherwise. */
  next(): Promise<IteratorResult<RedexEvent>> {
    if (!this.done && !this.signal?.aborted && !this.src.isClosed) {
      const c = this.cursor;
      const limit = this.src.tailLimit(this.durableOnly);
      if (c >= this.src.firstSeq && c < limit && (!this.caughtUp || limit - c <= this.bufferSize)) {
        this.cursor = c + 1;
        return Promise.resolve({ value: this.src.eventAt(c), done: false });
      }
    }
    return this.nextSlow();
  }

  private async nextSlow(): Promise<IteratorResult<RedexEvent>> {
    for (;;) {
      if (this.done) return { value: undefined, done: true };
      if (this.signal?.aborted) {
        this.close();
        throw new AbortedError('tail aborted', { cause: this.signal.reason });
      }
      if (this.src.isClosed) {
        this.close();
        throw new ClosedError('log closed');
      }
      const first = this.src.firstSeq;
      if (this.cursor < first) {
        this.close();
        throw new LaggedError(first, `tail reader lagged: seqs ${this.cursor}..${first - 1} were evicted; resume from seq ${first}`);
      }
      const limit = this.src.tailLimit(this.durableOnly);
      if (this.caughtUp && limit - this.cursor > this.bufferSize) {
        this.close();
        throw new LaggedError(this.cursor);
      }
      if (this.cursor < limit) return { value: this.src.eventAt(this.cursor++), done: false };
      this.caughtUp = true;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.src.addWaker(resolve);
      });
      if (this.wake) this.src.removeWaker(this.wake);
      this.wake = undefined;
    }
  }

  async return(): Promise<IteratorResult<RedexEvent>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Ends the iteration; a pending `next()` resolves done. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    const w = this.wake;
    if (w) {
      this.src.removeWaker(w);
      w();
    }
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<RedexEvent> {
    return this;
  }
}
