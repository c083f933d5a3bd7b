/**
 * The subset of sodium-native (libsodium) net-mesh uses, with types. The published @types package predates the
 * IETF ChaCha20-Poly1305 and X25519 bindings, so the signatures are declared here. sodium-native accepts any
 * Uint8Array view, so callers pass subarrays without copying.
 */
import { createRequire } from 'node:module';

type B = Uint8Array;

export interface Sodium {
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(c: B, mac: B, m: B, ad: B | null, nsec: null, npub: B, k: B): number;
  /** Throws when the tag does not verify. */
  crypto_aead_chacha20poly1305_ietf_decrypt_detached(m: B, nsec: null, c: B, mac: B, ad: B | null, npub: B, k: B): void;
  crypto_scalarmult(q: B, n: B, p: B): void;
  crypto_scalarmult_base(q: B, n: B): void;
  crypto_sign_seed_keypair(pk: B, sk: B, seed: B): void;
  crypto_sign_detached(sig: B, m: B, sk: B): void;
  crypto_sign_verify_detached(sig: B, m: B, pk: B): boolean;
  crypto_sign_ed25519_pk_to_curve25519(curvePk: B, edPk: B): void;
  crypto_sign_ed25519_sk_to_curve25519(curveSk: B, edSk: B): void;
  sodium_memcmp(a: B, b: B): boolean;
  sodium_memzero(b: B): void;
  randombytes_buf(b: B): void;
}

export const sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
