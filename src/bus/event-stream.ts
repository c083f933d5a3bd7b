/**
 * `subscribe()`: stored events as an async iterable over a bounded queue. Pull-based: the queue is refilled by
 * one poll when the consumer has emptied it, so memory stays at one page however slow the consumer is; an empty
 * poll backs off from `pollIntervalMs` doubling to `maxBackoffMs`. Repeats are removed by a dedup window.
 */
import { BoundedQueue, type CallOptions, type TimerHandle, type Timers } from '../core/index.js';
import type { StoredEvent } from './adapter.js';
import { DedupWindow } from './dedup.js';
import { int, num, refuseUnknown } from './options.js';
import type { PollRequest, PollResponse } from './poll.js';

export interface SubscribeOptions {
  /** Events per poll, and the queue's capacity (default 1,000). */
  limit?: number;
  /** Start position (default: the beginning of every shard). */
  cursor?: string;
  /** First backoff after an empty poll, ms (default 10). */
  pollIntervalMs?: number;
  /** Longest backoff, ms (default 1,000). */
  maxBackoffMs?: number;
  /** Dedup ids remembered (default: the bus's `dedupCapacity`). */
  dedupCapacity?: number;
  signal?: AbortSignal;
}

const KEYS = new Set(['limit', 'cursor', 'pollIntervalMs', 'maxBackoffMs', 'dedupCapacity', 'signal']);

type PollFn = (req: PollRequest, opts: CallOptions) => Promise<PollResponse>;

export class EventStream implements AsyncIterable<StoredEvent> {
  private readonly queue: BoundedQueue<StoredEvent>;
  private readonly dedup: DedupWindow;
  private readonly limit: number;
  private readonly interval: number;
  private readonly maxBackoff: number;
  private readonly ac = new AbortController();
  private cursorValue: string | undefined;
  private backoff = 0;
  private closed = false;
  private sleepTimer: TimerHandle | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly pollFn: PollFn, private readonly timers: Timers, opts: SubscribeOptions = {}) {
    refuseUnknown('subscribe options', opts, KEYS);
    this.limit = int('limit', opts.limit ?? 1_000, 1, 100_000);
    this.interval = num('pollIntervalMs', opts.pollIntervalMs ?? 10, 0, 3_600_000);
    this.maxBackoff = num('maxBackoffMs', opts.maxBackoffMs ?? 1_000, this.interval, 3_600_000);
    this.queue = new BoundedQueue(this.limit);
    this.dedup = new DedupWindow(opts.dedupCapacity);
    this.cursorValue = opts.cursor;
    opts.signal?.addEventListener('abort', () => this.close(), { once: true });
    if (opts.signal?.aborted) this.close();
  }

  /** Position after the last event handed out by a completed poll (resume a later subscription from it). */
  get cursor(): string | undefined {
    return this.cursorValue;
  }

  /** Ends the stream: a pending `next()` resolves done. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ac.abort();
    this.timers.clearTimeout(this.sleepTimer);
    this.wake?.();
  }

  async next(): Promise<IteratorResult<StoredEvent>> {
    for (;;) {
      const ev = this.queue.shift();
      if (ev !== undefined) return { value: ev, done: false };
      if (this.closed) return { value: undefined, done: true };
      let res: PollResponse;
      try {
        res = await this.pollFn({ limit: this.limit, cursor: this.cursorValue, dedup: this.dedup }, { signal: this.ac.signal });
      } catch (e) {
        if (this.closed) return { value: undefined, done: true };
        throw e;
      }
      this.cursorValue = res.nextCursor;
      for (const e of res.events) this.queue.push(e);
      if (res.events.length === 0 && !res.hasMore) {
        this.backoff = this.backoff === 0 ? this.interval : Math.min(this.maxBackoff, this.backoff * 2);
        await this.sleep(this.backoff);
      } else {
        this.backoff = 0;
      }
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = this.timers.setTimeout(resolve, ms);
    });
  }
}
