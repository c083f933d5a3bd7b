/**
 * Byte helpers shared by every plane. u64 values cross the API as `bigint`; hot paths read them as two u32
 * words (`lo`, `hi`) and convert only at the edge.
 */
import { InvalidArgumentError } from './errors.js';

export const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** 2^53: the first integer a JS number cannot hold exactly next to its neighbours; counters stop below it. */
export const SAFE_COUNTER_LIMIT = 2 ** 53;

/**
 * A copy of `b[start..end]` that never shares memory. `Buffer#slice` returns a view, so `x.slice()` on bytes that
 * may be a Buffer (a datagram, a caller's key) is not a copy: decrypting or wiping "the copy" would write into
 * the caller's bytes.
 */
export function copyBytes(b: Uint8Array, start = 0, end = b.length): Uint8Array {
  return new Uint8Array(b.subarray(start, end));
}

/** Reads a little-endian u32 at `off` without bounds checks beyond the caller's. */
export function readU32LE(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

export function writeU32LE(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

export function readU16LE(b: Uint8Array, off: number): number {
  return b[off]! | (b[off + 1]! << 8);
}

export function writeU16LE(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}

/** Combines two u32 words into a u64 bigint. */
export function u64FromWords(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Low u32 word of a u64 bigint. */
export function u64Lo(v: bigint): number {
  return Number(v & 0xffff_ffffn);
}

/** High u32 word of a u64 bigint. */
export function u64Hi(v: bigint): number {
  return Number((v >> 32n) & 0xffff_ffffn);
}

/** Throws unless `v` is an integer in [0, 2^64). */
export function assertU64(v: bigint, what: string): void {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw new InvalidArgumentError(`${what} must be a u64, got ${String(v)}`);
}

export function readU64LE(b: Uint8Array, off: number): bigint {
  return u64FromWords(readU32LE(b, off), readU32LE(b, off + 4));
}

export function writeU64LE(b: Uint8Array, off: number, v: bigint): void {
  assertU64(v, 'value');
  writeU32LE(b, off, u64Lo(v));
  writeU32LE(b, off + 4, u64Hi(v));
}

/**
 * Reads a u64 as a JS number when it is below 2^53, else returns -1. For counters that are refused at or
 * above 2^53 anyway, this avoids a bigint on the hot path.
 */
export function readSafeU64LE(b: Uint8Array, off: number): number {
  const hi = readU32LE(b, off + 4);
  if (hi >= 0x20_0000) return -1;
  return hi * 4294967296 + readU32LE(b, off);
}

/** Writes a non-negative safe integer as a little-endian u64. */
export function writeSafeU64LE(b: Uint8Array, off: number, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new InvalidArgumentError(`not a safe u64: ${v}`);
  writeU32LE(b, off, v >>> 0);
  writeU32LE(b, off + 4, Math.floor(v / 4294967296));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Decodes lowercase or uppercase hex; throws on odd length or non-hex characters. */
export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new InvalidArgumentError('not a hex string');
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Variable-time equality for public data only; use crypto's constant-time compare for secrets. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const encoder = new TextEncoder();
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}
