/**
 * The 18-byte routing header that prefixes a routed packet (reference v0.27.2 `route.rs`), and the in-place
 * forwarding rewrite a relay applies without touching the packet behind it.
 *
 * Stricter than the reference where its encoder never produces the bytes we refuse: flag bits 0xF0 (the
 * reference masks them off with a warning) and a non-zero reserved byte 5 (the reference always writes 0) are
 * rejected with RESERVED, so every accepted header re-encodes to the same bytes.
 */
import { InvalidArgumentError, assertU64, readU32LE, u64FromWords, u64Hi, u64Lo, writeU32LE } from '../core/index.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { WireStatus, throwIfNotOk, wireStatusName } from './status.js';

/** Routing magic: `0x5452` little-endian, so the wire bytes are `52 54` ("RT"). */
export const ROUTING_MAGIC = 0x5452;
export const ROUTING_HEADER_BYTES = 18;
/** A relay refuses to forward a packet whose hop_count is already at or above this. */
export const MAX_HOPS = 16;
/** The reference's largest TTL (`_MAX_TTL`); informational, the decoder accepts any u8. */
export const MAX_TTL = 16;

/** Routing header flag bits (byte 4). */
export const RouteFlag = {
  CONTROL: 0x01,
  REQUIRES_ACK: 0x02,
  PRIORITY: 0x04,
  END_OF_STREAM: 0x08,
} as const;
export type RouteFlag = (typeof RouteFlag)[keyof typeof RouteFlag];
/** High nibble of the flags byte: reserved, rejected. */
export const ROUTE_FLAGS_RESERVED = 0xf0;

export const ROUTING_HEADER_LAYOUT: Layout = sequentialLayout([
  ['magic', 2],
  ['ttl', 1],
  ['hop_count', 1],
  ['flags', 1],
  ['reserved', 1],
  ['src_id', 4],
  ['dest_id', 8],
]);

const MAGIC_LO = ROUTING_MAGIC & 0xff;
const MAGIC_HI = ROUTING_MAGIC >>> 8;

/** The 32-bit routing projection of a node id (`node_id & 0xFFFFFFFF`), from the id's low u32 word. */
export function routingId(nodeIdLo: number): number {
  return nodeIdLo >>> 0;
}

/** {@link routingId} for a bigint node id (API edge). */
export function routingIdOf(nodeId: bigint): number {
  return u64Lo(nodeId);
}

/** A reusable routing header. `destId` is held as two u32 words. */
export class RoutingHeader {
  ttl = 0;
  hopCount = 0;
  flags = 0;
  /** Source routing id (u32). */
  srcId = 0;
  destLo = 0;
  destHi = 0;

  static from(init: { ttl?: number; hopCount?: number; flags?: number; srcId?: number; destId?: bigint }): RoutingHeader {
    const h = new RoutingHeader();
    h.ttl = init.ttl ?? 0;
    h.hopCount = init.hopCount ?? 0;
    h.flags = init.flags ?? 0;
    h.srcId = init.srcId ?? 0;
    h.destId = init.destId ?? 0n;
    return h;
  }

  get destId(): bigint {
    return u64FromWords(this.destLo, this.destHi);
  }
  set destId(v: bigint) {
    assertU64(v, 'destId');
    this.destLo = u64Lo(v);
    this.destHi = u64Hi(v);
  }
}

function checkPrefix(bytes: Uint8Array, o: number): WireStatus {
  if (!(o >= 0) || (o | 0) !== o || bytes.length - o < ROUTING_HEADER_BYTES) return WireStatus.SHORT;
  if (bytes[o] !== MAGIC_LO || bytes[o + 1] !== MAGIC_HI) return WireStatus.BAD_MAGIC;
  if ((bytes[o + 4]! & ROUTE_FLAGS_RESERVED) !== 0 || bytes[o + 5] !== 0) return WireStatus.RESERVED;
  return WireStatus.OK;
}

/** Validates the routing header at `bytes[offset..offset+18]` and fills `out` only when valid. No allocation. */
export function decodeRoutingHeaderInto(bytes: Uint8Array, offset: number, out: RoutingHeader): WireStatus {
  const status = checkPrefix(bytes, offset);
  if (status !== WireStatus.OK) return status;
  out.ttl = bytes[offset + 2]!;
  out.hopCount = bytes[offset + 3]!;
  out.flags = bytes[offset + 4]!;
  out.srcId = readU32LE(bytes, offset + 6);
  out.destLo = readU32LE(bytes, offset + 10);
  out.destHi = readU32LE(bytes, offset + 14);
  return WireStatus.OK;
}

/** Writes `h` as 18 bytes at `out[offset..]`: SHORT without room, VALUE/RESERVED for bad fields, else OK. */
export function encodeRoutingHeaderInto(h: RoutingHeader, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < ROUTING_HEADER_BYTES) return WireStatus.SHORT;
  if (
    (h.ttl & 0xff) !== h.ttl || (h.hopCount & 0xff) !== h.hopCount || (h.flags & 0xff) !== h.flags ||
    h.srcId >>> 0 !== h.srcId || h.destLo >>> 0 !== h.destLo || h.destHi >>> 0 !== h.destHi
  ) {
    return WireStatus.VALUE;
  }
  if ((h.flags & ROUTE_FLAGS_RESERVED) !== 0) return WireStatus.RESERVED;
  out[offset] = MAGIC_LO;
  out[offset + 1] = MAGIC_HI;
  out[offset + 2] = h.ttl;
  out[offset + 3] = h.hopCount;
  out[offset + 4] = h.flags;
  out[offset + 5] = 0;
  writeU32LE(out, offset + 6, h.srcId);
  writeU32LE(out, offset + 10, h.destLo);
  writeU32LE(out, offset + 14, h.destHi);
  return WireStatus.OK;
}

/**
 * The relay's rewrite, in place on `bytes[offset..offset+18]`: validates the header, refuses a packet whose
 * ttl is 0 on arrival (EXPIRED; 0 never means "unlimited") or whose hop_count is >= MAX_HOPS (HOPS), else sets
 * `ttl -= 1` and `hop_count += 1` (saturating at 255) and returns OK. Nothing is written unless OK. The packet
 * behind the header is not read.
 */
export function forwardInPlace(bytes: Uint8Array, offset: number): WireStatus {
  const status = checkPrefix(bytes, offset);
  if (status !== WireStatus.OK) return status;
  const ttl = bytes[offset + 2]!;
  if (ttl === 0) return WireStatus.EXPIRED;
  const hops = bytes[offset + 3]!;
  if (hops >= MAX_HOPS) return WireStatus.HOPS;
  bytes[offset + 2] = ttl - 1;
  bytes[offset + 3] = hops === 0xff ? 0xff : hops + 1;
  return WireStatus.OK;
}

/** Decodes the routing header at `bytes[offset..]`; throws DecodeError. */
export function decodeRoutingHeader(bytes: Uint8Array, offset = 0): RoutingHeader {
  const h = new RoutingHeader();
  throwIfNotOk(decodeRoutingHeaderInto(bytes, offset, h), 'routing header');
  return h;
}

/** Encodes `h` into a new 18-byte array; throws InvalidArgumentError for out-of-range fields. */
export function encodeRoutingHeader(h: RoutingHeader): Uint8Array {
  const out = new Uint8Array(ROUTING_HEADER_BYTES);
  const status = encodeRoutingHeaderInto(h, out, 0);
  if (status !== WireStatus.OK) throw new InvalidArgumentError(`routing header: ${wireStatusName(status)}`);
  return out;
}
