/**
 * The 14-byte NAT punch keep-alive (reference `traversal/rendezvous.rs`): `magic:u16 (0x4850, wire bytes
 * 50 48 "PH") ‖ sender_node_id:u64 ‖ punch_id:u32`, all little-endian, sent outside any session.
 */
import { InvalidArgumentError, assertU64, readU32LE, u64FromWords, u64Hi, u64Lo, writeU32LE } from '../core/index.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { WireStatus, checkExactRange, throwIfNotOk } from './status.js';

export const KEEPALIVE_MAGIC = 0x4850;
export const KEEPALIVE_BYTES = 14;

export const KEEPALIVE_LAYOUT: Layout = sequentialLayout([
  ['magic', 2],
  ['sender_node_id', 8],
  ['punch_id', 4],
]);

const MAGIC_LO = KEEPALIVE_MAGIC & 0xff;
const MAGIC_HI = KEEPALIVE_MAGIC >>> 8;

/** A reusable keep-alive. */
export class Keepalive {
  senderLo = 0;
  senderHi = 0;
  punchId = 0;

  static from(senderNodeId: bigint, punchId: number): Keepalive {
    const k = new Keepalive();
    k.senderNodeId = senderNodeId;
    k.punchId = punchId;
    return k;
  }

  get senderNodeId(): bigint {
    return u64FromWords(this.senderLo, this.senderHi);
  }
  set senderNodeId(v: bigint) {
    assertU64(v, 'senderNodeId');
    this.senderLo = u64Lo(v);
    this.senderHi = u64Hi(v);
  }
}

/** Decodes exactly 14 bytes at `bytes[offset..offset+length]` into `out`. No allocation. */
export function decodeKeepaliveInto(bytes: Uint8Array, offset: number, length: number, out: Keepalive): WireStatus {
  const status = checkExactRange(bytes, offset, length, KEEPALIVE_BYTES);
  if (status !== WireStatus.OK) return status;
  if (bytes[offset] !== MAGIC_LO || bytes[offset + 1] !== MAGIC_HI) return WireStatus.BAD_MAGIC;
  out.senderLo = readU32LE(bytes, offset + 2);
  out.senderHi = readU32LE(bytes, offset + 6);
  out.punchId = readU32LE(bytes, offset + 10);
  return WireStatus.OK;
}

/** Writes 14 bytes at `out[offset..]`: SHORT without room, VALUE for a field outside u32. */
export function encodeKeepaliveInto(k: Keepalive, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < KEEPALIVE_BYTES) return WireStatus.SHORT;
  if (k.senderLo >>> 0 !== k.senderLo || k.senderHi >>> 0 !== k.senderHi || k.punchId >>> 0 !== k.punchId) {
    return WireStatus.VALUE;
  }
  out[offset] = MAGIC_LO;
  out[offset + 1] = MAGIC_HI;
  writeU32LE(out, offset + 2, k.senderLo);
  writeU32LE(out, offset + 6, k.senderHi);
  writeU32LE(out, offset + 10, k.punchId);
  return WireStatus.OK;
}

/** Decodes a whole keep-alive datagram (exactly 14 bytes); throws DecodeError. */
export function decodeKeepalive(bytes: Uint8Array): Keepalive {
  const k = new Keepalive();
  throwIfNotOk(decodeKeepaliveInto(bytes, 0, bytes.length, k), 'keep-alive');
  return k;
}

/** Encodes into a new 14-byte array; throws InvalidArgumentError for bad fields. */
export function encodeKeepalive(k: Keepalive): Uint8Array {
  const out = new Uint8Array(KEEPALIVE_BYTES);
  if (encodeKeepaliveInto(k, out, 0) !== WireStatus.OK) throw new InvalidArgumentError('keep-alive: bad field');
  return out;
}
