/**
 * `Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s` as two sans-I/O state machines (no I/O, no clock):
 *
 * ```
 * NKpsk0:  <- s
 *          ...
 *          -> psk, e, es      msg1 = e.pub(32) ‖ AEAD(payload)      (48 B empty; 56 B with a node_id)
 *          <- e, ee           msg2 = e.pub(32) ‖ AEAD(payload)      (48 B empty)
 * ```
 *
 * With a psk token, every `e` also does MixKey(e.pub). After the last message both sides read
 * `handshakeHash` (the only input to the mesh key schedule, see kdf.ts); the initiator also reads
 * `remoteStatic`. Any failure is terminal: the machine wipes its secrets and throws `HandshakeError`
 * (`ERR_HANDSHAKE_FAILED`); driving it out of order throws `ERR_HANDSHAKE_STATE`.
 */
import { InvalidArgumentError, copyBytes, utf8, writeU32LE } from '../core/index.js';
import {
  NoiseHandshake, Phase, checkKey, type NoiseCommonOptions, type NoiseComponents, NOISE_MESSAGE_OVERHEAD, NOISE_PROTOCOL_NAME,
} from './noise-handshake.js';
import { NoisePsk } from './noise-symmetric.js';
import { wipe } from './constant-time.js';
import { x25519, x25519PublicKey, X25519_BYTES } from './x25519.js';

export {
  NoiseHandshake, Phase, NOISE_PROTOCOL_NAME, NOISE_MESSAGE_OVERHEAD, NOISE_MAX_MESSAGE_BYTES, NOISE_PSK_BYTES,
  NOISE_DEFAULT_MAX_PAYLOAD_BYTES, type NoiseCommonOptions, type NoiseComponents,
} from './noise-handshake.js';

export const NET_PROLOGUE_BYTES = 32;
const NET_PROLOGUE_LABEL = utf8('net-handshake-v1');

/**
 * The NET prologue: `"net-handshake-v1" ‖ src_routing_id:u64 LE ‖ dst_routing_id:u64 LE`, where routing ids
 * are the 32-bit `node_id & 0xFFFFFFFF` widened to u64 and the initiator is the source.
 */
export function netPrologue(srcRoutingId: number, dstRoutingId: number): Uint8Array {
  checkU32(srcRoutingId, 'source routing id');
  checkU32(dstRoutingId, 'destination routing id');
  const out = new Uint8Array(NET_PROLOGUE_BYTES);
  out.set(NET_PROLOGUE_LABEL, 0);
  writeU32LE(out, 16, srcRoutingId); // bytes 20..24 stay zero
  writeU32LE(out, 24, dstRoutingId); // bytes 28..32 stay zero
  return out;
}

/**
 * Prepares the mesh PSK once (per mesh, not per handshake): saves four HMACs on each side of every handshake.
 * Pass the result as `psk`; `dispose()` it when the mesh closes.
 */
export function prepareNoisePsk(psk: Uint8Array): NoisePsk {
  return new NoisePsk(psk, NOISE_PROTOCOL_NAME);
}

export interface NoiseInitiatorOptions extends NoiseCommonOptions {
  /** The responder's static X25519 public key, known in advance. */
  responderStatic: Uint8Array;
}

export interface NoiseResponderOptions extends NoiseCommonOptions {
  /** The responder's static X25519 private key. Not copied, never wiped. */
  staticPrivateKey: Uint8Array;
  /** Its public key; computed from the private key when omitted (one scalar multiplication). */
  staticPublicKey?: Uint8Array;
}

/** The initiator: knows the responder's static public key; writes msg1, reads msg2. */
export class NoiseInitiator extends NoiseHandshake {
  private readonly rs: Uint8Array;

  constructor(components: NoiseComponents, options: NoiseInitiatorOptions) {
    super(components, options, options.responderStatic);
    this.rs = copyBytes(options.responderStatic);
  }

  /** The responder's static public key (a copy): the peer this handshake authenticated. */
  get remoteStatic(): Uint8Array {
    return this.rs.slice();
  }

  /** msg1 = `e ‖ AEAD(payload)`: psk, e, es. */
  writeMessage1(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
    const ss = this.expectPhase(Phase.Initial, 'writeMessage1');
    this.checkPayload(payload);
    ss.mixKeyAndHash(this.psk);
    const e = this.writeEphemeral(ss);
    this.mixDh(ss, this.ePriv!, this.rs);
    const c = ss.encryptAndHash(payload);
    const out = new Uint8Array(X25519_BYTES + c.length);
    out.set(e, 0);
    out.set(c, X25519_BYTES);
    this.phase = Phase.Middle;
    return out;
  }

  /** Reads msg2 (e, ee) and completes; returns its payload. `expectedPayloadBytes` pins the exact size. */
  readMessage2(msg: Uint8Array, expectedPayloadBytes?: number): Uint8Array {
    const ss = this.expectPhase(Phase.Middle, 'readMessage2');
    this.checkLength(msg, expectedPayloadBytes, 'msg2');
    const re = msg.subarray(0, X25519_BYTES);
    this.readEphemeral(ss, re);
    this.mixDh(ss, this.ePriv!, re);
    const payload = this.decrypt(ss, msg.subarray(X25519_BYTES), 'msg2');
    this.finish(ss);
    return payload;
  }

  /**
   * `readMessage2` that leaves the handshake exactly as it was when the message is not our msg2 (wrong length,
   * low-order key, failed authentication) and returns null. A responder that also dials us (simultaneous open)
   * sends a 48-byte msg1 that looks like a msg2: trying it here first costs one DH and spends nothing.
   */
  tryReadMessage2(msg: Uint8Array, expectedPayloadBytes?: number): Uint8Array | null {
    const ss = this.expectPhase(Phase.Middle, 'tryReadMessage2');
    const payloadLen = msg.length - NOISE_MESSAGE_OVERHEAD;
    const lengthOk = expectedPayloadBytes === undefined
      ? payloadLen >= 0 && payloadLen <= this.maxPayloadBytes
      : payloadLen === expectedPayloadBytes;
    if (!lengthOk) return null;
    const trial = ss.clone();
    const re = msg.subarray(0, X25519_BYTES);
    this.readEphemeral(trial, re);
    let dh: Uint8Array;
    try {
      dh = x25519(this.ePriv!, re);
    } catch {
      trial.wipeAll();
      return null;
    }
    trial.mixKey(dh);
    wipe(dh);
    const payload = trial.decryptAndHash(msg.subarray(X25519_BYTES));
    if (payload === null) {
      trial.wipeAll();
      return null;
    }
    ss.wipeAll();
    this.ss = trial;
    this.finish(trial);
    return payload;
  }
}

/** The responder: holds the static key pair; reads msg1, writes msg2. */
export class NoiseResponder extends NoiseHandshake {
  private readonly sPriv: Uint8Array;
  private re: Uint8Array | null = null;

  constructor(components: NoiseComponents, options: NoiseResponderOptions) {
    checkKey(options.staticPrivateKey, X25519_BYTES, 'static private key');
    super(components, options, options.staticPublicKey ?? x25519PublicKey(options.staticPrivateKey));
    this.sPriv = options.staticPrivateKey;
  }

  /** Reads msg1 (psk, e, es); returns its payload. `expectedPayloadBytes` pins the exact size (0 or 8). */
  readMessage1(msg: Uint8Array, expectedPayloadBytes?: number): Uint8Array {
    const ss = this.expectPhase(Phase.Initial, 'readMessage1');
    this.checkLength(msg, expectedPayloadBytes, 'msg1');
    ss.mixKeyAndHash(this.psk);
    const re = copyBytes(msg, 0, X25519_BYTES);
    this.re = re;
    this.readEphemeral(ss, re);
    this.mixDh(ss, this.sPriv, re);
    const payload = this.decrypt(ss, msg.subarray(X25519_BYTES), 'msg1');
    this.phase = Phase.Middle;
    return payload;
  }

  /** msg2 = `e ‖ AEAD(payload)`: e, ee. Completes the handshake. */
  writeMessage2(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
    const ss = this.expectPhase(Phase.Middle, 'writeMessage2');
    this.checkPayload(payload);
    const e = this.writeEphemeral(ss);
    this.mixDh(ss, this.ePriv!, this.re!);
    const c = ss.encryptAndHash(payload);
    const out = new Uint8Array(X25519_BYTES + c.length);
    out.set(e, 0);
    out.set(c, X25519_BYTES);
    this.finish(ss);
    return out;
  }

  protected override onFinish(): void {
    this.re = null;
  }
}

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new InvalidArgumentError(`${what} must be a u32, got ${v}`);
}

