/** X25519 (RFC 7748) over sodium-native. Low-order peer points, whose shared secret is all zero, are refused. */
import { CryptoError, ErrorCode } from '../core/index.js';
import { sodium } from './sodium.js';

export const X25519_BYTES = 32;

/** The public key of a 32-byte private scalar (clamped by libsodium). */
export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  checkLen(privateKey, 'private key');
  const pub = new Uint8Array(32);
  sodium.crypto_scalarmult_base(pub, privateKey);
  return pub;
}

/** The shared secret; throws `ERR_BAD_KEY` for low-order public keys (all-zero output, RFC 7748 §6.1). */
export function x25519(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  checkLen(privateKey, 'private key');
  checkLen(publicKey, 'public key');
  const out = new Uint8Array(32);
  try {
    sodium.crypto_scalarmult(out, privateKey, publicKey);
  } catch (cause) {
    throw new CryptoError(ErrorCode.BadKey, 'X25519 peer key is of low order', { cause });
  }
  return out;
}

function checkLen(k: Uint8Array, what: string): void {
  if (k.length !== X25519_BYTES) throw new CryptoError(ErrorCode.BadKey, `X25519 ${what} must be 32 bytes, got ${k.length}`);
}
