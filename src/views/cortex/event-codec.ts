/**
 * Per-event checksums without per-event allocation. A CortEX record is NET's 24-byte EventMeta followed by the
 * payload; its checksum (v2) is xxh3-64's low 32 bits over the record with the checksum field zeroed. Log
 * payload views must never be written to (the disk writer may be reading them), so checking copies the record
 * into a reused scratch buffer first.
 */
import { readU32LE, writeSafeU64LE, writeU32LE } from '../../core/index.js';
import { xxh3_64Lo } from '../../crypto/index.js';
import { EVENT_META_BYTES } from '../../log/index.js';

const SCRATCH_MAX = 64 * 1024;

export class EventCodec {
  private scratch = new Uint8Array(1024);

  /**
   * A buffer of at least `EVENT_META_BYTES + payloadBytes` for building one record; the payload goes at offset
   * 24. Valid until the next call.
   */
  buffer(payloadBytes: number): Uint8Array {
    const need = EVENT_META_BYTES + payloadBytes;
    if (need <= this.scratch.length) return this.scratch;
    if (need <= SCRATCH_MAX) {
      this.scratch = new Uint8Array(Math.max(need, this.scratch.length * 2));
      return this.scratch;
    }
    return new Uint8Array(need);
  }

  /** Fills the EventMeta of `buf[0..len]` (payload already at 24..len; origin as two u32 words) and its v2 checksum; returns the record view. */
  seal(buf: Uint8Array, len: number, dispatch: number, flags: number, originLo: number, originHi: number, seqOrTs: number): Uint8Array {
    buf[0] = dispatch;
    buf[1] = flags;
    buf[2] = 0;
    buf[3] = 0;
    writeU32LE(buf, 4, originLo);
    writeU32LE(buf, 8, originHi);
    writeSafeU64LE(buf, 12, seqOrTs);
    writeU32LE(buf, 20, 0);
    const rec = buf.subarray(0, len);
    writeU32LE(buf, 20, xxh3_64Lo(rec));
    return rec;
  }

  /**
   * Checks `record`'s EventMeta: 2 for a valid v2 checksum, 1 for a valid v1 (payload-only) checksum, 0 when it
   * is too short, its pad is not zero, or neither checksum matches.
   */
  verify(record: Uint8Array): 0 | 1 | 2 {
    if (record.length < EVENT_META_BYTES || record[2] !== 0 || record[3] !== 0) return 0;
    const want = readU32LE(record, 20);
    const copy = record.length <= SCRATCH_MAX ? this.buffer(record.length - EVENT_META_BYTES) : new Uint8Array(record.length);
    copy.set(record);
    writeU32LE(copy, 20, 0);
    if (xxh3_64Lo(copy.subarray(0, record.length)) === want) return 2;
    return xxh3_64Lo(record.subarray(EVENT_META_BYTES)) === want ? 1 : 0;
  }
}
