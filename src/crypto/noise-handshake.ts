/**
 * The part of `Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s` both roles share (see noise.ts for the pattern): options,
 * the symmetric state, the ephemeral key, the phase and the outcome. Any failure is terminal: secrets are wiped
 * and `HandshakeError` (`ERR_HANDSHAKE_FAILED`) is thrown; driving a machine out of order throws
 * `ERR_HANDSHAKE_STATE`.
 */
import { HandshakeError, copyBytes, InvalidArgumentError, ErrorCode, type Random } from '../core/index.js';
import { wipe } from './constant-time.js';
import { NOISE_TAG_BYTES, NoisePsk, SymmetricState, type CipherState } from './noise-symmetric.js';
import { x25519, x25519PublicKey, X25519_BYTES } from './x25519.js';

export const NOISE_PROTOCOL_NAME = 'Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s';
/** Bytes a handshake message adds to its payload: the ephemeral key and the AEAD tag. */
export const NOISE_MESSAGE_OVERHEAD = X25519_BYTES + NOISE_TAG_BYTES;
/** Noise's message size limit. */
export const NOISE_MAX_MESSAGE_BYTES = 65535;
export const NOISE_PSK_BYTES = 32;
/** Default cap on a received payload: the mesh sends 0 (direct) or 8 (routed: the initiator's node_id). */
export const NOISE_DEFAULT_MAX_PAYLOAD_BYTES = 8;

export interface NoiseComponents {
  /** Source of ephemeral private keys. */
  random: Random;
}

export interface NoiseCommonOptions {
  /**
   * The mesh-wide 32-byte pre-shared key (mixed at position 0), raw or prepared by {@link prepareNoisePsk}
   * (faster). Not copied, never wiped.
   */
  psk: Uint8Array | NoisePsk;
  /** Bound into `h` before the first message; see {@link netPrologue}. */
  prologue: Uint8Array;
  /** Fixed ephemeral private key, for known-answer tests only; copied, the copy is wiped. */
  ephemeralPrivateKey?: Uint8Array;
  /** Largest payload accepted in the message this side reads (default 8). */
  maxPayloadBytes?: number;
  /** Keep the chaining key after the handshake so that {@link NoiseHandshake.split} works (default false). */
  allowSplit?: boolean;
}

/** @internal Handshake progress, shared with the role classes. */
export const Phase = { Initial: 0, Middle: 1, Done: 2, Failed: 3, Disposed: 4 } as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** What both roles share: the symmetric state, the ephemeral key, the phase and the outcome. */
export abstract class NoiseHandshake {
  protected phase: Phase = Phase.Initial;
  protected ss: SymmetricState | null;
  protected ePriv: Uint8Array | null = null;
  private finalHash: Uint8Array | null = null;
  protected readonly psk: Uint8Array | NoisePsk;
  protected readonly maxPayloadBytes: number;
  private readonly allowSplit: boolean;
  private readonly random: Random;
  private readonly fixedEphemeral: Uint8Array | null;

  protected constructor(components: NoiseComponents, options: NoiseCommonOptions, responderStatic: Uint8Array) {
    if (options.psk instanceof NoisePsk) {
      if (options.psk.protocolName !== NOISE_PROTOCOL_NAME) throw new InvalidArgumentError('PSK prepared for another protocol');
    } else {
      checkKey(options.psk, NOISE_PSK_BYTES, 'PSK');
    }
    checkKey(responderStatic, X25519_BYTES, 'responder static public key');
    if (!(options.prologue instanceof Uint8Array)) throw new InvalidArgumentError('prologue must be a Uint8Array');
    const max = options.maxPayloadBytes ?? NOISE_DEFAULT_MAX_PAYLOAD_BYTES;
    if (!Number.isInteger(max) || max < 0 || max > NOISE_MAX_MESSAGE_BYTES - NOISE_MESSAGE_OVERHEAD) {
      throw new InvalidArgumentError(`maxPayloadBytes out of range: ${max}`);
    }
    if (options.ephemeralPrivateKey !== undefined) checkKey(options.ephemeralPrivateKey, X25519_BYTES, 'ephemeral private key');
    this.random = components.random;
    this.psk = options.psk;
    this.maxPayloadBytes = max;
    this.allowSplit = options.allowSplit ?? false;
    this.fixedEphemeral = (options.ephemeralPrivateKey === undefined ? null : copyBytes(options.ephemeralPrivateKey));
    this.ss = new SymmetricState(NOISE_PROTOCOL_NAME);
    this.ss.mixHash(options.prologue);
    this.ss.mixHash(responderStatic); // pre-message `<- s`
  }

  /** True once the last message was written or read successfully. */
  get isComplete(): boolean {
    return this.phase === Phase.Done;
  }

  /** The 32-byte handshake hash `h` (a copy), identical on both sides. Only after completion. */
  get handshakeHash(): Uint8Array {
    if (this.phase !== Phase.Done || this.finalHash === null) throw stateError('handshake hash before completion');
    return this.finalHash.slice();
  }

  /**
   * Noise Split(): `[initiator→responder, responder→initiator]` transport cipher states. Needs
   * `allowSplit: true`; callable once. The mesh does not use these (packets use kdf.ts keys).
   */
  split(): [CipherState, CipherState] {
    if (this.phase !== Phase.Done || this.ss === null) throw stateError('split needs a completed handshake with allowSplit');
    const pair = this.ss.split();
    this.ss = null;
    return pair;
  }

  /** Wipes every secret and the hash; the machine is unusable afterwards. */
  dispose(): void {
    this.wipeSecrets();
    if (this.finalHash !== null) wipe(this.finalHash);
    this.finalHash = null;
    this.phase = Phase.Disposed;
  }

  protected expectPhase(p: Phase, what: string): SymmetricState {
    if (this.phase !== p || this.ss === null) throw stateError(`${what} called out of order`);
    return this.ss;
  }

  /** Checks a received message's length before anything is allocated from it. */
  protected checkLength(msg: Uint8Array, expectedPayloadBytes: number | undefined, what: string): void {
    if (!(msg instanceof Uint8Array)) this.fail(`${what} is not bytes`);
    const payload = msg.length - NOISE_MESSAGE_OVERHEAD;
    const ok = expectedPayloadBytes === undefined
      ? payload >= 0 && payload <= this.maxPayloadBytes
      : payload === expectedPayloadBytes;
    if (!ok) this.fail(`${what} has the wrong length (${msg.length} bytes)`);
  }

  protected checkPayload(payload: Uint8Array): void {
    if (!(payload instanceof Uint8Array) || payload.length > NOISE_MAX_MESSAGE_BYTES - NOISE_MESSAGE_OVERHEAD) {
      throw new InvalidArgumentError('handshake payload must be bytes and fit a 65535-byte message');
    }
  }

  /** e token (psk mode): generate or take the ephemeral key, MixHash(e.pub) and MixKey(e.pub). */
  protected writeEphemeral(ss: SymmetricState): Uint8Array {
    const priv = this.fixedEphemeral ?? new Uint8Array(X25519_BYTES);
    if (this.fixedEphemeral === null) this.random.fill(priv);
    this.ePriv = priv;
    const pub = x25519PublicKey(priv);
    ss.mixHash(pub);
    ss.mixKey(pub);
    return pub;
  }

  /** re token (psk mode). */
  protected readEphemeral(ss: SymmetricState, re: Uint8Array): void {
    ss.mixHash(re);
    ss.mixKey(re);
  }

  /** MixKey(DH(priv, pub)); a low-order `pub` fails the handshake. */
  protected mixDh(ss: SymmetricState, priv: Uint8Array, pub: Uint8Array): void {
    let dh: Uint8Array;
    try {
      dh = x25519(priv, pub);
    } catch (cause) {
      this.fail('peer ephemeral key is of low order', cause);
    }
    ss.mixKey(dh);
    wipe(dh);
  }

  protected decrypt(ss: SymmetricState, ciphertext: Uint8Array, what: string): Uint8Array {
    const p = ss.decryptAndHash(ciphertext);
    if (p === null) this.fail(`${what} failed authentication`);
    return p;
  }

  protected finish(ss: SymmetricState): void {
    this.finalHash = ss.handshakeHash();
    if (this.ePriv !== null) wipe(this.ePriv);
    this.ePriv = null;
    if (!this.allowSplit) {
      ss.wipeKeys();
      this.ss = null;
    }
    this.onFinish();
    this.phase = Phase.Done;
  }

  protected onFinish(): void {}

  protected wipeSecrets(): void {
    if (this.ePriv !== null) wipe(this.ePriv);
    if (this.fixedEphemeral !== null) wipe(this.fixedEphemeral);
    this.ePriv = null;
    this.ss?.wipeAll();
    this.ss = null;
  }

  protected fail(message: string, cause?: unknown): never {
    this.wipeSecrets();
    this.phase = Phase.Failed;
    throw new HandshakeError(ErrorCode.HandshakeFailed, message, cause === undefined ? undefined : { cause });
  }
}


export function checkKey(k: Uint8Array, len: number, what: string): void {
  if (!(k instanceof Uint8Array) || k.length !== len) {
    throw new InvalidArgumentError(`${what} must be ${len} bytes`);
  }
}


function stateError(message: string): HandshakeError {
  return new HandshakeError(ErrorCode.HandshakeState, message);
}

