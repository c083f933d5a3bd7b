/**
 * Stream credit grant (reference `StreamWindow`, subprotocol 0x0B00): `stream_id:u64 ‖ total_consumed:u64 ‖
 * ack_seq:u64`, 24 bytes, exact length. `total_consumed` is the receiver's absolute count of consumed stream
 * bytes, so a lost grant is healed by the next one; `ack_seq` is the receiver's next expected sequence (0 when
 * it tracks none). The codec accepts any u64: the consumer must check the values against what it sent.
 */
import { InvalidArgumentError, assertU64, readU32LE, u64FromWords, u64Hi, u64Lo, writeU32LE } from '../core/index.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { WireStatus, checkExactRange, throwIfNotOk } from './status.js';

/** Subprotocol id of credit grants (receiver → sender). */
export const SUBPROTOCOL_STREAM_WINDOW = 0x0b00;
/** Subprotocol id of retransmit requests (receiver → sender), {@link StreamNack}. */
export const SUBPROTOCOL_STREAM_NACK = 0x0b01;
/** Subprotocol id of a sender's give-up notice (sender → receiver), {@link StreamReset}. */
export const SUBPROTOCOL_STREAM_RESET = 0x0b02;
/** Subprotocol id of selective acknowledgements (receiver → sender), {@link StreamAckRanges}. */
export const SUBPROTOCOL_STREAM_ACK = 0x0b03;
/**
 * Header `stream_id` of stream control packets (u64::MAX as two words): the receiver dispatches them by
 * subprotocol id; the stream they concern is named inside the payload.
 */
export const CONTROL_STREAM_ID_WORD = 0xffff_ffff;

export const STREAM_WINDOW_BYTES = 24;

export const STREAM_WINDOW_LAYOUT: Layout = sequentialLayout([
  ['stream_id', 8],
  ['total_consumed', 8],
  ['ack_seq', 8],
]);

/** A reusable grant; u64s as two u32 words, bigint accessors for API edges. */
export class StreamWindow {
  streamLo = 0;
  streamHi = 0;
  consumedLo = 0;
  consumedHi = 0;
  ackLo = 0;
  ackHi = 0;

  static from(streamId: bigint, totalConsumed: bigint, ackSeq: bigint): StreamWindow {
    const w = new StreamWindow();
    w.streamId = streamId;
    w.totalConsumed = totalConsumed;
    w.ackSeq = ackSeq;
    return w;
  }

  get streamId(): bigint {
    return u64FromWords(this.streamLo, this.streamHi);
  }
  set streamId(v: bigint) {
    assertU64(v, 'streamId');
    this.streamLo = u64Lo(v);
    this.streamHi = u64Hi(v);
  }
  get totalConsumed(): bigint {
    return u64FromWords(this.consumedLo, this.consumedHi);
  }
  set totalConsumed(v: bigint) {
    assertU64(v, 'totalConsumed');
    this.consumedLo = u64Lo(v);
    this.consumedHi = u64Hi(v);
  }
  get ackSeq(): bigint {
    return u64FromWords(this.ackLo, this.ackHi);
  }
  set ackSeq(v: bigint) {
    assertU64(v, 'ackSeq');
    this.ackLo = u64Lo(v);
    this.ackHi = u64Hi(v);
  }
}

/** Decodes exactly 24 bytes at `bytes[offset..offset+length]` into `out` (SHORT/LONG otherwise). */
export function decodeStreamWindowInto(bytes: Uint8Array, offset: number, length: number, out: StreamWindow): WireStatus {
  const status = checkExactRange(bytes, offset, length, STREAM_WINDOW_BYTES);
  if (status !== WireStatus.OK) return status;
  out.streamLo = readU32LE(bytes, offset);
  out.streamHi = readU32LE(bytes, offset + 4);
  out.consumedLo = readU32LE(bytes, offset + 8);
  out.consumedHi = readU32LE(bytes, offset + 12);
  out.ackLo = readU32LE(bytes, offset + 16);
  out.ackHi = readU32LE(bytes, offset + 20);
  return WireStatus.OK;
}

/** Writes 24 bytes at `out[offset..]`: SHORT without room, VALUE for a word outside u32. */
export function encodeStreamWindowInto(w: StreamWindow, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < STREAM_WINDOW_BYTES) return WireStatus.SHORT;
  if (!isU32(w.streamLo) || !isU32(w.streamHi) || !isU32(w.consumedLo) || !isU32(w.consumedHi) || !isU32(w.ackLo) ||
    !isU32(w.ackHi)) {
    return WireStatus.VALUE;
  }
  writeU32LE(out, offset, w.streamLo);
  writeU32LE(out, offset + 4, w.streamHi);
  writeU32LE(out, offset + 8, w.consumedLo);
  writeU32LE(out, offset + 12, w.consumedHi);
  writeU32LE(out, offset + 16, w.ackLo);
  writeU32LE(out, offset + 20, w.ackHi);
  return WireStatus.OK;
}

/** Decodes a whole grant (exactly 24 bytes); throws DecodeError. */
export function decodeStreamWindow(bytes: Uint8Array): StreamWindow {
  const w = new StreamWindow();
  throwIfNotOk(decodeStreamWindowInto(bytes, 0, bytes.length, w), 'stream window');
  return w;
}

/** Encodes a grant into a new 24-byte array; throws InvalidArgumentError for bad words. */
export function encodeStreamWindow(w: StreamWindow): Uint8Array {
  const out = new Uint8Array(STREAM_WINDOW_BYTES);
  if (encodeStreamWindowInto(w, out, 0) !== WireStatus.OK) throw new InvalidArgumentError('stream window: bad field');
  return out;
}

function isU32(v: number): boolean {
  return v >>> 0 === v;
}
