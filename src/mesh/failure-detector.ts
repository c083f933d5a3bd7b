/**
 * The failure detector (reference `failure.rs`): silence is a signal. Fed the time a neighbour's session last
 * authenticated a packet (heartbeats included) and the session's incarnation, it moves the neighbour
 * healthy → suspected → failed, and back to healthy when an authenticated packet of the *same* incarnation arrives
 * after the verdict (a paused process that resumes: no re-handshake needed). A new incarnation (a new session)
 * starts healthy: a verdict about an old session never touches the new one.
 *
 * Reroute bound: a neighbour that goes silent is `failed` at most `failAfterMs + checkIntervalMs` after its last
 * packet; its routes are withdrawn in the same tick.
 */
import { InvalidArgumentError } from '../core/index.js';
import { NeighborStatus, type Neighbor } from './neighbor.js';

export interface FailureDetectorOptions {
  /** Silence after which a neighbour is suspected (default 2 heartbeat intervals: 10,000 ms). */
  suspectAfterMs?: number;
  /** Silence after which it is failed and routed around (default 3 heartbeat intervals: 15,000 ms). */
  failAfterMs?: number;
}

export const Verdict = { None: 0, Suspected: 1, Failed: 2, Recovered: 3, Reincarnated: 4 } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];
export const VERDICT_NAMES = ['none', 'suspected', 'failed', 'recovered', 'reincarnated'] as const;

/** Thresholds from the heartbeat interval: suspect after 2 intervals of silence, fail after 3. */
export function failureDetectorDefaults(heartbeatMs: number): Required<FailureDetectorOptions> {
  return { suspectAfterMs: 2 * heartbeatMs, failAfterMs: 3 * heartbeatMs };
}

export class FailureDetector {
  readonly suspectAfterMs: number;
  readonly failAfterMs: number;

  constructor(options: Required<FailureDetectorOptions>) {
    const { suspectAfterMs, failAfterMs } = options;
    if (!(suspectAfterMs > 0) || !(failAfterMs > suspectAfterMs)) {
      throw new InvalidArgumentError(`need 0 < suspectAfterMs < failAfterMs, got ${suspectAfterMs} and ${failAfterMs}`);
    }
    this.suspectAfterMs = suspectAfterMs;
    this.failAfterMs = failAfterMs;
  }

  /**
   * Updates `n.status` from what its session shows now and returns what changed. `heardMs` is the session's last
   * authenticated receive time, `incarnation` its id word (0 when no session is up).
   */
  assess(n: Neighbor, heardMs: number, incarnation: number, now: number): Verdict {
    if (incarnation !== n.incarnation) {
      const was = n.status;
      n.incarnation = incarnation;
      n.status = NeighborStatus.Healthy;
      if (incarnation !== 0) return was === NeighborStatus.Healthy ? Verdict.None : Verdict.Reincarnated;
    }
    const silent = now - heardMs;
    if (silent >= this.failAfterMs) {
      if (n.status === NeighborStatus.Failed) return Verdict.None;
      n.status = NeighborStatus.Failed;
      return Verdict.Failed;
    }
    if (silent >= this.suspectAfterMs) {
      if (n.status !== NeighborStatus.Healthy) return Verdict.None;
      n.status = NeighborStatus.Suspected;
      return Verdict.Suspected;
    }
    if (n.status === NeighborStatus.Healthy) return Verdict.None;
    const wasFailed = n.status === NeighborStatus.Failed;
    n.status = NeighborStatus.Healthy;
    return wasFailed ? Verdict.Recovered : Verdict.None;
  }

  /** When `assess` could next return something for a neighbour last heard at `heardMs`. */
  nextCheck(n: Neighbor, heardMs: number): number {
    if (n.status === NeighborStatus.Healthy) return heardMs + this.suspectAfterMs;
    if (n.status === NeighborStatus.Suspected) return heardMs + this.failAfterMs;
    return Infinity;
  }
}
