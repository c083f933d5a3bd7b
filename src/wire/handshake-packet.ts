/**
 * A handshake packet (reference `PacketBuilder::build_handshake`): a 68-byte header from
 * `NetHeader::handshake(len)` (flags = HANDSHAKE, `payload_len` = the Noise message length, every other field
 * zero, nonce included) followed by the raw Noise message, which the packet cipher does not wrap.
 *
 * Noise NKpsk0 message sizes: msg1 is 48 bytes when direct (empty payload) or 56 when routed (payload = the
 * initiator's node_id:u64); msg2 is 48. The decoder accepts exactly these shapes: any other non-zero header
 * field is VALUE, so an accepted packet re-encodes to the same bytes.
 */
import { InvalidArgumentError, readU16LE, writeU16LE } from '../core/index.js';
import { HEADER_BYTES, HEADER_FLAGS_RESERVED, HeaderFlag, PACKET_MAGIC, PACKET_VERSION } from './constants.js';
import type { Layout } from './layout.js';
import { WireStatus, throwIfNotOk, wireStatusName } from './status.js';

export const HANDSHAKE_MSG1_DIRECT_BYTES = 48;
export const HANDSHAKE_MSG1_ROUTED_BYTES = 56;
export const HANDSHAKE_MSG2_BYTES = 48;
/** Largest handshake packet: header + routed msg1. */
export const MAX_HANDSHAKE_PACKET_BYTES = HEADER_BYTES + HANDSHAKE_MSG1_ROUTED_BYTES;

export const HANDSHAKE_PACKET_LAYOUT: Layout = Object.freeze([
  Object.freeze({ field: 'header', offset: 0, size: HEADER_BYTES }),
  Object.freeze({ field: 'noise_message', offset: HEADER_BYTES, size: null }),
]);

const MAGIC_LO = PACKET_MAGIC & 0xff;
const MAGIC_HI = PACKET_MAGIC >>> 8;

function isHandshakeLength(n: number): boolean {
  return n === HANDSHAKE_MSG1_DIRECT_BYTES || n === HANDSHAKE_MSG1_ROUTED_BYTES;
}

/**
 * Checks the handshake packet at `bytes[offset..offset+length]`. On OK the Noise message is
 * `bytes[offset+68 .. offset+length]` (48 or 56 bytes). Statuses: SHORT, LONG, BAD_MAGIC, BAD_VERSION,
 * RESERVED (flag bits 0xC0), VALUE (other flags, or a non-zero field), LENGTH (payload_len not 48/56).
 */
export function checkHandshakePacket(bytes: Uint8Array, offset: number, length: number): WireStatus {
  if (!(offset >= 0) || !(length >= 0) || (offset | 0) !== offset || (length | 0) !== length ||
    offset + length > bytes.length || length < HEADER_BYTES) {
    return WireStatus.SHORT;
  }
  const o = offset;
  if (bytes[o] !== MAGIC_LO || bytes[o + 1] !== MAGIC_HI) return WireStatus.BAD_MAGIC;
  if (bytes[o + 2] !== PACKET_VERSION) return WireStatus.BAD_VERSION;
  const flags = bytes[o + 3]!;
  if ((flags & HEADER_FLAGS_RESERVED) !== 0) return WireStatus.RESERVED;
  if (flags !== HeaderFlag.HANDSHAKE) return WireStatus.VALUE;
  let acc = bytes[o + 66]! | bytes[o + 67]!;
  for (let i = 4; i < 64; i++) acc |= bytes[o + i]!;
  if (acc !== 0) return WireStatus.VALUE;
  const len = readU16LE(bytes, o + 64);
  if (!isHandshakeLength(len)) return WireStatus.LENGTH;
  const total = HEADER_BYTES + len;
  if (length < total) return WireStatus.SHORT;
  return length > total ? WireStatus.LONG : WireStatus.OK;
}

/**
 * Writes header + `message` at `out[offset..]` (68 + message.length bytes). LENGTH when the message is not 48 or
 * 56 bytes, SHORT without room; nothing is written unless OK.
 */
export function encodeHandshakePacketInto(message: Uint8Array, out: Uint8Array, offset: number): WireStatus {
  if (!isHandshakeLength(message.length)) return WireStatus.LENGTH;
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < HEADER_BYTES + message.length) {
    return WireStatus.SHORT;
  }
  out.fill(0, offset, offset + HEADER_BYTES);
  out[offset] = MAGIC_LO;
  out[offset + 1] = MAGIC_HI;
  out[offset + 2] = PACKET_VERSION;
  out[offset + 3] = HeaderFlag.HANDSHAKE;
  writeU16LE(out, offset + 64, message.length);
  out.set(message, offset + HEADER_BYTES);
  return WireStatus.OK;
}

/** Encodes a handshake packet into a new array; throws InvalidArgumentError for a message not 48/56 bytes. */
export function encodeHandshakePacket(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + message.length);
  const status = encodeHandshakePacketInto(message, out, 0);
  if (status !== WireStatus.OK) throw new InvalidArgumentError(`handshake message: ${wireStatusName(status)}`);
  return out;
}

/** Checks a whole datagram and returns a copy of its Noise message; throws DecodeError. */
export function decodeHandshakePacket(bytes: Uint8Array): Uint8Array {
  throwIfNotOk(checkHandshakePacket(bytes, 0, bytes.length), 'handshake packet');
  return bytes.slice(HEADER_BYTES);
}
