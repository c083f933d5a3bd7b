/**
 * Ed25519 over sodium-native (libsodium). Verification is libsodium's, which is strict in the sense of
 * ed25519-dalek's `verify_strict` that the reference uses: it rejects S >= L, non-canonical and small-order A and R
 * (it accepts exactly the 43 of 914 CCTV vectors strict verification expects). There is deliberately no fallback:
 * node:crypto (OpenSSL) accepts 208 of them, so a fallback would silently widen what a peer may sign.
 */
import { CryptoError, ErrorCode } from '../core/index.js';
import { sodium } from './sodium.js';

export const ED25519_SEED_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
/** libsodium's secret key: seed ‖ public key. */
export const ED25519_SECRET_KEY_BYTES = 64;
export const ED25519_SIGNATURE_BYTES = 64;

export interface Ed25519KeyPair {
  readonly publicKey: Uint8Array;
  /** 64 bytes (seed ‖ public key); wipe it when done. */
  readonly secretKey: Uint8Array;
}

/** The key pair of a 32-byte seed (RFC 8032 "secret key"). Deterministic. */
export function ed25519KeyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_BYTES) {
    throw new CryptoError(ErrorCode.BadKey, `ed25519 seed must be ${ED25519_SEED_BYTES} bytes`);
  }
  const publicKey = new Uint8Array(ED25519_PUBLIC_KEY_BYTES);
  const secretKey = new Uint8Array(ED25519_SECRET_KEY_BYTES);
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed);
  return { publicKey, secretKey };
}

/** A deterministic 64-byte signature of `message` by the 64-byte `secretKey`. */
export function ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== ED25519_SECRET_KEY_BYTES) {
    throw new CryptoError(ErrorCode.BadKey, `ed25519 secret key must be ${ED25519_SECRET_KEY_BYTES} bytes`);
  }
  const sig = new Uint8Array(ED25519_SIGNATURE_BYTES);
  sodium.crypto_sign_detached(sig, message, secretKey);
  return sig;
}

/**
 * Strict verification. Returns false, never throws, for anything that is not a valid signature: wrong sizes,
 * non-Uint8Array arguments, non-canonical or small-order points, S >= L. Callers on the wire path pass
 * attacker-controlled slices, so a throw here would be a crash vector.
 */
export function ed25519VerifyStrict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  if (!(message instanceof Uint8Array)) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}
