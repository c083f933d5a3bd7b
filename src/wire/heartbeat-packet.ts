/**
 * A heartbeat packet (reference `PacketBuilder::build_heartbeat`): the header of `NetHeader::heartbeat(sid)`
 * (flags = HEARTBEAT, session_id set, every other field zero) with the sealer's nonce patched in, then the
 * 16-byte tag of an AEAD over an empty payload: 84 bytes. The tag is computed by the crypto plane; this module
 * lays out and checks the shape only.
 */
import { HEADER_BYTES, HEADER_FLAGS_RESERVED, HeaderFlag, PACKET_MAGIC, PACKET_VERSION, TAG_BYTES } from './constants.js';
import type { Layout } from './layout.js';
import type { PacketHeader } from './packet-header-fields.js';
import { decodeHeaderInto } from './packet-header.js';
import { WireStatus } from './status.js';

export const HEARTBEAT_PACKET_BYTES = HEADER_BYTES + TAG_BYTES;

export const HEARTBEAT_PACKET_LAYOUT: Layout = Object.freeze([
  Object.freeze({ field: 'header', offset: 0, size: HEADER_BYTES }),
  Object.freeze({ field: 'tag', offset: HEADER_BYTES, size: TAG_BYTES }),
]);

const MAGIC_LO = PACKET_MAGIC & 0xff;
const MAGIC_HI = PACKET_MAGIC >>> 8;

/**
 * Writes an 84-byte heartbeat skeleton at `out[offset..]`: the header with `flags = HEARTBEAT` and the session id
 * words, nonce, payload_len and tag zero (the sealer fills them). SHORT without room, VALUE for a bad word.
 */
export function encodeHeartbeatInto(sessionLo: number, sessionHi: number, out: Uint8Array, offset: number): WireStatus {
  if (!(offset >= 0) || (offset | 0) !== offset || out.length - offset < HEARTBEAT_PACKET_BYTES) return WireStatus.SHORT;
  if (sessionLo >>> 0 !== sessionLo || sessionHi >>> 0 !== sessionHi) return WireStatus.VALUE;
  out.fill(0, offset, offset + HEARTBEAT_PACKET_BYTES);
  out[offset] = MAGIC_LO;
  out[offset + 1] = MAGIC_HI;
  out[offset + 2] = PACKET_VERSION;
  out[offset + 3] = HeaderFlag.HEARTBEAT;
  const s = offset + 24;
  out[s] = sessionLo & 0xff;
  out[s + 1] = (sessionLo >>> 8) & 0xff;
  out[s + 2] = (sessionLo >>> 16) & 0xff;
  out[s + 3] = sessionLo >>> 24;
  out[s + 4] = sessionHi & 0xff;
  out[s + 5] = (sessionHi >>> 8) & 0xff;
  out[s + 6] = (sessionHi >>> 16) & 0xff;
  out[s + 7] = sessionHi >>> 24;
  return WireStatus.OK;
}

/**
 * Checks the heartbeat at `bytes[offset..offset+length]` and fills `out` with its header. Accepted: exactly 84
 * bytes, a valid header with flags exactly HEARTBEAT, payload_len 0 and every field other than the nonce and
 * session_id zero. Statuses: the header's, then VALUE (flags or a non-zero field), LENGTH (payload_len != 0),
 * SHORT / LONG (not 84 bytes). `out` may be partly written on failure.
 */
export function decodeHeartbeatInto(bytes: Uint8Array, offset: number, length: number, out: PacketHeader): WireStatus {
  if (!(length >= 0) || (length | 0) !== length || !(offset >= 0) || offset + length > bytes.length ||
    length < HEADER_BYTES) {
    return WireStatus.SHORT;
  }
  const status = decodeHeaderInto(bytes, offset, out);
  if (status !== WireStatus.OK) return status;
  if (out.flags !== HeaderFlag.HEARTBEAT) return (out.flags & HEADER_FLAGS_RESERVED) !== 0 ? WireStatus.RESERVED : WireStatus.VALUE;
  if (out.payloadLen !== 0) return WireStatus.LENGTH;
  if ((out.priority | out.hopTtl | out.hopCount | out.fragFlags | out.subprotocolId | out.channelHash | out.streamLo |
    out.streamHi | out.sequenceLo | out.sequenceHi | out.originLo | out.originHi | out.subnetId | out.fragmentId |
    out.fragmentOffset | out.eventCount) !== 0) {
    return WireStatus.VALUE;
  }
  if (length < HEARTBEAT_PACKET_BYTES) return WireStatus.SHORT;
  return length > HEARTBEAT_PACKET_BYTES ? WireStatus.LONG : WireStatus.OK;
}
