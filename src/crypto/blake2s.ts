/**
 * BLAKE2s-256 (RFC 7693) on hash-wasm, with reused hashers: creating a hasher is async and costs ~0.7 ms, a
 * hash on a reused one ~0.5 µs. Three forms are used by the protocol:
 * - `blake2s(data)`: the plain hash (Noise's HASH),
 * - `hmacBlake2s(key, data)`: RFC 2104 HMAC with a 64-byte block (Noise's HKDF),
 * - `blake2sMac(key, data)`: BLAKE2s keyed mode (the reference's `Blake2sMac`: KDF, node_id, origin_hash).
 *
 * hash-wasm fixes a keyed hasher's key length at creation and reads the key from the buffer it was given on
 * every `init()`; each key length therefore gets one hasher over a private key buffer that is overwritten per
 * call and zeroed after it. The keyed and unkeyed KATs pin this behaviour.
 */
import { createBLAKE2s, type IHasher } from 'hash-wasm';
import { InvalidArgumentError } from '../core/index.js';

export const BLAKE2S_OUT_BYTES = 32;
const BLOCK = 64;

const plain: IHasher = await createBLAKE2s(256);

interface KeyedHasher {
  hasher: IHasher;
  key: Uint8Array;
}
const keyed = new Map<number, KeyedHasher>();

/** Prepares keyed mode for `keyLength` (1..32). Lengths 13, 14 and 32, which the protocol uses, are ready at load. */
export async function ensureBlake2sKeyLength(keyLength: number): Promise<void> {
  if (!Number.isInteger(keyLength) || keyLength < 1 || keyLength > 32) {
    throw new InvalidArgumentError(`BLAKE2s key length must be 1..32, got ${keyLength}`);
  }
  if (keyed.has(keyLength)) return;
  const key = new Uint8Array(keyLength);
  const hasher = await createBLAKE2s(256, key);
  keyed.set(keyLength, { hasher, key });
}

await Promise.all([13, 14, 32].map(ensureBlake2sKeyLength));

/** BLAKE2s-256 of the concatenation of `parts`. */
export function blake2s(...parts: Uint8Array[]): Uint8Array {
  plain.init();
  for (const p of parts) plain.update(p);
  return plain.digest('binary');
}

/** BLAKE2s keyed mode (RFC 7693 §2.5), 32-byte output. The key length must have been prepared. */
export function blake2sMac(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const entry = keyed.get(key.length);
  if (entry === undefined) {
    throw new InvalidArgumentError(`BLAKE2s key length ${key.length} not prepared; await ensureBlake2sKeyLength(${key.length})`);
  }
  entry.key.set(key);
  try {
    entry.hasher.init();
    for (const p of parts) entry.hasher.update(p);
    return entry.hasher.digest('binary');
  } finally {
    // Wipe the key from our buffer and from the wasm state it was copied into.
    entry.key.fill(0);
    entry.hasher.init();
  }
}

// One scratch buffer per pad: `ipad ‖ message` and `opad ‖ inner digest` each go to the hasher in a single
// update. hash-wasm allocates two views per update() call, so fewer calls is what makes HMAC cheap.
const SCRATCH_BYTES = 512;
const inner = new Uint8Array(SCRATCH_BYTES);
const outer = new Uint8Array(BLOCK + BLAKE2S_OUT_BYTES);

/** HMAC-BLAKE2s (RFC 2104, 64-byte block), as Noise's HKDF uses it. */
export function hmacBlake2s(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const k = key.length > BLOCK ? blake2s(key) : key;
  let total = 0;
  for (const p of parts) total += p.length;
  inner.fill(0x36, 0, BLOCK);
  outer.fill(0x5c, 0, BLOCK);
  for (let i = 0; i < k.length; i++) {
    inner[i]! ^= k[i]!;
    outer[i]! ^= k[i]!;
  }
  plain.init();
  if (BLOCK + total <= SCRATCH_BYTES) {
    let at = BLOCK;
    for (const p of parts) {
      inner.set(p, at);
      at += p.length;
    }
    plain.update(inner.subarray(0, at));
  } else {
    plain.update(inner.subarray(0, BLOCK));
    for (const p of parts) plain.update(p);
  }
  const innerDigest = plain.digest('binary');
  outer.set(innerDigest, BLOCK);
  plain.init();
  plain.update(outer);
  const out = plain.digest('binary');
  inner.fill(0, 0, Math.min(SCRATCH_BYTES, BLOCK + total));
  outer.fill(0);
  innerDigest.fill(0);
  if (k !== key) k.fill(0);
  return out;
}

/**
 * BLAKE2s with any output length (1..32 bytes) and optional key (0..32 bytes), for known-answer tests such as
 * the RFC 7693 self-test. It creates a hasher per call (async, about a millisecond), so it stays off hot paths;
 * the protocol only uses the 256-bit forms above.
 */
export async function blake2sN(outLen: number, key: Uint8Array | null, data: Uint8Array): Promise<Uint8Array> {
  if (!Number.isInteger(outLen) || outLen < 1 || outLen > BLAKE2S_OUT_BYTES) {
    throw new InvalidArgumentError(`BLAKE2s output length must be 1..32, got ${outLen}`);
  }
  if (key !== null && key.length > 32) throw new InvalidArgumentError(`BLAKE2s key must be at most 32 bytes, got ${key.length}`);
  const h = await createBLAKE2s(outLen * 8, key !== null && key.length > 0 ? key : undefined);
  h.init();
  h.update(data);
  return h.digest('binary');
}
