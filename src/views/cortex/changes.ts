/**
 * `changes()`: an async stream of the seqs a fold applied, in order. It buffers up to `bufferSize` seqs; a reader
 * that falls further behind gets `LaggedError` (with the seq to resume from) instead of unbounded memory, as the
 * reference's `changes_with_lag` does. Seqs skipped by the error policy are never sent.
 */
import { AbortedError, BoundedQueue, ClosedError } from '../../core/index.js';
import { LaggedError } from '../../log/index.js';

export interface ChangeEvent {
  seq: number;
  dispatch: number;
}

export class ChangeStream implements AsyncIterableIterator<ChangeEvent> {
  private readonly queue: BoundedQueue<ChangeEvent>;
  private wake: (() => void) | undefined;
  private done = false;
  private failure: Error | undefined;
  private readonly onAbort = (): void => this.end(new AbortedError('changes aborted', { cause: this.signal?.reason }));

  constructor(bufferSize: number, private readonly detach: (s: ChangeStream, lagged: boolean) => void, private readonly signal?: AbortSignal) {
    this.queue = new BoundedQueue(bufferSize);
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Called by the adapter for each applied event. */
  push(seq: number, dispatch: number): void {
    if (this.done) return;
    if (!this.queue.push({ seq, dispatch })) {
      const first = this.queue.peek()!.seq;
      this.end(new LaggedError(first, `change reader lagged; seqs from ${first} were dropped from its buffer`));
      return;
    }
    this.wakeUp();
  }

  /** Ends the stream; a reader gets `error` after the buffered events, or done when none. */
  end(error?: Error): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    if (error instanceof LaggedError) this.queue.clear();
    this.signal?.removeEventListener('abort', this.onAbort);
    this.detach(this, error instanceof LaggedError);
    this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async next(): Promise<IteratorResult<ChangeEvent>> {
    for (;;) {
      const e = this.queue.shift();
      if (e !== undefined) return { value: e, done: false };
      if (this.done) {
        const f = this.failure;
        this.failure = undefined;
        if (f !== undefined && !(f instanceof ClosedError)) throw f;
        return { value: undefined, done: true };
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  async return(): Promise<IteratorResult<ChangeEvent>> {
    this.close();
    return { value: undefined, done: true };
  }

  close(): void {
    this.end();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ChangeEvent> {
    return this;
  }
}
