/** Constant-time comparison (libsodium's sodium_memcmp) and wiping for secrets. */
import { sodium } from './sodium.js';

/** True when `a` and `b` are equal; time depends only on the length. Different lengths are unequal. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return sodium.sodium_memcmp(a, b);
}

/**
 * Overwrites a secret with zeros. A plain `fill(0)`: V8 does not elide stores to a typed array that other code
 * can still reach, and it costs a fraction of a native sodium_memzero call on the 32-byte keys of the hot path.
 */
export function wipe(secret: Uint8Array): void {
  secret.fill(0);
}
