/**
 * A shard's ring: events as bytes in one preallocated buffer, never as JS objects (DESIGN.md §4: an object per
 * event caps ingest near 2M/s through garbage collection; a byte ring does not allocate at all).
 *
 * Record layout: `[len:u32 LE][payload][pad to 4]`. Records never straddle the end: when one does not fit there,
 * a wrap marker (`0xFFFFFFFF`) fills the tail and the record starts at 0. Batches use the same layout, so a
 * drain is one or two bulk copies.
 */
import { recordBytesFor } from './options.js';
import type { EventBatch } from './batch.js';

const WRAP = 0xffffffff;

export class ByteRing {
  readonly capacity: number;
  readonly bytes: Uint8Array;
  private readonly words: Uint32Array;
  private head = 0;
  private tail = 0;
  /** Bytes taken, wrap padding included. */
  private used = 0;
  private events = 0;

  constructor(capacityBytes: number) {
    this.capacity = capacityBytes & ~3;
    this.bytes = new Uint8Array(this.capacity);
    this.words = new Uint32Array(this.bytes.buffer, 0, this.capacity >>> 2);
  }

  /** Events buffered. */
  get count(): number {
    return this.events;
  }

  /** Bytes taken, padding included (for the fill ratio). */
  get usedBytes(): number {
    return this.used;
  }

  /**
   * Appends `src[start, start + len)`; false (and nothing stored) when the record does not fit. The caller
   * checked `len` against the payload cap, which keeps one record within half the ring.
   */
  push(src: Uint8Array, start: number, len: number): boolean {
    const rec = recordBytesFor(len);
    let at = this.tail;
    if (this.events === 0) {
      // An empty ring restarts at 0 so the whole capacity is contiguous.
      this.head = this.tail = this.used = at = 0;
    }
    if (at >= this.head && (this.events === 0 || at !== this.head)) {
      if (rec > this.capacity - at) {
        // Wrap: the tail end becomes padding, the record goes to 0 if it fits before head.
        if (rec > this.head) return false;
        this.words[at >>> 2] = WRAP;
        this.used += this.capacity - at;
        at = 0;
      }
    } else if (rec > this.head - at) {
      return false;
    }
    this.words[at >>> 2] = len;
    if (len <= 16) {
      const b = this.bytes;
      for (let i = 0, o = at + 4; i < len; i++) b[o + i] = src[start + i]!;
    } else {
      this.bytes.set(start === 0 && len === src.length ? src : src.subarray(start, start + len), at + 4);
    }
    at += rec;
    this.tail = at === this.capacity ? 0 : at;
    this.used += rec;
    this.events++;
    return true;
  }

  /** Drops the oldest event; returns its payload length, or -1 when empty. */
  shift(): number {
    if (this.events === 0) return -1;
    this.skipWrap();
    const len = this.words[this.head >>> 2]!;
    const rec = recordBytesFor(len);
    this.head += rec;
    if (this.head === this.capacity) this.head = 0;
    this.used -= rec;
    this.events--;
    return len;
  }

  /**
   * Moves up to `max` oldest events into `batch` (same record layout, copied in at most two spans) and returns
   * how many moved. `batch.bytes` must hold the ring's capacity.
   */
  drainTo(batch: EventBatch, max: number): number {
    let n = 0;
    let out = 0;
    while (n < max && this.events > 0) {
      this.skipWrap();
      const spanStart = this.head;
      let pos = spanStart;
      // Walk records of one contiguous span (up to the wrap marker or the tail).
      while (n < max && this.events > 0) {
        if (pos === this.capacity || this.words[pos >>> 2] === WRAP) break;
        const rec = recordBytesFor(this.words[pos >>> 2]!);
        pos += rec;
        this.used -= rec;
        this.events--;
        n++;
      }
      const spanLen = pos - spanStart;
      batch.bytes.set(this.bytes.subarray(spanStart, pos), out);
      out += spanLen;
      this.head = pos === this.capacity ? 0 : pos;
    }
    if (this.events === 0) this.head = this.tail = this.used = 0;
    batch.byteLength = out;
    batch.count = n;
    return n;
  }

  clear(): void {
    this.head = this.tail = this.used = this.events = 0;
  }

  private skipWrap(): void {
    if (this.events > 0 && this.words[this.head >>> 2] === WRAP) {
      this.used -= this.capacity - this.head;
      this.head = 0;
    }
  }
}
