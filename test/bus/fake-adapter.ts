// A test adapter over MemoryAdapter whose batches can fail (transient or fatal), hang, or take virtual time.
import { MemoryAdapter, AdapterError, type BusAdapter, type EventBatch, type ShardPage } from '../../src/bus/index.js';
import type { Timers } from '../../src/core/index.js';

export class FakeAdapter implements BusAdapter {
  readonly backend = 'memory';
  readonly store = new MemoryAdapter();
  /** Failures to inject, consumed one per attempt: 't' transient, 'f' fatal, 'h' hang (never settles). */
  script: ('t' | 'f' | 'h')[] = [];
  /** Virtual ms each successful batch takes (needs `timers`). */
  delayMs = 0;
  attempts = 0;
  stored = 0;

  constructor(private readonly timers?: Timers) {}

  async onBatch(batch: EventBatch, signal: AbortSignal): Promise<void> {
    this.attempts++;
    const step = this.script.shift();
    if (step === 't') throw new AdapterError('injected transient failure', true);
    if (step === 'f') throw new AdapterError('injected fatal failure', false);
    if (step === 'h') return new Promise<void>(() => {});
    if (this.delayMs > 0 && this.timers) {
      const timers = this.timers;
      await new Promise<void>((resolve) => timers.setTimeout(resolve, this.delayMs));
    }
    if (signal.aborted) throw signal.reason as Error;
    this.stored += batch.count;
    await this.store.onBatch(batch);
  }

  pollShard(shardId: number, afterId: string | undefined, limit: number): Promise<ShardPage> {
    return this.store.pollShard(shardId, afterId, limit);
  }

  shardStats(shardId: number, signal: AbortSignal): Promise<import('../../src/bus/index.js').ShardStats> {
    return this.store.shardStats(shardId, signal);
  }

  listShards(): Promise<number[]> {
    return this.store.listShards();
  }

  shutdown(): Promise<void> {
    return this.store.shutdown();
  }
}

/** Lets queued microtasks and immediates run. */
export async function tick(times = 3): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setImmediate(r));
}
