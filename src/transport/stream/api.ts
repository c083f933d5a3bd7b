/**
 * The stream multiplexer's boundary: what it needs (`clock`, `random`, a `send` for packets, `events`), what it
 * takes and gives (a reusable {@link StreamPacket}), and its statuses. Sans-I/O (DESIGN.md §2): the session layer
 * seals what `send` is given and feeds decrypted packets to `receive`.
 */
import type { Clock, Random } from '../../core/index.js';

export type Reliability = 'reliable' | 'fire_and_forget';

/** Per-stream settings (the reference SDK's `StreamConfig`). Unset fields take {@link STREAM_DEFAULTS}. */
export interface StreamConfig {
  streamId: bigint;
  reliability?: Reliability;
  /** Byte credit the peer may leave unconsumed; 0 disables flow control. */
  windowBytes?: number;
  /** Packets per weighted round-robin round when streams compete for a flush. */
  fairnessWeight?: number;
}

/**
 * One packet's header fields and (decrypted) payload: u64 stream id as two words, sequence as a safe integer.
 * The mux reuses one instance for everything it sends, and `payload` is a view valid only during the call;
 * `receive` reads the caller's instance only during the call too.
 */
export class StreamPacket {
  streamLo = 0;
  streamHi = 0;
  sequence = 0;
  flags = 0;
  subprotocolId = 0;
  fragmentId = 0;
  fragmentOffset = 0;
  fragFlags = 0;
  eventCount = 0;
  payload: Uint8Array = new Uint8Array(0);
}

/** Why a stream went away: we gave up retransmitting, the peer reset it, or it was idle past the timeout. */
export type StreamResetReason = 'retries-exhausted' | 'peer-reset' | 'idle-timeout';

export interface StreamMuxEvents {
  /** In-order (reliable) or arrival-order (fire-and-forget) events of one packet; views valid during the call. */
  deliver(streamId: bigint, batch: readonly Uint8Array[]): void;
  /**
   * Optional faster form of `deliver` for unfragmented packets: `frames` holds `count` checked event frames
   * (`[len:u32 LE][bytes]` each), valid during the call. A receiver that copies anyway (an inbox) copies the
   * frames once and cuts its own views, instead of getting a view per event cut here first.
   */
  deliverFrames?(streamId: bigint, frames: Uint8Array, count: number): void;
  /** The stream failed and was removed: this side gave up retransmitting, or the peer did. */
  reset?(streamId: bigint, reason: StreamResetReason): void;
  /** A stream that refused a send with `Backpressure` has credit again. */
  writable?(streamId: bigint): void;
  /** The peer's FIN arrived after its last event: no more events will come on this stream. */
  fin?(streamId: bigint): void;
  /** Our graceful close of the stream completed: the peer acknowledged everything up to our FIN. */
  closed?(streamId: bigint): void;
}

export interface StreamMuxComponents {
  clock: Clock;
  random: Random;
  /** Seals and sends one packet; returns 0 when handed to the socket, anything else when it was not. */
  send(packet: StreamPacket): number;
  events: StreamMuxEvents;
}

/** Outcome of `StreamMux.send`. */
export const StreamSendStatus = {
  Ok: 0,
  /** The credit window, the unsent-bytes bound or the congestion window is full: retry after `writable`. */
  Backpressure: 1,
  /** No such open stream (never opened, closed, closing, evicted or reset). */
  NoStream: 2,
  /** An event larger than `maxEventBytes`, or costing more than the whole window. */
  TooLarge: 3,
} as const;
export type StreamSendStatus = (typeof StreamSendStatus)[keyof typeof StreamSendStatus];

/** The reference's `StreamStats`, plus the reliable sender's state. */
export interface StreamStats {
  txSeq: bigint;
  rxSeq: bigint;
  inboundPending: bigint;
  lastActivityNs: bigint;
  active: boolean;
  backpressureEvents: bigint;
  txCreditRemaining: number;
  txWindow: number;
  creditGrantsReceived: bigint;
  creditGrantsSent: bigint;
  /** Packets sent and not yet acknowledged (reliable) or settled (fire-and-forget). */
  inFlightPackets: number;
  /** Congestion window in packets (reliable streams). */
  cwnd: number;
  rtoMs: number;
  retransmits: number;
}
