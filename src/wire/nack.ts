/**
 * The 16-byte NACK payload of a reliable stream (reference `NackPayload`): `next_expected:u64 ‖
 * missing_bitmap:u64`, where bit i set means sequence `next_expected + 1 + i` is missing. Exact length required.
 */
import { InvalidArgumentError, assertU64, readU32LE, u64FromWords, u64Hi, u64Lo, writeU32LE } from '../core/index.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { WireStatus, checkExactRange, throwIfNotOk } from './status.js';

export const NACK_BYTES = 16;

export const NACK_LAYOUT: Layout = sequentialLayout([
  ['next_expected', 8],
  ['missing_bitmap', 8],
]);

const U64_LIMIT = 0xffff_ffff_ffff_ffffn;

/** A reusable NACK; u64s as two u32 words, bigint accessors for API edges. */
export class NackPayload {
  nextLo = 0;
  nextHi = 0;
  bitmapLo = 0;
  bitmapHi = 0;

  static from(nextExpected: bigint, missingBitmap: bigint): NackPayload {
    const n = new NackPayload();
    n.nextExpected = nextExpected;
    n.missingBitmap = missingBitmap;
    return n;
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

  /**
   * Every missing sequence (API edge): `next_expected`, then `next_expected + 1 + i` for each set bit, saturating
   * at 2^64 - 1 like the reference.
   */
  missingSequences(): bigint[] {
    const base = this.nextExpected;
    const out = [base];
    for (let i = 0; i < 64; i++) {
      if (this.isMissingAfter(i)) {
        const s = base + 1n + BigInt(i);
        out.push(s > U64_LIMIT ? U64_LIMIT : s);
      }
    }
    return out;
  }
}

/** Decodes exactly 16 bytes at `bytes[offset..offset+length]` into `out` (SHORT/LONG otherwise). No allocation. */
export function decodeNackInto(bytes: Uint8Array, offset: number, length: number, out: NackPayload): WireStatus {
  const status = checkExactRange(bytes, offset, length, NACK_BYTES);
  if (status !== WireStatus.OK) return status;
  out.nextLo = readU32LE(bytes, offset);
  out.nextHi = readU32LE(bytes, offset + 4);
  out.bitmapLo = readU32LE(bytes, offset + 8);
  out.bitmapHi = readU32LE(bytes, offset + 12);
  return WireStatus.OK;
}

/** Writes 16 bytes at `out[offset..]`: SHORT without room, VALUE for a word outside u32. */
export function encodeNackInto(n: NackPayload, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < NACK_BYTES) return WireStatus.SHORT;
  if (n.nextLo >>> 0 !== n.nextLo || n.nextHi >>> 0 !== n.nextHi || n.bitmapLo >>> 0 !== n.bitmapLo ||
    n.bitmapHi >>> 0 !== n.bitmapHi) {
    return WireStatus.VALUE;
  }
  writeU32LE(out, offset, n.nextLo);
  writeU32LE(out, offset + 4, n.nextHi);
  writeU32LE(out, offset + 8, n.bitmapLo);
  writeU32LE(out, offset + 12, n.bitmapHi);
  return WireStatus.OK;
}

/** Decodes a whole NACK payload (exactly 16 bytes); throws DecodeError. */
export function decodeNack(bytes: Uint8Array): NackPayload {
  const n = new NackPayload();
  throwIfNotOk(decodeNackInto(bytes, 0, bytes.length, n), 'nack payload');
  return n;
}

/** Encodes a NACK into a new 16-byte array; throws InvalidArgumentError for bad words. */
export function encodeNack(n: NackPayload): Uint8Array {
  const out = new Uint8Array(NACK_BYTES);
  if (encodeNackInto(n, out, 0) !== WireStatus.OK) throw new InvalidArgumentError('nack payload: bad field');
  return out;
}
