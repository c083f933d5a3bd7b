/**
 * The 72-byte EnhancedPingwave (reference `behavior/proximity.rs`; layout {@link PINGWAVE_LAYOUT}) and the
 * payload that carries a batch of them. net-mesh sends pingwaves only inside sessions, on subprotocol
 * {@link SUBPROTOCOL_PINGWAVE}, as `count × 72` bytes: every hop is then authenticated, so a spoofed source
 * address cannot plant routes (a bare 72-byte datagram is classified and dropped by the mesh plane).
 *
 * Stricter than the reference: bytes 8..32 of the origin graph id (always zero for ids made from a node id) must be
 * zero, so every accepted record re-encodes to the same bytes.
 */
import { InvalidArgumentError, assertU64, readU32LE, u64FromWords, u64Hi, u64Lo, writeU32LE } from '../core/index.js';
import { PINGWAVE_BYTES } from './classify.js';
import { WireStatus, throwIfNotOk } from './status.js';

/** net-mesh's subprotocol for pingwave batches (its reserved block `0xF000..0xF0FF`). */
export const SUBPROTOCOL_PINGWAVE = 0xf004;

/** A reusable pingwave; u64 fields as two u32 words, bigint accessors for API edges. */
export class Pingwave {
  originLo = 0;
  originHi = 0;
  seqLo = 0;
  seqHi = 0;
  ttl = 0;
  hopCount = 0;
  timestampLo = 0;
  timestampHi = 0;
  capabilityHashLo = 0;
  capabilityHashHi = 0;
  capabilityVersion = 0;
  loadLevel = 0;
  health = 0;
  gpu = 0;
  modelSlots = 0;
  memoryTier = 0;
  toolsBitmap = 0;
  capabilityFlags = 0;

  static from(init: { origin: bigint; seq: bigint; ttl: number; hopCount?: number; timestampUs?: bigint }): Pingwave {
    const p = new Pingwave();
    p.origin = init.origin;
    p.seq = init.seq;
    p.ttl = init.ttl;
    p.hopCount = init.hopCount ?? 0;
    p.timestampUs = init.timestampUs ?? 0n;
    return p;
  }

  get origin(): bigint {
    return u64FromWords(this.originLo, this.originHi);
  }
  set origin(v: bigint) {
    assertU64(v, 'origin');
    this.originLo = u64Lo(v);
    this.originHi = u64Hi(v);
  }
  get seq(): bigint {
    return u64FromWords(this.seqLo, this.seqHi);
  }
  set seq(v: bigint) {
    assertU64(v, 'seq');
    this.seqLo = u64Lo(v);
    this.seqHi = u64Hi(v);
  }
  get timestampUs(): bigint {
    return u64FromWords(this.timestampLo, this.timestampHi);
  }
  set timestampUs(v: bigint) {
    assertU64(v, 'timestampUs');
    this.timestampLo = u64Lo(v);
    this.timestampHi = u64Hi(v);
  }
}

/** Decodes the 72-byte record at `bytes[offset..]` into `out` (SHORT without room, RESERVED for a bad graph id). */
export function decodePingwaveInto(bytes: Uint8Array, offset: number, out: Pingwave): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || bytes.length - offset < PINGWAVE_BYTES) return WireStatus.SHORT;
  for (let i = offset + 8; i < offset + 32; i++) if (bytes[i] !== 0) return WireStatus.RESERVED;
  out.originLo = readU32LE(bytes, offset);
  out.originHi = readU32LE(bytes, offset + 4);
  out.seqLo = readU32LE(bytes, offset + 32);
  out.seqHi = readU32LE(bytes, offset + 36);
  out.ttl = bytes[offset + 40]!;
  out.hopCount = bytes[offset + 41]!;
  out.timestampLo = readU32LE(bytes, offset + 42);
  out.timestampHi = readU32LE(bytes, offset + 46);
  out.capabilityHashLo = readU32LE(bytes, offset + 50);
  out.capabilityHashHi = readU32LE(bytes, offset + 54);
  out.capabilityVersion = readU32LE(bytes, offset + 58);
  out.loadLevel = bytes[offset + 62]!;
  out.health = bytes[offset + 63]!;
  out.gpu = bytes[offset + 64]!;
  out.modelSlots = bytes[offset + 65]!;
  out.memoryTier = bytes[offset + 66]!;
  out.toolsBitmap = bytes[offset + 67]!;
  out.capabilityFlags = readU32LE(bytes, offset + 68);
  return WireStatus.OK;
}

/** Writes `p` as 72 bytes at `out[offset..]`: SHORT without room, VALUE for a field out of range. */
export function encodePingwaveInto(p: Pingwave, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < PINGWAVE_BYTES) return WireStatus.SHORT;
  if (!fieldsInRange(p)) return WireStatus.VALUE;
  writeU32LE(out, offset, p.originLo);
  writeU32LE(out, offset + 4, p.originHi);
  out.fill(0, offset + 8, offset + 32);
  writeU32LE(out, offset + 32, p.seqLo);
  writeU32LE(out, offset + 36, p.seqHi);
  out[offset + 40] = p.ttl;
  out[offset + 41] = p.hopCount;
  writeU32LE(out, offset + 42, p.timestampLo);
  writeU32LE(out, offset + 46, p.timestampHi);
  writeU32LE(out, offset + 50, p.capabilityHashLo);
  writeU32LE(out, offset + 54, p.capabilityHashHi);
  writeU32LE(out, offset + 58, p.capabilityVersion);
  out[offset + 62] = p.loadLevel;
  out[offset + 63] = p.health;
  out[offset + 64] = p.gpu;
  out[offset + 65] = p.modelSlots;
  out[offset + 66] = p.memoryTier;
  out[offset + 67] = p.toolsBitmap;
  writeU32LE(out, offset + 68, p.capabilityFlags);
  return WireStatus.OK;
}

function fieldsInRange(p: Pingwave): boolean {
  return u32(p.originLo) && u32(p.originHi) && u32(p.seqLo) && u32(p.seqHi) && u32(p.timestampLo) &&
    u32(p.timestampHi) && u32(p.capabilityHashLo) && u32(p.capabilityHashHi) && u32(p.capabilityVersion) &&
    u32(p.capabilityFlags) && u8(p.ttl) && u8(p.hopCount) && u8(p.loadLevel) && u8(p.health) && u8(p.gpu) &&
    u8(p.modelSlots) && u8(p.memoryTier) && u8(p.toolsBitmap);
}

const u32 = (v: number): boolean => v >>> 0 === v;
const u8 = (v: number): boolean => (v & 0xff) === v;

/**
 * Number of records in a pingwave batch payload of `length` bytes: LENGTH status (as a negative number) unless it
 * is a non-zero multiple of 72 and at most `maxRecords` records.
 */
export function pingwaveBatchCount(length: number, maxRecords: number): number {
  if (length === 0 || length % PINGWAVE_BYTES !== 0) return -WireStatus.LENGTH;
  const n = length / PINGWAVE_BYTES;
  return n > maxRecords ? -WireStatus.LIMIT : n;
}

/** Decodes one whole 72-byte record; throws DecodeError. */
export function decodePingwave(bytes: Uint8Array): Pingwave {
  const p = new Pingwave();
  if (bytes.length > PINGWAVE_BYTES) throwIfNotOk(WireStatus.LONG, 'pingwave');
  throwIfNotOk(decodePingwaveInto(bytes, 0, p), 'pingwave');
  return p;
}

/** Encodes a record into a new 72-byte array; throws InvalidArgumentError for out-of-range fields. */
export function encodePingwave(p: Pingwave): Uint8Array {
  const out = new Uint8Array(PINGWAVE_BYTES);
  if (encodePingwaveInto(p, out, 0) !== WireStatus.OK) throw new InvalidArgumentError('pingwave: field out of range');
  return out;
}
