/**
 * The per-record check stored in each `ts` record. The reference's 28-bit payload checksum cannot see a flipped
 * seq, offset, length or timestamp byte (DESIGN.md §6), so every record also carries a 32-bit check over its
 * 20 index bytes and its 8 timestamp bytes (which include that payload checksum).
 *
 * It is murmur3's block function over the seven little-endian words: each step is a bijection of the running
 * state for a fixed word and of the word for a fixed state, and the finalizer is a bijection, so changing any
 * single word (hence any single byte, or any burst inside one word) always changes the check. It costs a few
 * integer multiplies instead of a call into wasm, which matters on the append path.
 */
import { readU32LE } from '../core/index.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const SEED = 0x5245_4458; // "REDX"

function mix(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Check over `idx[idxOff..+20]` and the 8-byte timestamp at `ts[tsOff..+8]`. */
export function recordCheck(idx: Uint8Array, idxOff: number, ts: Uint8Array, tsOff: number): number {
  let h = SEED;
  h = mix(h, readU32LE(idx, idxOff));
  h = mix(h, readU32LE(idx, idxOff + 4));
  h = mix(h, readU32LE(idx, idxOff + 8));
  h = mix(h, readU32LE(idx, idxOff + 12));
  h = mix(h, readU32LE(idx, idxOff + 16));
  h = mix(h, readU32LE(ts, tsOff));
  h = mix(h, readU32LE(ts, tsOff + 4));
  h ^= 28;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
