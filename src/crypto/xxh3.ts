/**
 * XXH3-64 (seed 0) on hash-wasm with one reused hasher. Not cryptographic: the reference uses it for channel
 * hashes, RedEX payload checksums, EventMeta checksums and causal-link parent hashes, where it is an integrity
 * or bucketing hash. hash-wasm emits the digest big-endian (its hex is the canonical `0x…` spelling), so the
 * words below are read big-endian.
 */
import { createXXHash3, type IHasher } from 'hash-wasm';
import { u64FromWords } from '../core/index.js';

const hasher: IHasher = await createXXHash3(0, 0);

function digest(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest('binary');
}

function be32(d: Uint8Array, off: number): number {
  return ((d[off]! << 24) | (d[off + 1]! << 16) | (d[off + 2]! << 8) | d[off + 3]!) >>> 0;
}

/** XXH3-64 of `data` as a u64 bigint (API edges). */
export function xxh3_64(data: Uint8Array): bigint {
  const d = digest(data);
  return u64FromWords(be32(d, 4), be32(d, 0));
}

/**
 * XXH3-64 of `data` as two u32 words written to `out[0]` (low) and `out[1]` (high), for hot paths that must not
 * build a bigint. Returns `out`.
 */
export function xxh3_64Words(data: Uint8Array, out: Uint32Array = new Uint32Array(2)): Uint32Array {
  const d = digest(data);
  out[0] = be32(d, 4);
  out[1] = be32(d, 0);
  return out;
}

/** The low 32 bits of XXH3-64 (the reference's `xxh3_64(..) as u32`). */
export function xxh3_64Lo(data: Uint8Array): number {
  return be32(digest(data), 4);
}
