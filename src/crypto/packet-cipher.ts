/**
 * Per-packet ChaCha20-Poly1305 for one session, in place and allocation-free: a `PacketSealer` (TX key, TX
 * counter) and a `PacketOpener` (RX key, replay window). A Net packet is `header(68) ‖ ciphertext ‖ tag(16)`:
 *
 * - nonce (header bytes 12..24) = `prefix:u32 LE ‖ counter:u64 LE`, prefix = the session's `lo ^ hi`;
 * - AAD = the 56-byte header image without the nonce and with hop_count zeroed (`writeAad`);
 * - `payload_len` (bytes 64..66) = ciphertext length without the tag.
 *
 * The opener never trusts the prefix on the wire: it rebuilds the nonce from its own session prefix and the wire
 * counter. It checks the replay window before and commits it only after the tag verified. Hot-path methods return
 * a {@link PacketStatus} and never throw; callers count drops. Heartbeats are packets with a 0-byte payload.
 */
import { CryptoError, DecodeError, ErrorCode, InvalidArgumentError, SAFE_COUNTER_LIMIT, readU16LE, readU32LE, writeU16LE, writeU32LE, type NetError } from '../core/index.js';
import { AAD_BYTES, HEADER_BYTES, NONCE_BYTES, NONCE_OFFSET, PAYLOAD_LEN_OFFSET, TAG_BYTES, writeAad } from '../wire/index.js';
import { aeadOpenInPlace, aeadSealInPlace } from './aead.js';
import { wipe } from './constant-time.js';
import { ReplayWindow } from './replay-window.js';

/** Outcome of `seal` / `open`. */
export const PacketStatus = {
  Ok: 0,
  /** The buffer is too small for header + payload + tag (seal), or the packet is under 84 bytes (open). */
  Short: 1,
  /** `payload_len` does not match the datagram length, or exceeds a u16 (seal). */
  Length: 2,
  /** The tag did not verify (wrong key, tampered header, counter, ciphertext or tag). */
  AuthFailed: 3,
  /** The counter was seen before or is older than the window. */
  Replay: 4,
  /** The counter is at or above 2^53 (seal: TX counter exhausted). */
  CounterLimit: 5,
} as const;
export type PacketStatus = (typeof PacketStatus)[keyof typeof PacketStatus];

/** Smallest Net packet: header and tag around an empty payload (a heartbeat). */
export const MIN_PACKET_BYTES = HEADER_BYTES + TAG_BYTES;
/** Default TX counter from which `needsRekey` is true (2^52: half the counter space). */
export const DEFAULT_REKEY_AFTER_PACKETS = 2 ** 52;

const COUNTER_OFFSET = NONCE_OFFSET + 4;
const U32 = 4294967296;

/** The typed error for a status, for API edges (`null` for `Ok`). */
export function packetStatusError(status: PacketStatus): NetError | null {
  switch (status) {
    case PacketStatus.Ok: return null;
    case PacketStatus.Short: return new DecodeError(ErrorCode.DecodeShort, 'packet too short');
    case PacketStatus.Length: return new DecodeError(ErrorCode.DecodeLength, 'payload_len does not match the packet');
    case PacketStatus.AuthFailed: return new CryptoError(ErrorCode.AuthFailed, 'packet authentication failed');
    case PacketStatus.Replay: return new CryptoError(ErrorCode.Replay, 'packet counter replayed or too old');
    case PacketStatus.CounterLimit: return new CryptoError(ErrorCode.CounterExhausted, 'packet counter at or above 2^53');
  }
}

/** The key material a sealer or opener needs (a `SessionKeys` fits). */
export interface PacketKey {
  readonly noncePrefix: number;
}

export interface PacketSealerOptions {
  /** TX counter from which `needsRekey` turns true (default 2^52). */
  rekeyAfterPackets?: number;
  /**
   * First TX counter (default 0). Only for a sealer that continues a counter sequence under the same key;
   * a counter must never be used twice with one key.
   */
  firstCounter?: number;
}

/**
 * The payload and tag views of the last packet buffer seen. A sender reuses one buffer, so its views are
 * built once instead of twice per packet (a subarray costs about as much as hashing the AAD).
 */
class PacketViews {
  private buf: Uint8Array | null = null;
  private start = -1;
  private end = -1;
  data: Uint8Array = new Uint8Array(0);
  tag: Uint8Array = new Uint8Array(0);

  /** Points `data` at `packet[start..end]` and `tag` at the 16 bytes after it. */
  at(packet: Uint8Array, start: number, end: number): this {
    if (packet !== this.buf || start !== this.start || end !== this.end) {
      this.buf = packet;
      this.start = start;
      this.end = end;
      this.data = packet.subarray(start, end);
      this.tag = packet.subarray(end, end + TAG_BYTES);
    }
    return this;
  }

  clear(): void {
    this.buf = null;
    this.data = this.tag = new Uint8Array(0);
  }
}

/** Seals packets in place under one TX key with a strictly increasing counter. */
export class PacketSealer {
  private readonly key = new Uint8Array(32);
  private readonly views = new PacketViews();
  private readonly nonce = new Uint8Array(NONCE_BYTES);
  private readonly aad = new Uint8Array(AAD_BYTES);
  private readonly prefix: number;
  private readonly rekeyAfter: number;
  private next: number;

  /** Copies `txKey`; the caller may wipe its own copy. */
  constructor(keys: PacketKey & { readonly txKey: Uint8Array }, options: PacketSealerOptions = {}) {
    checkKey(keys.txKey);
    this.key.set(keys.txKey);
    this.prefix = keys.noncePrefix >>> 0;
    writeU32LE(this.nonce, 0, this.prefix);
    this.rekeyAfter = options.rekeyAfterPackets ?? DEFAULT_REKEY_AFTER_PACKETS;
    this.next = options.firstCounter ?? 0;
    if (!Number.isSafeInteger(this.next) || this.next < 0) throw new InvalidArgumentError('firstCounter must be a safe non-negative integer');
    if (!(this.rekeyAfter > 0)) throw new InvalidArgumentError('rekeyAfterPackets must be positive');
  }

  /** The counter the next packet will carry. */
  get nextCounter(): number {
    return this.next;
  }

  /** True once the TX counter reached the rekey threshold: start a new handshake. */
  get needsRekey(): boolean {
    return this.next >= this.rekeyAfter;
  }

  /** True once no counter is left: `seal` returns `CounterLimit`. */
  get exhausted(): boolean {
    return this.next >= SAFE_COUNTER_LIMIT;
  }

  /**
   * Encrypts `payloadLen` bytes at `headerOffset + 68` in place and writes the tag after them. The header at
   * `headerOffset` must be encoded already; this writes its nonce and `payload_len` first, then computes the AAD.
   */
  seal(packet: Uint8Array, headerOffset: number, payloadLen: number): PacketStatus {
    if (payloadLen < 0 || payloadLen > 0xffff || (payloadLen | 0) !== payloadLen) return PacketStatus.Length;
    const p = headerOffset + HEADER_BYTES;
    if (headerOffset < 0 || p + payloadLen + TAG_BYTES > packet.length) return PacketStatus.Short;
    const n = this.next;
    if (n >= SAFE_COUNTER_LIMIT) return PacketStatus.CounterLimit;
    this.next = n + 1;
    const lo = n >>> 0;
    const hi = (n - lo) / U32;
    writeU32LE(this.nonce, 4, lo);
    writeU32LE(this.nonce, 8, hi);
    const o = headerOffset + NONCE_OFFSET;
    writeU32LE(packet, o, this.prefix);
    writeU32LE(packet, o + 4, lo);
    writeU32LE(packet, o + 8, hi);
    writeU16LE(packet, headerOffset + PAYLOAD_LEN_OFFSET, payloadLen);
    writeAad(packet, headerOffset, this.aad);
    const v = this.views.at(packet, p, p + payloadLen);
    aeadSealInPlace(this.key, this.nonce, this.aad, v.data, v.tag);
    return PacketStatus.Ok;
  }

  /** Wipes the key; every later `seal` fails authentication on the far side. */
  dispose(): void {
    wipe(this.key);
    this.views.clear();
    this.next = SAFE_COUNTER_LIMIT;
  }
}

export interface PacketOpenerOptions {
  /** Replay window size (default 2048). */
  replayWindow?: number;
}

/** Opens packets in place under one RX key, with a replay window. */
export class PacketOpener {
  private readonly key = new Uint8Array(32);
  private readonly nonce = new Uint8Array(NONCE_BYTES);
  private readonly aad = new Uint8Array(AAD_BYTES);
  private readonly window: ReplayWindow;
  private readonly views = new PacketViews();
  private counter = -1;
  private disposed = false;

  /** Copies `rxKey`; the caller may wipe its own copy. */
  constructor(keys: PacketKey & { readonly rxKey: Uint8Array }, options: PacketOpenerOptions = {}) {
    checkKey(keys.rxKey);
    this.key.set(keys.rxKey);
    writeU32LE(this.nonce, 0, keys.noncePrefix >>> 0);
    this.window = new ReplayWindow(options.replayWindow === undefined ? {} : { size: options.replayWindow });
  }

  /** The counter of the last packet `open` accepted (-1 before any). */
  get lastCounter(): number {
    return this.counter;
  }

  /** The highest counter accepted so far (0 before any). */
  get highestCounter(): number {
    return this.window.highest;
  }

  /**
   * Verifies and decrypts the Net packet of `length` bytes at `headerOffset` in place; on `Ok` the plaintext
   * is at `headerOffset + 68`, `payload_len` bytes long. On any other status nothing changes except,
   * after `AuthFailed`, the payload bytes are unspecified.
   */
  open(packet: Uint8Array, headerOffset: number, length: number): PacketStatus {
    if (this.disposed) return PacketStatus.AuthFailed;
    if (length < MIN_PACKET_BYTES || headerOffset < 0 || headerOffset + length > packet.length) return PacketStatus.Short;
    const payloadLen = readU16LE(packet, headerOffset + PAYLOAD_LEN_OFFSET);
    if (HEADER_BYTES + payloadLen + TAG_BYTES !== length) return PacketStatus.Length;
    const c = headerOffset + COUNTER_OFFSET;
    const hi = readU32LE(packet, c + 4);
    if (hi >= 0x20_0000) return PacketStatus.CounterLimit;
    const n = hi * U32 + readU32LE(packet, c);
    if (!this.window.check(n)) return PacketStatus.Replay;
    // Own prefix (bytes 0..4, set once) + the wire counter; the wire prefix is ignored.
    for (let i = 0; i < 8; i++) this.nonce[4 + i] = packet[c + i]!;
    writeAad(packet, headerOffset, this.aad);
    const p = headerOffset + HEADER_BYTES;
    const v = this.views.at(packet, p, p + payloadLen);
    if (!aeadOpenInPlace(this.key, this.nonce, this.aad, v.data, v.tag)) {
      return PacketStatus.AuthFailed;
    }
    this.window.commit(n);
    this.counter = n;
    return PacketStatus.Ok;
  }

  /** Wipes the key; every later `open` fails authentication. */
  dispose(): void {
    wipe(this.key);
    this.views.clear();
    this.disposed = true;
  }
}

function checkKey(k: Uint8Array): void {
  if (!(k instanceof Uint8Array) || k.length !== 32) throw new CryptoError(ErrorCode.BadKey, 'packet key must be 32 bytes');
}
