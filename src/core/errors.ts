/**
 * Typed failures. Every error net-mesh throws at an API edge is a {@link NetError} with a stable `code`;
 * hot paths never throw and report a numeric status plus a drop counter instead.
 */

/** Stable error codes. Adding a code is fine; renaming or reusing one is a breaking change. */
export const ErrorCode = {
  // decoding bytes from the wire or from disk
  DecodeShort: 'ERR_DECODE_SHORT',
  DecodeLong: 'ERR_DECODE_LONG',
  DecodeBadMagic: 'ERR_DECODE_BAD_MAGIC',
  DecodeBadVersion: 'ERR_DECODE_BAD_VERSION',
  DecodeLength: 'ERR_DECODE_LENGTH',
  DecodeLimit: 'ERR_DECODE_LIMIT',
  DecodeReserved: 'ERR_DECODE_RESERVED',
  DecodeValue: 'ERR_DECODE_VALUE',
  // arguments and configuration
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
  ChannelName: 'ERR_CHANNEL_NAME',
  /** A configuration file or flag set that does not parse or validate (the CLI's exit code 2). */
  Config: 'ERR_CONFIG',
  // cryptography
  AuthFailed: 'ERR_AUTH_FAILED',
  BadKey: 'ERR_BAD_KEY',
  BadSignature: 'ERR_BAD_SIGNATURE',
  CounterExhausted: 'ERR_COUNTER_EXHAUSTED',
  Replay: 'ERR_REPLAY',
  HandshakeFailed: 'ERR_HANDSHAKE_FAILED',
  HandshakeState: 'ERR_HANDSHAKE_STATE',
  // identity files
  IdentityFile: 'ERR_IDENTITY_FILE',
  IdentityPermissions: 'ERR_IDENTITY_PERMISSIONS',
  /** Another key file (a PSK file): missing, malformed, or readable by others. */
  KeyFile: 'ERR_KEY_FILE',
  // flow and lifecycle
  Backpressure: 'ERR_BACKPRESSURE',
  NotConnected: 'ERR_NOT_CONNECTED',
  Closed: 'ERR_CLOSED',
  Timeout: 'ERR_TIMEOUT',
  Aborted: 'ERR_ABORTED',
  // event bus and its adapters
  /** An event payload larger than the bus accepts. */
  PayloadTooLarge: 'ERR_PAYLOAD_TOO_LARGE',
  /** A consumer cursor written by another backend (or another cursor format). */
  CursorBackend: 'ERR_CURSOR_BACKEND',
  /** A bus adapter (Redis, JetStream) failed; `transient` on the error says whether a retry can help. */
  Adapter: 'ERR_ADAPTER',
  // storage (the log plane)
  /** An I/O call failed (EIO, a short write, a failed fsync). */
  StorageIO: 'ERR_STORAGE_IO',
  /** The device is full (ENOSPC, EDQUOT, EFBIG). */
  StorageFull: 'ERR_STORAGE_FULL',
  /** Bytes at rest failed a checksum or a structural check. */
  StorageCorrupt: 'ERR_STORAGE_CORRUPT',
  /** A failed rollback left the files unlike memory; the handle refuses writes until reopened. */
  StoragePoisoned: 'ERR_STORAGE_POISONED',
  /** Another writer holds the log's lock file. */
  StorageLocked: 'ERR_STORAGE_LOCKED',
  /** A tail reader fell further behind than its buffer allows. */
  Lagged: 'ERR_LAGGED',
  // trust: permission tokens and capability announcements
  /** A permission token or token chain that does not decode or whose signature does not verify. */
  TokenInvalid: 'ERR_TOKEN_INVALID',
  /** A token outside its validity window (expired or not yet valid, after the clock-skew allowance). */
  TokenExpired: 'ERR_TOKEN_EXPIRED',
  /** A token whose issuer generation is below the issuer's revocation floor. */
  TokenRevoked: 'ERR_TOKEN_REVOKED',
  /** A token or chain that does not grant the action: wrong scope, channel, subject or root, or a link that widens. */
  TokenDenied: 'ERR_TOKEN_DENIED',
  /** A capability announcement refused on receipt (forged node id, stale version, bad signature, over a limit). */
  CapabilityRejected: 'ERR_CAPABILITY_REJECTED',
  /** A capability predicate that does not decode (bad node kind, child index, depth or size). */
  PredicateInvalid: 'ERR_PREDICATE_INVALID',
  // views (CortEX folds, NetDB)
  /** A fold stopped (an event it could not apply under the `stop` policy, or a fatal fold error). */
  FoldStopped: 'ERR_FOLD_STOPPED',
  /** The event a write token names was skipped by the fold's `skip` policy, so it will never be applied. */
  FoldSkipped: 'ERR_FOLD_SKIPPED',
  /** A snapshot or snapshot bundle that is truncated, of an unknown version, or fails its checksum. */
  SnapshotInvalid: 'ERR_SNAPSHOT_INVALID',
  /** The row (task, memory) does not exist or was deleted. */
  NotFound: 'ERR_NOT_FOUND',
  /** The row already exists (or was deleted: ids are never reused). */
  AlreadyExists: 'ERR_ALREADY_EXISTS',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error net-mesh throws. `code` is stable across releases; `message` is for people. */
export class NetError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bytes that do not decode: short, long, bad magic or version, a length or count that lies or exceeds a limit. */
export class DecodeError extends NetError {}

/** A caller passed a value the API cannot accept. */
export class InvalidArgumentError extends NetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.InvalidArgument, message, options);
  }
}

/** A channel name that breaks the naming rules. */
export class ChannelNameError extends NetError {
  constructor(message: string) {
    super(ErrorCode.ChannelName, message);
  }
}

/** Authentication, key, signature, nonce-counter or replay failures. */
export class CryptoError extends NetError {}

/** A Noise handshake that failed or was driven out of order. */
export class HandshakeError extends NetError {}

/** An identity file that is missing, malformed or readable by others. */
export class IdentityError extends NetError {}

/** The send window is full: retry later (the reference SDK's name). */
export class BackpressureError extends NetError {
  constructor(message = 'send window is full') {
    super(ErrorCode.Backpressure, message);
  }
}

/** No session with that peer (the reference SDK's name). */
export class NotConnectedError extends NetError {
  /**
   * Why, when known: `unreachable` (nothing listens at the address: ICMP port unreachable) or `no-answer` (the
   * handshake got no reply: the peer is down or filtered, or refused it for a wrong PSK or key), `no-route` (no
   * neighbour has announced a path to it).
   */
  readonly reason: 'unreachable' | 'no-answer' | 'no-route' | undefined;

  constructor(message = 'not connected', options?: { cause?: unknown; reason?: 'unreachable' | 'no-answer' | 'no-route' }) {
    super(ErrorCode.NotConnected, message, options);
    this.reason = options?.reason;
  }
}

/** The handle was closed. */
export class ClosedError extends NetError {
  constructor(message = 'closed') {
    super(ErrorCode.Closed, message);
  }
}

/** An operation passed its deadline. */
export class TimeoutError extends NetError {
  constructor(message = 'timed out') {
    super(ErrorCode.Timeout, message);
  }
}

/** An operation was cancelled through its AbortSignal. */
export class AbortedError extends NetError {
  constructor(message = 'aborted', options?: { cause?: unknown }) {
    super(ErrorCode.Aborted, message, options);
  }
}

/** True when `e` is a NetError, optionally with the given code. */
export function isNetError(e: unknown, code?: ErrorCode): e is NetError {
  return e instanceof NetError && (code === undefined || e.code === code);
}
