/**
 * Handshake rate limiting: a token bucket per source host in a bounded LRU map, plus one global bucket. The map
 * never grows past its bound: the least recently used source is evicted (so a flood from many sources can at
 * worst reset an old source's bucket to full, which only a new source's burst can spend).
 */

export class TokenBucket {
  tokens: number;
  at: number;

  constructor(readonly ratePerSec: number, readonly burst: number, now: number) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes one token if available. */
  take(now: number): boolean {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.ratePerSec) / 1000);
      this.at = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class HandshakeRateLimiter {
  private readonly sources = new Map<string, TokenBucket>();
  private readonly global: TokenBucket;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly maxSources: number,
    globalRate: number,
    globalBurst: number,
    now: number,
  ) {
    this.global = new TokenBucket(globalRate, globalBurst, now);
  }

  get size(): number {
    return this.sources.size;
  }

  /** True when a handshake from `source` may be processed now; takes a token from both buckets. */
  allow(source: string, now: number): boolean {
    let b = this.sources.get(source);
    if (b === undefined) {
      if (this.sources.size >= this.maxSources) {
        const oldest = this.sources.keys().next().value;
        if (oldest !== undefined) this.sources.delete(oldest);
      }
      b = new TokenBucket(this.rate, this.burst, now);
    } else {
      this.sources.delete(source); // refresh LRU position
    }
    this.sources.set(source, b);
    if (!b.take(now)) return false;
    return this.global.take(now);
  }

  clear(): void {
    this.sources.clear();
  }
}
