/**
 * A circuit breaker per endpoint (reference nRPC caller-side `CircuitBreaker`): `failureThreshold` consecutive
 * failures open it for `openMs`; then exactly one probe is let through (half-open); its success closes the
 * breaker, its failure reopens it. The probe slot is released on every path (`release` when a claimed probe ends
 * without an outcome), so a request that fails admission after claiming the probe cannot wedge the breaker.
 */
import { InvalidArgumentError } from '../core/index.js';

export const BreakerState = { Closed: 0, Open: 1, HalfOpen: 2 } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  failureThreshold?: number;
  /** How long it stays open before one probe (default 30,000 ms). */
  openMs?: number;
}

export const DEFAULT_CIRCUIT_BREAKER_OPTIONS: Required<CircuitBreakerOptions> = { failureThreshold: 5, openMs: 30_000 };

export class CircuitBreaker {
  private stateValue: BreakerState = BreakerState.Closed;
  private failures = 0;
  private openUntil = 0;
  private probeOut = false;
  private readonly threshold: number;
  private readonly openMs: number;

  constructor(options: CircuitBreakerOptions = {}) {
    const o = { ...DEFAULT_CIRCUIT_BREAKER_OPTIONS, ...options };
    if (!Number.isInteger(o.failureThreshold) || o.failureThreshold < 1) {
      throw new InvalidArgumentError(`failureThreshold must be a positive integer, got ${o.failureThreshold}`);
    }
    if (!(o.openMs > 0)) throw new InvalidArgumentError(`openMs must be positive, got ${o.openMs}`);
    this.threshold = o.failureThreshold;
    this.openMs = o.openMs;
  }

  get state(): BreakerState {
    return this.stateValue;
  }

  /** May a request go now? In half-open this claims the one probe slot. */
  allow(now: number): boolean {
    if (this.stateValue === BreakerState.Closed) return true;
    if (this.stateValue === BreakerState.Open) {
      if (now < this.openUntil) return false;
      this.stateValue = BreakerState.HalfOpen;
    }
    if (this.probeOut) return false;
    this.probeOut = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.probeOut = false;
    this.stateValue = BreakerState.Closed;
  }

  onFailure(now: number): void {
    this.probeOut = false;
    if (this.stateValue === BreakerState.HalfOpen || ++this.failures >= this.threshold) {
      this.stateValue = BreakerState.Open;
      this.openUntil = now + this.openMs;
      this.failures = 0;
    }
  }

  /** A claimed probe ended without an outcome (cancelled, refused locally): the next caller may probe. */
  release(): void {
    this.probeOut = false;
  }
}
