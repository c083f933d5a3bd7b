/**
 * Time as an injected component. Protocol machines read time only through a Clock, so the same code runs on the
 * real clock and on the simulator's virtual one.
 */
import { InvalidArgumentError } from './errors.js';

export interface Clock {
  /** Monotonic milliseconds (a float with sub-millisecond precision); the node's internal time. */
  nowMs(): number;
  /** Monotonic nanoseconds as a bigint, for API edges that need exact integers. */
  nowNs(): bigint;
  /** Wall-clock milliseconds since the Unix epoch (for token validity and timestamps that leave the node). */
  wallMs(): number;
}

/** The process clock: `performance.now()` for monotonic time, `Date.now()` for wall time. */
export class SystemClock implements Clock {
  nowMs(): number {
    return performance.now();
  }
  nowNs(): bigint {
    return process.hrtime.bigint();
  }
  wallMs(): number {
    return Date.now();
  }
}

/**
 * A clock that moves only when told to. Monotonic time starts at 0; wall time starts at `wallStartMs`.
 * Time never goes backwards: `advance` refuses negative steps.
 */
export class VirtualClock implements Clock {
  private monoMs = 0;

  constructor(private readonly wallStartMs = 1_700_000_000_000) {}

  nowMs(): number {
    return this.monoMs;
  }
  nowNs(): bigint {
    return BigInt(Math.round(this.monoMs * 1e6));
  }
  wallMs(): number {
    return this.wallStartMs + this.monoMs;
  }

  /** Moves time forward by `ms` (>= 0). */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new InvalidArgumentError(`cannot advance by ${ms} ms`);
    this.monoMs += ms;
  }

  /** Sets monotonic time to `ms`, which must not be earlier than now. */
  set(ms: number): void {
    if (!(ms >= this.monoMs) || !Number.isFinite(ms)) throw new InvalidArgumentError(`cannot move time back to ${ms} ms`);
    this.monoMs = ms;
  }
}
