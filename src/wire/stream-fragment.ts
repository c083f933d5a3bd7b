/**
 * Prefix of a fragment payload (a net-mesh extension: the reference at v0.27.2 sends no fragments). An event too
 * large for one packet is cut into fragments; each fragment packet has header `fragment_id` ≠ 0 (per stream,
 * per event), `fragment_offset` = the fragment's index, `frag_flags` bit {@link FRAG_FLAG_MORE} on every fragment
 * but the last, `event_count` = 0, and the payload `total_len:u32 ‖ byte_offset:u32 ‖ chunk`. Every fragment
 * names the whole size, so a receiver sizes (and bounds) the reassembly from whichever fragment comes first.
 */
import { readU32LE, writeU32LE } from '../core/index.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { WireStatus } from './status.js';

export const FRAGMENT_PREFIX_BYTES = 8;
/** `frag_flags` bit: more fragments of this event follow. */
export const FRAG_FLAG_MORE = 0x01;

export const FRAGMENT_PREFIX_LAYOUT: Layout = sequentialLayout([
  ['total_len', 4],
  ['byte_offset', 4],
  ['chunk', null],
]);

/** A decoded fragment prefix; the chunk is `payload[chunkOffset..chunkOffset+chunkLength]`. */
export class FragmentPrefix {
  totalLen = 0;
  byteOffset = 0;
  chunkOffset = 0;
  chunkLength = 0;
}

/**
 * Reads the prefix of `payload[offset..offset+length]`: SHORT under 8 bytes, VALUE for an empty chunk or a chunk
 * that runs past `total_len`.
 */
export function decodeFragmentPrefixInto(payload: Uint8Array, offset: number, length: number, out: FragmentPrefix): WireStatus {
  if (!(offset >= 0) || !(length >= 0) || offset + length > payload.length || length < FRAGMENT_PREFIX_BYTES) return WireStatus.SHORT;
  const total = readU32LE(payload, offset);
  const at = readU32LE(payload, offset + 4);
  const chunk = length - FRAGMENT_PREFIX_BYTES;
  if (chunk === 0 || at + chunk > total) return WireStatus.VALUE;
  out.totalLen = total;
  out.byteOffset = at;
  out.chunkOffset = offset + FRAGMENT_PREFIX_BYTES;
  out.chunkLength = chunk;
  return WireStatus.OK;
}

/** Writes the 8-byte prefix at `out[offset..]`; SHORT without room. The caller writes the chunk after it. */
export function encodeFragmentPrefixInto(totalLen: number, byteOffset: number, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || out.length - offset < FRAGMENT_PREFIX_BYTES) return WireStatus.SHORT;
  if (totalLen >>> 0 !== totalLen || byteOffset >>> 0 !== byteOffset) return WireStatus.VALUE;
  writeU32LE(out, offset, totalLen);
  writeU32LE(out, offset + 4, byteOffset);
  return WireStatus.OK;
}
