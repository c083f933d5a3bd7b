/**
 * CortexAdapter: one RedEX log, one fold, one materialized state (the reference's `CortexAdapter<State>`).
 *
 * Folding is synchronous and in log order. Writes through the adapter (`ingest`) append to the log and fold at
 * once, so a writer reads its own write as soon as `ingest` returns. Records appended to the log by anyone else
 * are folded in a microtask after the append (a waker on the log, no promise per record).
 *
 * Watermarks: `foldedThroughSeq` is the last seq the fold processed (applied or skipped); `appliedThroughSeq`
 * is the end of the strict prefix of applied events, which a skipped event halts (as in the reference).
 * Error policies: `stop` halts at the first event the fold cannot apply (the state stays the prefix before it);
 * `skip` counts it and goes on. An event whose EventMeta checksum fails is such an event. A fold that throws
 * anything but `FoldDecodeError` stops the adapter under either policy: the state may be half-updated.
 */
import { ClosedError, CounterSet, InvalidArgumentError, u64Hi, u64Lo, type NetError, type Timers } from '../../core/index.js';
import { EVENT_META_BYTES, type RedexFile } from '../../log/index.js';
import { CortexError, FoldDecodeError } from '../errors.js';
import { CORTEX_DEFAULT_CHANGE_BUFFER, CORTEX_MAX_REMEMBERED_SKIPS, CORTEX_SNAPSHOT_VERSION } from '../limits.js';
import { ChangeStream, type ChangeEvent } from './changes.js';
import { EventCodec } from './event-codec.js';
import type { CortexEvent, CortexFold } from './fold.js';
import type { CortexSnapshot } from './snapshot.js';
import { Waiters, type WaitOptions } from './waiters.js';

export type FoldErrorPolicy = 'stop' | 'skip';

export interface CortexOptions<S> {
  fold: CortexFold<S>;
  /** Default `stop`. */
  errorPolicy?: FoldErrorPolicy;
  /** Where folding starts: the log's first retained record (default), only new appends, or a seq. */
  start?: 'beginning' | 'live' | number;
  /** Origin hash written into the EventMeta of this adapter's writes (default 0). */
  originHash?: bigint;
}

export interface CortexComponents {
  /** Needed for `timeoutMs` on waits. */
  timers?: Timers;
}

export const CORTEX_COUNTERS = ['applied', 'skipped', 'checksum_failures', 'evicted_unfolded', 'change_lagged'] as const;
export type CortexCounter = (typeof CORTEX_COUNTERS)[number];

export class CortexAdapter<S> {
  readonly counters = new CounterSet<CortexCounter>(CORTEX_COUNTERS);
  private readonly fold: CortexFold<S>;
  private readonly policy: FoldErrorPolicy;
  private readonly codec = new EventCodec();
  private readonly ev: CortexEvent = { seq: 0, dispatch: 0, flags: 0, record: new Uint8Array(0), payload: new Uint8Array(0) };
  private readonly originLo: number;
  private readonly originHi: number;
  private readonly waiters: Waiters;
  private readonly listeners: ((seq: number, dispatch: number) => void)[] = [];
  private readonly streams = new Set<ChangeStream>();
  private readonly skips: number[] = [];
  private skipHorizon = -1;
  private stateValue: S;
  private cursor: number;
  private folded: number;
  private applied: number;
  private stopped: CortexError | undefined;
  private closed = false;
  private ingesting = false;
  private drainQueued = false;
  private readonly waker = (): void => {
    if (this.closed) return;
    this.log.addWaker(this.waker);
    if (!this.ingesting && !this.drainQueued) {
      this.drainQueued = true;
      queueMicrotask(this.queuedDrain);
    }
  };
  private readonly queuedDrain = (): void => {
    this.drainQueued = false;
    if (!this.closed) this.catchUp();
  };

  private constructor(readonly log: RedexFile, options: CortexOptions<S>, components: CortexComponents, state: S, from: number) {
    this.fold = options.fold;
    this.policy = options.errorPolicy ?? 'stop';
    const origin = options.originHash ?? 0n;
    this.originLo = u64Lo(origin);
    this.originHi = u64Hi(origin);
    this.waiters = new Waiters(components.timers);
    this.stateValue = state;
    this.cursor = from;
    this.folded = from - 1;
    this.applied = from - 1;
  }

  /** Opens a view over `log` and folds what it already holds. */
  static async open<S>(log: RedexFile, options: CortexOptions<S>, components: CortexComponents = {}): Promise<CortexAdapter<S>> {
    if (log.isClosed) throw new ClosedError('log closed');
    const start = options.start ?? 'beginning';
    const from = start === 'beginning' ? log.firstSeq : start === 'live' ? log.nextSeq : start;
    const a = new CortexAdapter(log, options, components, options.fold.initial(), from);
    a.begin();
    return a;
  }

  /**
   * Opens a view from a snapshot and replays the log's records after it. Refused (`ERR_SNAPSHOT_INVALID`) when
   * the snapshot is of another model, when the log no longer holds the records right after it, or when the
   * snapshot is ahead of the log (it saw records the log has lost).
   */
  static async openFromSnapshot<S>(log: RedexFile, snapshot: CortexSnapshot, options: CortexOptions<S>,
    components: CortexComponents = {}): Promise<CortexAdapter<S>> {
    if (log.isClosed) throw new ClosedError('log closed');
    if (snapshot.version !== CORTEX_SNAPSHOT_VERSION) throw new CortexError('snapshot-invalid', `snapshot version ${snapshot.version}`);
    if (snapshot.model !== options.fold.model) throw new CortexError('snapshot-model', `snapshot of model ${snapshot.model}, fold is ${options.fold.model}`);
    const from = snapshot.throughSeq + 1;
    if (from > log.nextSeq) throw new CortexError('snapshot-ahead', `snapshot covers seqs up to ${snapshot.throughSeq} but the log ends at ${log.nextSeq - 1}`);
    if (from < log.firstSeq) throw new CortexError('snapshot-gap', `log starts at seq ${log.firstSeq}; seqs ${from}..${log.firstSeq - 1} after the snapshot are gone`);
    let state: S;
    try {
      state = options.fold.decodeState(snapshot.state);
    } catch (e) {
      throw new CortexError('snapshot-invalid', `snapshot state does not decode: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const a = new CortexAdapter(log, options, components, state, from);
    a.applied = snapshot.appliedThroughSeq;
    a.begin();
    return a;
  }

  private begin(): void {
    this.log.addWaker(this.waker);
    this.catchUp();
  }

  /** The materialized state. Read it, never write it: only the fold does. */
  get state(): S {
    return this.stateValue;
  }
  get foldedThroughSeq(): number {
    return this.folded;
  }
  get appliedThroughSeq(): number {
    return this.applied;
  }
  get isRunning(): boolean {
    return this.stopped === undefined && !this.closed;
  }
  /** Why the fold stopped, when it has. */
  get stopError(): CortexError | undefined {
    return this.stopped;
  }

  // ---- writes ----

  /**
   * Appends one event (`dispatch`; `write` puts at most `maxSize` payload bytes at `buf[off..]` and returns how
   * many it wrote), folds it and everything before it, and returns its seq. The write is in memory at once;
   * the log's durability policy says when it survives a crash.
   */
  ingestWith(dispatch: number, maxSize: number, write: (buf: Uint8Array, off: number) => number, flags = 0): number {
    if (this.closed) throw new ClosedError('view closed');
    if (this.stopped) throw this.stopped;
    const buf = this.codec.buffer(maxSize);
    const size = write(buf, EVENT_META_BYTES);
    if (!(size >= 0 && size <= maxSize)) throw new InvalidArgumentError(`event writer wrote ${size} bytes, more than its ${maxSize}`);
    const rec = this.codec.seal(buf, EVENT_META_BYTES + size, dispatch, flags, this.originLo, this.originHi, this.log.nextSeq);
    this.ingesting = true;
    let seq: number;
    try {
      seq = this.log.append(rec);
    } finally {
      this.ingesting = false;
    }
    // Fold what precedes our record from the log, then ours from the buffer we built (it is intact: no check).
    if (this.cursor < seq) this.drainTo(seq);
    if (this.cursor === seq && !this.stopped) {
      this.cursor = seq + 1;
      this.foldOne(seq, rec);
    }
    if (this.waiters.size > 0) this.waiters.poll();
    return seq;
  }

  /** {@link ingestWith} with a ready payload. */
  ingest(dispatch: number, payload: Uint8Array, flags = 0): number {
    return this.ingestWith(dispatch, payload.length, (b, o) => {
      b.set(payload, o);
      return payload.length;
    }, flags);
  }

  // ---- folding ----

  /** Folds every record the log holds that the view has not seen (normally automatic). */
  catchUp(): void {
    this.drainTo(this.log.nextSeq);
    if (this.waiters.size > 0) this.waiters.poll();
  }

  private drainTo(end: number): void {
    while (this.cursor < end && !this.stopped && !this.closed) {
      const seq = this.cursor;
      if (seq < this.log.firstSeq) {
        const first = this.log.firstSeq;
        this.counters.inc('evicted_unfolded', first - seq);
        if (this.policy === 'stop') {
          this.halt(new CortexError('lagged', `records ${seq}..${first - 1} were evicted before the fold read them`, { appliedThroughSeq: this.applied }));
          return;
        }
        for (let s = seq; s < first; s++) this.rememberSkip(s);
        this.cursor = first;
        this.folded = first - 1;
        continue;
      }
      this.cursor = seq + 1;
      const rec = this.log.view(seq)!;
      if (this.codec.verify(rec) === 0) {
        this.counters.inc('checksum_failures');
        this.reject(seq, new FoldDecodeError(`seq ${seq}: EventMeta checksum mismatch or malformed EventMeta`));
        continue;
      }
      this.foldOne(seq, rec);
    }
  }

  private foldOne(seq: number, rec: Uint8Array): void {
    const ev = this.ev;
    ev.seq = seq;
    ev.dispatch = rec[0]!;
    ev.flags = rec[1]!;
    ev.record = rec;
    ev.payload = rec.subarray(EVENT_META_BYTES);
    try {
      this.fold.apply(this.stateValue, ev);
    } catch (e) {
      if (e instanceof FoldDecodeError) this.reject(seq, e);
      else this.halt(new CortexError('stopped', `fold ${this.fold.model} threw at seq ${seq}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, appliedThroughSeq: this.applied }));
      return;
    }
    this.folded = seq;
    if (this.applied === seq - 1) this.applied = seq;
    this.counters.incSlot(0);
    const n = this.listeners.length;
    for (let i = 0; i < n; i++) this.listeners[i]!(seq, ev.dispatch);
    if (this.streams.size > 0) for (const s of this.streams) s.push(seq, ev.dispatch);
  }

  /** An event the fold could not apply: stop before it, or skip it. */
  private reject(seq: number, e: NetError): void {
    if (this.policy === 'stop') {
      this.cursor = seq;
      this.halt(new CortexError('stopped', `fold ${this.fold.model} stopped at seq ${seq}: ${e.message}`, { cause: e, appliedThroughSeq: this.applied }));
      return;
    }
    this.counters.inc('skipped');
    this.rememberSkip(seq);
    this.folded = seq;
  }

  private rememberSkip(seq: number): void {
    if (this.skips.length >= CORTEX_MAX_REMEMBERED_SKIPS) this.skipHorizon = this.skips.shift()!;
    this.skips.push(seq);
  }

  private halt(e: CortexError): void {
    this.stopped = e;
    this.waiters.poll();
    for (const s of [...this.streams]) s.end(e);
  }

  // ---- waiting ----

  /** Resolves once the fold has processed `seq` (applied or skipped); rejects if the fold stops before. */
  waitForSeq(seq: number, options: WaitOptions = {}): Promise<void> {
    return this.waiters.wait(() => (this.folded >= seq ? true : this.notReachable()), options, `wait for seq ${seq}`);
  }

  /** Resolves once every event up to `seq` is applied (the strict prefix); rejects if the fold stops before. */
  waitForAppliedSeq(seq: number, options: WaitOptions = {}): Promise<void> {
    return this.waiters.wait(() => (this.applied >= seq ? true : this.notReachable()), options, `wait for applied seq ${seq}`);
  }

  /**
   * Resolves once the event `seq` itself is applied: rejects with `ERR_FOLD_SKIPPED` when the skip policy
   * skipped it (or it is too old to tell), with `ERR_FOLD_STOPPED` when the fold stopped before it.
   */
  waitForEvent(seq: number, options: WaitOptions = {}): Promise<void> {
    return this.waiters.wait(() => {
      if (this.applied >= seq) return true;
      if (this.folded >= seq) {
        if (seq <= this.skipHorizon || this.skips.includes(seq)) return new CortexError('skipped', `event ${seq} was skipped by the fold's error policy`);
        return true;
      }
      return this.notReachable();
    }, options, `wait for event ${seq}`);
  }

  private notReachable(): Error | undefined {
    if (this.stopped) return new CortexError('stopped', this.stopped.message, { cause: this.stopped, appliedThroughSeq: this.applied });
    if (this.closed) return new ClosedError('view closed');
    return undefined;
  }

  // ---- change events ----

  /** Calls `fn(seq, dispatch)` synchronously after each applied event; returns the unsubscribe function. */
  onChange(fn: (seq: number, dispatch: number) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** A stream of applied seqs from now on (at most `bufferSize` unread, default 4096, then `LaggedError`). */
  changes(options: { bufferSize?: number; signal?: AbortSignal } = {}): AsyncIterableIterator<ChangeEvent> & { close(): void } {
    const s = new ChangeStream(options.bufferSize ?? CORTEX_DEFAULT_CHANGE_BUFFER, (x, lagged) => {
      this.streams.delete(x);
      if (lagged) this.counters.inc('change_lagged');
    }, options.signal);
    if (this.closed) s.end(new ClosedError('view closed'));
    else if (this.stopped) s.end(this.stopped);
    else this.streams.add(s);
    return s;
  }

  // ---- snapshots ----

  /** The state as of `foldedThroughSeq`. */
  snapshot(): CortexSnapshot {
    return { version: CORTEX_SNAPSHOT_VERSION, model: this.fold.model, throughSeq: this.folded, appliedThroughSeq: this.applied,
      state: this.fold.encodeState(this.stateValue) };
  }

  /** Stops following the log (the log stays open: it belongs to the caller). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.log.removeWaker(this.waker);
    this.waiters.failAll(new ClosedError('view closed'));
    for (const s of [...this.streams]) s.end(new ClosedError('view closed'));
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
