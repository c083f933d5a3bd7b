/**
 * Numeric decode outcomes shared by every wire codec. Hot paths return a {@link WireStatus} (0 = OK) and count a
 * drop by reason; API edges turn a non-OK status into a {@link DecodeError} with the matching {@link ErrorCode}.
 */
import { DecodeError, ErrorCode } from '../core/index.js';

export const WireStatus = {
  /** Accepted. */
  OK: 0,
  /** Fewer bytes than the structure needs. */
  SHORT: 1,
  /** More bytes than an exact-length structure allows (trailing bytes). */
  LONG: 2,
  /** Wrong magic number. */
  BAD_MAGIC: 3,
  /** Unsupported version byte. */
  BAD_VERSION: 4,
  /** A length field disagrees with the bytes present (it claims more, or less, than is there). */
  LENGTH: 5,
  /** A length or count field exceeds the protocol maximum. */
  LIMIT: 6,
  /** A reserved bit or byte is set. */
  RESERVED: 7,
  /** A field holds a value the structure forbids (e.g. wrong flags for the packet kind). */
  VALUE: 8,
  /** The number of frames differs from the declared count. */
  COUNT: 9,
  /** Routing TTL is 0 on arrival: the packet must not be forwarded. */
  EXPIRED: 10,
  /** Routing hop_count is at or above MAX_HOPS. */
  HOPS: 11,
} as const;
export type WireStatus = (typeof WireStatus)[keyof typeof WireStatus];

/** Number of distinct statuses (for per-reason drop counter arrays indexed by status). */
export const WIRE_STATUS_COUNT = 12;

const NAMES: readonly string[] = ['OK', 'SHORT', 'LONG', 'BAD_MAGIC', 'BAD_VERSION', 'LENGTH', 'LIMIT', 'RESERVED', 'VALUE',
  'COUNT', 'EXPIRED', 'HOPS'];

const CODES: readonly (ErrorCode | null)[] = [
  null,
  ErrorCode.DecodeShort,
  ErrorCode.DecodeLong,
  ErrorCode.DecodeBadMagic,
  ErrorCode.DecodeBadVersion,
  ErrorCode.DecodeLength,
  ErrorCode.DecodeLimit,
  ErrorCode.DecodeReserved,
  ErrorCode.DecodeValue,
  ErrorCode.DecodeLength,
  ErrorCode.DecodeLimit,
  ErrorCode.DecodeLimit,
];

/** The status's name (`'SHORT'`, ...), for logs and counter labels. */
export function wireStatusName(status: WireStatus): string {
  return NAMES[status] ?? `UNKNOWN(${String(status)})`;
}

/** The stable error code of a non-OK status; `null` for OK. COUNT maps to DecodeLength, EXPIRED/HOPS to DecodeLimit. */
export function wireStatusCode(status: WireStatus): ErrorCode | null {
  const code = CODES[status];
  return code === undefined ? ErrorCode.DecodeValue : code;
}

/** A DecodeError for a non-OK status (`what` names the structure, e.g. `'packet header'`). */
export function wireError(status: WireStatus, what: string): DecodeError {
  return new DecodeError(wireStatusCode(status) ?? ErrorCode.DecodeValue, `${what}: ${wireStatusName(status)}`);
}

/**
 * Range check for an exact-length structure of `size` bytes at `bytes[offset..offset+length]`: SHORT when
 * `length < size` or the range leaves the buffer (or is not made of integers), LONG when `length > size`.
 */
export function checkExactRange(bytes: Uint8Array, offset: number, length: number, size: number): WireStatus {
  if (!(offset >= 0) || !(length >= 0) || (offset | 0) !== offset || (length | 0) !== length ||
    offset + length > bytes.length || length < size) {
    return WireStatus.SHORT;
  }
  return length > size ? WireStatus.LONG : WireStatus.OK;
}

/** Throws the matching DecodeError unless `status` is OK. For API edges only. */
export function throwIfNotOk(status: WireStatus, what: string): void {
  if (status !== WireStatus.OK) throw wireError(status, what);
}
