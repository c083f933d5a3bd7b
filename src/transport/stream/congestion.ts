/**
 * Retransmission timer and congestion window of one reliable stream: RFC 6298 SRTT/RTTVAR with Karn's rule
 * (samples only from packets sent once), clamped to [minRtoMs, maxRtoMs], doubled per timeout; Reno-style cwnd
 * in packets: slow start below ssthresh, +1/cwnd per ack above, halved once per loss episode signalled by a NACK,
 * back to the floor on a timeout.
 */
import { STREAM_DEFAULTS } from './options.js';

export class CongestionState {
  srttMs = 0;
  rttvarMs = 0;
  rtoMs: number;
  cwnd: number = STREAM_DEFAULTS.initCwnd;
  ssthresh = Infinity;
  private sampled = false;

  constructor(initialRtoMs: number, private readonly minRtoMs: number, private readonly maxRtoMs: number) {
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
  }

  /** A NACK opened a new loss episode: multiplicative decrease. */
  onLoss(): void {
    this.ssthresh = Math.max(STREAM_DEFAULTS.minCwnd, this.cwnd / 2);
    this.cwnd = this.ssthresh;
  }

  /** A retransmission timer fired: back off the timer, cwnd to the floor. */
  onTimeout(): void {
    this.ssthresh = Math.max(STREAM_DEFAULTS.minCwnd, this.cwnd / 2);
    this.cwnd = STREAM_DEFAULTS.minCwnd;
    this.rtoMs = this.clamp(this.rtoMs * 2);
  }
}
