/**
 * Permission tokens (reference v0.27.2 `identity/token.rs`; the 169-byte layout is in wire/token.ts): issue,
 * verify, validity with a symmetric clock-skew window, `authorizes`, and delegation. Times are Unix seconds.
 *
 * - A token lives at most {@link MAX_TOKEN_TTL_SECS} (one year), checked at issue and again on every verify.
 * - Validity with skew `s`: not yet valid when `now + s < not_before`; expired when `now - s >= not_after`.
 * - Delegation narrows: the child's scope must be a subset of the parent's (a request for more is refused, not
 *   silently intersected), its depth is one less, and its lifetime ends at
 *   `min(parent.not_after, now + delegation max TTL)` (30 days by default).
 */
import { InvalidArgumentError, U64_MAX, type Random, CryptoRandom } from '../core/index.js';
import { ChannelName, ED25519_PUBLIC_KEY_BYTES, ed25519VerifyStrict, type Identity } from '../crypto/index.js';
import {
  TOKEN_BYTES, TOKEN_SCOPE_KNOWN, TOKEN_SIGNED_BYTES, TokenScope, WireStatus, checkToken, decodeToken, encodeToken,
  encodeTokenSignedPayload, type PermissionToken,
} from '../wire/index.js';
import { TokenError } from './errors.js';

/** Longest token lifetime (reference `MAX_TOKEN_TTL_SECS`, one year). */
export const MAX_TOKEN_TTL_SECS = 365 * 24 * 60 * 60;
/** Longest lifetime of a delegated token (reference `DELEGATION_MAX_TTL`, 30 days). */
export const DELEGATION_MAX_TTL_SECS = 30 * 24 * 60 * 60;
/** Default symmetric clock-skew allowance (reference recommendation). */
export const TOKEN_CLOCK_SKEW_SECS = 60;
/** Largest skew a cache accepts (reference `MAX_TOKEN_CLOCK_SKEW_SECS`, 5 minutes); larger values are clamped. */
export const MAX_TOKEN_CLOCK_SKEW_SECS = 300;

export { TokenScope };
export type { PermissionToken };

/** A channel given as a name (validated, hashed with xxh3-64), a ChannelName, or a u64 hash. */
export type ChannelRef = string | ChannelName | bigint;

export function channelHashOf(c: ChannelRef): bigint {
  if (typeof c === 'bigint') {
    if (c < 0n || c > U64_MAX) throw new InvalidArgumentError('channel hash must be a u64');
    return c;
  }
  return (typeof c === 'string' ? ChannelName.parse(c) : c).hash;
}

export function clampSkew(skewSecs: number): number {
  if (!(skewSecs >= 0)) throw new InvalidArgumentError('clock skew must be >= 0 seconds');
  return Math.min(Math.floor(skewSecs), MAX_TOKEN_CLOCK_SKEW_SECS);
}

function nonce(random: Random): bigint {
  const b = new Uint8Array(8);
  random.fill(b);
  return new DataView(b.buffer).getBigUint64(0, true);
}

function sign(signer: Identity, t: Omit<PermissionToken, 'signature'>): PermissionToken {
  return { ...t, signature: signer.sign(encodeTokenSignedPayload(t)) };
}

export interface IssueOptions {
  subject: Uint8Array;
  scope: number;
  channel: ChannelRef;
  ttlSecs: number;
  /** How many further delegations the subject may make (0..255). */
  delegationDepth?: number;
  issuerGeneration?: number;
  nowSecs: number;
  random?: Random;
}

/** Issues a root token signed by `issuer`. Throws TokenError (`zero_ttl`, `ttl_too_long`) or InvalidArgumentError. */
export function issueToken(issuer: Identity, o: IssueOptions): PermissionToken {
  if (!(o.subject instanceof Uint8Array) || o.subject.length !== ED25519_PUBLIC_KEY_BYTES) throw new InvalidArgumentError('subject must be a 32-byte ed25519 public key');
  if (!Number.isInteger(o.ttlSecs) || o.ttlSecs <= 0) throw new TokenError('zero_ttl', 'ttl must be a positive number of seconds');
  if (o.ttlSecs > MAX_TOKEN_TTL_SECS) throw new TokenError('ttl_too_long', `ttl ${o.ttlSecs} s exceeds ${MAX_TOKEN_TTL_SECS} s`);
  if (!Number.isSafeInteger(o.nowSecs) || o.nowSecs < 0) throw new InvalidArgumentError('nowSecs must be a non-negative integer');
  if ((o.scope & ~TOKEN_SCOPE_KNOWN) !== 0 || o.scope === 0) throw new InvalidArgumentError(`scope 0x${o.scope.toString(16)} is empty or has unknown bits`);
  return sign(issuer, {
    issuer: issuer.publicKey.slice(),
    subject: o.subject.slice(),
    scope: o.scope,
    channelHash: channelHashOf(o.channel),
    issuerGeneration: o.issuerGeneration ?? 0,
    notBefore: BigInt(o.nowSecs),
    notAfter: BigInt(o.nowSecs + o.ttlSecs),
    delegationDepth: o.delegationDepth ?? 0,
    nonce: nonce(o.random ?? new CryptoRandom()),
  });
}

/**
 * Checks the shape and signature of 169 token bytes in place (no copy, no decode): the ed25519 signature at
 * 105..169 by the issuer key at 0..32 over bytes 0..105. Never throws.
 */
export function verifyTokenBytes(bytes: Uint8Array): boolean {
  if (checkToken(bytes, 0, bytes.length) !== WireStatus.OK) return false;
  return ed25519VerifyStrict(bytes.subarray(0, 32), bytes.subarray(0, TOKEN_SIGNED_BYTES), bytes.subarray(TOKEN_SIGNED_BYTES, TOKEN_BYTES));
}

export function verifyTokenSignature(t: PermissionToken): boolean {
  return ed25519VerifyStrict(t.issuer, encodeTokenSignedPayload(t), t.signature);
}

export type TimeVerdict = 'ok' | 'expired' | 'not_yet_valid';

/** The reference's `check_time_bounds` with skew, plus the one-year lifetime cap. */
export function checkTimeBounds(t: PermissionToken, nowSecs: number, skewSecs: number): TimeVerdict {
  const now = BigInt(nowSecs);
  const skew = BigInt(skewSecs);
  if (now + skew < t.notBefore) return 'not_yet_valid';
  if (now >= t.notAfter + skew || t.notAfter - t.notBefore > BigInt(MAX_TOKEN_TTL_SECS)) return 'expired';
  return 'ok';
}

/** Does the token's scope include `action`, on `channelHash` (any channel with WILDCARD)? */
export function tokenAuthorizes(t: PermissionToken, action: number, channelHash: bigint): boolean {
  if ((t.scope & action) !== action) return false;
  return (t.scope & TokenScope.WILDCARD) !== 0 || t.channelHash === channelHash;
}

/** Signature, then time bounds; throws TokenError (`invalid_signature`, `expired`, `not_yet_valid`). */
export function assertTokenValid(t: PermissionToken, nowSecs: number, skewSecs: number): void {
  if (!verifyTokenSignature(t)) throw new TokenError('invalid_signature', 'signature does not verify under the issuer key');
  const v = checkTimeBounds(t, nowSecs, skewSecs);
  if (v !== 'ok') throw new TokenError(v, `valid ${t.notBefore}..${t.notAfter}, now ${nowSecs} (skew ${skewSecs} s)`);
}

export interface DelegateOptions {
  subject: Uint8Array;
  /** Must be a subset of the parent's scope. */
  scope: number;
  nowSecs: number;
  skewSecs?: number;
  /** Requested lifetime; at most the delegation cap. Default: the cap. */
  ttlSecs?: number;
  delegationMaxTtlSecs?: number;
  random?: Random;
}

/** Delegates `parent` (held by `signer`, its subject) to a new subject with a narrower or equal scope. */
export function delegateToken(parent: PermissionToken, signer: Identity, o: DelegateOptions): PermissionToken {
  assertTokenValid(parent, o.nowSecs, clampSkew(o.skewSecs ?? TOKEN_CLOCK_SKEW_SECS));
  if (parent.delegationDepth === 0) throw new TokenError('delegation_exhausted', 'the parent allows no further delegation');
  if ((parent.scope & TokenScope.DELEGATE) === 0) throw new TokenError('delegation_not_allowed', 'the parent lacks DELEGATE scope');
  if (!bytesEq(signer.publicKey, parent.subject)) throw new TokenError('not_authorized', 'only the parent token\'s subject may delegate it');
  if ((o.scope & ~parent.scope) !== 0 || o.scope === 0) {
    throw new TokenError('scope_widened', `scope 0x${o.scope.toString(16)} is not within the parent's 0x${parent.scope.toString(16)}`);
  }
  const cap = o.delegationMaxTtlSecs ?? DELEGATION_MAX_TTL_SECS;
  const ttl = o.ttlSecs ?? cap;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new TokenError('zero_ttl', 'ttl must be a positive number of seconds');
  if (ttl > cap) throw new TokenError('lifetime_widened', `ttl ${ttl} s exceeds the delegation cap ${cap} s`);
  if (!(o.subject instanceof Uint8Array) || o.subject.length !== ED25519_PUBLIC_KEY_BYTES) throw new InvalidArgumentError('subject must be a 32-byte ed25519 public key');
  // A delegator whose clock runs behind (within the skew) must still not start the child before its parent.
  const notBefore = BigInt(o.nowSecs) > parent.notBefore ? BigInt(o.nowSecs) : parent.notBefore;
  const end = notBefore + BigInt(ttl);
  return sign(signer, {
    issuer: signer.publicKey.slice(),
    subject: o.subject.slice(),
    scope: o.scope,
    channelHash: parent.channelHash,
    issuerGeneration: parent.issuerGeneration,
    notBefore,
    notAfter: end < parent.notAfter ? end : parent.notAfter,
    delegationDepth: parent.delegationDepth - 1,
    nonce: nonce(o.random ?? new CryptoRandom()),
  });
}

export function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Decodes 169 bytes; throws TokenError(`invalid_format`) instead of the wire's DecodeError. */
export function parseToken(bytes: Uint8Array): PermissionToken {
  try {
    return decodeToken(bytes);
  } catch (e) {
    throw new TokenError('invalid_format', e instanceof Error ? e.message : String(e), { cause: e });
  }
}

export { encodeToken };
