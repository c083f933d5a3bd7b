/**
 * The bounded table of one peer's streams: lookup by the API's bigint id or the wire's two words, creation, and
 * the eviction rule: at `maxStreams` the least recently active idle stream makes room; with none idle a new
 * stream is refused.
 */
import type { Reliability } from './api.js';
import type { StreamEnv } from './env.js';
import { Stream, streamKey, type StreamCallbacks } from './stream.js';

export class StreamTable {
  private readonly map = new Map<number | string, Stream>();

  constructor(
    private readonly env: StreamEnv,
    private readonly maxStreams: number,
    private readonly cb: StreamCallbacks,
  ) {}

  get size(): number {
    return this.map.size;
  }

  values(): IterableIterator<Stream> {
    return this.map.values();
  }

  /** The stream with API id `id`, or null (also for anything that is not a u64). */
  find(id: bigint): Stream | null {
    if (typeof id !== 'bigint' || id < 0n || id >= 1n << 64n) return null;
    return this.map.get(streamKey(Number(id & 0xffff_ffffn), Number(id >> 32n))) ?? null;
  }

  /** The stream whose wire id words are `lo`, `hi`. */
  lookup(lo: number, hi: number): Stream | undefined {
    return this.map.get(streamKey(lo, hi));
  }

  /** True while `s` is the table's stream for its id (not removed, not replaced). */
  holds(s: Stream): boolean {
    return this.map.get(s.key) === s;
  }

  create(id: bigint, reliability: Reliability, window: number, weight: number, fragmentIdSeed: number, now: number): Stream {
    const s = new Stream(this.env, id, reliability, window, weight, fragmentIdSeed, now, this.cb);
    this.map.set(s.key, s);
    this.env.counters.inc('streams_opened');
    return s;
  }

  /** True when a new stream fits, evicting the least recently active idle stream if needed. */
  makeRoom(): boolean {
    if (this.map.size < this.maxStreams) return true;
    const victim = this.oldestIdleBefore(Infinity);
    if (victim === null) return false;
    this.remove(victim);
    this.env.counters.inc('streams_evicted');
    return true;
  }

  /** The least recently active idle stream whose last activity is at or before `cutoff`, or null. */
  oldestIdleBefore(cutoff: number): Stream | null {
    let victim: Stream | null = null;
    for (const s of this.map.values()) {
      if (s.idle && s.lastActivityMs <= cutoff && (victim === null || s.lastActivityMs < victim.lastActivityMs)) victim = s;
    }
    return victim;
  }

  remove(s: Stream): void {
    this.map.delete(s.key);
    s.release();
  }

  /** Forgets every stream (buffers back to the pool). */
  clear(): void {
    for (const s of this.map.values()) s.release();
    this.map.clear();
  }
}
