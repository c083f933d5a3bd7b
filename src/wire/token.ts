/**
 * The 169-byte permission token (reference v0.27.2 `identity/token.rs`): a 105-byte signed payload
 * `issuer(32) ‖ subject(32) ‖ scope:u32 ‖ channel_hash:u64 ‖ issuer_generation:u32 ‖ not_before:u64 ‖
 * not_after:u64 ‖ delegation_depth:u8 ‖ nonce:u64` followed by the issuer's ed25519 signature (64). Layout only:
 * signing, verification and chain rules live in the trust plane. Exact length required; scope bits outside
 * PUBLISH|SUBSCRIBE|ADMIN|DELEGATE|WILDCARD are rejected (RESERVED; the reference keeps them). Times are seconds.
 */
import { InvalidArgumentError, U64_MAX, readU32LE, readU64LE, writeU32LE, writeU64LE } from '../core/index.js';
import type { Layout } from './layout.js';
import { sequentialLayout } from './layout.js';
import { WireStatus, checkExactRange, throwIfNotOk } from './status.js';

export const TOKEN_BYTES = 169;
export const TOKEN_SIGNED_BYTES = 105;
export const TOKEN_KEY_BYTES = 32;
export const TOKEN_SIGNATURE_BYTES = 64;

/** Token scope bits. */
export const TokenScope = {
  PUBLISH: 1,
  SUBSCRIBE: 2,
  ADMIN: 4,
  DELEGATE: 8,
  WILDCARD: 16,
} as const;
export type TokenScope = (typeof TokenScope)[keyof typeof TokenScope];
export const TOKEN_SCOPE_KNOWN = 0x1f;

export const TOKEN_LAYOUT: Layout = sequentialLayout([
  ['issuer', 32],
  ['subject', 32],
  ['scope', 4],
  ['channel_hash', 8],
  ['issuer_generation', 4],
  ['not_before', 8],
  ['not_after', 8],
  ['delegation_depth', 1],
  ['nonce', 8],
  ['signature', 64],
]);

/** A decoded token. Byte arrays are copies owned by the object. */
export interface PermissionToken {
  issuer: Uint8Array;
  subject: Uint8Array;
  scope: number;
  channelHash: bigint;
  issuerGeneration: number;
  notBefore: bigint;
  notAfter: bigint;
  delegationDepth: number;
  nonce: bigint;
  signature: Uint8Array;
}

/** Checks the shape of `bytes[offset..offset+length]`: SHORT / LONG unless 169 bytes, RESERVED for unknown scope bits. */
export function checkToken(bytes: Uint8Array, offset: number, length: number): WireStatus {
  const status = checkExactRange(bytes, offset, length, TOKEN_BYTES);
  if (status !== WireStatus.OK) return status;
  return (readU32LE(bytes, offset + 64) & ~TOKEN_SCOPE_KNOWN) !== 0 ? WireStatus.RESERVED : WireStatus.OK;
}

/** Decodes exactly 169 bytes; throws DecodeError (only fixed-size copies are allocated, after validation). */
export function decodeToken(bytes: Uint8Array): PermissionToken {
  throwIfNotOk(checkToken(bytes, 0, bytes.length), 'permission token');
  return {
    issuer: bytes.slice(0, 32),
    subject: bytes.slice(32, 64),
    scope: readU32LE(bytes, 64),
    channelHash: readU64LE(bytes, 68),
    issuerGeneration: readU32LE(bytes, 76),
    notBefore: readU64LE(bytes, 80),
    notAfter: readU64LE(bytes, 88),
    delegationDepth: bytes[96]!,
    nonce: readU64LE(bytes, 97),
    signature: bytes.slice(TOKEN_SIGNED_BYTES, TOKEN_BYTES),
  };
}

function isU64(v: unknown): boolean {
  return typeof v === 'bigint' && v >= 0n && v <= U64_MAX;
}

/** Throws InvalidArgumentError unless every field of `t` fits its wire width (signature ignored). */
function assertSignedFields(t: Omit<PermissionToken, 'signature'>): void {
  const bad = (what: string): never => {
    throw new InvalidArgumentError(`permission token: bad ${what}`);
  };
  if (!(t.issuer instanceof Uint8Array) || t.issuer.length !== TOKEN_KEY_BYTES) bad('issuer');
  if (!(t.subject instanceof Uint8Array) || t.subject.length !== TOKEN_KEY_BYTES) bad('subject');
  if (t.scope >>> 0 !== t.scope || (t.scope & ~TOKEN_SCOPE_KNOWN) !== 0) bad('scope');
  if (t.issuerGeneration >>> 0 !== t.issuerGeneration) bad('issuerGeneration');
  if ((t.delegationDepth & 0xff) !== t.delegationDepth) bad('delegationDepth');
  if (!isU64(t.channelHash)) bad('channelHash');
  if (!isU64(t.notBefore)) bad('notBefore');
  if (!isU64(t.notAfter)) bad('notAfter');
  if (!isU64(t.nonce)) bad('nonce');
}

/**
 * Writes the 105-byte signed payload of `t` at `out[offset..]` (what the issuer signs); returns `out`.
 * Throws InvalidArgumentError for a bad field or too little room.
 */
export function writeTokenSignedPayload(t: Omit<PermissionToken, 'signature'>, out: Uint8Array, offset = 0): Uint8Array {
  assertSignedFields(t);
  if (!(offset >= 0) || out.length - offset < TOKEN_SIGNED_BYTES) throw new InvalidArgumentError('permission token: no room');
  out.set(t.issuer, offset);
  out.set(t.subject, offset + 32);
  writeU32LE(out, offset + 64, t.scope);
  writeU64LE(out, offset + 68, t.channelHash);
  writeU32LE(out, offset + 76, t.issuerGeneration);
  writeU64LE(out, offset + 80, t.notBefore);
  writeU64LE(out, offset + 88, t.notAfter);
  out[offset + 96] = t.delegationDepth;
  writeU64LE(out, offset + 97, t.nonce);
  return out;
}

/** The signed payload as a new 105-byte array. */
export function encodeTokenSignedPayload(t: Omit<PermissionToken, 'signature'>): Uint8Array {
  return writeTokenSignedPayload(t, new Uint8Array(TOKEN_SIGNED_BYTES));
}

/** Encodes a whole token (signed payload ‖ signature) into a new 169-byte array; throws InvalidArgumentError. */
export function encodeToken(t: PermissionToken): Uint8Array {
  if (!(t.signature instanceof Uint8Array) || t.signature.length !== TOKEN_SIGNATURE_BYTES) {
    throw new InvalidArgumentError('permission token: bad signature length');
  }
  const out = new Uint8Array(TOKEN_BYTES);
  writeTokenSignedPayload(t, out, 0);
  out.set(t.signature, TOKEN_SIGNED_BYTES);
  return out;
}
