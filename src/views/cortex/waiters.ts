/**
 * Promises that resolve once a fold's watermark passes a seq (waitForSeq, waitForAppliedSeq, waitForToken).
 * Bounded (the reference's per-adapter RYW queue of 1024); each waiter settles exactly once: reached, failed
 * (the fold stopped, or the event was skipped), timed out, or aborted.
 */
import { AbortedError, BackpressureError, TimeoutError, type Timers, type TimerHandle } from '../../core/index.js';
import { CORTEX_MAX_WAITERS } from '../limits.js';

/** Decides a waiter: true = resolve, an Error = reject, undefined = keep waiting. */
export type WaitCheck = () => true | Error | undefined;

export interface WaitOptions {
  /** Give up after this many milliseconds (needs `timers`); 0 polls once without waiting. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Waiter {
  check: WaitCheck;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class Waiters {
  private list: Waiter[] = [];

  constructor(private readonly timers: Timers | undefined) {}

  get size(): number {
    return this.list.length;
  }

  wait(check: WaitCheck, options: WaitOptions, what: string): Promise<void> {
    const now = check();
    if (now === true) return Promise.resolve();
    if (now instanceof Error) return Promise.reject(now);
    if (options.signal?.aborted) return Promise.reject(new AbortedError(`${what} aborted`, { cause: options.signal.reason }));
    if (options.timeoutMs === 0) return Promise.reject(new TimeoutError(`${what}: not reached`));
    if (this.list.length >= CORTEX_MAX_WAITERS) return Promise.reject(new BackpressureError(`${CORTEX_MAX_WAITERS} waits already pending`));
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { check, resolve, reject, timer: undefined, signal: options.signal, onAbort: undefined };
      if (options.timeoutMs !== undefined && this.timers) {
        w.timer = this.timers.setTimeout(() => this.settle(w, new TimeoutError(`${what}: not reached within ${options.timeoutMs} ms`)), options.timeoutMs);
      }
      if (options.signal) {
        w.onAbort = () => this.settle(w, new AbortedError(`${what} aborted`, { cause: options.signal?.reason }));
        options.signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.list.push(w);
    });
  }

  /** Re-checks every waiter (after a drain, or when the fold stopped). */
  poll(): void {
    if (this.list.length === 0) return;
    for (const w of [...this.list]) {
      const r = w.check();
      if (r !== undefined) this.settle(w, r);
    }
  }

  /** Rejects every waiter with `e` (close). */
  failAll(e: Error): void {
    for (const w of [...this.list]) this.settle(w, e);
  }

  private settle(w: Waiter, r: true | Error): void {
    const i = this.list.indexOf(w);
    if (i < 0) return;
    this.list.splice(i, 1);
    this.timers?.clearTimeout(w.timer);
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
    if (r === true) w.resolve();
    else w.reject(r);
  }
}
