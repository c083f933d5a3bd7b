/**
 * The in-memory image of a log: index records, ts records and payload bytes in growable typed arrays, one
 * contiguous heap, no object per record. Reads are served from here; the disk writer copies byte ranges out of
 * it. Bytes of a record never move in place: growing or dropping evicted records allocates new arrays, so a
 * view handed to an in-flight write stays valid.
 *
 * In memory, an index record's offset field is 0 and its checksum is 0 until the disk writer seals it (assigns
 * its segment offset, payload checksum and record check); in-memory reads use `heapPos` instead.
 */
import { readU32LE, writeU32LE } from '../core/index.js';
import { RedexFlags } from './entry.js';
import { REDEX_ENTRY_BYTES as E, REDEX_INLINE_PAYLOAD_BYTES, REDEX_TS_RECORD_BYTES as T } from './limits.js';

const TWO32 = 4294967296;
/** Word stores are used on the append path only where they produce the little-endian layout. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class RecordStore {
  idx: Uint8Array;
  ts: Uint8Array;
  /** u32 views of `idx` and `ts` (records are 5 and 4 words): one store per field on the append path. */
  private idx32: Uint32Array;
  private ts32: Uint32Array;
  /** Heap start of each record's payload (inline records: the heap length when appended). */
  heapPos: Float64Array;
  heap: Uint8Array;
  heapLen = 0;
  /** Seq of slot 0; slot of seq s is s - baseSeq. */
  private baseSeq: number;
  /** First live slot (records before it were evicted). */
  private first = 0;
  private end = 0;
  /** Payload bytes of live records. */
  liveBytes = 0;

  constructor(firstSeq: number, capacity = 1024, heapCapacity = 64 * 1024) {
    this.baseSeq = firstSeq;
    this.idx = new Uint8Array(capacity * E);
    this.ts = new Uint8Array(capacity * T);
    this.idx32 = new Uint32Array(this.idx.buffer);
    this.ts32 = new Uint32Array(this.ts.buffer);
    this.heapPos = new Float64Array(capacity);
    this.heap = new Uint8Array(heapCapacity);
  }

  private setRecordArrays(idx: Uint8Array, ts: Uint8Array): void {
    this.idx = idx;
    this.ts = ts;
    this.idx32 = new Uint32Array(idx.buffer);
    this.ts32 = new Uint32Array(ts.buffer);
  }

  get firstSeq(): number {
    return this.baseSeq + this.first;
  }
  /** The seq the next append gets. */
  get nextSeq(): number {
    return this.baseSeq + this.end;
  }
  get count(): number {
    return this.end - this.first;
  }

  slot(seq: number): number {
    return seq - this.baseSeq;
  }

  /** Appends a heap record; `tsNs` split as lo/hi words. Returns its seq. */
  pushHeap(payload: Uint8Array, tsLo: number, tsHi: number): number {
    if (this.end * E === this.idx.length) this.growRecords();
    const len = payload.length;
    if (this.heapLen + len > this.heap.length) this.growHeap(len);
    const s = this.end;
    const h = this.heapLen;
    this.heap.set(payload, h);
    this.heapPos[s] = h;
    this.heapLen += len;
    this.writeIdx(s, 0, len, 0);
    this.writeTs(s, tsLo, tsHi);
    this.liveBytes += len;
    this.end = s + 1;
    return this.baseSeq + s;
  }

  /** Appends an inline record holding exactly 8 bytes. */
  pushInline(payload: Uint8Array, tsLo: number, tsHi: number): number {
    if (this.end * E === this.idx.length) this.growRecords();
    const s = this.end;
    this.heapPos[s] = this.heapLen;
    this.writeIdx(s, readU32LE(payload, 0), readU32LE(payload, 4), RedexFlags.INLINE);
    this.writeTs(s, tsLo, tsHi);
    this.liveBytes += REDEX_INLINE_PAYLOAD_BYTES;
    this.end = s + 1;
    return this.baseSeq + s;
  }

  /** Appends a record exactly as read from disk (`idx` 20 bytes, `ts` 16 bytes, heap payload or none). */
  pushRaw(idx: Uint8Array, ts: Uint8Array, payload: Uint8Array | null): number {
    if (this.end * E === this.idx.length) this.growRecords();
    const s = this.end;
    this.heapPos[s] = this.heapLen;
    if (payload) {
      if (this.heapLen + payload.length > this.heap.length) this.growHeap(payload.length);
      this.heap.set(payload, this.heapLen);
      this.heapLen += payload.length;
      this.liveBytes += payload.length;
    } else this.liveBytes += REDEX_INLINE_PAYLOAD_BYTES;
    this.idx.set(idx, s * E);
    this.ts.set(ts, s * T);
    this.end = s + 1;
    return this.baseSeq + s;
  }

  private writeIdx(s: number, offset: number, len: number, flags: number): void {
    const seq = this.baseSeq + s;
    if (LITTLE_ENDIAN) {
      const w = s * 5;
      const a = this.idx32;
      a[w] = seq >>> 0;
      a[w + 1] = Math.floor(seq / TWO32);
      a[w + 2] = offset;
      a[w + 3] = len;
      a[w + 4] = flags;
      return;
    }
    const o = s * E;
    writeU32LE(this.idx, o, seq >>> 0);
    writeU32LE(this.idx, o + 4, Math.floor(seq / TWO32));
    writeU32LE(this.idx, o + 8, offset);
    writeU32LE(this.idx, o + 12, len);
    writeU32LE(this.idx, o + 16, flags);
  }

  private writeTs(s: number, lo: number, hi: number): void {
    if (LITTLE_ENDIAN) {
      const w = s * 4;
      const a = this.ts32;
      a[w] = lo;
      a[w + 1] = hi;
      a[w + 2] = 0;
      a[w + 3] = 0;
      return;
    }
    const o = s * T;
    writeU32LE(this.ts, o, lo);
    writeU32LE(this.ts, o + 4, hi);
    writeU32LE(this.ts, o + 8, 0);
    writeU32LE(this.ts, o + 12, 0);
  }

  isInline(seq: number): boolean {
    return (readU32LE(this.idx, this.slot(seq) * E + 16) & RedexFlags.INLINE) !== 0;
  }

  /** Payload length of `seq` (8 for inline records). */
  payloadLength(seq: number): number {
    const o = this.slot(seq) * E;
    return (readU32LE(this.idx, o + 16) & RedexFlags.INLINE) !== 0 ? REDEX_INLINE_PAYLOAD_BYTES : readU32LE(this.idx, o + 12);
  }

  /** A copy of the payload of `seq`, which must be live. */
  payload(seq: number): Uint8Array {
    const s = this.slot(seq);
    const o = s * E;
    if ((readU32LE(this.idx, o + 16) & RedexFlags.INLINE) !== 0) return this.idx.slice(o + 8, o + 16);
    const start = this.heapPos[s]!;
    return this.heap.slice(start, start + readU32LE(this.idx, o + 12));
  }

  /** The payload of `seq` as a view into the store (no copy); valid until the next append or eviction. */
  payloadView(seq: number): Uint8Array {
    const s = this.slot(seq);
    const o = s * E;
    if ((readU32LE(this.idx, o + 16) & RedexFlags.INLINE) !== 0) return this.idx.subarray(o + 8, o + 16);
    const start = this.heapPos[s]!;
    return this.heap.subarray(start, start + readU32LE(this.idx, o + 12));
  }

  /** Wall-clock timestamp of `seq` in milliseconds (from its ts record's unix nanoseconds). */
  timestampMs(seq: number): number {
    const o = this.slot(seq) * T;
    return (readU32LE(this.ts, o + 4) * TWO32 + readU32LE(this.ts, o)) / 1e6;
  }

  /** Heap bytes of records [from, to): a view (valid until the next append grows the heap). */
  heapRange(from: number, to: number): Uint8Array {
    const a = this.heapPos[this.slot(from)]!;
    const b = to === this.nextSeq ? this.heapLen : this.heapPos[this.slot(to)]!;
    return this.heap.subarray(a, b);
  }

  /**
   * Drops records before `seq` from reads. Their bytes are reclaimed once evicted records outweigh live ones,
   * except records at or after the pinned seq, which the disk writer may still be reading.
   */
  evictBefore(seq: number): void {
    const target = Math.min(this.slot(seq), this.end);
    for (let s = this.first; s < target; s++) this.liveBytes -= this.payloadLength(this.baseSeq + s);
    this.first = Math.max(this.first, target);
    const keep = Math.min(this.first, this.slot(this.pinnedSeq));
    if (keep >= 1024 && keep * 2 >= this.end) this.rebase(keep);
  }

  /** Keeps the bytes of records from `seq` on (even once evicted) until {@link unpin}. */
  pin(seq: number): void {
    this.pinnedSeq = seq;
  }

  unpin(): void {
    this.pinnedSeq = Infinity;
  }

  private pinnedSeq = Infinity;

  /** Moves records from slot `keep` on to fresh arrays (never in place: in-flight writes keep old views). */
  private rebase(keep: number): void {
    const n = this.end - keep;
    const cap = Math.max(1024, n * 2);
    const h0 = keep < this.end ? this.heapPos[keep]! : this.heapLen;
    const liveHeap = this.heapLen - h0;
    const idx = new Uint8Array(cap * E);
    idx.set(this.idx.subarray(keep * E, this.end * E));
    const ts = new Uint8Array(cap * T);
    ts.set(this.ts.subarray(keep * T, this.end * T));
    const pos = new Float64Array(cap);
    for (let i = 0; i < n; i++) pos[i] = this.heapPos[keep + i]! - h0;
    const heap = new Uint8Array(Math.max(64 * 1024, liveHeap * 2));
    heap.set(this.heap.subarray(h0, this.heapLen));
    this.baseSeq += keep;
    this.end = n;
    this.first -= keep;
    this.setRecordArrays(idx, ts);
    this.heapPos = pos;
    this.heap = heap;
    this.heapLen = liveHeap;
  }

  private growRecords(): void {
    const cap = (this.idx.length / E) * 2;
    const idx = new Uint8Array(cap * E);
    idx.set(this.idx);
    const ts = new Uint8Array(cap * T);
    ts.set(this.ts);
    const pos = new Float64Array(cap);
    pos.set(this.heapPos);
    this.setRecordArrays(idx, ts);
    this.heapPos = pos;
  }

  private growHeap(need: number): void {
    const heap = new Uint8Array(Math.max(this.heap.length * 2, this.heapLen + need));
    heap.set(this.heap.subarray(0, this.heapLen));
    this.heap = heap;
  }
}
