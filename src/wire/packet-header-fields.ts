/**
 * The reusable, mutable packet header object. u64 fields live as two u32 words (`sessionLo`/`sessionHi`, ...)
 * so the hot path never creates a bigint; the bigint accessors (`sessionId`, ...) are for API edges. The nonce
 * is held as three u32 words (`noncePrefix`, `nonceCounterLo`, `nonceCounterHi`), which is lossless: on the wire
 * it is `prefix:u32 LE ‖ counter:u64 LE`.
 */
import { InvalidArgumentError, assertU64, u64FromWords, u64Hi, u64Lo, readU32LE, writeU32LE } from '../core/index.js';
import { NONCE_BYTES } from './constants.js';

/** Plain-object form of a header (bigint u64s), for construction and inspection at API edges. */
export interface PacketHeaderInit {
  flags: number;
  priority: number;
  hopTtl: number;
  hopCount: number;
  fragFlags: number;
  subprotocolId: number;
  channelHash: number;
  nonce: Uint8Array;
  sessionId: bigint;
  streamId: bigint;
  sequence: bigint;
  originHash: bigint;
  subnetId: number;
  fragmentId: number;
  fragmentOffset: number;
  payloadLen: number;
  eventCount: number;
}

/** A decoded (or to-be-encoded) 68-byte packet header. Magic and version are implied (`0x4E45`, 1). */
export class PacketHeader {
  flags = 0;
  priority = 0;
  hopTtl = 0;
  hopCount = 0;
  fragFlags = 0;
  subprotocolId = 0;
  channelHash = 0;
  noncePrefix = 0;
  nonceCounterLo = 0;
  nonceCounterHi = 0;
  sessionLo = 0;
  sessionHi = 0;
  streamLo = 0;
  streamHi = 0;
  sequenceLo = 0;
  sequenceHi = 0;
  originLo = 0;
  originHi = 0;
  subnetId = 0;
  fragmentId = 0;
  fragmentOffset = 0;
  payloadLen = 0;
  eventCount = 0;

  /** Builds a header from a partial plain object; absent fields are 0. Throws InvalidArgumentError on a bad u64. */
  static from(init: Partial<PacketHeaderInit>): PacketHeader {
    const h = new PacketHeader();
    h.flags = init.flags ?? 0;
    h.priority = init.priority ?? 0;
    h.hopTtl = init.hopTtl ?? 0;
    h.hopCount = init.hopCount ?? 0;
    h.fragFlags = init.fragFlags ?? 0;
    h.subprotocolId = init.subprotocolId ?? 0;
    h.channelHash = init.channelHash ?? 0;
    if (init.nonce !== undefined) h.nonce = init.nonce;
    h.sessionId = init.sessionId ?? 0n;
    h.streamId = init.streamId ?? 0n;
    h.sequence = init.sequence ?? 0n;
    h.originHash = init.originHash ?? 0n;
    h.subnetId = init.subnetId ?? 0;
    h.fragmentId = init.fragmentId ?? 0;
    h.fragmentOffset = init.fragmentOffset ?? 0;
    h.payloadLen = init.payloadLen ?? 0;
    h.eventCount = init.eventCount ?? 0;
    return h;
  }

  get sessionId(): bigint {
    return u64FromWords(this.sessionLo, this.sessionHi);
  }
  set sessionId(v: bigint) {
    assertU64(v, 'sessionId');
    this.sessionLo = u64Lo(v);
    this.sessionHi = u64Hi(v);
  }

  get streamId(): bigint {
    return u64FromWords(this.streamLo, this.streamHi);
  }
  set streamId(v: bigint) {
    assertU64(v, 'streamId');
    this.streamLo = u64Lo(v);
    this.streamHi = u64Hi(v);
  }

  get sequence(): bigint {
    return u64FromWords(this.sequenceLo, this.sequenceHi);
  }
  set sequence(v: bigint) {
    assertU64(v, 'sequence');
    this.sequenceLo = u64Lo(v);
    this.sequenceHi = u64Hi(v);
  }

  get originHash(): bigint {
    return u64FromWords(this.originLo, this.originHi);
  }
  set originHash(v: bigint) {
    assertU64(v, 'originHash');
    this.originLo = u64Lo(v);
    this.originHi = u64Hi(v);
  }

  /** The nonce counter (bytes 16..24) as a bigint. */
  get nonceCounter(): bigint {
    return u64FromWords(this.nonceCounterLo, this.nonceCounterHi);
  }
  set nonceCounter(v: bigint) {
    assertU64(v, 'nonceCounter');
    this.nonceCounterLo = u64Lo(v);
    this.nonceCounterHi = u64Hi(v);
  }

  /** A fresh copy of the 12 nonce bytes (API edge; the hot path uses the words). */
  get nonce(): Uint8Array {
    const n = new Uint8Array(NONCE_BYTES);
    writeU32LE(n, 0, this.noncePrefix);
    writeU32LE(n, 4, this.nonceCounterLo);
    writeU32LE(n, 8, this.nonceCounterHi);
    return n;
  }
  set nonce(n: Uint8Array) {
    if (!(n instanceof Uint8Array) || n.length !== NONCE_BYTES) throw new InvalidArgumentError('nonce must be 12 bytes');
    this.noncePrefix = readU32LE(n, 0);
    this.nonceCounterLo = readU32LE(n, 4);
    this.nonceCounterHi = readU32LE(n, 8);
  }

  /** Sets every field to 0; returns `this`. */
  reset(): this {
    return this.copyFrom(EMPTY);
  }

  /** Copies every field of `o` into `this`; returns `this`. Allocation-free. */
  copyFrom(o: PacketHeader): this {
    this.flags = o.flags;
    this.priority = o.priority;
    this.hopTtl = o.hopTtl;
    this.hopCount = o.hopCount;
    this.fragFlags = o.fragFlags;
    this.subprotocolId = o.subprotocolId;
    this.channelHash = o.channelHash;
    this.noncePrefix = o.noncePrefix;
    this.nonceCounterLo = o.nonceCounterLo;
    this.nonceCounterHi = o.nonceCounterHi;
    this.sessionLo = o.sessionLo;
    this.sessionHi = o.sessionHi;
    this.streamLo = o.streamLo;
    this.streamHi = o.streamHi;
    this.sequenceLo = o.sequenceLo;
    this.sequenceHi = o.sequenceHi;
    this.originLo = o.originLo;
    this.originHi = o.originHi;
    this.subnetId = o.subnetId;
    this.fragmentId = o.fragmentId;
    this.fragmentOffset = o.fragmentOffset;
    this.payloadLen = o.payloadLen;
    this.eventCount = o.eventCount;
    return this;
  }

  /** Plain-object form with bigint u64s and a copied nonce. */
  toInit(): PacketHeaderInit {
    return {
      flags: this.flags,
      priority: this.priority,
      hopTtl: this.hopTtl,
      hopCount: this.hopCount,
      fragFlags: this.fragFlags,
      subprotocolId: this.subprotocolId,
      channelHash: this.channelHash,
      nonce: this.nonce,
      sessionId: this.sessionId,
      streamId: this.streamId,
      sequence: this.sequence,
      originHash: this.originHash,
      subnetId: this.subnetId,
      fragmentId: this.fragmentId,
      fragmentOffset: this.fragmentOffset,
      payloadLen: this.payloadLen,
      eventCount: this.eventCount,
    };
  }
}

const EMPTY = new PacketHeader();
