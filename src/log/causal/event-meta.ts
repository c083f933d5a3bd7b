/**
 * NET's 24-byte EventMeta prefix (ai-2070/net `cortex/meta.rs`), little-endian:
 *
 *   dispatch:u8 ‖ flags:u8 (CAUSAL=1, CONTINUITY_PROOF=2) ‖ pad:u16 (0) ‖ origin_hash:u64 ‖ seq_or_ts:u64 ‖ checksum:u32
 *
 * checksum (v2) = low 32 bits of xxh3_64(the 24 bytes with the checksum zeroed ‖ tail), so a flipped dispatch,
 * flag, origin or seq byte is caught, not only a flipped tail byte. Records written before v2 carry
 * xxh3_64(tail) as u32 (v1); readers accept v2, then v1, as the reference does. Writers write v2 only.
 */
import { DecodeError, ErrorCode, readU16LE, readU32LE, readU64LE, writeU32LE, writeU64LE } from '../../core/index.js';
import { xxh3_64Lo } from '../../crypto/index.js';

export const EVENT_META_BYTES = 24;
export const EventMetaFlags = { CAUSAL: 1, CONTINUITY_PROOF: 2 } as const;
/** Dispatch values below this are CortEX-internal; 0x80..0xFF belong to applications. */
export const EVENT_META_APP_DISPATCH_MIN = 0x80;

export interface EventMeta {
  dispatch: number;
  flags: number;
  originHash: bigint;
  seqOrTs: bigint;
  checksum: number;
}

export function encodeEventMeta(m: EventMeta, out: Uint8Array = new Uint8Array(EVENT_META_BYTES), off = 0): Uint8Array {
  out[off] = m.dispatch & 0xff;
  out[off + 1] = m.flags & 0xff;
  out[off + 2] = 0;
  out[off + 3] = 0;
  writeU64LE(out, off + 4, m.originHash);
  writeU64LE(out, off + 12, m.seqOrTs);
  writeU32LE(out, off + 20, m.checksum >>> 0);
  return out;
}

/** Reads the 24-byte prefix of `b`. Throws DecodeError when short or when the pad is not zero. */
export function decodeEventMeta(b: Uint8Array, off = 0): EventMeta {
  if (b.length - off < EVENT_META_BYTES) throw new DecodeError(ErrorCode.DecodeShort, `EventMeta needs ${EVENT_META_BYTES} bytes`);
  if (readU16LE(b, off + 2) !== 0) throw new DecodeError(ErrorCode.DecodeReserved, 'EventMeta pad is not zero');
  return { dispatch: b[off]!, flags: b[off + 1]!, originHash: readU64LE(b, off + 4), seqOrTs: readU64LE(b, off + 12), checksum: readU32LE(b, off + 20) };
}

/** The v2 checksum of `meta` (its checksum field ignored) over `tail`. */
export function eventMetaChecksum(meta: EventMeta, tail: Uint8Array): number {
  const buf = new Uint8Array(EVENT_META_BYTES + tail.length);
  encodeEventMeta({ ...meta, checksum: 0 }, buf, 0);
  buf.set(tail, EVENT_META_BYTES);
  return xxh3_64Lo(buf);
}

/** The legacy v1 checksum: the tail only. */
export function eventMetaChecksumV1(tail: Uint8Array): number {
  return xxh3_64Lo(tail);
}

/** `EventMeta ‖ tail` with a v2 checksum. */
export function encodeEvent(meta: Omit<EventMeta, 'checksum'>, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(EVENT_META_BYTES + tail.length);
  encodeEventMeta({ ...meta, checksum: 0 }, out, 0);
  out.set(tail, EVENT_META_BYTES);
  writeU32LE(out, 20, xxh3_64Lo(out));
  return out;
}

/**
 * Decodes `EventMeta ‖ tail` and checks its checksum (v2, else v1). Throws DecodeError when short, when the pad
 * is set, or when neither checksum matches.
 */
export function decodeEvent(bytes: Uint8Array): { meta: EventMeta; tail: Uint8Array; checksumVersion: 1 | 2 } {
  const meta = decodeEventMeta(bytes);
  const tail = bytes.subarray(EVENT_META_BYTES);
  if (eventMetaChecksum(meta, tail) === meta.checksum) return { meta, tail, checksumVersion: 2 };
  if (eventMetaChecksumV1(tail) === meta.checksum) return { meta, tail, checksumVersion: 1 };
  throw new DecodeError(ErrorCode.DecodeValue, 'EventMeta checksum mismatch');
}
