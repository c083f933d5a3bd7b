/**
 * Live query results: an async iterator that yields a query's current rows first, then again each time an
 * applied event changes them. It is pull-based: a change only marks the watch dirty, and the query runs when the
 * reader asks for the next result, so a slow reader sees the latest rows (intermediate ones are skipped), never
 * a growing queue. Results are compared row by row by identity (rows are immutable: a change stores a new object).
 */
import { AbortedError, ClosedError } from '../../core/index.js';

export class QueryWatch<T> implements AsyncIterableIterator<readonly T[]> {
  private last: readonly T[] | undefined;
  private dirty = true;
  private done = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly unsubscribe: () => void;
  private readonly onAbort = (): void => this.end(new AbortedError('watch aborted', { cause: this.signal?.reason }));

  constructor(
    private readonly run: () => readonly T[],
    subscribe: (onChange: () => void) => () => void,
    private readonly signal?: AbortSignal,
    initial?: readonly T[],
  ) {
    this.last = initial;
    this.dirty = initial === undefined;
    this.unsubscribe = subscribe(() => {
      this.dirty = true;
      const w = this.wake;
      this.wake = undefined;
      w?.();
    });
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Ends the watch; `error` (if any) is thrown to the reader. */
  end(error?: Error): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    this.unsubscribe();
    this.signal?.removeEventListener('abort', this.onAbort);
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async next(): Promise<IteratorResult<readonly T[]>> {
    for (;;) {
      if (this.done) {
        const f = this.failure;
        this.failure = undefined;
        if (f !== undefined && !(f instanceof ClosedError)) throw f;
        return { value: undefined, done: true };
      }
      if (this.dirty) {
        this.dirty = false;
        const rows = this.run();
        if (this.last === undefined || !sameRows(this.last, rows)) {
          this.last = rows;
          return { value: rows, done: false };
        }
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  async return(): Promise<IteratorResult<readonly T[]>> {
    this.end();
    return { value: undefined, done: true };
  }

  close(): void {
    this.end();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<readonly T[]> {
    return this;
  }
}

function sameRows<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
