/**
 * Which Redis failures a retry can fix. Cluster redirections and fail-over states (`MOVED`, `ASK`, `READONLY`,
 * `CLUSTERDOWN`, `NOREPLICAS`, `MASTERDOWN`, `TRYAGAIN`), a server still loading its AOF after a restart
 * (`LOADING`, `BUSY`), timeouts and lost connections are transient; everything else (auth, wrong type, syntax,
 * `OOM`) is fatal. Messages never include credentials.
 */
import { AdapterError } from '../errors.js';

const TRANSIENT_REPLIES = /^(MOVED|ASK|READONLY|CLUSTERDOWN|NOREPLICAS|MASTERDOWN|TRYAGAIN|LOADING|BUSY)\b/;
const TRANSIENT_CONNECTION = /timed out|Connection is closed|isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|socket|Connection lost|max retries/i;

export function classifyRedisError(e: unknown, what: string): AdapterError {
  if (e instanceof AdapterError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const transient = TRANSIENT_REPLIES.test(msg) || TRANSIENT_CONNECTION.test(msg);
  return new AdapterError(`redis ${what}: ${msg}`, transient, { cause: e });
}
