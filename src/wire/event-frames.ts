/**
 * Event frames: a packet's plaintext payload is `event_count` repetitions of `[len:u32 LE][len bytes]`
 * (reference `EventFrame`). Writing appends into a caller buffer; reading walks the frames and hands out
 * `subarray` views (or offsets), never copies, and never allocates from a wire length.
 *
 * Stricter than the reference reader (which silently stops at the first truncated frame): a payload is
 * accepted only if it holds exactly `count` whole frames and nothing else. The whole payload is checked
 * before the first event is delivered, so a lying packet delivers nothing.
 */
import { InvalidArgumentError, readU32LE, writeU32LE } from '../core/index.js';
import { MAX_EVENTS_PER_PACKET, MAX_PAYLOAD_SIZE } from './constants.js';
import type { Layout } from './layout.js';
import { WireStatus, throwIfNotOk } from './status.js';

/** Size of a frame's length prefix. */
export const EVENT_LEN_BYTES = 4;

/** One frame; `bytes` has the length given by `len`. */
export const EVENT_FRAME_LAYOUT: Layout = Object.freeze([
  Object.freeze({ field: 'len', offset: 0, size: 4 }),
  Object.freeze({ field: 'bytes', offset: 4, size: null }),
]);

/**
 * Appends one frame at `out[offset..]`. Returns the bytes written (`4 + event.length`), or 0 when `out` has no
 * room (nothing is written then).
 */
export function writeEventFrame(out: Uint8Array, offset: number, event: Uint8Array): number {
  const n = EVENT_LEN_BYTES + event.length;
  if (!(offset >= 0) || out.length - offset < n || event.length > 0xffff_ffff) return 0;
  writeU32LE(out, offset, event.length);
  out.set(event, offset + EVENT_LEN_BYTES);
  return n;
}

/**
 * Checks that `payload[offset..offset+length]` holds exactly `count` whole frames: VALUE for a bad count or
 * range, LIMIT for count > 2027, COUNT when the bytes end before `count` frames, LENGTH when a frame's length
 * runs past the bytes present, LONG for bytes after the last frame.
 */
export function checkEventFrames(payload: Uint8Array, offset: number, length: number, count: number): WireStatus {
  if (!(count >= 0) || (count | 0) !== count || !(offset >= 0) || !(length >= 0) || (offset | 0) !== offset ||
    (length | 0) !== length || offset + length > payload.length) {
    return WireStatus.VALUE;
  }
  if (count > MAX_EVENTS_PER_PACKET) return WireStatus.LIMIT;
  if (count * EVENT_LEN_BYTES > length) return WireStatus.COUNT;
  let p = offset;
  const end = offset + length;
  for (let i = 0; i < count; i++) {
    if (end - p < EVENT_LEN_BYTES) return WireStatus.COUNT;
    const len = readU32LE(payload, p);
    p += EVENT_LEN_BYTES;
    if (len > end - p) return WireStatus.LENGTH;
    p += len;
  }
  return p === end ? WireStatus.OK : WireStatus.LONG;
}

/**
 * Checks the whole payload (see {@link checkEventFrames}), then calls `fn(view, index)` for each event with a
 * `subarray` view into `payload`. Hoist `fn` out of the per-packet path to avoid a closure per packet.
 */
export function forEachEvent(payload: Uint8Array, count: number, fn: (event: Uint8Array, index: number) => void): WireStatus {
  const status = checkEventFrames(payload, 0, payload.length, count);
  if (status !== WireStatus.OK) return status;
  let p = 0;
  for (let i = 0; i < count; i++) {
    const len = readU32LE(payload, p);
    p += EVENT_LEN_BYTES;
    fn(payload.subarray(p, p + len), i);
    p += len;
  }
  return WireStatus.OK;
}

/**
 * A reusable frame walker. `reset` checks the payload; then `advance()` moves to the next event and sets
 * `eventOffset`/`eventLength` (no allocation at all), or `next()` returns a view.
 */
export class EventFrameReader {
  /** Offset of the current event's bytes in the payload buffer. */
  eventOffset = 0;
  /** Length of the current event. */
  eventLength = 0;
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  private left = 0;

  /** Checks `payload[offset..offset+length]` for `count` frames and rewinds; on failure the reader is empty. */
  reset(payload: Uint8Array, offset: number, length: number, count: number): WireStatus {
    const status = checkEventFrames(payload, offset, length, count);
    this.buf = status === WireStatus.OK ? payload : EMPTY;
    this.pos = offset;
    this.left = status === WireStatus.OK ? count : 0;
    this.eventOffset = 0;
    this.eventLength = 0;
    return status;
  }

  /** Events not yet visited. */
  get remaining(): number {
    return this.left;
  }

  /** Moves to the next event; false when all were visited. */
  advance(): boolean {
    if (this.left === 0) return false;
    this.left--;
    const len = readU32LE(this.buf, this.pos);
    this.eventOffset = this.pos + EVENT_LEN_BYTES;
    this.eventLength = len;
    this.pos = this.eventOffset + len;
    return true;
  }

  /** The next event as a view into the payload, or null when all were visited. */
  next(): Uint8Array | null {
    return this.advance() ? this.buf.subarray(this.eventOffset, this.eventOffset + this.eventLength) : null;
  }
}

/**
 * Appends frames into a caller buffer with the packet limits: at most 2027 events and `capacity` bytes
 * (default: the buffer's room, at most MAX_PAYLOAD_SIZE).
 */
export class EventFrameWriter {
  private buf: Uint8Array = EMPTY;
  private start = 0;
  private end = 0;
  private pos = 0;
  /** Events appended since `reset`. */
  count = 0;

  /** Starts a new payload at `buffer[start..]`, holding at most `capacity` bytes. */
  reset(buffer: Uint8Array, start = 0, capacity = Math.min(buffer.length - start, MAX_PAYLOAD_SIZE)): this {
    if (!(start >= 0) || !(capacity >= 0) || start + capacity > buffer.length) {
      throw new InvalidArgumentError('EventFrameWriter: range outside the buffer');
    }
    this.buf = buffer;
    this.start = start;
    this.end = start + capacity;
    this.pos = start;
    this.count = 0;
    return this;
  }

  /** Payload bytes written so far. */
  get length(): number {
    return this.pos - this.start;
  }

  /** Bytes still free. */
  get free(): number {
    return this.end - this.pos;
  }

  /** Appends `event`: OK, LIMIT when 2027 events are already in, SHORT when it does not fit (nothing written). */
  append(event: Uint8Array): WireStatus {
    const at = this.reserve(event.length);
    if (at < 0) return -at as WireStatus;
    this.buf.set(event, at);
    return WireStatus.OK;
  }

  /**
   * Reserves a frame of `len` bytes and writes its length prefix; returns the offset where the caller writes
   * the event bytes, or `-WireStatus.LIMIT` / `-WireStatus.SHORT` (nothing reserved).
   */
  reserve(len: number): number {
    if (this.count >= MAX_EVENTS_PER_PACKET) return -WireStatus.LIMIT;
    if (!(len >= 0) || len > this.end - this.pos - EVENT_LEN_BYTES) return -WireStatus.SHORT;
    writeU32LE(this.buf, this.pos, len);
    const at = this.pos + EVENT_LEN_BYTES;
    this.pos = at + len;
    this.count++;
    return at;
  }
}

/** Encodes events into a new payload (API edge); throws InvalidArgumentError beyond 2027 events. */
export function encodeEventFrames(events: readonly Uint8Array[]): Uint8Array {
  if (events.length > MAX_EVENTS_PER_PACKET) throw new InvalidArgumentError('too many events for one packet');
  let n = 0;
  for (const e of events) n += EVENT_LEN_BYTES + e.length;
  const out = new Uint8Array(n);
  let p = 0;
  for (const e of events) p += writeEventFrame(out, p, e);
  return out;
}

/** Decodes exactly `count` frames into views of `payload` (API edge); throws DecodeError. */
export function decodeEventFrames(payload: Uint8Array, count: number): Uint8Array[] {
  throwIfNotOk(checkEventFrames(payload, 0, payload.length, count), 'event frames');
  const out: Uint8Array[] = [];
  forEachEvent(payload, count, (e) => out.push(e));
  return out;
}

const EMPTY = new Uint8Array(0);
