/** The log plane's typed failures; each carries a stable code from core's ErrorCode. */
import { ErrorCode, NetError } from '../core/index.js';

/** Errno values the log maps to {@link ErrorCode.StorageFull}. */
const FULL_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** An I/O call failed (`ERR_STORAGE_IO`) or the device is full (`ERR_STORAGE_FULL`). `errno` is the OS's name. */
export class StorageError extends NetError {
  readonly errno: string | undefined;

  constructor(message: string, options: { errno?: string | undefined; cause?: unknown } = {}) {
    super(options.errno !== undefined && FULL_ERRNOS.has(options.errno) ? ErrorCode.StorageFull : ErrorCode.StorageIO,
      message, { cause: options.cause });
    this.errno = options.errno;
  }
}

/** Wraps anything an I/O call threw as a {@link StorageError}; NetErrors pass through unchanged. */
export function toStorageError(e: unknown, what: string): NetError {
  if (e instanceof NetError) return e;
  const errno = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  return new StorageError(`${what}: ${e instanceof Error ? e.message : String(e)}`, { errno, cause: e });
}

/** Bytes at rest failed a checksum or a structural check (`ERR_STORAGE_CORRUPT`). */
export class CorruptionError extends NetError {
  constructor(message: string) {
    super(ErrorCode.StorageCorrupt, message);
  }
}

/**
 * A write failed and its rollback failed too, so the files no longer match memory (`ERR_STORAGE_POISONED`).
 * The handle refuses every further write; reopening recovers the longest valid prefix from disk.
 */
export class LogPoisonedError extends NetError {
  constructor(message = 'partial-write rollback could not restore on-disk state to match in-memory', options?: { cause?: unknown }) {
    super(ErrorCode.StoragePoisoned, message, options);
  }
}

/** Another writer holds the log (`ERR_STORAGE_LOCKED`). */
export class LogLockedError extends NetError {
  constructor(message: string) {
    super(ErrorCode.StorageLocked, message);
  }
}

/** A tail reader fell behind its buffer or behind retention (`ERR_LAGGED`); re-tail from `resumeSeq`. */
export class LaggedError extends NetError {
  constructor(readonly resumeSeq: number, message = `tail reader lagged; resume from seq ${resumeSeq}`) {
    super(ErrorCode.Lagged, message);
  }
}
