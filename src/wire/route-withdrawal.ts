/**
 * Route withdrawal (reference `RouteWithdrawal`, subprotocol 0x0C01): `dest:u64 ‖ seq:u64`, 16 bytes, exact
 * length. A neighbour tells us it no longer reaches `dest`; `seq` is the withdrawing node's own counter, so a
 * replayed or reordered withdrawal is recognised. Sent only inside sessions: it can remove only the sender's own
 * claims.
 */
import { InvalidArgumentError, assertU64, readU32LE, u64FromWords, u64Hi, u64Lo, writeU32LE } from '../core/index.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { WireStatus, checkExactRange, throwIfNotOk } from './status.js';

export const SUBPROTOCOL_ROUTE_WITHDRAW = 0x0c01;
export const ROUTE_WITHDRAWAL_BYTES = 16;

export const ROUTE_WITHDRAWAL_LAYOUT: Layout = sequentialLayout([
  ['dest', 8],
  ['seq', 8],
]);

/** A reusable withdrawal; u64s as two u32 words, bigint accessors for API edges. */
export class RouteWithdrawal {
  destLo = 0;
  destHi = 0;
  seqLo = 0;
  seqHi = 0;

  static from(dest: bigint, seq: bigint): RouteWithdrawal {
    const w = new RouteWithdrawal();
    w.dest = dest;
    w.seq = seq;
    return w;
  }

  get dest(): bigint {
    return u64FromWords(this.destLo, this.destHi);
  }
  set dest(v: bigint) {
    assertU64(v, 'dest');
    this.destLo = u64Lo(v);
    this.destHi = u64Hi(v);
  }
  get seq(): bigint {
    return u64FromWords(this.seqLo, this.seqHi);
  }
  set seq(v: bigint) {
    assertU64(v, 'seq');
    this.seqLo = u64Lo(v);
    this.seqHi = u64Hi(v);
  }
}

/** Decodes exactly 16 bytes at `bytes[offset..offset+length]` into `out` (SHORT/LONG otherwise). */
export function decodeRouteWithdrawalInto(bytes: Uint8Array, offset: number, length: number, out: RouteWithdrawal): WireStatus {
  const status = checkExactRange(bytes, offset, length, ROUTE_WITHDRAWAL_BYTES);
  if (status !== WireStatus.OK) return status;
  out.destLo = readU32LE(bytes, offset);
  out.destHi = readU32LE(bytes, offset + 4);
  out.seqLo = readU32LE(bytes, offset + 8);
  out.seqHi = readU32LE(bytes, offset + 12);
  return WireStatus.OK;
}

/** Writes 16 bytes at `out[offset..]`: SHORT without room, VALUE for a word outside u32. */
export function encodeRouteWithdrawalInto(w: RouteWithdrawal, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < ROUTE_WITHDRAWAL_BYTES) return WireStatus.SHORT;
  for (const v of [w.destLo, w.destHi, w.seqLo, w.seqHi]) if (v >>> 0 !== v) return WireStatus.VALUE;
  writeU32LE(out, offset, w.destLo);
  writeU32LE(out, offset + 4, w.destHi);
  writeU32LE(out, offset + 8, w.seqLo);
  writeU32LE(out, offset + 12, w.seqHi);
  return WireStatus.OK;
}

/** Decodes a whole withdrawal (exactly 16 bytes); throws DecodeError. */
export function decodeRouteWithdrawal(bytes: Uint8Array): RouteWithdrawal {
  const w = new RouteWithdrawal();
  throwIfNotOk(decodeRouteWithdrawalInto(bytes, 0, bytes.length, w), 'route withdrawal');
  return w;
}

/** Encodes a withdrawal into a new 16-byte array; throws InvalidArgumentError for bad words. */
export function encodeRouteWithdrawal(w: RouteWithdrawal): Uint8Array {
  const out = new Uint8Array(ROUTE_WITHDRAWAL_BYTES);
  if (encodeRouteWithdrawalInto(w, out, 0) !== WireStatus.OK) throw new InvalidArgumentError('route withdrawal: bad field');
  return out;
}
