/**
 * Selective acknowledgements (reference `StreamAckRanges`, subprotocol 0x0B03): a 16-byte header
 * `stream_id:u64 ‖ ack_seq:u64`, then 1..16 half-open ranges `start:u64 ‖ end:u64` of sequences received above
 * the cumulative `ack_seq`. Strict like the reference: the body is a whole number of ranges, every range is
 * non-empty, starts strictly above `ack_seq`, and ranges are newest first, merged (each ends strictly below the
 * previous one's start), so whatever decodes re-encodes to the same bytes.
 */
import { InvalidArgumentError, assertU64, readU32LE, u64FromWords, u64Hi, u64Lo, writeU32LE } from '../core/index.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { WireStatus, throwIfNotOk } from './status.js';

export const STREAM_ACK_HEADER_BYTES = 16;
export const STREAM_ACK_RANGE_BYTES = 16;
/** Most ranges per message (272 bytes in all). */
export const MAX_ACK_RANGES = 16;
export const STREAM_ACK_MIN_BYTES = STREAM_ACK_HEADER_BYTES + STREAM_ACK_RANGE_BYTES;
export const STREAM_ACK_MAX_BYTES = STREAM_ACK_HEADER_BYTES + MAX_ACK_RANGES * STREAM_ACK_RANGE_BYTES;

/** Header, then the first range; range i sits at `16 + 16·i`. */
export const STREAM_ACK_RANGES_LAYOUT: Layout = sequentialLayout([
  ['stream_id', 8],
  ['ack_seq', 8],
  ['range_start', 8],
  ['range_end', 8],
  ['more_ranges', null],
]);

/**
 * A reusable SACK message. Range i is words `[4i]`=start lo, `[4i+1]`=start hi, `[4i+2]`=end lo, `[4i+3]`=end
 * hi of the preallocated `words`; `count` ranges are valid.
 */
export class StreamAckRanges {
  streamLo = 0;
  streamHi = 0;
  ackLo = 0;
  ackHi = 0;
  count = 0;
  readonly words = new Uint32Array(MAX_ACK_RANGES * 4);

  static from(streamId: bigint, ackSeq: bigint, ranges: readonly (readonly [bigint, bigint])[]): StreamAckRanges {
    if (ranges.length > MAX_ACK_RANGES) throw new InvalidArgumentError(`at most ${MAX_ACK_RANGES} ack ranges`);
    const m = new StreamAckRanges();
    m.streamId = streamId;
    m.ackSeq = ackSeq;
    ranges.forEach(([s, e], i) => {
      assertU64(s, 'range start');
      assertU64(e, 'range end');
      m.words[4 * i] = u64Lo(s);
      m.words[4 * i + 1] = u64Hi(s);
      m.words[4 * i + 2] = u64Lo(e);
      m.words[4 * i + 3] = u64Hi(e);
    });
    m.count = ranges.length;
    return m;
  }

  get streamId(): bigint {
    return u64FromWords(this.streamLo, this.streamHi);
  }
  set streamId(v: bigint) {
    assertU64(v, 'streamId');
    this.streamLo = u64Lo(v);
    this.streamHi = u64Hi(v);
  }
  get ackSeq(): bigint {
    return u64FromWords(this.ackLo, this.ackHi);
  }
  set ackSeq(v: bigint) {
    assertU64(v, 'ackSeq');
    this.ackLo = u64Lo(v);
    this.ackHi = u64Hi(v);
  }

  /** The ranges as `[start, end)` bigint pairs (API edge). */
  get ranges(): [bigint, bigint][] {
    const out: [bigint, bigint][] = [];
    for (let i = 0; i < this.count; i++) {
      const w = this.words;
      out.push([u64FromWords(w[4 * i]!, w[4 * i + 1]!), u64FromWords(w[4 * i + 2]!, w[4 * i + 3]!)]);
    }
    return out;
  }

  /** Sets range `i` from safe integers (hot path: no bigint). */
  setRange(i: number, start: number, end: number): void {
    const w = this.words;
    w[4 * i] = start >>> 0;
    w[4 * i + 1] = Math.floor(start / 4294967296);
    w[4 * i + 2] = end >>> 0;
    w[4 * i + 3] = Math.floor(end / 4294967296);
  }

  /** Encoded size: `16 + 16·count`. */
  get byteLength(): number {
    return STREAM_ACK_HEADER_BYTES + this.count * STREAM_ACK_RANGE_BYTES;
  }
}

/** -1, 0, 1 as u64 `(aLo, aHi)` is below, equal to or above `(bLo, bHi)`. */
function cmpU64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  if (aHi !== bHi) return aHi < bHi ? -1 : 1;
  return aLo === bLo ? 0 : aLo < bLo ? -1 : 1;
}

/** VALUE unless the first `count` ranges of `words` are non-empty, above `ack` and descending-merged. */
function checkRanges(words: Uint32Array, count: number, ackLo: number, ackHi: number): WireStatus {
  for (let i = 0; i < count; i++) {
    const sLo = words[4 * i]!, sHi = words[4 * i + 1]!, eLo = words[4 * i + 2]!, eHi = words[4 * i + 3]!;
    if (cmpU64(sLo, sHi, eLo, eHi) >= 0) return WireStatus.VALUE;
    if (cmpU64(sLo, sHi, ackLo, ackHi) <= 0) return WireStatus.VALUE;
    if (i > 0 && cmpU64(eLo, eHi, words[4 * i - 4]!, words[4 * i - 3]!) >= 0) return WireStatus.VALUE;
  }
  return WireStatus.OK;
}

/**
 * Decodes `bytes[offset..offset+length]` into `out`: SHORT under 32 bytes (or a bad range), LENGTH when the body
 * is not a whole number of ranges, LIMIT past 16 ranges, VALUE for an empty, inverted, not-above-ack or
 * unordered/unmerged range. `out` is written only when the input is valid.
 */
export function decodeStreamAckRangesInto(bytes: Uint8Array, offset: number, length: number, out: StreamAckRanges): WireStatus {
  if (!(offset >= 0) || !(length >= 0) || (offset | 0) !== offset || (length | 0) !== length ||
    offset + length > bytes.length || length < STREAM_ACK_MIN_BYTES) {
    return WireStatus.SHORT;
  }
  const body = length - STREAM_ACK_HEADER_BYTES;
  if (body % STREAM_ACK_RANGE_BYTES !== 0) return WireStatus.LENGTH;
  const n = body / STREAM_ACK_RANGE_BYTES;
  if (n > MAX_ACK_RANGES) return WireStatus.LIMIT;
  const ackLo = readU32LE(bytes, offset + 8);
  const ackHi = readU32LE(bytes, offset + 12);
  const w = scratch;
  for (let i = 0; i < 4 * n; i++) w[i] = readU32LE(bytes, offset + STREAM_ACK_HEADER_BYTES + 4 * i);
  const status = checkRanges(w, n, ackLo, ackHi);
  if (status !== WireStatus.OK) return status;
  out.streamLo = readU32LE(bytes, offset);
  out.streamHi = readU32LE(bytes, offset + 4);
  out.ackLo = ackLo;
  out.ackHi = ackHi;
  out.words.set(w.subarray(0, 4 * n));
  out.count = n;
  return WireStatus.OK;
}

/**
 * Writes `16 + 16·count` bytes at `out[offset..]`; returns that length, or the negated status: SHORT without
 * room, LIMIT for a count outside 1..16, VALUE for a word outside u32 or ranges the decoder would refuse.
 */
export function encodeStreamAckRangesInto(m: StreamAckRanges, out: Uint8Array, offset: number): number {
  if (!(m.count >= 1 && m.count <= MAX_ACK_RANGES) || (m.count | 0) !== m.count) return -WireStatus.LIMIT;
  const n = m.byteLength;
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < n) return -WireStatus.SHORT;
  if (m.streamLo >>> 0 !== m.streamLo || m.streamHi >>> 0 !== m.streamHi || m.ackLo >>> 0 !== m.ackLo ||
    m.ackHi >>> 0 !== m.ackHi) {
    return -WireStatus.VALUE;
  }
  if (checkRanges(m.words, m.count, m.ackLo, m.ackHi) !== WireStatus.OK) return -WireStatus.VALUE;
  writeU32LE(out, offset, m.streamLo);
  writeU32LE(out, offset + 4, m.streamHi);
  writeU32LE(out, offset + 8, m.ackLo);
  writeU32LE(out, offset + 12, m.ackHi);
  for (let i = 0; i < 4 * m.count; i++) writeU32LE(out, offset + STREAM_ACK_HEADER_BYTES + 4 * i, m.words[i]!);
  return n;
}

/** Decodes a whole SACK message; throws DecodeError. */
export function decodeStreamAckRanges(bytes: Uint8Array): StreamAckRanges {
  const m = new StreamAckRanges();
  throwIfNotOk(decodeStreamAckRangesInto(bytes, 0, bytes.length, m), 'stream ack ranges');
  return m;
}

/** Encodes a SACK message into a new array; throws InvalidArgumentError for a bad count, word or range. */
export function encodeStreamAckRanges(m: StreamAckRanges): Uint8Array {
  const out = new Uint8Array(Math.max(0, STREAM_ACK_HEADER_BYTES + m.count * STREAM_ACK_RANGE_BYTES));
  if (encodeStreamAckRangesInto(m, out, 0) < 0) throw new InvalidArgumentError('stream ack ranges: bad field or range');
  return out;
}

const scratch = new Uint32Array(MAX_ACK_RANGES * 4);
