/**
 * Packet-level constants of the Net wire protocol (reference v0.27.2, `adapter/net/protocol.rs`). The names the
 * crypto plane codes against (`HEADER_BYTES`, `NONCE_OFFSET`, ...) are part of the public surface.
 */

/** Packet magic: `0x4E45` as a little-endian u16, so the first two bytes on the wire are `45 4E` ("EN"). */
export const PACKET_MAGIC = 0x4e45;
/** The only packet header version. */
export const PACKET_VERSION = 1;
/** Encoded packet header size. */
export const HEADER_BYTES = 68;
/** Offset of the 12-byte nonce inside the header. */
export const NONCE_OFFSET = 12;
/** ChaCha20-Poly1305 IETF nonce size. */
export const NONCE_BYTES = 12;
/** Offset of the 8-byte nonce counter (after the 4-byte session prefix). */
export const NONCE_COUNTER_OFFSET = 16;
/** Offset of `hop_ttl` in the header. */
export const HOP_TTL_OFFSET = 5;
/** Offset of `hop_count` (mutable in transit, zeroed in the AAD). */
export const HOP_COUNT_OFFSET = 6;
/** Offset of `payload_len` (ciphertext length without the tag). */
export const PAYLOAD_LEN_OFFSET = 64;
/** Offset of `event_count`. */
export const EVENT_COUNT_OFFSET = 66;
/** Poly1305 tag size. */
export const TAG_BYTES = 16;
/** Reference name of {@link TAG_BYTES}. */
export const TAG_SIZE = TAG_BYTES;
/** Largest packet the reference builds (header + payload + tag). */
export const MAX_PACKET_SIZE = 8192;
/** `MAX_PACKET_SIZE - HEADER_BYTES - TAG_BYTES` = 8108. */
export const MAX_PAYLOAD_SIZE = MAX_PACKET_SIZE - HEADER_BYTES - TAG_BYTES;
/** Each event needs at least its 4-byte length prefix: `floor(8108 / 4)` = 2027. */
export const MAX_EVENTS_PER_PACKET = Math.floor(MAX_PAYLOAD_SIZE / 4);

/** Packet header flag bits (`flags`, header byte 3). */
export const HeaderFlag = {
  RELIABLE: 0x01,
  NACK: 0x02,
  PRIORITY: 0x04,
  FIN: 0x08,
  HANDSHAKE: 0x10,
  HEARTBEAT: 0x20,
} as const;
export type HeaderFlag = (typeof HeaderFlag)[keyof typeof HeaderFlag];

/** Every defined flag bit. */
export const HEADER_FLAGS_KNOWN = 0x3f;
/** Bits 0x40 and 0x80: undefined at v0.27.2, rejected by the decoder and the encoder. */
export const HEADER_FLAGS_RESERVED = 0xc0;
