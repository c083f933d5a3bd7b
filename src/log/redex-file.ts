/**
 * RedexFile: one channel's append-only log. `append` copies the payload into the in-memory store and returns
 * its seq at once; a single pump (one promise per batch, never per append) seals, writes dat → idx → ts and
 * fsyncs as the durability policy says. Reads and tails are served from memory. Without `dir` the log lives in
 * memory only, with the same API (nothing is ever durable).
 */
import { BackpressureError, ClosedError, CounterSet, InvalidArgumentError, type CallOptions, type Clock,
  type Timers } from '../core/index.js';
import { DiskWriter } from './disk-writer.js';
import { joinPath, type FileIO, type FileLock } from './file-io.js';
import { channelDirName } from './layout.js';
import { REDEX_DEFAULT_MAX_PENDING_BYTES, REDEX_DEFAULT_TAIL_BUFFER, REDEX_INLINE_PAYLOAD_BYTES, REDEX_MAX_PAYLOAD_BYTES,
  REDEX_MAX_SEGMENT_BYTES, REDEX_MAX_SEQ } from './limits.js';
import { validateDurability, validateRetention, type DurabilityPolicy, type RetentionPolicy } from './policies.js';
import { recover, type RecoveryReport } from './recovery.js';
import { RecordStore } from './store.js';
import { RedexTail, type RedexEvent, type TailOptions, type TailSource } from './tail.js';
import { LOG_COUNTERS, WritePump, type LogCounter } from './write-pump.js';

export interface RedexComponents {
  clock: Clock;
  /** Needed for `interval` durability. */
  timers?: Timers;
  /** Needed for a disk log (`options.dir`). */
  fileIO?: FileIO;
}

export interface RedexOptions {
  channel: string;
  /** Base directory; the log lives in `<dir>/<channel, '/' as '%'>/`. Omit for an in-memory log. */
  dir?: string;
  /** Default `{ mode: 'interval', ms: 100 }`. */
  durability?: DurabilityPolicy;
  retention?: RetentionPolicy;
  /** Segment size bound (default 2^32 - 1: u32 offsets). Payloads are capped at min(4 MiB, this). */
  maxSegmentBytes?: number;
  /** Bytes appended but not yet handed to the OS before `append` refuses (default 64 MiB). */
  maxPendingBytes?: number;
  /** Default records a caught-up tail may fall behind (default 65,536). */
  tailBufferSize?: number;
  /** Compact automatically once evicted records on disk outnumber live ones (default true). */
  autoCompact?: boolean;
}

const COUNTERS = LOG_COUNTERS;
const EVICTED_SLOT = COUNTERS.indexOf('evicted');


const TWO32 = 4294967296;
const AUTO_COMPACT_MIN_RECORDS = 1024;

export class RedexFile implements TailSource {
  readonly channel: string;
  readonly counters = new CounterSet<LogCounter>(COUNTERS);
  /** What opening found (an in-memory log reports an empty generation 0). */
  readonly recovery: RecoveryReport;
  private readonly store: RecordStore;
  private readonly writer: DiskWriter | undefined;
  private readonly pump: WritePump | undefined;
  private readonly lock: FileLock | undefined;
  private readonly clock: Clock;
  private readonly durability: DurabilityPolicy;
  private readonly retention: RetentionPolicy;
  private readonly maxPayload: number;
  private readonly maxPending: number;
  private readonly tailBuffer: number;
  private readonly autoCompact: boolean;
  private closed = false;
  private totalBytes = 0;
  private wakers = new Set<() => void>();
  private appendsSinceSweep = 0;
  private tsLo = 0;
  private tsHi = 0;
  private stampValid = false;
  private stampUses = 0;
  private readonly invalidateStamp = (): void => {
    this.stampValid = false;
  };

  private constructor(components: RedexComponents, options: RedexOptions, store: RecordStore, writer?: DiskWriter,
    lock?: FileLock, report?: RecoveryReport) {
    this.channel = options.channel;
    this.clock = components.clock;
    this.store = store;
    this.writer = writer;
    this.lock = lock;
    this.recovery = report ?? { generation: 0, records: 0, manifestFallback: false, orphansRemoved: 0, truncated: null, corruption: null };
    this.durability = options.durability ?? { mode: 'interval', ms: 100 };
    this.retention = options.retention ?? {};
    this.maxPayload = Math.min(REDEX_MAX_PAYLOAD_BYTES, options.maxSegmentBytes ?? REDEX_MAX_SEGMENT_BYTES);
    this.maxPending = options.maxPendingBytes ?? REDEX_DEFAULT_MAX_PENDING_BYTES;
    this.tailBuffer = options.tailBufferSize ?? REDEX_DEFAULT_TAIL_BUFFER;
    this.autoCompact = options.autoCompact ?? true;
    this.pump = writer && new WritePump(writer, store, this.durability, components.timers, this.counters, {
      totalBytes: () => this.totalBytes,
      onSynced: () => {
        if (this.wakers.size > 0) this.wakeAll();
      },
    });
  }

  /** Opens (creating when needed) a log. A disk log takes the lock and recovers the longest valid prefix. */
  static async open(components: RedexComponents, options: RedexOptions): Promise<RedexFile> {
    const durability = options.durability ?? { mode: 'interval', ms: 100 };
    validateDurability(durability);
    validateRetention(options.retention ?? {});
    const seg = options.maxSegmentBytes ?? REDEX_MAX_SEGMENT_BYTES;
    if (!Number.isSafeInteger(seg) || seg < 1 || seg > REDEX_MAX_SEGMENT_BYTES) throw new InvalidArgumentError(`maxSegmentBytes must be in [1, 2^32 - 1], got ${seg}`);
    const dirName = channelDirName(options.channel);
    if (options.dir === undefined) {
      const f = new RedexFile(components, options, new RecordStore(0));
      return f;
    }
    const io = components.fileIO;
    if (!io) throw new InvalidArgumentError('a disk log needs components.fileIO');
    if ((durability.mode === 'interval' || durability.mode === 'intervalOrBytes') && !components.timers) {
      throw new InvalidArgumentError(`durability ${durability.mode} needs components.timers`);
    }
    const channelDir = joinPath(options.dir, dirName);
    const r = await recover(io, channelDir);
    let writer: DiskWriter;
    try {
      writer = await DiskWriter.open(io, r.store, channelDir, r.start, seg);
    } catch (e) {
      await r.lock.release().catch(() => undefined);
      throw e;
    }
    const f = new RedexFile(components, options, r.store, writer, r.lock, r.report);
    f.totalBytes = r.store.liveBytes;
    f.pump!.resetBytes(f.totalBytes);
    f.applyRetention();
    f.sweepAge();
    if (writer.diskFirstSeq < r.store.firstSeq) f.pump!.kick();
    return f;
  }

  // ---- appends ----

  private beforeAppend(len: number): void {
    if (this.closed) throw new ClosedError('log closed');
    if (this.writer?.poisoned) throw this.writer.poisoned;
    if (len > this.maxPayload) throw new InvalidArgumentError(`payload of ${len} bytes exceeds ${this.maxPayload}`);
    if (this.pump && this.pump.pendingBytes + len > this.maxPending) {
      this.pump.kick();
      throw new BackpressureError(`log ${this.channel}: ${this.pump.pendingBytes} bytes not yet written`);
    }
    if (this.store.nextSeq >= REDEX_MAX_SEQ) throw new InvalidArgumentError('log sequence space exhausted');
  }

  private afterAppend(len: number): void {
    this.totalBytes += len;
    this.counters.incSlot(0);
    this.counters.incSlot(1, len);
    const maxRecords = this.retention.maxRecords;
    if (maxRecords !== undefined && this.retention.maxBytes === undefined) {
      // The common steady state: exactly one record over the bound, evicted without the general scan.
      if (this.store.count > maxRecords) this.evict(this.store.nextSeq - maxRecords);
    } else if (this.retention.maxBytes !== undefined) this.applyRetention();
    if (this.retention.maxAgeMs !== undefined && (++this.appendsSinceSweep & 1023) === 0) this.sweepAge();
    this.pump?.onAppend();
    if (this.wakers.size > 0) this.wakeAll();
  }

  /**
   * Reads the wall clock into `tsLo`/`tsHi` (unix ns). Reading it costs about as much as the rest of an append,
   * so a burst of appends in one event-loop turn re-reads it only every 64 appends: stamps inside a burst may
   * trail the true time by the duration of 63 appends (microseconds).
   */
  private stamp(): void {
    if (this.stampValid && (++this.stampUses & 63) !== 0) return;
    const ns = this.clock.wallMs() * 1e6;
    this.tsHi = Math.floor(ns / TWO32);
    this.tsLo = (ns - this.tsHi * TWO32) >>> 0;
    if (!this.stampValid) {
      this.stampValid = true;
      queueMicrotask(this.invalidateStamp);
    }
  }

  /** Appends one record (heap payload, at most 4 MiB); returns its seq. Durability follows the policy. */
  append(payload: Uint8Array): number {
    this.beforeAppend(payload.length);
    this.stamp();
    const seq = this.store.pushHeap(payload, this.tsLo, this.tsHi);
    this.afterAppend(payload.length);
    return seq;
  }

  /** Appends exactly 8 bytes carried inline in the index record (no dat bytes); returns its seq. */
  appendInline(payload: Uint8Array): number {
    if (payload.length !== REDEX_INLINE_PAYLOAD_BYTES) throw new InvalidArgumentError(`inline payload must be ${REDEX_INLINE_PAYLOAD_BYTES} bytes`);
    this.beforeAppend(REDEX_INLINE_PAYLOAD_BYTES);
    this.stamp();
    const seq = this.store.pushInline(payload, this.tsLo, this.tsHi);
    this.afterAppend(REDEX_INLINE_PAYLOAD_BYTES);
    return seq;
  }

  /** Appends all payloads with contiguous seqs, or none (every size is checked first). Returns the first seq. */
  appendBatch(payloads: readonly Uint8Array[]): number | undefined {
    let total = 0;
    for (const p of payloads) {
      if (p.length > this.maxPayload) throw new InvalidArgumentError(`payload of ${p.length} bytes exceeds ${this.maxPayload}`);
      total += p.length;
    }
    if (payloads.length === 0) return undefined;
    this.beforeAppend(total);
    let first = -1;
    for (const p of payloads) {
      const seq = this.append(p);
      if (first < 0) first = seq;
    }
    return first;
  }

  // ---- reads ----

  /** Seq of the oldest retained record. */
  get firstSeq(): number {
    return this.store.firstSeq;
  }
  /** Seq the next append gets. */
  get nextSeq(): number {
    return this.store.nextSeq;
  }
  /** Every seq below this is durable (0 for an in-memory log). */
  get durableSeq(): number {
    return this.writer ? this.writer.syncedSeq : 0;
  }
  get count(): number {
    return this.store.count;
  }
  /** Payload bytes retained. */
  get bytes(): number {
    return this.store.liveBytes;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  /** The live generation on disk (0 for an in-memory log); compaction moves it on by one. */
  get generation(): number {
    return this.writer ? this.writer.liveGeneration : 0;
  }
  /** The poisoning error when a failed rollback made this handle refuse writes. */
  get poisoned(): Error | undefined {
    return this.writer?.poisoned;
  }

  eventAt(seq: number): RedexEvent {
    return { seq, payload: this.store.payload(seq), timestampMs: this.store.timestampMs(seq) };
  }

  /** The record `seq`, or undefined when evicted or not yet appended. */
  read(seq: number): RedexEvent | undefined {
    if (!Number.isSafeInteger(seq) || seq < this.store.firstSeq || seq >= this.store.nextSeq) return undefined;
    return this.eventAt(seq);
  }

  /**
   * The payload of `seq` without a copy, or undefined when evicted or not yet appended. The view is valid only
   * until the next append or eviction on this log (a fold reads it at once); never write to it: the disk writer
   * may be reading the same bytes.
   */
  view(seq: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(seq) || seq < this.store.firstSeq || seq >= this.store.nextSeq) return undefined;
    return this.store.payloadView(seq);
  }

  /** Records in [from, to), clamped to what is retained, at most `maxRecords` (default 10,000). */
  range(from: number, to: number, options: { maxRecords?: number } = {}): RedexEvent[] {
    const a = Math.max(from, this.store.firstSeq);
    const b = Math.min(to, this.store.nextSeq, a + (options.maxRecords ?? 10_000));
    const out: RedexEvent[] = [];
    for (let s = a; s < b; s++) out.push(this.eventAt(s));
    return out;
  }

  /** A live tail from `from` (default: the next append). */
  tail(from: number = this.store.nextSeq, options: TailOptions = {}): RedexTail {
    if (this.closed) throw new ClosedError('log closed');
    return new RedexTail(this, from, options.bufferSize ?? this.tailBuffer, options.durableOnly ?? false, options.signal);
  }

  tailLimit(durableOnly: boolean): number {
    return durableOnly ? Math.min(this.durableSeq, this.store.nextSeq) : this.store.nextSeq;
  }
  addWaker(fn: () => void): void {
    this.wakers.add(fn);
  }
  removeWaker(fn: () => void): void {
    this.wakers.delete(fn);
  }
  private wakeAll(): void {
    const ws = [...this.wakers];
    this.wakers.clear();
    for (const w of ws) w();
  }

  // ---- retention ----

  private applyRetention(): void {
    const { maxRecords, maxBytes } = this.retention;
    const s = this.store;
    let target = s.firstSeq;
    if (maxRecords !== undefined && s.count > maxRecords) target = s.nextSeq - maxRecords;
    if (maxBytes !== undefined && s.liveBytes > maxBytes) {
      let bytes = s.liveBytes;
      for (let q = s.firstSeq; q < target; q++) bytes -= s.payloadLength(q);
      while (bytes > maxBytes && target < s.nextSeq) bytes -= s.payloadLength(target++);
    }
    if (target > s.firstSeq) this.evict(target);
  }

  /** Drops records older than `maxAgeMs` by the clock now; returns how many. A clock stepping back drops fewer. */
  sweepAge(): number {
    const maxAge = this.retention.maxAgeMs;
    if (maxAge === undefined) return 0;
    const cutoff = this.clock.wallMs() - maxAge;
    const s = this.store;
    let q = s.firstSeq;
    while (q < s.nextSeq && s.timestampMs(q) < cutoff) q++;
    const n = q - s.firstSeq;
    if (n > 0) this.evict(q);
    return n;
  }

  /** Applies every retention bound now; returns how many records were evicted. */
  sweepRetention(): number {
    const before = this.store.firstSeq;
    this.applyRetention();
    this.sweepAge();
    return this.store.firstSeq - before;
  }

  private evict(before: number): void {
    this.counters.incSlot(EVICTED_SLOT, before - this.store.firstSeq);
    this.store.evictBefore(before);
    const w = this.writer;
    if (!w) return;
    const dead = this.store.firstSeq - w.diskFirstSeq;
    // Records evicted before reaching disk must never leave a seq gap there: compact instead of appending.
    if (w.flushedSeq < this.store.firstSeq || (this.autoCompact && dead >= AUTO_COMPACT_MIN_RECORDS && dead >= this.store.count)) {
      this.pump?.requestCompaction();
    }
  }

  // ---- durability ----

  /** Resolves once every record appended before the call has been handed to the OS (no fsync). */
  flush(options: CallOptions = {}): Promise<void> {
    return this.pump ? this.pump.flush(options) : Promise.resolve();
  }

  /** Resolves once every record appended before the call is durable; rejects with the I/O error otherwise. */
  sync(options: CallOptions = {}): Promise<void> {
    return this.pump ? this.pump.sync(options) : Promise.resolve();
  }

  /** Rewrites the retained records into a new generation and switches to it atomically (disk logs). */
  compact(options: CallOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('log closed'));
    return this.pump ? this.pump.compact(options) : Promise.resolve();
  }

  /** Syncs, then releases files and the lock. Rejects (after releasing) when the final sync fails. */
  async close(): Promise<void> {
    if (this.closed) return;
    let failure: unknown;
    try {
      await this.sync();
    } catch (e) {
      failure = e;
    }
    this.closed = true;
    this.pump?.dispose();
    this.wakeAll();
    await this.writer?.close();
    await this.lock?.release();
    if (failure !== undefined) throw failure;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
