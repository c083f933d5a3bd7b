/**
 * Periodic re-announcement as a sans-I/O machine: it says when the next announcement is due and builds it; the
 * owner sets a timer for {@link Reannouncer.nextDueMs} and sends what {@link Reannouncer.poll} returns. Defaults
 * follow the reference: every 150 s, never more often than every 10 s, and a TTL of twice the larger of the two
 * (so one missed round does not evict the node from its peers' indexes).
 *
 * Every announcement carries a new, strictly greater version: receivers refuse equal versions (a replay must not
 * extend an entry's life) and smaller ones. Versions start at the wall clock in microseconds, so a restarted
 * process still moves forward past what its peers remember.
 */
import { InvalidArgumentError, type Clock } from '../core/index.js';
import type { Identity } from '../crypto/index.js';
import { createAnnouncement, type CapabilityAnnouncement } from './announcement.js';

export const REANNOUNCE_DEFAULTS = {
  intervalMs: 150_000,
  minIntervalMs: 10_000,
} as const;

export interface AnnouncedContent {
  tags?: readonly string[];
  metadata?: Readonly<Record<string, string>>;
  allowedNodes?: readonly bigint[];
  allowedSubnets?: readonly string[];
  allowedGroups?: readonly string[];
}

export class Reannouncer {
  readonly intervalMs: number;
  readonly minIntervalMs: number;
  /** TTL stamped on each announcement: 2 × max(interval, min interval), in seconds. */
  readonly ttlSecs: number;
  private content: AnnouncedContent;
  private version: bigint;
  private lastMs: number | undefined;
  private dirty = true;

  constructor(
    private readonly components: { clock: Clock; identity: Identity },
    content: AnnouncedContent,
    options: { intervalMs?: number; minIntervalMs?: number } = {},
  ) {
    this.intervalMs = options.intervalMs ?? REANNOUNCE_DEFAULTS.intervalMs;
    this.minIntervalMs = options.minIntervalMs ?? REANNOUNCE_DEFAULTS.minIntervalMs;
    if (!(this.intervalMs > 0 && this.minIntervalMs >= 0 && this.minIntervalMs <= this.intervalMs)) {
      throw new InvalidArgumentError('need 0 <= minIntervalMs <= intervalMs and intervalMs > 0');
    }
    this.ttlSecs = Math.ceil((2 * Math.max(this.intervalMs, this.minIntervalMs)) / 1000);
    this.content = content;
    this.version = BigInt(Math.floor(components.clock.wallMs())) * 1000n;
  }

  /** Replaces what is announced; the next announcement is due as soon as the minimum interval allows. */
  update(content: AnnouncedContent): void {
    this.content = content;
    this.dirty = true;
  }

  /** Monotonic ms at which {@link poll} will next return an announcement. */
  nextDueMs(): number {
    if (this.lastMs === undefined) return this.components.clock.nowMs();
    return this.lastMs + (this.dirty ? this.minIntervalMs : this.intervalMs);
  }

  /** The signed announcement to send now, or undefined when none is due. */
  poll(): CapabilityAnnouncement | undefined {
    const now = this.components.clock.nowMs();
    if (now < this.nextDueMs()) return undefined;
    this.lastMs = now;
    this.dirty = false;
    this.version += 1n;
    return createAnnouncement(this.components.identity, {
      ...this.content,
      version: this.version,
      ttlSecs: this.ttlSecs,
      timestampNs: BigInt(Math.floor(this.components.clock.wallMs())) * 1_000_000n,
    });
  }
}
