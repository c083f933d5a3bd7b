/**
 * The 68-byte packet header codec (reference v0.27.2 `NetHeader::to_bytes` / `from_bytes` / `validate`).
 * `decodeHeaderInto` / `encodeHeaderInto` are the allocation-free hot-path forms returning a {@link WireStatus};
 * `decodeHeader` / `encodeHeader` are the throwing API-edge wrappers.
 *
 * Validation (decode and encode): magic `0x4E45`, version 1, reserved flag bits `0xC0` clear (the reference
 * ignores them; no v0.27.2 node sets them, so we reject to keep `encode(decode(b)) == b`),
 * `payload_len <= 8108`, `event_count <= 2027`. All other fields are opaque.
 */
import { InvalidArgumentError, readU16LE, readU32LE } from '../core/index.js';
import {
  HEADER_BYTES,
  HEADER_FLAGS_RESERVED,
  MAX_EVENTS_PER_PACKET,
  MAX_PAYLOAD_SIZE,
  PACKET_MAGIC,
  PACKET_VERSION,
} from './constants.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { PacketHeader } from './packet-header-fields.js';
import { WireStatus, throwIfNotOk, wireStatusName } from './status.js';

/** The header's fields in wire order; all integers little-endian. */
export const PACKET_HEADER_LAYOUT: Layout = sequentialLayout([
  ['magic', 2],
  ['version', 1],
  ['flags', 1],
  ['priority', 1],
  ['hop_ttl', 1],
  ['hop_count', 1],
  ['frag_flags', 1],
  ['subprotocol_id', 2],
  ['channel_hash', 2],
  ['nonce', 12],
  ['session_id', 8],
  ['stream_id', 8],
  ['sequence', 8],
  ['origin_hash', 8],
  ['subnet_id', 4],
  ['fragment_id', 2],
  ['fragment_offset', 2],
  ['payload_len', 2],
  ['event_count', 2],
]);

const MAGIC_LO = PACKET_MAGIC & 0xff;
const MAGIC_HI = PACKET_MAGIC >>> 8;

/**
 * Validates the header at `bytes[offset..offset+68]` and, only if it is valid, fills `out`. Bytes after the
 * header are not looked at. Never throws for any `bytes`; never allocates.
 */
export function decodeHeaderInto(bytes: Uint8Array, offset: number, out: PacketHeader): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || bytes.length - offset < HEADER_BYTES) return WireStatus.SHORT;
  const o = offset;
  if (bytes[o] !== MAGIC_LO || bytes[o + 1] !== MAGIC_HI) return WireStatus.BAD_MAGIC;
  if (bytes[o + 2] !== PACKET_VERSION) return WireStatus.BAD_VERSION;
  const flags = bytes[o + 3]!;
  if ((flags & HEADER_FLAGS_RESERVED) !== 0) return WireStatus.RESERVED;
  const payloadLen = readU16LE(bytes, o + 64);
  const eventCount = readU16LE(bytes, o + 66);
  if (payloadLen > MAX_PAYLOAD_SIZE || eventCount > MAX_EVENTS_PER_PACKET) return WireStatus.LIMIT;
  out.flags = flags;
  out.priority = bytes[o + 4]!;
  out.hopTtl = bytes[o + 5]!;
  out.hopCount = bytes[o + 6]!;
  out.fragFlags = bytes[o + 7]!;
  out.subprotocolId = readU16LE(bytes, o + 8);
  out.channelHash = readU16LE(bytes, o + 10);
  out.noncePrefix = readU32LE(bytes, o + 12);
  out.nonceCounterLo = readU32LE(bytes, o + 16);
  out.nonceCounterHi = readU32LE(bytes, o + 20);
  out.sessionLo = readU32LE(bytes, o + 24);
  out.sessionHi = readU32LE(bytes, o + 28);
  out.streamLo = readU32LE(bytes, o + 32);
  out.streamHi = readU32LE(bytes, o + 36);
  out.sequenceLo = readU32LE(bytes, o + 40);
  out.sequenceHi = readU32LE(bytes, o + 44);
  out.originLo = readU32LE(bytes, o + 48);
  out.originHi = readU32LE(bytes, o + 52);
  out.subnetId = readU32LE(bytes, o + 56);
  out.fragmentId = readU16LE(bytes, o + 60);
  out.fragmentOffset = readU16LE(bytes, o + 62);
  out.payloadLen = payloadLen;
  out.eventCount = eventCount;
  return WireStatus.OK;
}

/**
 * Checks that every field of `h` fits its wire width and the header rules: VALUE for an out-of-range or
 * non-integer field, RESERVED for flag bits 0xC0, LIMIT for payload_len/event_count above the maxima.
 */
export function checkHeader(h: PacketHeader): WireStatus {
  if (
    (h.flags & 0xff) !== h.flags || (h.priority & 0xff) !== h.priority || (h.hopTtl & 0xff) !== h.hopTtl ||
    (h.hopCount & 0xff) !== h.hopCount || (h.fragFlags & 0xff) !== h.fragFlags ||
    (h.subprotocolId & 0xffff) !== h.subprotocolId || (h.channelHash & 0xffff) !== h.channelHash ||
    h.noncePrefix >>> 0 !== h.noncePrefix || h.nonceCounterLo >>> 0 !== h.nonceCounterLo ||
    h.nonceCounterHi >>> 0 !== h.nonceCounterHi || h.sessionLo >>> 0 !== h.sessionLo || h.sessionHi >>> 0 !== h.sessionHi ||
    h.streamLo >>> 0 !== h.streamLo || h.streamHi >>> 0 !== h.streamHi || h.sequenceLo >>> 0 !== h.sequenceLo ||
    h.sequenceHi >>> 0 !== h.sequenceHi || h.originLo >>> 0 !== h.originLo || h.originHi >>> 0 !== h.originHi ||
    h.subnetId >>> 0 !== h.subnetId || (h.fragmentId & 0xffff) !== h.fragmentId ||
    (h.fragmentOffset & 0xffff) !== h.fragmentOffset || (h.payloadLen & 0xffff) !== h.payloadLen ||
    (h.eventCount & 0xffff) !== h.eventCount
  ) {
    return WireStatus.VALUE;
  }
  if ((h.flags & HEADER_FLAGS_RESERVED) !== 0) return WireStatus.RESERVED;
  if (h.payloadLen > MAX_PAYLOAD_SIZE || h.eventCount > MAX_EVENTS_PER_PACKET) return WireStatus.LIMIT;
  return WireStatus.OK;
}

/**
 * Writes `h` as 68 bytes at `out[offset..]`. Returns SHORT when `out` lacks room, or {@link checkHeader}'s status;
 * nothing is written unless the result is OK. Never allocates.
 */
export function encodeHeaderInto(h: PacketHeader, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < HEADER_BYTES) return WireStatus.SHORT;
  const status = checkHeader(h);
  if (status !== WireStatus.OK) return status;
  const o = offset;
  out[o] = MAGIC_LO;
  out[o + 1] = MAGIC_HI;
  out[o + 2] = PACKET_VERSION;
  out[o + 3] = h.flags;
  out[o + 4] = h.priority;
  out[o + 5] = h.hopTtl;
  out[o + 6] = h.hopCount;
  out[o + 7] = h.fragFlags;
  w16(out, o + 8, h.subprotocolId);
  w16(out, o + 10, h.channelHash);
  w32(out, o + 12, h.noncePrefix);
  w32(out, o + 16, h.nonceCounterLo);
  w32(out, o + 20, h.nonceCounterHi);
  w32(out, o + 24, h.sessionLo);
  w32(out, o + 28, h.sessionHi);
  w32(out, o + 32, h.streamLo);
  w32(out, o + 36, h.streamHi);
  w32(out, o + 40, h.sequenceLo);
  w32(out, o + 44, h.sequenceHi);
  w32(out, o + 48, h.originLo);
  w32(out, o + 52, h.originHi);
  w32(out, o + 56, h.subnetId);
  w16(out, o + 60, h.fragmentId);
  w16(out, o + 62, h.fragmentOffset);
  w16(out, o + 64, h.payloadLen);
  w16(out, o + 66, h.eventCount);
  return WireStatus.OK;
}

/** Typed-array stores keep the low 8 bits, so no masks are needed (unlike the generic core helpers). */
function w32(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}

function w16(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
}

/** Decodes the header at `bytes[offset..]` into a new object; throws DecodeError with the matching code. */
export function decodeHeader(bytes: Uint8Array, offset = 0): PacketHeader {
  const h = new PacketHeader();
  throwIfNotOk(decodeHeaderInto(bytes, offset, h), 'packet header');
  return h;
}

/** Encodes `h` into a new 68-byte array; throws InvalidArgumentError when a field is out of range. */
export function encodeHeader(h: PacketHeader): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  const status = encodeHeaderInto(h, out, 0);
  if (status !== WireStatus.OK) throw new InvalidArgumentError(`packet header: ${wireStatusName(status)}`);
  return out;
}
