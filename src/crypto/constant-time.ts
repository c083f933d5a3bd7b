/** Constant-time comparison and wiping for secrets (libsodium's sodium_memcmp / sodium_memzero). */
import { sodium } from './sodium.js';

/** True when `a` and `b` are equal; time depends only on the length. Different lengths are unequal. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return sodium.sodium_memcmp(a, b);
}

/** Overwrites a secret with zeros in a way the compiler cannot elide. */
export function wipe(secret: Uint8Array): void {
  sodium.sodium_memzero(secret);
}
