/**
 * Composite consumer cursor: one position per shard, opaque to users, versioned, and tagged with the backend
 * that wrote it. A Redis stream id and a JetStream sequence do not compare (the reference's lexicographic
 * fallback once ordered "1700-0" before "42"), so a cursor from another backend is refused, never reinterpreted.
 *
 * Text form before base64url: `nmc1|<backend>|<shard>=<id>,<shard>=<id>...`; ids are `<digits>` or
 * `<digits>-<digits>`, shard ids u16.
 */
import { DecodeError, ErrorCode } from '../core/index.js';
import { CursorBackendError } from './errors.js';
import { BUS_MAX_SHARD_ID } from './options.js';

const VERSION = 'nmc1';
const ID_RE = /^[0-9]{1,20}(-[0-9]{1,20})?$/;
const BACKEND_RE = /^[a-z][a-z0-9_-]{0,31}$/;
/** Longest cursor string accepted (65,536 shards of long Redis ids fit well below). */
export const CURSOR_MAX_CHARS = 4 * 1024 * 1024;

export interface CursorPositions {
  backend: string;
  /** Last id consumed per shard. */
  positions: Map<number, string>;
}

export function encodeCursor(backend: string, positions: ReadonlyMap<number, string>): string {
  if (!BACKEND_RE.test(backend)) throw new DecodeError(ErrorCode.DecodeValue, `bad backend name ${backend}`);
  const parts: string[] = [];
  for (const [shard, id] of [...positions].sort((a, b) => a[0] - b[0])) {
    if (!Number.isInteger(shard) || shard < 0 || shard > BUS_MAX_SHARD_ID || !ID_RE.test(id)) {
      throw new DecodeError(ErrorCode.DecodeValue, `bad cursor position ${shard}=${id}`);
    }
    parts.push(`${shard}=${id}`);
  }
  return Buffer.from(`${VERSION}|${backend}|${parts.join(',')}`, 'utf8').toString('base64url');
}

/** Parses a cursor; `expectBackend` refuses a cursor from another backend with {@link CursorBackendError}. */
export function decodeCursor(cursor: string, expectBackend?: string): CursorPositions {
  if (typeof cursor !== 'string' || cursor.length === 0) throw new DecodeError(ErrorCode.DecodeShort, 'empty cursor');
  if (cursor.length > CURSOR_MAX_CHARS) throw new DecodeError(ErrorCode.DecodeLimit, 'cursor too long');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new DecodeError(ErrorCode.DecodeValue, 'cursor is not base64url');
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const fields = text.split('|');
  if (fields.length !== 3) throw new DecodeError(ErrorCode.DecodeValue, 'malformed cursor');
  const [version, backend, body] = fields as [string, string, string];
  if (version !== VERSION) throw new DecodeError(ErrorCode.DecodeBadVersion, `unknown cursor version ${JSON.stringify(version.slice(0, 16))}`);
  if (!BACKEND_RE.test(backend)) throw new DecodeError(ErrorCode.DecodeValue, 'malformed cursor backend');
  if (expectBackend !== undefined && backend !== expectBackend) throw new CursorBackendError(expectBackend, backend);
  const positions = new Map<number, string>();
  if (body !== '') {
    for (const part of body.split(',')) {
      const eq = part.indexOf('=');
      const shardText = part.slice(0, eq);
      const id = part.slice(eq + 1);
      if (eq < 1 || !/^[0-9]{1,5}$/.test(shardText) || !ID_RE.test(id)) throw new DecodeError(ErrorCode.DecodeValue, 'malformed cursor position');
      const shard = Number(shardText);
      if (shard > BUS_MAX_SHARD_ID || positions.has(shard)) throw new DecodeError(ErrorCode.DecodeValue, 'bad cursor shard');
      positions.set(shard, id);
    }
  }
  return { backend, positions };
}
