/**
 * ChaCha20-Poly1305 (IETF, 96-bit nonce, RFC 8439) over sodium-native, detached and in place: the hot path
 * passes subarray views of one datagram buffer and allocates nothing.
 */
import { CryptoError, ErrorCode } from '../core/index.js';
import { sodium } from './sodium.js';

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;

/** Encrypts `data` in place and writes the 16-byte tag to `tag`. */
export function aeadSealInPlace(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | null, data: Uint8Array, tag: Uint8Array): void {
  sodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(data, tag, data, aad, null, nonce, key);
}

/**
 * Verifies `tag` and decrypts `data` in place. Returns false (leaving `data` unspecified) when authentication
 * fails; never throws for bad input of the right sizes.
 */
export function aeadOpenInPlace(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | null, data: Uint8Array, tag: Uint8Array): boolean {
  try {
    sodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(data, null, data, tag, aad, nonce, key);
    return true;
  } catch {
    return false;
  }
}

/** Allocating seal for API edges and tests: returns `ciphertext ‖ tag`. */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | null, plaintext: Uint8Array): Uint8Array {
  checkSizes(key, nonce);
  const out = new Uint8Array(plaintext.length + AEAD_TAG_BYTES);
  out.set(plaintext);
  aeadSealInPlace(key, nonce, aad, out.subarray(0, plaintext.length), out.subarray(plaintext.length));
  return out;
}

/** Allocating open for API edges and tests: `sealed = ciphertext ‖ tag`. Throws `ERR_AUTH_FAILED`. */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | null, sealed: Uint8Array): Uint8Array {
  checkSizes(key, nonce);
  if (sealed.length < AEAD_TAG_BYTES) throw new CryptoError(ErrorCode.AuthFailed, 'sealed data shorter than the tag');
  const n = sealed.length - AEAD_TAG_BYTES;
  const out = sealed.slice(0, n);
  if (!aeadOpenInPlace(key, nonce, aad, out, sealed.subarray(n))) {
    throw new CryptoError(ErrorCode.AuthFailed, 'authentication failed');
  }
  return out;
}

function checkSizes(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== AEAD_KEY_BYTES) throw new CryptoError(ErrorCode.BadKey, `AEAD key must be 32 bytes, got ${key.length}`);
  if (nonce.length !== AEAD_NONCE_BYTES) throw new CryptoError(ErrorCode.BadKey, `AEAD nonce must be 12 bytes, got ${nonce.length}`);
}
