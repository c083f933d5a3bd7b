/** The views plane's typed failures (the reference SDK's `CortexError` and `NetDbError`), each with a stable code. */
import { ErrorCode, NetError } from '../core/index.js';

/** Why a CortEX operation failed; `code` is the stable one, `kind` says more. */
export type CortexErrorKind =
  | 'stopped'
  | 'skipped'
  | 'lagged'
  | 'snapshot-ahead'
  | 'snapshot-gap'
  | 'snapshot-model'
  | 'snapshot-invalid';

const CORTEX_CODES: Record<CortexErrorKind, ErrorCode> = {
  stopped: ErrorCode.FoldStopped,
  skipped: ErrorCode.FoldSkipped,
  lagged: ErrorCode.FoldStopped,
  'snapshot-ahead': ErrorCode.SnapshotInvalid,
  'snapshot-gap': ErrorCode.SnapshotInvalid,
  'snapshot-model': ErrorCode.SnapshotInvalid,
  'snapshot-invalid': ErrorCode.SnapshotInvalid,
};

export class CortexError extends NetError {
  /**
   * For `stopped` and `lagged`: the applied-through seq when the fold stopped (-1: nothing applied), so a
   * caller knows which writes are in the state.
   */
  readonly appliedThroughSeq: number | undefined;

  constructor(readonly kind: CortexErrorKind, message: string, options: { cause?: unknown; appliedThroughSeq?: number } = {}) {
    super(CORTEX_CODES[kind], message, { cause: options.cause });
    this.appliedThroughSeq = options.appliedThroughSeq;
  }
}

/** Thrown by a fold for an event it cannot decode: the error policy decides (stop, or skip and go on). */
export class FoldDecodeError extends NetError {
  constructor(message: string) {
    super(ErrorCode.DecodeValue, message);
  }
}

export type NetDbErrorKind = 'not-found' | 'exists' | 'no-models' | 'bundle-invalid' | 'store-not-empty';

const NETDB_CODES: Record<NetDbErrorKind, ErrorCode> = {
  'not-found': ErrorCode.NotFound,
  exists: ErrorCode.AlreadyExists,
  'no-models': ErrorCode.InvalidArgument,
  'bundle-invalid': ErrorCode.SnapshotInvalid,
  'store-not-empty': ErrorCode.AlreadyExists,
};

export class NetDbError extends NetError {
  constructor(readonly kind: NetDbErrorKind, message: string, options?: { cause?: unknown }) {
    super(NETDB_CODES[kind], message, options);
  }
}
