/**
 * Which JetStream failures a retry can fix, after the reference's `is_transient_error` table (seed notes
 * website §1.8): a timeout, a broken connection (`BrokenPipe`) and too many unacknowledged publishes
 * (`MaxAckPending`) are transient; a missing stream, a wrong expected last id or sequence, a payload over the
 * server's limit and everything else ("Other", fatal since the reference's v0.20.2) are not. Server replies with
 * status 503 (no responders: JetStream is still recovering its streams after a restart; 10008 "temporarily
 * unavailable") count as transient, because a restarted server answers them later. Messages never include
 * credentials: server URLs are printed without their user-info part.
 */
import { AdapterError } from '../errors.js';

/** The kinds of the reference's table, plus the connection states the Node client reports. */
export type JetStreamErrorKind =
  | 'timed_out' | 'broken_pipe' | 'max_ack_pending' | 'unavailable'
  | 'stream_not_found' | 'wrong_last_message_id' | 'wrong_last_sequence' | 'max_payload_exceeded' | 'auth' | 'other';

const TRANSIENT_KINDS: ReadonlySet<JetStreamErrorKind> = new Set(['timed_out', 'broken_pipe', 'max_ack_pending', 'unavailable']);

/** JetStream API `err_code` values the table names. */
export const JS_ERR = {
  streamNotFound: 10059,
  wrongLastMessageId: 10070,
  wrongLastSequence: 10071,
  messageTooLarge: 10054,
  temporarilyUnavailable: 10008,
} as const;

/** The kind of a JetStream API error body (`{ code, err_code, description }`). */
export function kindOfApiError(code: number, errCode: number): JetStreamErrorKind {
  switch (errCode) {
    case JS_ERR.streamNotFound: return 'stream_not_found';
    case JS_ERR.wrongLastMessageId: return 'wrong_last_message_id';
    case JS_ERR.wrongLastSequence: return 'wrong_last_sequence';
    case JS_ERR.messageTooLarge: return 'max_payload_exceeded';
    case JS_ERR.temporarilyUnavailable: return 'unavailable';
  }
  if (code === 503) return 'unavailable';
  if (code === 408) return 'timed_out';
  return 'other';
}

/** The kind of an error thrown by the NATS client (by class name and message: its classes are not all exported). */
export function kindOfClientError(e: unknown): JetStreamErrorKind {
  if (!(e instanceof Error)) return 'other';
  const name = e.constructor.name;
  const msg = e.message;
  if (name === 'TimeoutError' || /timeout|timed out/i.test(msg)) return 'timed_out';
  if (name === 'AuthorizationError' || name === 'UserAuthenticationExpiredError' || /authori[sz]ation|authentication/i.test(msg)) return 'auth';
  if (/max_payload|maximum payload|message size exceeds/i.test(msg)) return 'max_payload_exceeded';
  if (name === 'NoRespondersError' || /no responders|503/i.test(msg)) return 'unavailable';
  if ((e as { code?: unknown }).code !== undefined && typeof (e as { code?: unknown }).code === 'number' && 'apiError' in e) {
    const api = (e as unknown as { apiError(): { code: number; err_code: number } }).apiError();
    return kindOfApiError(api.code, api.err_code);
  }
  if (name === 'ConnectionError' || name === 'DrainingConnectionError' || name === 'ProtocolError'
    || /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|disconnect|connection (closed|lost|refused)/i.test(msg)) return 'broken_pipe';
  return 'other';
}

export function isTransientKind(kind: JetStreamErrorKind): boolean {
  return TRANSIENT_KINDS.has(kind);
}

/** An {@link AdapterError} for `kind`; `detail` must not contain credentials. */
export function jetStreamError(kind: JetStreamErrorKind, what: string, detail: string, cause?: unknown): AdapterError {
  const err = new AdapterError(`jetstream ${what}: ${kind}: ${scrub(detail)}`, isTransientKind(kind), cause === undefined ? undefined : { cause });
  return Object.assign(err, { kind });
}

export function classifyJetStreamError(e: unknown, what: string): AdapterError {
  if (e instanceof AdapterError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return jetStreamError(kindOfClientError(e), what, msg, e);
}

/** Removes `user:pass@` from URLs a message may quote. */
export function scrub(text: string): string {
  return text.replace(/([a-z]+:\/\/)[^@\s/]*@/gi, '$1');
}
