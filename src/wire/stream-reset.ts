/**
 * Stream reset (reference `StreamReset`, subprotocol 0x0B02): `stream_id:u64`, 8 bytes, exact length. The sender
 * gave up retransmitting on that stream; the receiver fails it now instead of waiting for a timeout.
 */
import { InvalidArgumentError, assertU64, readU32LE, u64FromWords, u64Hi, u64Lo, writeU32LE } from '../core/index.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { WireStatus, checkExactRange, throwIfNotOk } from './status.js';

export const STREAM_RESET_BYTES = 8;

export const STREAM_RESET_LAYOUT: Layout = sequentialLayout([['stream_id', 8]]);

/** A reusable reset; the stream id as two u32 words, a bigint accessor for API edges. */
export class StreamReset {
  streamLo = 0;
  streamHi = 0;

  static from(streamId: bigint): StreamReset {
    const r = new StreamReset();
    r.streamId = streamId;
    return r;
  }

  get streamId(): bigint {
    return u64FromWords(this.streamLo, this.streamHi);
  }
  set streamId(v: bigint) {
    assertU64(v, 'streamId');
    this.streamLo = u64Lo(v);
    this.streamHi = u64Hi(v);
  }
}

/** Decodes exactly 8 bytes at `bytes[offset..offset+length]` into `out` (SHORT/LONG otherwise). */
export function decodeStreamResetInto(bytes: Uint8Array, offset: number, length: number, out: StreamReset): WireStatus {
  const status = checkExactRange(bytes, offset, length, STREAM_RESET_BYTES);
  if (status !== WireStatus.OK) return status;
  out.streamLo = readU32LE(bytes, offset);
  out.streamHi = readU32LE(bytes, offset + 4);
  return WireStatus.OK;
}

/** Writes 8 bytes at `out[offset..]`: SHORT without room, VALUE for a word outside u32. */
export function encodeStreamResetInto(r: StreamReset, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < STREAM_RESET_BYTES) return WireStatus.SHORT;
  if (r.streamLo >>> 0 !== r.streamLo || r.streamHi >>> 0 !== r.streamHi) return WireStatus.VALUE;
  writeU32LE(out, offset, r.streamLo);
  writeU32LE(out, offset + 4, r.streamHi);
  return WireStatus.OK;
}

/** Decodes a whole reset (exactly 8 bytes); throws DecodeError. */
export function decodeStreamReset(bytes: Uint8Array): StreamReset {
  const r = new StreamReset();
  throwIfNotOk(decodeStreamResetInto(bytes, 0, bytes.length, r), 'stream reset');
  return r;
}

/** Encodes a reset into a new 8-byte array; throws InvalidArgumentError for bad words. */
export function encodeStreamReset(r: StreamReset): Uint8Array {
  const out = new Uint8Array(STREAM_RESET_BYTES);
  if (encodeStreamResetInto(r, out, 0) !== WireStatus.OK) throw new InvalidArgumentError('stream reset: bad field');
  return out;
}
