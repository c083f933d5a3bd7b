/**
 * A node's identity: one 32-byte ed25519 seed, from which everything else derives.
 *
 * - `nodeId` = u64 LE of BLAKE2s-MAC-256(key = "net-node-id-v1", msg = public key)[0..8] and
 *   `originHash` = the same with key "net-origin-v1" (reference `identity/entity.rs`: the label is the MAC key,
 *   the public key the message). `routingId` = nodeId & 0xFFFFFFFF, the 32-bit projection in routing headers
 *   and handshake prologues.
 * - The Noise static X25519 key pair is derived from the same seed with libsodium's ed25519 → curve25519
 *   conversion (DESIGN.md §5; the reference generates a fresh one per process instead), so one identity file
 *   gives a stable Noise public key across restarts.
 */
import { inspect } from 'node:util';
import {
  ClosedError, CryptoError, copyBytes, CryptoRandom, ErrorCode, readU32LE, toHex, u64FromWords, utf8, type Random,
} from '../core/index.js';
import { blake2sMac } from './blake2s.js';
import { constantTimeEqual, wipe } from './constant-time.js';
import {
  ED25519_PUBLIC_KEY_BYTES, ED25519_SEED_BYTES, ed25519KeyPairFromSeed, ed25519Sign, ed25519VerifyStrict,
} from './ed25519.js';
import { sodium } from './sodium.js';
import { X25519_BYTES, x25519PublicKey } from './x25519.js';

const NODE_ID_KEY = utf8('net-node-id-v1');
const ORIGIN_KEY = utf8('net-origin-v1');

/** The low and high u32 words of the first 8 bytes (LE) of BLAKE2s-MAC(label, publicKey). */
function labelWords(label: Uint8Array, publicKey: Uint8Array): [lo: number, hi: number] {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new CryptoError(ErrorCode.BadKey, `ed25519 public key must be ${ED25519_PUBLIC_KEY_BYTES} bytes`);
  }
  const mac = blake2sMac(label, publicKey);
  return [readU32LE(mac, 0), readU32LE(mac, 4)];
}

/** The node id of an ed25519 public key. */
export function deriveNodeId(publicKey: Uint8Array): bigint {
  const [lo, hi] = labelWords(NODE_ID_KEY, publicKey);
  return u64FromWords(lo, hi);
}

/** The origin hash of an ed25519 public key. */
export function deriveOriginHash(publicKey: Uint8Array): bigint {
  const [lo, hi] = labelWords(ORIGIN_KEY, publicKey);
  return u64FromWords(lo, hi);
}

export class Identity {
  /** ed25519 public key (32 bytes); also the reference's `EntityId`. */
  readonly publicKey: Uint8Array;
  readonly nodeId: bigint;
  readonly nodeIdLo: number;
  readonly nodeIdHi: number;
  readonly originHash: bigint;
  readonly originHashLo: number;
  readonly originHashHi: number;
  /** `nodeId & 0xFFFFFFFF`, as carried in routing headers and handshake prologues. */
  readonly routingId: number;
  /** The Noise static X25519 public key derived from the seed. */
  readonly staticPublicKey: Uint8Array;

  readonly #seed: Uint8Array;
  readonly #secretKey: Uint8Array;
  readonly #staticPrivateKey: Uint8Array;
  #disposed = false;

  private constructor(seed: Uint8Array) {
    this.#seed = seed;
    const { publicKey, secretKey } = ed25519KeyPairFromSeed(seed);
    this.publicKey = publicKey;
    this.#secretKey = secretKey;
    [this.nodeIdLo, this.nodeIdHi] = labelWords(NODE_ID_KEY, publicKey);
    [this.originHashLo, this.originHashHi] = labelWords(ORIGIN_KEY, publicKey);
    this.nodeId = u64FromWords(this.nodeIdLo, this.nodeIdHi);
    this.originHash = u64FromWords(this.originHashLo, this.originHashHi);
    this.routingId = this.nodeIdLo;

    this.#staticPrivateKey = new Uint8Array(X25519_BYTES);
    this.staticPublicKey = new Uint8Array(X25519_BYTES);
    sodium.crypto_sign_ed25519_sk_to_curve25519(this.#staticPrivateKey, secretKey);
    sodium.crypto_sign_ed25519_pk_to_curve25519(this.staticPublicKey, publicKey);
    // The two conversions must describe one key pair; a mismatch would make every handshake fail obscurely.
    const check = x25519PublicKey(this.#staticPrivateKey);
    const agree = constantTimeEqual(check, this.staticPublicKey);
    wipe(check);
    if (!agree) {
      this.dispose();
      throw new CryptoError(ErrorCode.BadKey, 'derived X25519 static key pair is inconsistent');
    }
  }

  /** A new identity from `random` (operating-system randomness by default). */
  static generate(random: Random = new CryptoRandom()): Identity {
    const seed = new Uint8Array(ED25519_SEED_BYTES);
    random.fill(seed);
    return new Identity(seed);
  }

  /** The identity of a 32-byte seed. The seed is copied; the caller may wipe its own buffer. */
  static fromSeed(seed: Uint8Array): Identity {
    if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_BYTES) {
      throw new CryptoError(ErrorCode.BadKey, `identity seed must be ${ED25519_SEED_BYTES} bytes`);
    }
    return new Identity(copyBytes(seed));
  }

  /** The Noise static X25519 private key. Returns the live buffer: do not keep or modify it. */
  get staticPrivateKey(): Uint8Array {
    this.#assertLive();
    return this.#staticPrivateKey;
  }

  /** A copy of the 32-byte seed, for saving; the caller wipes it. */
  exportSeed(): Uint8Array {
    this.#assertLive();
    return this.#seed.slice();
  }

  /** ed25519 signature of `message` (64 bytes, deterministic). */
  sign(message: Uint8Array): Uint8Array {
    this.#assertLive();
    return ed25519Sign(this.#secretKey, message);
  }

  /** Strict verification of a signature by this identity. Never throws. */
  verify(message: Uint8Array, signature: Uint8Array): boolean {
    return ed25519VerifyStrict(this.publicKey, message, signature);
  }

  /** True when `publicKey` derives `nodeId`: the check behind a peer's identity proof. */
  static publicKeyMatchesNodeId(publicKey: Uint8Array, nodeId: bigint): boolean {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
    return deriveNodeId(publicKey) === nodeId;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Wipes the seed and private keys. Public values stay readable; signing afterwards throws. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    wipe(this.#seed);
    wipe(this.#secretKey);
    wipe(this.#staticPrivateKey);
  }

  /** Logs and errors show public values only. */
  [inspect.custom](): string {
    return `Identity { nodeId: 0x${this.nodeId.toString(16).padStart(16, '0')}, disposed: ${this.#disposed} }`;
  }

  /** Public values only; the node id as 16 hex digits (JSON has no u64). */
  toJSON(): { nodeId: string; publicKey: string } {
    return { nodeId: this.nodeId.toString(16).padStart(16, '0'), publicKey: toHex(this.publicKey) };
  }

  #assertLive(): void {
    if (this.#disposed) throw new ClosedError('identity has been disposed');
  }
}
