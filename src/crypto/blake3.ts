/**
 * BLAKE3 on hash-wasm (fastest here below ~16 KiB; DESIGN.md §4), with reused hashers: creating one is async and
 * costs about a millisecond, hashing on a reused one does not. Two modes:
 * - `blake3(data)`: content hash (`blake3::hash`), 32 bytes or any XOF length,
 * - `blake3Keyed(key, data)`: keyed hash (32-byte key).
 * (`derive_key` is left out: hash-wasm has no mode for it, and no plane needs it yet.)
 *
 * hash-wasm fixes the output length at hasher creation, so each length gets its own hashers; 32 is ready at
 * load, others need `await ensureBlake3OutputLength(n)` first (the same pattern as BLAKE2s key lengths).
 */
import { createBLAKE3, type IHasher } from 'hash-wasm';
import { InvalidArgumentError } from '../core/index.js';

export const BLAKE3_OUT_BYTES = 32;
export const BLAKE3_KEY_BYTES = 32;

/** Largest XOF length we prepare hashers for; bounds the per-length hasher cache. */
export const BLAKE3_MAX_OUT_BYTES = 1024;

interface Hashers {
  plain: IHasher;
  keyed: IHasher;
  /** The buffer the keyed hasher reads its key from on every init(); overwritten per call, zeroed after. */
  key: Uint8Array;
}
const byLength = new Map<number, Hashers>();

/** Prepares output length `outLen` (1..1024 bytes). 32 is ready at load. */
export async function ensureBlake3OutputLength(outLen: number): Promise<void> {
  checkOutLen(outLen);
  if (byLength.has(outLen)) return;
  const key = new Uint8Array(BLAKE3_KEY_BYTES);
  const [plain, keyed] = await Promise.all([createBLAKE3(outLen * 8), createBLAKE3(outLen * 8, key)]);
  if (!byLength.has(outLen)) byLength.set(outLen, { plain, keyed, key });
}

await ensureBlake3OutputLength(BLAKE3_OUT_BYTES);

/** BLAKE3 hash of `data`; `outLen` bytes of extended output (default 32). */
export function blake3(data: Uint8Array, outLen: number = BLAKE3_OUT_BYTES): Uint8Array {
  const h = hashers(outLen).plain;
  h.init();
  h.update(data);
  return h.digest('binary');
}

/** BLAKE3 keyed hash with a 32-byte key. */
export function blake3Keyed(key: Uint8Array, data: Uint8Array, outLen: number = BLAKE3_OUT_BYTES): Uint8Array {
  if (key.length !== BLAKE3_KEY_BYTES) throw new InvalidArgumentError(`BLAKE3 key must be 32 bytes, got ${key.length}`);
  const entry = hashers(outLen);
  entry.key.set(key);
  try {
    entry.keyed.init();
    entry.keyed.update(data);
    return entry.keyed.digest('binary');
  } finally {
    wipeKeyed(entry);
  }
}


function hashers(outLen: number): Hashers {
  const entry = byLength.get(outLen);
  if (entry === undefined) {
    checkOutLen(outLen);
    throw new InvalidArgumentError(`BLAKE3 output length ${outLen} not prepared; await ensureBlake3OutputLength(${outLen})`);
  }
  return entry;
}

function checkOutLen(outLen: number): void {
  if (!Number.isInteger(outLen) || outLen < 1 || outLen > BLAKE3_MAX_OUT_BYTES) {
    throw new InvalidArgumentError(`BLAKE3 output length must be 1..${BLAKE3_MAX_OUT_BYTES} bytes, got ${outLen}`);
  }
}


function wipeKeyed(entry: Hashers): void {
  entry.key.fill(0);
  entry.keyed.init(); // reloads the now-zero key into the wasm state
}
