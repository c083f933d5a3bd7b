/**
 * Stream retransmit request (reference `StreamNack`, subprotocol 0x0B01): `stream_id:u64 ‖ next_expected:u64 ‖
 * missing_bitmap:u64`, 24 bytes, exact length. Bit i of the bitmap set means sequence `next_expected + 1 + i`
 * is missing too. It names its stream itself because it rides the control stream id in the packet header.
 */
import { InvalidArgumentError, assertU64, readU32LE, u64FromWords, u64Hi, u64Lo, writeU32LE } from '../core/index.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { WireStatus, checkExactRange, throwIfNotOk } from './status.js';

export const STREAM_NACK_BYTES = 24;

export const STREAM_NACK_LAYOUT: Layout = sequentialLayout([
  ['stream_id', 8],
  ['next_expected', 8],
  ['missing_bitmap', 8],
]);

/** A reusable stream NACK; u64s as two u32 words, bigint accessors for API edges. */
export class StreamNack {
  streamLo = 0;
  streamHi = 0;
  nextLo = 0;
  nextHi = 0;
  bitmapLo = 0;
  bitmapHi = 0;

  static from(streamId: bigint, nextExpected: bigint, missingBitmap: bigint): StreamNack {
    const n = new StreamNack();
    n.streamId = streamId;
    n.nextExpected = nextExpected;
    n.missingBitmap = missingBitmap;
    return n;
  }

  get streamId(): bigint {
    return u64FromWords(this.streamLo, this.streamHi);
  }
  set streamId(v: bigint) {
    assertU64(v, 'streamId');
    this.streamLo = u64Lo(v);
    this.streamHi = u64Hi(v);
  }
  get nextExpected(): bigint {
    return u64FromWords(this.nextLo, this.nextHi);
  }
  set nextExpected(v: bigint) {
    assertU64(v, 'nextExpected');
    this.nextLo = u64Lo(v);
    this.nextHi = u64Hi(v);
  }
  get missingBitmap(): bigint {
    return u64FromWords(this.bitmapLo, this.bitmapHi);
  }
  set missingBitmap(v: bigint) {
    assertU64(v, 'missingBitmap');
    this.bitmapLo = u64Lo(v);
    this.bitmapHi = u64Hi(v);
  }

  /** True when bit `i` (0..63) is set, i.e. sequence `next_expected + 1 + i` is missing. */
  isMissingAfter(i: number): boolean {
    if (!(i >= 0 && i < 64)) return false;
    return i < 32 ? ((this.bitmapLo >>> i) & 1) === 1 : ((this.bitmapHi >>> (i - 32)) & 1) === 1;
  }
}

/** Decodes exactly 24 bytes at `bytes[offset..offset+length]` into `out` (SHORT/LONG otherwise). */
export function decodeStreamNackInto(bytes: Uint8Array, offset: number, length: number, out: StreamNack): WireStatus {
  const status = checkExactRange(bytes, offset, length, STREAM_NACK_BYTES);
  if (status !== WireStatus.OK) return status;
  out.streamLo = readU32LE(bytes, offset);
  out.streamHi = readU32LE(bytes, offset + 4);
  out.nextLo = readU32LE(bytes, offset + 8);
  out.nextHi = readU32LE(bytes, offset + 12);
  out.bitmapLo = readU32LE(bytes, offset + 16);
  out.bitmapHi = readU32LE(bytes, offset + 20);
  return WireStatus.OK;
}

/** Writes 24 bytes at `out[offset..]`: SHORT without room, VALUE for a word outside u32. */
export function encodeStreamNackInto(n: StreamNack, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < STREAM_NACK_BYTES) return WireStatus.SHORT;
  if (n.streamLo >>> 0 !== n.streamLo || n.streamHi >>> 0 !== n.streamHi || n.nextLo >>> 0 !== n.nextLo ||
    n.nextHi >>> 0 !== n.nextHi || n.bitmapLo >>> 0 !== n.bitmapLo || n.bitmapHi >>> 0 !== n.bitmapHi) {
    return WireStatus.VALUE;
  }
  writeU32LE(out, offset, n.streamLo);
  writeU32LE(out, offset + 4, n.streamHi);
  writeU32LE(out, offset + 8, n.nextLo);
  writeU32LE(out, offset + 12, n.nextHi);
  writeU32LE(out, offset + 16, n.bitmapLo);
  writeU32LE(out, offset + 20, n.bitmapHi);
  return WireStatus.OK;
}

/** Decodes a whole stream NACK (exactly 24 bytes); throws DecodeError. */
export function decodeStreamNack(bytes: Uint8Array): StreamNack {
  const n = new StreamNack();
  throwIfNotOk(decodeStreamNackInto(bytes, 0, bytes.length, n), 'stream nack');
  return n;
}

/** Encodes a stream NACK into a new 24-byte array; throws InvalidArgumentError for bad words. */
export function encodeStreamNack(n: StreamNack): Uint8Array {
  const out = new Uint8Array(STREAM_NACK_BYTES);
  if (encodeStreamNackInto(n, out, 0) !== WireStatus.OK) throw new InvalidArgumentError('stream nack: bad field');
  return out;
}
