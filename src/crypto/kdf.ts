/**
 * The mesh key schedule (NET `into_session_keys`): packets are not keyed by Noise's Split() but by keys derived
 * from the handshake hash `h`:
 *
 * - `deriveKey(ikm, info)`: `PRK = BLAKE2s-MAC(key = ikm, "net-kdf-v1")`, `OKM = BLAKE2s-MAC(key = PRK, info)`;
 * - `session_id = u64 LE of h[0..8]`, nonce prefix = `lo32 ^ hi32` of it;
 * - initiator `tx = deriveKey(h, "initiator-tx")`, `rx = deriveKey(h, "initiator-rx")`; the responder swaps.
 */
import { InvalidArgumentError, readU32LE, u64FromWords, utf8 } from '../core/index.js';
import { blake2sMac } from './blake2s.js';
import { wipe } from './constant-time.js';

export const SESSION_KEY_BYTES = 32;
const KDF_SALT = utf8('net-kdf-v1');
const INITIATOR_TX = utf8('initiator-tx');
const INITIATOR_RX = utf8('initiator-rx');

/**
 * NET's two-step BLAKE2s-MAC KDF; returns 32 bytes. `ikm` is used as a BLAKE2s key, so its length must be one
 * blake2s.ts has prepared (32, the handshake hash, always is). The intermediate PRK is wiped.
 */
export function deriveKey(ikm: Uint8Array, info: Uint8Array): Uint8Array {
  const prk = blake2sMac(ikm, KDF_SALT);
  try {
    return blake2sMac(prk, info);
  } finally {
    wipe(prk);
  }
}

export type HandshakeRole = 'initiator' | 'responder';

/** A session's id, nonce prefix and packet keys for one side. Call `dispose()` to wipe the keys. */
export interface SessionKeys {
  /** Low u32 word of `session_id` (`h[0..4]` LE). */
  readonly sessionIdLo: number;
  /** High u32 word of `session_id` (`h[4..8]` LE). */
  readonly sessionIdHi: number;
  /** `session_id` as a u64. */
  readonly sessionId: bigint;
  /** `(lo ^ hi) >>> 0`: bytes 0..4 of every packet nonce (u32 LE). */
  readonly noncePrefix: number;
  /** Key this side seals with. */
  readonly txKey: Uint8Array;
  /** Key this side opens with. */
  readonly rxKey: Uint8Array;
  /** Zeroes both keys. */
  dispose(): void;
}

/** Derives one side's session keys from the 32-byte handshake hash. */
export function deriveSessionKeys(handshakeHash: Uint8Array, role: HandshakeRole): SessionKeys {
  if (!(handshakeHash instanceof Uint8Array) || handshakeHash.length !== 32) {
    throw new InvalidArgumentError('handshake hash must be 32 bytes');
  }
  if (role !== 'initiator' && role !== 'responder') throw new InvalidArgumentError(`unknown role: ${String(role)}`);
  const iTx = deriveKey(handshakeHash, INITIATOR_TX);
  const iRx = deriveKey(handshakeHash, INITIATOR_RX);
  const lo = readU32LE(handshakeHash, 0);
  const hi = readU32LE(handshakeHash, 4);
  const txKey = role === 'initiator' ? iTx : iRx;
  const rxKey = role === 'initiator' ? iRx : iTx;
  return {
    sessionIdLo: lo,
    sessionIdHi: hi,
    sessionId: u64FromWords(lo, hi),
    noncePrefix: (lo ^ hi) >>> 0,
    txKey,
    rxKey,
    dispose(): void {
      wipe(txKey);
      wipe(rxKey);
    },
  };
}
