/**
 * Shard selection. Keys hash to 32 bits (FNV-1a with a murmur3 finalizer so nearby keys spread), then Lemire's
 * multiply-shift `(hash * n) >> 32` maps the hash to a shard without the modulo bias (the reference uses the same
 * reduction on 64 bits). `hash * n < 2^48`, so the float arithmetic is exact.
 */

/** 32-bit hash of a key: bytes, or a string's UTF-16 code units (no encoding step on the hot path). */
export function hashKey(key: string | Uint8Array): number {
  let h = 0x811c9dc5;
  if (typeof key === 'string') {
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Index in [0, n) for a 32-bit hash, unbiased (Lemire). */
export function shardIndex(hash: number, n: number): number {
  return Math.floor(((hash >>> 0) * n) / 4294967296);
}
