/**
 * Conditions of one directed simulated link, and the per-link state that bandwidth needs (a serialization queue
 * that refuses rather than grows).
 */
import { BoundedQueue, InvalidArgumentError } from '../../core/index.js';

export interface LinkConditions {
  /** Fixed one-way delay in ms. */
  latencyMs: number;
  /** Extra delay drawn uniformly from [0, jitterMs) per datagram; latency stays the minimum. */
  jitterMs: number;
  /** Probability in [0, 1] that a datagram is lost. */
  loss: number;
  /** Probability that a datagram is delivered twice (the duplicate takes its own jitter). */
  duplicate: number;
  /** Probability that a datagram is held back by up to `reorderDelayMs` more, so later ones overtake it. */
  reorder: number;
  reorderDelayMs: number;
  /** Probability that one random byte of the delivered copy is changed (never the sender's buffer). */
  corrupt: number;
  /** Serialization rate in bytes per second; 0 means unlimited. */
  bandwidthBytesPerSec: number;
  /** With a bandwidth, how many datagrams may wait or be on the wire at once; more are dropped (`drop_queue_full`). */
  queuePackets: number;
}

export const DEFAULT_LINK: Readonly<LinkConditions> = Object.freeze({
  latencyMs: 1,
  jitterMs: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelayMs: 0,
  corrupt: 0,
  bandwidthBytesPerSec: 0,
  queuePackets: 64,
});

/** Merges `over` onto `base` and validates the result; throws InvalidArgumentError on a bad value. */
export function mergeConditions(base: Readonly<LinkConditions>, over: Partial<LinkConditions> = {}): LinkConditions {
  const c: LinkConditions = { ...base, ...over };
  for (const k of ['loss', 'duplicate', 'reorder', 'corrupt'] as const) {
    if (!(c[k] >= 0 && c[k] <= 1)) throw new InvalidArgumentError(`${k} must be a probability in [0, 1], got ${c[k]}`);
  }
  for (const k of ['latencyMs', 'jitterMs', 'reorderDelayMs', 'bandwidthBytesPerSec'] as const) {
    if (!(c[k] >= 0 && Number.isFinite(c[k]))) throw new InvalidArgumentError(`${k} must be finite and >= 0, got ${c[k]}`);
  }
  if (!Number.isInteger(c.queuePackets) || c.queuePackets < 1) {
    throw new InvalidArgumentError(`queuePackets must be an integer >= 1, got ${c.queuePackets}`);
  }
  return c;
}

/** One directed link: its effective conditions and its transmit queue. */
export class SimLink {
  /** Finish times of datagrams accepted onto the link that are still waiting or being serialized. */
  private queue: BoundedQueue<number>;
  private busyUntil = 0;

  constructor(public conditions: LinkConditions, public override: Partial<LinkConditions> | undefined) {
    this.queue = new BoundedQueue<number>(conditions.queuePackets);
  }

  /** Replaces the conditions; a new queue size takes effect with an empty queue (in-flight datagrams keep their times). */
  reconfigure(conditions: LinkConditions): void {
    if (conditions.queuePackets !== this.conditions.queuePackets) this.queue = new BoundedQueue<number>(conditions.queuePackets);
    this.conditions = conditions;
  }

  /**
   * The time `length` bytes finish serializing if sent at `now`, or -1 when the queue is full. Without a
   * bandwidth, `now` (no queueing).
   */
  transmit(now: number, length: number): number {
    const bw = this.conditions.bandwidthBytesPerSec;
    if (bw === 0) return now;
    while (this.queue.size > 0 && this.queue.peek()! <= now) this.queue.shift();
    const finish = Math.max(now, this.busyUntil) + (length * 1000) / bw;
    if (!this.queue.push(finish)) return -1;
    this.busyUntil = finish;
    return finish;
  }
}
