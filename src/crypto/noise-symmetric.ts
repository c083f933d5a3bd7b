/**
 * Noise's CipherState and SymmetricState (Noise spec rev. 34, §5.1–5.2) for `25519_ChaChaPoly_BLAKE2s`:
 * HASH = BLAKE2s-256, HKDF on HMAC-BLAKE2s, ChaChaPoly nonce = 4 zero bytes ‖ u64 LE counter. Handshake use
 * only: every call allocates its (small) outputs, and secrets are wiped as soon as they are replaced.
 */
import { CryptoError, copyBytes, ErrorCode, InvalidArgumentError, SAFE_COUNTER_LIMIT, utf8, writeU32LE } from '../core/index.js';
import { aeadOpenInPlace, aeadSealInPlace, AEAD_TAG_BYTES } from './aead.js';
import { blake2s, hmacBlake2s } from './blake2s.js';
import { wipe } from './constant-time.js';

export const NOISE_HASH_BYTES = 32;
export const NOISE_KEY_BYTES = 32;
export const NOISE_TAG_BYTES = AEAD_TAG_BYTES;

const BYTE_1 = Uint8Array.of(0x01);
const BYTE_2 = Uint8Array.of(0x02);
const BYTE_3 = Uint8Array.of(0x03);
const EMPTY = new Uint8Array(0);

/**
 * Noise HKDF with 2 or 3 outputs: `temp = HMAC(ck, ikm)`, `o1 = HMAC(temp, 0x01)`, `o2 = HMAC(temp, o1 ‖ 0x02)`,
 * `o3 = HMAC(temp, o2 ‖ 0x03)`. The temporary key is wiped.
 */
export function noiseHkdf(chainingKey: Uint8Array, ikm: Uint8Array, outputs: 2 | 3): Uint8Array[] {
  const temp = hmacBlake2s(chainingKey, ikm);
  const o1 = hmacBlake2s(temp, BYTE_1);
  const o2 = hmacBlake2s(temp, o1, BYTE_2);
  if (outputs === 2) {
    wipe(temp);
    return [o1, o2];
  }
  const o3 = hmacBlake2s(temp, o2, BYTE_3);
  wipe(temp);
  return [o1, o2, o3];
}

/** A key and a nonce counter (Noise §5.1). Counters stop below 2^53 (never reached by a handshake). */
export class CipherState {
  private key: Uint8Array | null = null;
  private n = 0;
  private readonly nonce = new Uint8Array(12);

  /** Takes ownership of `key` (wiped on the next `initializeKey` or `wipe`). */
  initializeKey(key: Uint8Array | null): void {
    if (this.key !== null) wipe(this.key);
    this.key = key;
    this.n = 0;
  }

  hasKey(): boolean {
    return this.key !== null;
  }

  /** Becomes a copy of `other` (its own key bytes), wiping the key it held. */
  copyFrom(other: CipherState): void {
    this.initializeKey(other.key === null ? null : copyBytes(other.key));
    this.n = other.n;
  }

  /** The next nonce counter value. */
  get counter(): number {
    return this.n;
  }

  /** Returns `ciphertext ‖ tag`, or a copy of the plaintext when no key is set. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.key === null) return copyBytes(plaintext);
    this.nextNonce();
    const out = new Uint8Array(plaintext.length + NOISE_TAG_BYTES);
    out.set(plaintext);
    aeadSealInPlace(this.key, this.nonce, ad, out.subarray(0, plaintext.length), out.subarray(plaintext.length));
    return out;
  }

  /**
   * Returns the plaintext, or null when authentication fails (the nonce is not consumed then, as Noise
   * requires). `ciphertext` is not modified.
   */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    if (this.key === null) return copyBytes(ciphertext);
    if (ciphertext.length < NOISE_TAG_BYTES) return null;
    const n = ciphertext.length - NOISE_TAG_BYTES;
    const out = copyBytes(ciphertext, 0, n);
    this.setNonce(this.n);
    if (!aeadOpenInPlace(this.key, this.nonce, ad, out, ciphertext.subarray(n))) {
      wipe(out);
      return null;
    }
    this.n++;
    return out;
  }

  /** Wipes the key; the state is then keyless. */
  wipe(): void {
    this.initializeKey(null);
    this.nonce.fill(0);
  }

  private nextNonce(): void {
    this.setNonce(this.n);
    this.n++;
  }

  private setNonce(n: number): void {
    if (n >= SAFE_COUNTER_LIMIT) throw new CryptoError(ErrorCode.CounterExhausted, 'Noise nonce counter exhausted');
    // bytes 0..4 stay zero; u64 LE counter in 4..12
    writeU32LE(this.nonce, 4, n >>> 0);
    writeU32LE(this.nonce, 8, Math.floor(n / 4294967296));
  }
}

const initialHashes = new Map<string, Uint8Array>();

/** `h` for a protocol name: the name zero-padded to 32 bytes, or its BLAKE2s hash when longer. Cached. */
function initialHash(protocolName: string): Uint8Array {
  let h = initialHashes.get(protocolName);
  if (h === undefined) {
    const name = utf8(protocolName);
    if (name.length <= NOISE_HASH_BYTES) {
      h = new Uint8Array(NOISE_HASH_BYTES);
      h.set(name);
    } else {
      h = blake2s(name);
    }
    initialHashes.set(protocolName, h);
  }
  return h;
}

/**
 * A PSK prepared for psk0 patterns: when `psk` is the first token, `MixKeyAndHash(psk)` runs on the initial
 * chaining key, so its three HKDF outputs depend only on the protocol name and the PSK. Preparing them once
 * saves four HMACs per handshake side. Holds secrets: `dispose()` wipes them.
 */
export class NoisePsk {
  /** `[ck, temp_h, temp_k]` of HKDF(initial ck, psk). */
  private readonly outputs: Uint8Array[];
  readonly protocolName: string;

  constructor(psk: Uint8Array, protocolName: string) {
    if (!(psk instanceof Uint8Array) || psk.length !== NOISE_KEY_BYTES) throw new InvalidArgumentError('PSK must be 32 bytes');
    this.protocolName = protocolName;
    this.outputs = noiseHkdf(initialHash(protocolName), psk, 3);
  }

  private disposed = false;

  /** @internal The prepared HKDF outputs (not copies). */
  hkdfOutputs(): readonly Uint8Array[] {
    if (this.disposed) throw new InvalidArgumentError('prepared PSK was disposed');
    return this.outputs;
  }

  dispose(): void {
    for (const o of this.outputs) wipe(o);
    this.disposed = true;
  }
}

/** The chaining key, handshake hash and cipher state of a handshake (Noise §5.2). */
export class SymmetricState {
  private ck: Uint8Array;
  private h: Uint8Array;
  private readonly cipher = new CipherState();
  private readonly protocolName: string;
  private ckInitial = true;

  /** InitializeSymmetric(protocol_name). */
  constructor(protocolName: string) {
    const h0 = initialHash(protocolName);
    this.protocolName = protocolName;
    this.h = h0.slice();
    this.ck = h0.slice();
  }

  /** An independent copy (keys included), for a trial that must leave this state untouched when it fails. */
  clone(): SymmetricState {
    const c = new SymmetricState(this.protocolName);
    c.h = this.h.slice();
    c.ck = this.ck.slice();
    c.ckInitial = this.ckInitial;
    c.cipher.copyFrom(this.cipher);
    return c;
  }

  /** A copy of the current handshake hash. */
  handshakeHash(): Uint8Array {
    return this.h.slice();
  }

  mixHash(data: Uint8Array): void {
    this.h = blake2s(this.h, data);
  }

  mixKey(ikm: Uint8Array): void {
    this.ckInitial = false;
    const [ck, k] = noiseHkdf(this.ck, ikm, 2) as [Uint8Array, Uint8Array];
    wipe(this.ck);
    this.ck = ck;
    this.cipher.initializeKey(k);
  }

  /** MixKeyAndHash(psk); a {@link NoisePsk} (valid only while the chaining key is the initial one) skips the HKDF. */
  mixKeyAndHash(ikm: Uint8Array | NoisePsk): void {
    let outs: Uint8Array[];
    if (ikm instanceof NoisePsk) {
      if (!this.ckInitial || ikm.protocolName !== this.protocolName) {
        throw new InvalidArgumentError('a prepared PSK works only as the first key token of its protocol');
      }
      outs = ikm.hkdfOutputs().map((o) => o.slice());
    } else {
      outs = noiseHkdf(this.ck, ikm, 3);
    }
    this.ckInitial = false;
    const [ck, th, k] = outs as [Uint8Array, Uint8Array, Uint8Array];
    wipe(this.ck);
    this.ck = ck;
    this.mixHash(th);
    wipe(th);
    this.cipher.initializeKey(k);
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const c = this.cipher.encryptWithAd(this.h, plaintext);
    this.mixHash(c);
    return c;
  }

  /** Returns null when authentication fails; `h` is unchanged then. */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array | null {
    const p = this.cipher.decryptWithAd(this.h, ciphertext);
    if (p === null) return null;
    this.mixHash(ciphertext);
    return p;
  }

  /** Split(): the two transport cipher states (initiator → responder first). Wipes the chaining key. */
  split(): [CipherState, CipherState] {
    const [k1, k2] = noiseHkdf(this.ck, EMPTY, 2) as [Uint8Array, Uint8Array];
    const c1 = new CipherState();
    const c2 = new CipherState();
    c1.initializeKey(k1);
    c2.initializeKey(k2);
    this.wipeKeys();
    return [c1, c2];
  }

  /** Wipes the chaining key and the cipher key; `h` (public after the handshake) is kept. */
  wipeKeys(): void {
    wipe(this.ck);
    this.cipher.wipe();
  }

  /** Wipes everything, `h` included. */
  wipeAll(): void {
    this.wipeKeys();
    wipe(this.h);
  }
}
