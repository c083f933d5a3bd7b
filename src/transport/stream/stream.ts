/** One stream with one peer: its id (as the bigint the API uses and the two words the wire uses) and both halves. */
import type { Reliability } from './api.js';
import type { StreamEnv } from './env.js';
import { RecvHalf } from './recv-half.js';
import { SendHalf } from './send-half.js';

/** What a stream reports to its multiplexer's owner. */
export interface StreamCallbacks {
  deliver(id: bigint, batch: readonly Uint8Array[]): void;
  /** The peer's FIN was delivered after its last events. */
  fin(id: bigint): void;
  /** See `StreamMuxEvents.deliverFrames`. */
  frames?(id: bigint, frames: Uint8Array, count: number): void;
}

/** The u64 id as a Map key: an exact number below 2^53, a string above. */
export function streamKey(lo: number, hi: number): number | string {
  return hi < 0x20_0000 ? hi * 4294967296 + lo : `${hi}:${lo}`;
}

export class Stream {
  readonly lo: number;
  readonly hi: number;
  readonly key: number | string;
  readonly send: SendHalf;
  readonly recv: RecvHalf;
  lastActivityMs: number;
  /** In the multiplexer's round-robin list. */
  queued = false;
  /** The `closed` event of a graceful close was given. */
  closeReported = false;

  constructor(
    env: StreamEnv,
    readonly id: bigint,
    readonly reliability: Reliability,
    readonly window: number,
    readonly weight: number,
    fragmentIdSeed: number,
    now: number,
    cb: StreamCallbacks,
  ) {
    this.lo = Number(id & 0xffff_ffffn);
    this.hi = Number(id >> 32n);
    this.key = streamKey(this.lo, this.hi);
    const reliable = reliability === 'reliable';
    this.send = new SendHalf(env, this.lo, this.hi, reliable, window, fragmentIdSeed);
    const frames = cb.frames;
    this.recv = new RecvHalf(env, reliable, window, (batch) => cb.deliver(id, batch), () => cb.fin(id),
      frames === undefined ? null : (f, n) => frames(id, f, n));
    this.lastActivityMs = now;
  }

  /** Nothing queued, in flight, held or half reassembled. */
  get idle(): boolean {
    return this.send.idle && this.recv.idle;
  }

  /** When `tick` has work for this stream (sending queued packets is the multiplexer's `flush`). */
  deadline(grantIntervalMs: number, idleTimeoutMs: number): number {
    let d = this.send.inflight.size > 0 ? this.send.earliestDeadline : this.send.probeDeadline();
    if (this.recv.grantDue) d = Math.min(d, this.recv.lastGrantAtMs + grantIntervalMs);
    if (this.idle) d = Math.min(d, this.lastActivityMs + idleTimeoutMs);
    return Math.min(d, this.recv.reassemblyDeadline());
  }

  /**
   * Our graceful close is complete and the peer never sent on this stream: nothing to keep. A stream whose peer
   * did send stays (idle, evictable) so that a retransmitted FIN of the peer's still finds it and is acked.
   */
  get closedBothWays(): boolean {
    return this.send.finDone && this.recv.next === 0 && this.recv.idle;
  }

  release(): void {
    this.send.release();
    this.recv.release();
  }
}
