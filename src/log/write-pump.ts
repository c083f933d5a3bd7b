/**
 * The write-behind pump of a disk log: one per RedexFile, one batch at a time. Appends only `kick` it (one
 * microtask per batch, never a promise per append); it writes what is pending, fsyncs when the durability
 * policy or a `sync()` caller asks, runs compactions, and settles `flush()`/`sync()`/`compact()` waiters. An I/O
 * error rejects the waiters and stops the pump until the next kick (the next append or call retries).
 */
import { AbortedError, type CallOptions, type CounterSet, type TimerHandle, type Timers } from '../core/index.js';
import type { DiskWriter } from './disk-writer.js';
import type { DurabilityPolicy } from './policies.js';
import type { RecordStore } from './store.js';

export const LOG_COUNTERS = ['appends', 'appended_bytes', 'writes', 'syncs', 'compactions', 'evicted', 'write_errors'] as const;
export type LogCounter = (typeof LOG_COUNTERS)[number];

interface Waiter {
  target: number;
  kind: 'flush' | 'sync';
  resolve(): void;
  reject(e: unknown): void;
}

export interface PumpHost {
  /** Payload bytes appended so far (for the bytes-based policy and backpressure). */
  totalBytes(): number;
  /** Called after each completed fsync (durable-only tails wait for it). */
  onSynced(): void;
}

export class WritePump {
  private flushedBytes = 0;
  private syncedBytes = 0;
  private pumpRunning = false;
  private kickQueued = false;
  private compactRequested = false;
  private compactWaiters: Waiter[] = [];
  private waiters: Waiter[] = [];
  private timer: TimerHandle | undefined;
  private intervalDue = false;
  private readonly runPump = (): void => void this.pump();

  constructor(
    private readonly writer: DiskWriter,
    private readonly store: RecordStore,
    private readonly durability: DurabilityPolicy,
    private readonly timers: Timers | undefined,
    private readonly counters: CounterSet<LogCounter>,
    private readonly host: PumpHost,
  ) {}

  /** Sets the byte counters after recovery: everything loaded is written and durable. */
  resetBytes(bytes: number): void {
    this.flushedBytes = this.syncedBytes = bytes;
  }

  /** Bytes appended but not yet handed to the OS. */
  get pendingBytes(): number {
    return this.host.totalBytes() - this.flushedBytes;
  }

  onAppend(): void {
    if (!this.kickQueued && !this.pumpRunning) this.kick();
    if (this.timer === undefined && (this.durability.mode === 'interval' || this.durability.mode === 'intervalOrBytes')) this.armTimer();
  }

  requestCompaction(): void {
    this.compactRequested = true;
    this.kick();
  }

  dispose(): void {
    this.timers?.clearTimeout(this.timer);
    this.timer = undefined;
  }

  kick(): void {
    if (this.kickQueued) return;
    this.kickQueued = true;
    queueMicrotask(this.runPump);
  }

  private armTimer(): void {
    const d = this.durability;
    if (!this.timers || (d.mode !== 'interval' && d.mode !== 'intervalOrBytes')) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.intervalDue = true;
      this.kick();
    }, d.ms);
  }

  private needSync(w: DiskWriter): boolean {
    if (w.flushedSeq <= w.syncedSeq) return false;
    for (const x of this.waiters) if (x.kind === 'sync' && x.target > w.syncedSeq) return true;
    const d = this.durability;
    switch (d.mode) {
      case 'never':
        return false;
      case 'everyN':
        return w.flushedSeq - w.syncedSeq >= d.n;
      case 'interval':
        return this.intervalDue;
      case 'intervalOrBytes':
        return this.intervalDue || this.flushedBytes - this.syncedBytes >= d.bytes;
    }
  }

  private async pump(): Promise<void> {
    this.kickQueued = false;
    const w = this.writer;
    if (this.pumpRunning) return;
    this.pumpRunning = true;
    try {
      for (;;) {
        if (w.poisoned) throw w.poisoned;
        if (this.compactRequested || w.flushedSeq < this.store.firstSeq) {
          const bytes = this.host.totalBytes();
          this.compactRequested = false;
          await w.compact();
          this.counters.inc('compactions');
          this.flushedBytes = this.syncedBytes = bytes;
          this.settle(this.compactWaiters.splice(0), undefined);
          this.settleWaiters(w);
        } else if (w.flushedSeq < this.store.nextSeq) {
          const bytes = this.host.totalBytes();
          await w.write(this.store.nextSeq);
          this.counters.inc('writes');
          this.flushedBytes = bytes;
          this.settleWaiters(w);
        } else if (this.needSync(w)) {
          const bytes = this.flushedBytes;
          await w.sync();
          this.counters.inc('syncs');
          this.syncedBytes = bytes;
          this.intervalDue = false;
          if (w.syncedSeq < this.store.nextSeq && this.timer === undefined) this.armTimer();
          this.settleWaiters(w);
          this.host.onSynced();
        } else break;
      }
    } catch (e) {
      this.counters.inc('write_errors');
      this.settle(this.waiters.splice(0), e);
      this.settle(this.compactWaiters.splice(0), e);
    } finally {
      this.pumpRunning = false;
    }
  }

  private settleWaiters(w: DiskWriter): void {
    if (this.waiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const x of this.waiters) {
      if ((x.kind === 'sync' ? w.syncedSeq : w.flushedSeq) >= x.target) x.resolve();
      else keep.push(x);
    }
    this.waiters = keep;
  }

  private settle(ws: Waiter[], e: unknown): void {
    for (const x of ws) {
      if (e === undefined) x.resolve();
      else x.reject(e);
    }
  }

  private wait(kind: 'flush' | 'sync', list: Waiter[], target: number, options: CallOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) return reject(new AbortedError('aborted', { cause: signal.reason }));
      const onAbort = (): void => {
        const i = list.indexOf(x);
        if (i >= 0) list.splice(i, 1);
        reject(new AbortedError('aborted', { cause: signal?.reason }));
      };
      const x: Waiter = {
        target,
        kind,
        resolve: () => (signal?.removeEventListener('abort', onAbort), resolve()),
        reject: (e) => (signal?.removeEventListener('abort', onAbort), reject(e)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      list.push(x);
      this.kick();
    });
  }

  /** Resolves once every record appended before the call has been handed to the OS (no fsync). */
  flush(options: CallOptions = {}): Promise<void> {
    const w = this.writer;
    if (w.poisoned) return Promise.reject(w.poisoned);
    if (w.flushedSeq >= this.store.nextSeq) return Promise.resolve();
    return this.wait('flush', this.waiters, this.store.nextSeq, options);
  }

  /** Resolves once every record appended before the call is durable; rejects with the I/O error otherwise. */
  sync(options: CallOptions = {}): Promise<void> {
    const w = this.writer;
    if (w.poisoned) return Promise.reject(w.poisoned);
    if (w.syncedSeq >= this.store.nextSeq) return Promise.resolve();
    return this.wait('sync', this.waiters, this.store.nextSeq, options);
  }

  /** Rewrites the retained records into a new generation and switches to it atomically (disk logs). */
  compact(options: CallOptions = {}): Promise<void> {
    this.compactRequested = true;
    return this.wait('sync', this.compactWaiters, 0, options);
  }
}
