/**
 * The event bus: emit → shard ring (bytes) → adaptive batch → adapter, with the reference SDK's `NetNode` names
 * (`emit`, `emitBuffer`, `emitBatch`, `poll`, `subscribe`, `stats`, `flush`, `shutdown`).
 *
 * Emits are synchronous and allocate nothing: the payload is copied into the shard's preallocated ring and a
 * counter moves. Each shard has at most one batch with the adapter, so events of one key stay in order; a
 * shard dispatches when its ring holds the adaptive batch size or its oldest event has waited `maxDelayMs`.
 * Every event is accounted: `ingested = dispatched + dropped + buffered + inFlight`.
 */
import {
  AbortedError, ClosedError, CryptoRandom, InvalidArgumentError, RealTimers, SeededRandom, SystemClock, TimeoutError,
  BackpressureError, type CallOptions, type Clock, type Random, type Timers,
} from '../core/index.js';
import type { BusAdapter } from './adapter.js';
import { PayloadTooLargeError, isTransient } from './errors.js';
import { resolveBusOptions, type EventBusOptions, type ResolvedBusOptions } from './options.js';
import { ProducerSequence } from './producer-sequence.js';
import { Shard } from './shard.js';
import { hashKey, shardIndex } from './shard-select.js';
import type { BusStats } from './stats.js';
import { pollShards, type PollRequest, type PollResponse } from './poll.js';
import { EventStream, type SubscribeOptions } from './event-stream.js';
import { raceAbort } from './abort.js';
import { availableParallelism } from 'node:os';

export interface BusComponents {
  adapter: BusAdapter;
  clock?: Clock;
  timers?: Timers;
  random?: Random;
  /** The producer's dedup identity; persist it with `ProducerSequence.open(path)` for restarts. */
  producer?: ProducerSequence;
}

export interface ShutdownOptions extends CallOptions {
  /** Time allowed to dispatch what is buffered, ms (default 10,000); what is left then is dropped and counted. */
  deadlineMs?: number;
}

interface FlushWaiter {
  shards: Shard[];
  targets: number[];
  resolve: () => void;
}

const BACKOFF_CAP_MS = 2_000;

export class EventBus {
  readonly options: ResolvedBusOptions;
  readonly adapter: BusAdapter;
  readonly producer: ProducerSequence;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly sampler: SeededRandom;
  private readonly all = new Map<number, Shard>();
  /** Shards taking new events, in routing order. */
  private active: Shard[] = [];
  private rr = 0;
  private readonly encoder = new TextEncoder();
  private scratch = new Uint8Array(256);
  private waiters: FlushWaiter[] = [];
  private flushers = 0;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  private readonly abortAll = new AbortController();
  private lastScaleAt = -Infinity;

  // counters (plain fields: the emit path increments them directly)
  private ingested = 0;
  private dispatched = 0;
  private dropRingFull = 0;
  private dropEvicted = 0;
  private dropSampled = 0;
  private dropAdapter = 0;
  private dropShutdown = 0;
  private rejBackpressure = 0;
  private rejOversize = 0;
  private rejClosed = 0;
  private batches = 0;
  private retries = 0;
  private scaleUps = 0;
  private scaleDowns = 0;
  private lossyShutdown = false;
  private lastError = '';

  constructor(components: BusComponents, options: EventBusOptions = {}) {
    this.options = resolveBusOptions(options, availableParallelism());
    this.adapter = components.adapter;
    this.clock = components.clock ?? new SystemClock();
    this.timers = components.timers ?? new RealTimers();
    const random = components.random ?? new CryptoRandom();
    // Sampling needs a fast generator; the injected one seeds it.
    this.sampler = new SeededRandom(random.nextU32());
    this.producer = components.producer ?? ProducerSequence.ephemeral(random);
    for (let i = 0; i < this.options.shards; i++) this.startShard(i);
  }

  /** Creates a bus over `components.adapter` (default options: {@link BUS_DEFAULTS}). */
  static async create(components: BusComponents, options: EventBusOptions = {}): Promise<EventBus> {
    return new EventBus(components, options);
  }

  // ---- producing -------------------------------------------------------------------------------------------

  /** Emits bytes. False when the event was dropped by the backpressure policy (counted); throws
   * {@link BackpressureError} under `fail_producer`, {@link PayloadTooLargeError}, or {@link ClosedError}. */
  emitBuffer(data: Uint8Array, key?: string | Uint8Array): boolean {
    const shard = this.route(key);
    if (data.length > this.options.maxPayloadBytes) this.refuseOversize(data.length);
    return this.offer(shard, data, 0, data.length);
  }

  /** Emits a string (a JSON document, say) as UTF-8 bytes. */
  emit(event: string, key?: string | Uint8Array): boolean {
    const shard = this.route(key);
    if (event.length * 3 > this.scratch.length) this.scratch = new Uint8Array(Math.min(event.length * 3, this.options.maxPayloadBytes + 4));
    const { read, written } = this.encoder.encodeInto(event, this.scratch);
    if (read < event.length || written > this.options.maxPayloadBytes) this.refuseOversize(Buffer.byteLength(event));
    return this.offer(shard, this.scratch, 0, written);
  }

  /** Emits events in order into one shard (by `key`, or the next in turn); returns how many were accepted. */
  emitBatch(events: readonly Uint8Array[], key?: string | Uint8Array): number {
    const shard = this.route(key);
    const max = this.options.maxPayloadBytes;
    for (let i = 0; i < events.length; i++) if (events[i]!.length > max) this.refuseOversize(events[i]!.length);
    let i = 0;
    if (this.options.backpressure !== 'sample') {
      // Fast path: copy straight into the ring and account once; the first refusal falls back to `offer`.
      const ring = shard.ring;
      while (i < events.length) {
        const e = events[i]!;
        if (!ring.push(e, 0, e.length)) break;
        i++;
      }
      if (i > 0) this.accepted(shard, i);
    }
    let accepted = i;
    for (; i < events.length; i++) {
      const e = events[i]!;
      if (this.offer(shard, e, 0, e.length)) accepted++;
    }
    return accepted;
  }

  private route(key: string | Uint8Array | undefined): Shard {
    if (this.closed) {
      this.rejClosed++;
      throw new ClosedError('event bus is shut down');
    }
    const a = this.active;
    if (key === undefined) {
      if (++this.rr >= a.length) this.rr = 0;
      return a[this.rr]!;
    }
    return a[shardIndex(hashKey(key), a.length)]!;
  }

  private refuseOversize(size: number): never {
    this.rejOversize++;
    throw new PayloadTooLargeError(size, this.options.maxPayloadBytes);
  }

  private offer(shard: Shard, src: Uint8Array, start: number, len: number): boolean {
    const o = this.options;
    if (o.backpressure === 'sample' && this.sampler.nextFloat() >= o.sampleRate) {
      this.ingested++;
      this.dropSampled++;
      return false;
    }
    const ring = shard.ring;
    if (!ring.push(src, start, len)) {
      if (o.backpressure === 'fail_producer') {
        this.rejBackpressure++;
        this.maybeAutoScale();
        throw new BackpressureError(`shard ${shard.id} ring is full`);
      }
      if (o.backpressure !== 'drop_oldest') {
        this.ingested++;
        this.dropRingFull++;
        this.maybeAutoScale();
        return false;
      }
      do {
        ring.shift();
        this.dropEvicted++;
        shard.retired++;
      } while (!ring.push(src, start, len));
      if (this.waiters.length > 0) this.checkWaiters();
    }
    this.accepted(shard, 1);
    return true;
  }

  /** Accounts `k` events just stored in `shard`'s ring and starts a batch or its delay timer. */
  private accepted(shard: Shard, k: number): void {
    this.ingested += k;
    shard.accepted += k;
    shard.sizer.note(k);
    const n = shard.ring.count;
    if (n >= shard.sizer.target) {
      this.kick(shard);
    } else if (n === k && shard.timer === undefined && !shard.dispatching) {
      shard.pendingSince = this.clock.nowMs();
      shard.timer = this.timers.setTimeout(() => this.onDelay(shard), this.options.batch.maxDelayMs);
    }
  }

  // ---- dispatching -----------------------------------------------------------------------------------------

  private kick(shard: Shard): void {
    if (shard.kickQueued || shard.dispatching) return;
    shard.kickQueued = true;
    queueMicrotask(() => {
      shard.kickQueued = false;
      void this.runShard(shard);
    });
  }

  private onDelay(shard: Shard): void {
    shard.timer = undefined;
    shard.delayDue = true;
    void this.runShard(shard);
  }

  private shouldDispatch(shard: Shard): boolean {
    const n = shard.ring.count;
    if (n === 0) return false;
    return shard.delayDue || n >= shard.sizer.target || this.flushers > 0 || shard.state === 'draining' || this.closed;
  }

  private async runShard(shard: Shard): Promise<void> {
    if (shard.dispatching) return;
    shard.dispatching = true;
    this.timers.clearTimeout(shard.timer);
    shard.timer = undefined;
    try {
      while (this.shouldDispatch(shard) && !this.abortAll.signal.aborted) {
        const now = this.clock.nowMs();
        shard.delayDue = false;
        shard.sizer.update(now);
        const batch = shard.batch;
        const n = shard.ring.drainTo(batch, this.options.batch.maxSize);
        batch.firstSeq = this.producer.take(n);
        shard.inFlight = n;
        this.maybeAutoScale();
        const ok = await this.deliver(shard);
        if (shard.inFlight === 0) break; // the shutdown deadline already counted this batch as dropped
        shard.inFlight = 0;
        shard.retired += n;
        if (ok) {
          this.dispatched += n;
          this.batches++;
        } else {
          this.dropAdapter += n;
        }
        if (shard.ring.count > 0) shard.pendingSince = now;
        if (this.waiters.length > 0) this.checkWaiters();
      }
    } finally {
      shard.dispatching = false;
    }
    this.afterRun(shard);
  }

  private afterRun(shard: Shard): void {
    if (shard.state === 'draining' && shard.ring.count === 0 && shard.inFlight === 0) {
      shard.state = 'stopped';
      this.all.delete(shard.id);
      this.checkWaiters();
      return;
    }
    if (this.abortAll.signal.aborted || shard.ring.count === 0) return;
    if (this.shouldDispatch(shard)) {
      this.kick(shard);
    } else if (shard.timer === undefined) {
      const waited = this.clock.nowMs() - shard.pendingSince;
      shard.timer = this.timers.setTimeout(() => this.onDelay(shard), this.options.batch.maxDelayMs - waited);
    }
  }

  /** Hands the shard's batch to the adapter: timeouts, jittered exponential backoff on transient errors. */
  private async deliver(shard: Shard): Promise<boolean> {
    const o = this.options;
    for (let attempt = 1; ; attempt++) {
      const ac = new AbortController();
      const onAbortAll = (): void => ac.abort(new AbortedError('event bus shut down'));
      this.abortAll.signal.addEventListener('abort', onAbortAll, { once: true });
      const timer = this.timers.setTimeout(() => ac.abort(new TimeoutError(`adapter did not answer within ${o.adapterTimeoutMs} ms`)), o.adapterTimeoutMs);
      try {
        await raceAbort(this.adapter.onBatch(shard.batch, ac.signal), ac.signal);
        return true;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        if (!isTransient(e) || attempt >= o.maxDispatchAttempts || this.abortAll.signal.aborted) return false;
      } finally {
        this.timers.clearTimeout(timer);
        this.abortAll.signal.removeEventListener('abort', onAbortAll);
      }
      this.retries++;
      const base = Math.min(BACKOFF_CAP_MS, o.retryBackoffMs * 2 ** (attempt - 1));
      await this.sleep(base * (0.5 + 0.5 * this.sampler.nextFloat()));
      if (this.abortAll.signal.aborted) return false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.timers.clearTimeout(t);
        resolve();
      };
      const t = this.timers.setTimeout(() => {
        this.abortAll.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.abortAll.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---- flush and shutdown ----------------------------------------------------------------------------------

  /**
   * Barrier: resolves once every event ingested before the call has been dispatched or dropped (rings are FIFO,
   * so each shard is done when its retired count reaches the accepted count seen at entry).
   */
  async flush(opts: CallOptions = {}): Promise<void> {
    const shards = [...this.all.values()];
    const waiter: FlushWaiter = { shards, targets: shards.map((s) => s.accepted), resolve: () => {} };
    if (this.isDone(waiter)) return;
    const signal = opts.signal;
    let onAbort: (() => void) | undefined;
    this.flushers++;
    try {
      await new Promise<void>((resolve, reject) => {
        waiter.resolve = resolve;
        this.waiters.push(waiter);
        if (signal) {
          if (signal.aborted) reject(new AbortedError('flush aborted', { cause: signal.reason }));
          onAbort = () => reject(new AbortedError('flush aborted', { cause: signal.reason }));
          signal.addEventListener('abort', onAbort, { once: true });
        }
        for (const s of shards) if (s.state !== 'stopped') this.kick(s);
      });
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      this.flushers--;
      this.waiters = this.waiters.filter((w) => w !== waiter);
    }
  }

  private isDone(w: FlushWaiter): boolean {
    for (let i = 0; i < w.shards.length; i++) {
      const s = w.shards[i]!;
      if (s.state !== 'stopped' && s.retired < w.targets[i]!) return false;
    }
    return true;
  }

  private checkWaiters(): void {
    for (const w of this.waiters) if (this.isDone(w)) w.resolve();
  }

  /**
   * Stops taking events, dispatches what is buffered within `deadlineMs`, then drops (and counts) whatever is
   * left, sets `shutdownWasLossy`, and shuts the adapter down. Idempotent.
   */
  shutdown(opts: ShutdownOptions = {}): Promise<void> {
    this.shutdownPromise ??= this.doShutdown(opts);
    return this.shutdownPromise;
  }

  private async doShutdown(opts: ShutdownOptions): Promise<void> {
    this.closed = true;
    const deadlineMs = opts.deadlineMs ?? 10_000;
    const deadline = new AbortController();
    const t = this.timers.setTimeout(() => deadline.abort(new TimeoutError('shutdown deadline')), deadlineMs);
    const onOuter = (): void => deadline.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onOuter, { once: true });
    try {
      await this.flush({ signal: deadline.signal });
    } catch {
      // deadline or abort: what is left is counted below
    } finally {
      this.timers.clearTimeout(t);
      opts.signal?.removeEventListener('abort', onOuter);
    }
    this.abortAll.abort(new AbortedError('event bus shut down'));
    for (const s of this.all.values()) {
      this.timers.clearTimeout(s.timer);
      s.timer = undefined;
      const left = s.ring.count + s.inFlight;
      if (left > 0) {
        this.dropShutdown += left;
        this.lossyShutdown = true;
        s.retired += left;
        s.ring.clear();
        s.inFlight = 0;
      }
    }
    this.checkWaiters();
    await this.adapter.shutdown();
  }

  /** Same as {@link shutdown} with the default deadline. */
  close(): Promise<void> {
    return this.shutdown();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  // ---- scaling ---------------------------------------------------------------------------------------------

  /** Number of shards taking events. */
  shards(): number {
    return this.active.length;
  }

  /** Adds a shard now (manual scaling ignores the cooldown); returns its id. */
  addShard(): number {
    if (this.closed) throw new ClosedError('event bus is shut down');
    if (this.all.size >= this.options.scaling.maxShards) {
      throw new InvalidArgumentError(`already at maxShards ${this.options.scaling.maxShards} (draining shards count until stopped)`);
    }
    let id = 0;
    while (this.all.has(id)) id++;
    this.startShard(id);
    this.scaleUps++;
    this.lastScaleAt = this.clock.nowMs();
    return id;
  }

  /** Drains a shard (the newest when `id` is omitted): it takes no new events and stops once dispatched. */
  removeShard(id?: number): number {
    if (this.active.length <= 1) throw new InvalidArgumentError('cannot remove the last active shard');
    const shard = id === undefined ? this.active[this.active.length - 1]! : this.active.find((s) => s.id === id);
    if (!shard) throw new InvalidArgumentError(`no active shard ${String(id)}`);
    shard.state = 'draining';
    this.active = this.active.filter((s) => s !== shard);
    this.rr = 0;
    this.scaleDowns++;
    this.lastScaleAt = this.clock.nowMs();
    if (shard.ring.count === 0 && !shard.dispatching) this.afterRun(shard);
    else this.kick(shard);
    return shard.id;
  }

  /** Adds or drains shards until `n` are active. */
  scaleTo(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > this.options.scaling.maxShards) {
      throw new InvalidArgumentError(`shard count must be in [1, ${this.options.scaling.maxShards}], got ${n}`);
    }
    while (this.active.length < n) this.addShard();
    while (this.active.length > n) this.removeShard();
  }

  private startShard(id: number): void {
    const o = this.options;
    const s = new Shard(id, o.ringBytes, this.producer.producerId, o.batch.minSize, o.batch.maxSize, o.batch.maxDelayMs, this.clock.nowMs());
    this.all.set(id, s);
    this.active = [...this.active, s];
  }

  /** Grows by one shard when a ring passed the high watermark, at most once per cooldown. */
  private maybeAutoScale(): void {
    const sc = this.options.scaling;
    if (!sc.auto || this.closed || this.all.size >= sc.maxShards) return;
    const now = this.clock.nowMs();
    if (now - this.lastScaleAt < sc.cooldownMs) return;
    for (const s of this.active) {
      if (s.fill >= sc.highWatermark) {
        this.addShard();
        return;
      }
    }
  }

  // ---- consuming -------------------------------------------------------------------------------------------

  /** Reads stored events across shards from a composite cursor (see {@link PollRequest}). */
  poll(request: PollRequest, opts: CallOptions = {}): Promise<PollResponse> {
    return pollShards(this.adapter, [...this.all.keys()], request, this.options.adapterTimeoutMs, this.timers, opts.signal);
  }

  /** An async iterable of stored events over a bounded queue, polling with backoff when idle. */
  subscribe(opts: SubscribeOptions = {}): EventStream {
    return new EventStream((req, o) => this.poll(req, o), this.timers, { dedupCapacity: this.options.dedupCapacity, ...opts });
  }

  // ---- stats -----------------------------------------------------------------------------------------------

  stats(): BusStats {
    let buffered = 0;
    let inFlight = 0;
    let draining = 0;
    for (const s of this.all.values()) {
      buffered += s.ring.count;
      inFlight += s.inFlight;
      if (s.state === 'draining') draining++;
    }
    const dropped = this.dropRingFull + this.dropEvicted + this.dropSampled + this.dropAdapter + this.dropShutdown;
    return {
      eventsIngested: this.ingested,
      eventsDispatched: this.dispatched,
      eventsDropped: dropped,
      droppedByReason: { ringFull: this.dropRingFull, evicted: this.dropEvicted, sampled: this.dropSampled, adapter: this.dropAdapter, shutdown: this.dropShutdown },
      eventsRejected: this.rejBackpressure + this.rejOversize + this.rejClosed,
      rejectedByReason: { backpressure: this.rejBackpressure, oversize: this.rejOversize, closed: this.rejClosed },
      eventsBuffered: buffered,
      eventsInFlight: inFlight,
      batchesDispatched: this.batches,
      batchRetries: this.retries,
      shards: this.active.length,
      shardIds: this.active.map((s) => s.id),
      drainingShards: draining,
      scaleUps: this.scaleUps,
      scaleDowns: this.scaleDowns,
      shutdownWasLossy: this.lossyShutdown,
      lastAdapterError: this.lastError,
    };
  }
}
