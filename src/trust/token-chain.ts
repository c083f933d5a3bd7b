/**
 * Token chains (reference v0.27 `TokenChain`): `count:u8 (1..8) ‖ count × 169-byte token`, root first. A chain
 * is honoured only when its first issuer is one of the channel's configured roots, its last subject is the
 * presenter, and every link narrows: the child's issuer is the parent's subject, the parent carries DELEGATE,
 * depth strictly decreases, scope is a subset, and the lifetime lies within the parent's and within the
 * delegation cap. Each token must verify, be within its time bounds (with skew) and not be revoked.
 */
import { ErrorCode, isNetError } from '../core/index.js';
import { TOKEN_BYTES, TokenScope, type PermissionToken } from '../wire/index.js';
import { TokenError } from './errors.js';
import { DELEGATION_MAX_TTL_SECS, bytesEq, checkTimeBounds, encodeToken, parseToken, tokenAuthorizes, verifyTokenSignature } from './token.js';

/** Most tokens in a chain (reference `MAX_CHAIN_DEPTH`). */
export const MAX_CHAIN_DEPTH = 8;

export function encodeTokenChain(chain: readonly PermissionToken[]): Uint8Array {
  if (chain.length < 1 || chain.length > MAX_CHAIN_DEPTH) throw new TokenError('chain_too_deep', `a chain holds 1..${MAX_CHAIN_DEPTH} tokens, got ${chain.length}`);
  const out = new Uint8Array(1 + chain.length * TOKEN_BYTES);
  out[0] = chain.length;
  chain.forEach((t, i) => out.set(encodeToken(t), 1 + i * TOKEN_BYTES));
  return out;
}

/** Decodes a chain; exact length required. Throws TokenError (`invalid_format`, `chain_too_deep`). */
export function decodeTokenChain(bytes: Uint8Array): PermissionToken[] {
  if (bytes.length === 0) throw new TokenError('invalid_format', 'empty chain');
  const count = bytes[0]!;
  if (count === 0 || count > MAX_CHAIN_DEPTH) throw new TokenError('chain_too_deep', `chain count ${count} (allowed 1..${MAX_CHAIN_DEPTH})`);
  if (bytes.length !== 1 + count * TOKEN_BYTES) throw new TokenError('invalid_format', `chain of ${count} needs ${1 + count * TOKEN_BYTES} bytes, got ${bytes.length}`);
  const out: PermissionToken[] = [];
  for (let i = 0; i < count; i++) out.push(parseToken(bytes.subarray(1 + i * TOKEN_BYTES, 1 + (i + 1) * TOKEN_BYTES)));
  return out;
}

/** Issuer generation floors: tokens whose generation is below their issuer's floor are revoked. */
export class RevocationRegistry {
  private readonly floors = new Map<string, number>();

  /** Raises `issuer`'s floor to `generation` (never lowers it). */
  revokeBelow(issuer: Uint8Array, generation: number): void {
    const k = issuerKey(issuer);
    if (generation > (this.floors.get(k) ?? 0)) this.floors.set(k, generation);
  }
  floor(issuer: Uint8Array): number {
    return this.floors.get(issuerKey(issuer)) ?? 0;
  }
  floorByKey(key: string): number {
    return this.floors.get(key) ?? 0;
  }
  isRevoked(t: PermissionToken): boolean {
    return t.issuerGeneration < this.floor(t.issuer);
  }
}

/** A 32-byte key as a 32-character latin1 string: a cheap Map key. */
export function issuerKey(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

export interface TokenChainCheck {
  action: number;
  channelHash: bigint;
  presenter: Uint8Array;
  roots: readonly Uint8Array[];
  revocation?: RevocationRegistry;
  nowSecs: number;
  skewSecs: number;
  delegationMaxTtlSecs?: number;
  /** Skip signature checks (the tokens were verified when cached). */
  presigned?: boolean;
}

/** Throws TokenError naming the first rule the chain breaks. */
export function verifyTokenChain(chain: readonly PermissionToken[], c: TokenChainCheck): void {
  if (chain.length < 1 || chain.length > MAX_CHAIN_DEPTH) throw new TokenError('chain_too_deep', `${chain.length} tokens`);
  if (!c.roots.some((r) => bytesEq(r, chain[0]!.issuer))) throw new TokenError('untrusted_root', 'the chain does not start at a configured root');
  if (!bytesEq(chain[chain.length - 1]!.subject, c.presenter)) throw new TokenError('wrong_subject', 'the chain is not for the presenter');
  const cap = BigInt(c.delegationMaxTtlSecs ?? DELEGATION_MAX_TTL_SECS);
  for (let i = 0; i < chain.length; i++) {
    const t = chain[i]!;
    if (c.presigned !== true && !verifyTokenSignature(t)) throw new TokenError('invalid_signature', `token ${i} does not verify`);
    const v = checkTimeBounds(t, c.nowSecs, c.skewSecs);
    if (v !== 'ok') throw new TokenError(v, `token ${i}: valid ${t.notBefore}..${t.notAfter}, now ${c.nowSecs}`);
    if (c.revocation?.isRevoked(t) === true) throw new TokenError('revoked', `token ${i}: issuer generation ${t.issuerGeneration} is revoked`);
    if (!tokenAuthorizes(t, c.action, c.channelHash)) throw new TokenError('not_authorized', `token ${i} does not grant 0x${c.action.toString(16)} on this channel`);
    if (i === 0) continue;
    const parent = chain[i - 1]!;
    if (!bytesEq(t.issuer, parent.subject)) throw new TokenError('not_authorized', `token ${i} is not issued by the previous token's subject`);
    if ((parent.scope & TokenScope.DELEGATE) === 0) throw new TokenError('delegation_not_allowed', `token ${i - 1} lacks DELEGATE`);
    if (t.delegationDepth >= parent.delegationDepth) throw new TokenError('delegation_exhausted', `token ${i} does not reduce the delegation depth`);
    if ((t.scope & ~parent.scope) !== 0) throw new TokenError('scope_widened', `token ${i} has scope bits its parent lacks`);
    if (t.notBefore < parent.notBefore || t.notAfter > parent.notAfter || t.notAfter - t.notBefore > cap) {
      throw new TokenError('lifetime_widened', `token ${i} outlives its parent or the ${cap} s delegation cap`);
    }
  }
}

/** True when `e` is a TokenError (any kind) — the refusal type of every token check. */
export function isTokenRefusal(e: unknown): e is TokenError {
  return e instanceof TokenError || isNetError(e, ErrorCode.TokenInvalid);
}
