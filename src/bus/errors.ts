/** Bus errors: each a {@link NetError} with a stable code (`BackpressureError`, `ClosedError` come from core). */
import { ErrorCode, NetError } from '../core/index.js';

/** An event payload larger than the bus's `maxPayloadBytes` (or an adapter's server limit). */
export class PayloadTooLargeError extends NetError {
  constructor(readonly size: number, readonly limit: number) {
    super(ErrorCode.PayloadTooLarge, `event payload of ${size} bytes exceeds the limit of ${limit}`);
  }
}

/** A cursor written by another backend (or for another stream layout): refused rather than reinterpreted. */
export class CursorBackendError extends NetError {
  constructor(readonly expected: string, readonly actual: string) {
    super(ErrorCode.CursorBackend, `cursor belongs to backend "${actual}", this bus uses "${expected}"; reset the cursor to migrate`);
  }
}

/**
 * A Redis or JetStream failure. `transient` errors (timeouts, lost connections, cluster redirections, a server
 * loading its data) are retried by the bus; the rest (a stream that does not exist, a payload over the server's
 * limit, authentication) are not, because retrying cannot change their outcome.
 */
export class AdapterError extends NetError {
  constructor(message: string, readonly transient: boolean, options?: { cause?: unknown }) {
    super(ErrorCode.Adapter, message, options);
  }
}

/** True when a retry may succeed: an {@link AdapterError} marked transient, or a timeout. */
export function isTransient(e: unknown): boolean {
  if (e instanceof AdapterError) return e.transient;
  return e instanceof NetError && e.code === ErrorCode.Timeout;
}
