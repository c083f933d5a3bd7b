/**
 * The 20-byte RedEX index record, byte-compatible with the reference's `RedexEntry` (`redex/entry.rs`):
 *
 *   seq:u64 LE ‖ payload_offset:u32 LE ‖ payload_len:u32 LE ‖ flags_and_checksum:u32 LE
 *
 * The top nibble of the last word holds flags, the low 28 bits `xxh3_64(payload) & 0x0FFF_FFFF`. With INLINE set,
 * offset and length are not a location but exactly 8 payload bytes (bytes 0..4 in the offset field, 4..8 in
 * the length field, both little-endian, i.e. the payload bytes verbatim at record offsets 8..16).
 */
import { DecodeError, ErrorCode, readSafeU64LE, readU32LE, writeSafeU64LE, writeU32LE } from '../core/index.js';
import { xxh3_64Lo } from '../crypto/index.js';
import { REDEX_ENTRY_BYTES, REDEX_INLINE_PAYLOAD_BYTES } from './limits.js';

export const RedexFlags = {
  /** Payload is the 8 bytes in the offset and length fields. */
  INLINE: 0x8000_0000,
  /** Reserved by the reference for logical deletes; never written here, refused on read. */
  TOMBSTONE: 0x4000_0000,
  /** Reserved by the reference for compacted entries; never written here, refused on read. */
  COMPACTED: 0x2000_0000,
} as const;

export const REDEX_FLAG_MASK = 0xf000_0000;
export const REDEX_CHECKSUM_MASK = 0x0fff_ffff;

/** A decoded index record (API-edge form; the log itself keeps records as bytes). */
export interface RedexEntry {
  seq: number;
  /** Heap offset within its segment, or inline payload bytes 0..4 as a u32. */
  offset: number;
  /** Heap payload length, or inline payload bytes 4..8 as a u32. */
  length: number;
  /** Flag bits (top nibble only). */
  flags: number;
  /** Low 28 bits of xxh3_64 of the payload. */
  checksum: number;
}

/** The reference's 28-bit payload checksum. */
export function payloadChecksum(payload: Uint8Array): number {
  return xxh3_64Lo(payload) & REDEX_CHECKSUM_MASK;
}

/** Writes `e` at `out[off..off+20]`. Flags are masked to the top nibble and the checksum to 28 bits. */
export function encodeEntry(out: Uint8Array, off: number, e: RedexEntry): void {
  writeSafeU64LE(out, off, e.seq);
  writeU32LE(out, off + 8, e.offset >>> 0);
  writeU32LE(out, off + 12, e.length >>> 0);
  writeU32LE(out, off + 16, ((e.flags & REDEX_FLAG_MASK) | (e.checksum & REDEX_CHECKSUM_MASK)) >>> 0);
}

/**
 * Reads the record at `b[off..off+20]`. Throws `DecodeError` when short, when seq is at or above 2^53 (the
 * log's sequence space) or when a reserved flag is set.
 */
export function decodeEntry(b: Uint8Array, off = 0): RedexEntry {
  if (b.length - off < REDEX_ENTRY_BYTES) throw new DecodeError(ErrorCode.DecodeShort, `index record needs ${REDEX_ENTRY_BYTES} bytes`);
  const seq = readSafeU64LE(b, off);
  if (seq < 0) throw new DecodeError(ErrorCode.DecodeLimit, 'index record seq is at or above 2^53');
  const fc = readU32LE(b, off + 16);
  const flags = (fc & REDEX_FLAG_MASK) >>> 0;
  if ((flags & ~RedexFlags.INLINE) !== 0) throw new DecodeError(ErrorCode.DecodeReserved, `reserved index flags 0x${flags.toString(16)}`);
  return { seq, offset: readU32LE(b, off + 8), length: readU32LE(b, off + 12), flags, checksum: fc & REDEX_CHECKSUM_MASK };
}

/** True when the entry carries its payload inline. */
export function isInline(e: RedexEntry): boolean {
  return (e.flags & RedexFlags.INLINE) !== 0;
}

/** The 8 inline payload bytes of an INLINE entry (a copy). */
export function inlinePayload(e: RedexEntry): Uint8Array {
  const out = new Uint8Array(REDEX_INLINE_PAYLOAD_BYTES);
  writeU32LE(out, 0, e.offset);
  writeU32LE(out, 4, e.length);
  return out;
}
