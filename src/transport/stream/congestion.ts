/**
 * Retransmission timer and congestion window of one reliable stream: RFC 6298 SRTT/RTTVAR with Karn's rule
 * (samples only from packets sent once), clamped to [minRtoMs, maxRtoMs], doubled per timeout; Reno-style cwnd
 * in packets: slow start below ssthresh, +1/cwnd per ack above, halved once per loss episode signalled by a NACK,
 * back to the floor on a timeout. A timeout shown to be spurious (the ack of the resent packet came back sooner
 * than half a round trip after the resend, so it answered the original) is undone, as Linux undoes one with
 * timestamps: on a loaded host the event loop, not the network, is often what delayed the ack.
 */
import { STREAM_DEFAULTS } from './options.js';

export class CongestionState {
  srttMs = 0;
  rttvarMs = 0;
  rtoMs: number;
  cwnd: number = STREAM_DEFAULTS.initCwnd;
  ssthresh = Infinity;
  private sampled = false;
  /** State before the first timeout of an episode (NaN when there is nothing to undo). */
  private undoCwnd = NaN;
  private undoSsthresh = Infinity;
  private undoRtoMs = 0;

  /** @param maxCwnd packets the sender can keep for retransmission: a window above it could never be used */
  constructor(initialRtoMs: number, private readonly minRtoMs: number, private readonly maxRtoMs: number, private readonly maxCwnd = Infinity) {
    this.rtoMs = this.clamp(initialRtoMs);
  }

  private clamp(ms: number): number {
    return ms < this.minRtoMs ? this.minRtoMs : ms > this.maxRtoMs ? this.maxRtoMs : ms;
  }

  /** One round-trip sample from a packet transmitted exactly once. */
  sample(rttMs: number): void {
    if (!this.sampled) {
      this.sampled = true;
      this.srttMs = rttMs;
      this.rttvarMs = rttMs / 2;
    } else {
      this.rttvarMs = 0.75 * this.rttvarMs + 0.25 * Math.abs(this.srttMs - rttMs);
      this.srttMs = 0.875 * this.srttMs + 0.125 * rttMs;
    }
    this.rtoMs = this.clamp(this.srttMs + Math.max(1, 4 * this.rttvarMs));
  }

  /** A packet was acknowledged. */
  onAck(): void {
    if (this.cwnd < this.ssthresh) this.cwnd += 1;
    else this.cwnd += 1 / this.cwnd;
    if (this.cwnd > this.maxCwnd) this.cwnd = this.maxCwnd;
  }

  /** A NACK opened a new loss episode: multiplicative decrease. */
  onLoss(): void {
    this.undoCwnd = NaN;
    this.ssthresh = Math.max(STREAM_DEFAULTS.minCwnd, this.cwnd / 2);
    this.cwnd = this.ssthresh;
  }

  /** A retransmission timer fired: back off the timer, cwnd to the floor. */
  onTimeout(): void {
    if (Number.isNaN(this.undoCwnd)) {
      this.undoCwnd = this.cwnd;
      this.undoSsthresh = this.ssthresh;
      this.undoRtoMs = this.rtoMs;
    }
    this.ssthresh = Math.max(STREAM_DEFAULTS.minCwnd, this.cwnd / 2);
    this.cwnd = STREAM_DEFAULTS.minCwnd;
    this.rtoMs = this.clamp(this.rtoMs * 2);
  }

  /**
   * A packet resent on timeout was acknowledged `sinceResendMs` after the resend. Sooner than half the smoothed
   * round trip means the original arrived: the timeout was spurious and is undone. True when undone.
   */
  onTimeoutResendAcked(sinceResendMs: number): boolean {
    if (Number.isNaN(this.undoCwnd) || !this.sampled || sinceResendMs >= this.srttMs / 2) return false;
    this.cwnd = Math.max(this.cwnd, this.undoCwnd);
    this.ssthresh = this.undoSsthresh;
    this.rtoMs = this.undoRtoMs;
    this.undoCwnd = NaN;
    return true;
  }
}
