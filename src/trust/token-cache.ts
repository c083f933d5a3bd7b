/**
 * The token cache (reference `TokenCache`): verified chains keyed by (subject, channel hash), wildcard chains
 * under channel 0, at most {@link TOKEN_CACHE_DEFAULTS.maxPerSlot} per slot. Signatures and chain structure are
 * checked once at insert; `check` then costs two Map probes, a time comparison and one revocation-floor probe per
 * link — O(chain depth), so bumping an issuer's generation refuses every descendant at the next check with no
 * per-token state. `sweep` drops expired and revoked entries; call it from a timer (sans-I/O: time is the
 * injected Clock's wall time, in seconds).
 */
import { CounterSet, InvalidArgumentError, type Clock } from '../core/index.js';
import { TokenScope, type PermissionToken } from '../wire/index.js';
import { TokenError, type TokenErrorKind } from './errors.js';
import { RevocationRegistry, issuerKey, verifyTokenChain } from './token-chain.js';
import { DELEGATION_MAX_TTL_SECS, TOKEN_CLOCK_SKEW_SECS, clampSkew } from './token.js';

export const TOKEN_CACHE_DEFAULTS = {
  /** Chains per (subject, channel) slot (reference `MAX_TOKENS_PER_SLOT`). */
  maxPerSlot: 32,
  /** Slots in all (reference `MAX_TOKEN_SLOTS`). */
  maxSlots: 65536,
  clockSkewSecs: TOKEN_CLOCK_SKEW_SECS,
  /** How often the owner should call `sweep` (reference `token_sweep_interval`). */
  sweepIntervalMs: 30_000,
} as const;

export interface TokenCacheOptions {
  /** Keys a chain must start at. */
  roots: readonly Uint8Array[];
  clockSkewSecs?: number;
  maxPerSlot?: number;
  maxSlots?: number;
  delegationMaxTtlSecs?: number;
  revocation?: RevocationRegistry;
}

/** What `check` needs of a cached chain, flattened at insert. */
interface Cached {
  readonly chain: readonly PermissionToken[];
  readonly scope: number;
  readonly channelHash: bigint;
  /** Latest not_before and earliest not_after over the chain, as numbers of seconds. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** Issuer key and generation of every link, for the revocation probe. */
  readonly issuers: readonly string[];
  readonly generations: readonly number[];
}

const COUNTERS = ['checks', 'allowed', 'denied', 'expired', 'not_yet_valid', 'token_dropped_by_generation', 'inserted',
  'replaced', 'rejected', 'slot_full', 'cache_full', 'swept'] as const;
type CacheCounter = (typeof COUNTERS)[number];

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const secs = (v: bigint): number => Number(v > MAX_SAFE ? MAX_SAFE : v);

export class TokenCache {
  readonly counters = new CounterSet<CacheCounter>(COUNTERS);
  readonly revocation: RevocationRegistry;
  readonly skewSecs: number;
  private readonly slots = new Map<string, Map<bigint, Cached[]>>();
  private slotCount = 0;
  private readonly maxPerSlot: number;
  private readonly maxSlots: number;
  private readonly checksSlot = this.counters.slot('checks');
  private readonly allowedSlot = this.counters.slot('allowed');

  constructor(private readonly components: { clock: Clock }, private readonly options: TokenCacheOptions) {
    this.skewSecs = clampSkew(options.clockSkewSecs ?? TOKEN_CACHE_DEFAULTS.clockSkewSecs);
    this.maxPerSlot = options.maxPerSlot ?? TOKEN_CACHE_DEFAULTS.maxPerSlot;
    this.maxSlots = options.maxSlots ?? TOKEN_CACHE_DEFAULTS.maxSlots;
    if (!(this.maxPerSlot >= 1 && this.maxSlots >= 1)) throw new InvalidArgumentError('cache bounds must be >= 1');
    if (options.roots.length === 0) throw new InvalidArgumentError('a token cache needs at least one root');
    this.revocation = options.revocation ?? new RevocationRegistry();
  }

  private nowSecs(): number {
    return Math.floor(this.components.clock.wallMs() / 1000);
  }

  /**
   * Verifies `chain` for (its leaf's subject, its leaf's scope and channel) and caches it. Throws TokenError
   * (counted as `rejected`); a full slot or cache is refused with `not_authorized` (counted `slot_full` / `cache_full`).
   */
  insert(chain: readonly PermissionToken[]): void {
    const leaf = chain[chain.length - 1];
    try {
      if (leaf === undefined) throw new TokenError('invalid_format', 'empty chain');
      verifyTokenChain(chain, {
        action: leaf.scope & ~TokenScope.WILDCARD & (TokenScope.PUBLISH | TokenScope.SUBSCRIBE | TokenScope.ADMIN | TokenScope.DELEGATE),
        channelHash: leaf.channelHash,
        presenter: leaf.subject,
        roots: this.options.roots,
        revocation: this.revocation,
        nowSecs: this.nowSecs(),
        skewSecs: this.skewSecs,
        delegationMaxTtlSecs: this.options.delegationMaxTtlSecs ?? DELEGATION_MAX_TTL_SECS,
      });
    } catch (e) {
      this.counters.inc('rejected');
      throw e;
    }
    const wildcard = (leaf.scope & TokenScope.WILDCARD) !== 0;
    const entry: Cached = {
      chain: [...chain],
      scope: leaf.scope,
      channelHash: leaf.channelHash,
      notBefore: Math.max(...chain.map((t) => secs(t.notBefore))),
      notAfter: Math.min(...chain.map((t) => secs(t.notAfter))),
      issuers: chain.map((t) => issuerKey(t.issuer)),
      generations: chain.map((t) => t.issuerGeneration),
    };
    const subject = issuerKey(leaf.subject);
    let bySubject = this.slots.get(subject);
    const slotKey = wildcard ? 0n : leaf.channelHash;
    let slot = bySubject?.get(slotKey);
    if (slot === undefined) {
      if (this.slotCount >= this.maxSlots) {
        this.counters.inc('cache_full');
        throw new TokenError('not_authorized', `token cache is full (${this.maxSlots} slots)`);
      }
      if (bySubject === undefined) this.slots.set(subject, (bySubject = new Map()));
      bySubject.set(slotKey, (slot = []));
      this.slotCount++;
    }
    const same = slot.findIndex((c) => c.scope === entry.scope);
    if (same >= 0) {
      slot[same] = entry;
      this.counters.inc('replaced');
    } else if (slot.length < this.maxPerSlot) {
      slot.push(entry);
      this.counters.inc('inserted');
    } else {
      this.counters.inc('slot_full');
      throw new TokenError('not_authorized', `slot holds ${this.maxPerSlot} tokens already`);
    }
  }

  /** May `subject` (a 32-byte key or its {@link issuerKey}) perform `action` on `channelHash` now? Never throws. */
  check(subject: Uint8Array | string, action: number, channelHash: bigint): boolean {
    return this.verdict(subject, action, channelHash) === 'ok';
  }

  /** {@link check}, throwing TokenError with the reason when refused. */
  authorize(subject: Uint8Array | string, action: number, channelHash: bigint): void {
    const v = this.verdict(subject, action, channelHash);
    if (v !== 'ok') throw new TokenError(v, `no cached token grants 0x${action.toString(16)} on channel ${channelHash.toString(16)}`);
  }

  private verdict(subject: Uint8Array | string, action: number, channelHash: bigint): 'ok' | TokenErrorKind {
    this.counters.incSlot(this.checksSlot);
    const bySubject = this.slots.get(typeof subject === 'string' ? subject : issuerKey(subject));
    let reason: TokenErrorKind = 'not_authorized';
    if (bySubject !== undefined) {
      const now = this.nowSecs();
      const r1 = this.scanSlot(bySubject.get(channelHash), action, channelHash, now);
      if (r1 === 'ok') return this.allow();
      const r2 = channelHash === 0n ? r1 : this.scanSlot(bySubject.get(0n), action, channelHash, now);
      if (r2 === 'ok') return this.allow();
      reason = r1 !== 'not_authorized' ? r1 : r2;
    }
    this.counters.inc('denied');
    if (reason === 'expired' || reason === 'not_yet_valid') this.counters.inc(reason);
    return reason;
  }

  private allow(): 'ok' {
    this.counters.incSlot(this.allowedSlot);
    return 'ok';
  }

  private scanSlot(slot: Cached[] | undefined, action: number, channelHash: bigint, now: number): 'ok' | TokenErrorKind {
    if (slot === undefined) return 'not_authorized';
    let reason: TokenErrorKind = 'not_authorized';
    for (let i = 0; i < slot.length; i++) {
      const c = slot[i]!;
      if ((c.scope & action) !== action) continue;
      if ((c.scope & TokenScope.WILDCARD) === 0 && c.channelHash !== channelHash) continue;
      if (now + this.skewSecs < c.notBefore) {
        reason = 'not_yet_valid';
        continue;
      }
      if (now - this.skewSecs >= c.notAfter) {
        reason = 'expired';
        continue;
      }
      if (this.isRevoked(c)) {
        this.counters.inc('token_dropped_by_generation');
        reason = 'revoked';
        continue;
      }
      return 'ok';
    }
    return reason;
  }

  private isRevoked(c: Cached): boolean {
    for (let i = 0; i < c.issuers.length; i++) if (c.generations[i]! < this.revocation.floorByKey(c.issuers[i]!)) return true;
    return false;
  }

  /** Removes expired and revoked chains; returns how many. */
  sweep(): number {
    const now = this.nowSecs();
    let removed = 0;
    for (const [subject, bySubject] of this.slots) {
      for (const [key, slot] of bySubject) {
        const keep = slot.filter((c) => now - this.skewSecs < c.notAfter && !this.isRevoked(c));
        removed += slot.length - keep.length;
        if (keep.length === 0) {
          bySubject.delete(key);
          this.slotCount--;
        } else if (keep.length !== slot.length) bySubject.set(key, keep);
      }
      if (bySubject.size === 0) this.slots.delete(subject);
    }
    this.counters.inc('swept', removed);
    return removed;
  }

  /** Cached chains in all. */
  get size(): number {
    let n = 0;
    for (const bySubject of this.slots.values()) for (const slot of bySubject.values()) n += slot.length;
    return n;
  }
}
