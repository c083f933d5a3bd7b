/**
 * The 56-byte AEAD associated data (reference `NetHeader::aad`): the header fields in wire order without the
 * 12-byte nonce, with `hop_count` (mutable in transit) replaced by 0. Built straight from encoded header bytes.
 */
import type { Layout } from './layout.js';

/** AAD size. */
export const AAD_BYTES = 56;

/** The AAD's fields; header bytes 0..12 map to AAD 0..12 (byte 6 zeroed), header 24..68 map to AAD 12..56. */
export const AAD_LAYOUT: Layout = Object.freeze([
  { field: 'magic', offset: 0, size: 2 },
  { field: 'version', offset: 2, size: 1 },
  { field: 'flags', offset: 3, size: 1 },
  { field: 'priority', offset: 4, size: 1 },
  { field: 'hop_ttl', offset: 5, size: 1 },
  { field: 'zero (hop_count excluded)', offset: 6, size: 1 },
  { field: 'frag_flags', offset: 7, size: 1 },
  { field: 'subprotocol_id', offset: 8, size: 2 },
  { field: 'channel_hash', offset: 10, size: 2 },
  { field: 'session_id', offset: 12, size: 8 },
  { field: 'stream_id', offset: 20, size: 8 },
  { field: 'sequence', offset: 28, size: 8 },
  { field: 'origin_hash', offset: 36, size: 8 },
  { field: 'subnet_id', offset: 44, size: 4 },
  { field: 'fragment_id', offset: 48, size: 2 },
  { field: 'fragment_offset', offset: 50, size: 2 },
  { field: 'payload_len', offset: 52, size: 2 },
  { field: 'event_count', offset: 54, size: 2 },
].map((f) => Object.freeze(f)));

/**
 * Copies the AAD of the encoded header at `packet[headerOffset..headerOffset+68]` into `out[0..56]`. No
 * allocation, no validation (the header bytes are used as they are). The caller guarantees that both ranges
 * exist; out-of-range indexes would read `undefined` (written as 0), never throw.
 */
export function writeAad(packet: Uint8Array, headerOffset: number, out: Uint8Array): void {
  const o = headerOffset;
  // Unrolled (about 2x faster than a loop on V8). Byte 6 is hop_count: excluded, written as 0.
  out[0] = packet[o + 0]!; out[1] = packet[o + 1]!; out[2] = packet[o + 2]!; out[3] = packet[o + 3]!;
  out[4] = packet[o + 4]!; out[5] = packet[o + 5]!; out[6] = 0; out[7] = packet[o + 7]!;
  out[8] = packet[o + 8]!; out[9] = packet[o + 9]!; out[10] = packet[o + 10]!; out[11] = packet[o + 11]!;
  out[12] = packet[o + 24]!; out[13] = packet[o + 25]!; out[14] = packet[o + 26]!; out[15] = packet[o + 27]!;
  out[16] = packet[o + 28]!; out[17] = packet[o + 29]!; out[18] = packet[o + 30]!; out[19] = packet[o + 31]!;
  out[20] = packet[o + 32]!; out[21] = packet[o + 33]!; out[22] = packet[o + 34]!; out[23] = packet[o + 35]!;
  out[24] = packet[o + 36]!; out[25] = packet[o + 37]!; out[26] = packet[o + 38]!; out[27] = packet[o + 39]!;
  out[28] = packet[o + 40]!; out[29] = packet[o + 41]!; out[30] = packet[o + 42]!; out[31] = packet[o + 43]!;
  out[32] = packet[o + 44]!; out[33] = packet[o + 45]!; out[34] = packet[o + 46]!; out[35] = packet[o + 47]!;
  out[36] = packet[o + 48]!; out[37] = packet[o + 49]!; out[38] = packet[o + 50]!; out[39] = packet[o + 51]!;
  out[40] = packet[o + 52]!; out[41] = packet[o + 53]!; out[42] = packet[o + 54]!; out[43] = packet[o + 55]!;
  out[44] = packet[o + 56]!; out[45] = packet[o + 57]!; out[46] = packet[o + 58]!; out[47] = packet[o + 59]!;
  out[48] = packet[o + 60]!; out[49] = packet[o + 61]!; out[50] = packet[o + 62]!; out[51] = packet[o + 63]!;
  out[52] = packet[o + 64]!; out[53] = packet[o + 65]!; out[54] = packet[o + 66]!; out[55] = packet[o + 67]!;
}
