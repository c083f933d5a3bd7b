/**
 * Inbound datagram demultiplexing in the reference's order (v0.27.2 `mesh.rs::dispatch_packet`): keep-alive,
 * pingwave, routed, direct. Looks at the length and the first two bytes only; no allocation.
 */
import { HEADER_BYTES, PACKET_MAGIC } from './constants.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { KEEPALIVE_BYTES, KEEPALIVE_MAGIC } from './keepalive.js';
import { ROUTING_HEADER_BYTES, ROUTING_MAGIC } from './routing-header.js';

/** What a datagram is. */
export const DatagramKind = {
  UNKNOWN: 0,
  /** Exactly 14 bytes starting with the keep-alive magic `50 48`. */
  KEEPALIVE: 1,
  /** Exactly 72 bytes not starting with the packet magic: an EnhancedPingwave (plaintext). */
  PINGWAVE: 2,
  /** Starts with the routing magic `52 54` and holds at least routing header + packet header (86 bytes). */
  ROUTED: 3,
  /** Starts with the packet magic `45 4E` (any length; the header decoder checks the rest). */
  DIRECT: 4,
} as const;
export type DatagramKind = (typeof DatagramKind)[keyof typeof DatagramKind];

/** Size of an EnhancedPingwave datagram. */
export const PINGWAVE_BYTES = 72;
/**
 * The EnhancedPingwave's fields (reference `behavior/proximity.rs`), for the mesh plane's codec; `health` is a u8
 * enum and `primary_caps` is `gpu:u8 ‖ model_slots:u8 ‖ memory_tier:u8 ‖ tools_bitmap:u8 ‖ flags:u32`.
 */
export const PINGWAVE_LAYOUT: Layout = sequentialLayout([
  ['origin_graph_id', 32],
  ['seq', 8],
  ['ttl', 1],
  ['hop_count', 1],
  ['origin_timestamp_us', 8],
  ['capability_hash', 8],
  ['capability_version', 4],
  ['load_level', 1],
  ['health', 1],
  ['primary_caps', 8],
]);

/** Smallest routed datagram: routing header + packet header. */
export const MIN_ROUTED_BYTES = ROUTING_HEADER_BYTES + HEADER_BYTES;

/** Classifies `bytes[offset..offset+length]` (default: the whole array). */
export function classifyDatagram(bytes: Uint8Array, offset = 0, length = bytes.length - offset): DatagramKind {
  if (!(offset >= 0) || !(length >= 2) || offset + length > bytes.length) return DatagramKind.UNKNOWN;
  const first = bytes[offset]! | (bytes[offset + 1]! << 8);
  if (length === KEEPALIVE_BYTES && first === KEEPALIVE_MAGIC) return DatagramKind.KEEPALIVE;
  if (length === PINGWAVE_BYTES && first !== PACKET_MAGIC) return DatagramKind.PINGWAVE;
  if (first === ROUTING_MAGIC && length >= MIN_ROUTED_BYTES) return DatagramKind.ROUTED;
  if (first === PACKET_MAGIC) return DatagramKind.DIRECT;
  return DatagramKind.UNKNOWN;
}
