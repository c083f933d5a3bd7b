/**
 * The stream multiplexer's counters. Every data packet and every control message given to `receive` lands in
 * exactly one of `accepted` and the `drop_*` reasons: `received === accepted + Σ STREAM_DROP_COUNTERS`.
 */
import { CounterSet } from '../../core/index.js';

export const STREAM_COUNTERS = [
  'received',
  'accepted',
  /** Subprotocol id that is neither data (0) nor a stream control id. */
  'drop_unknown_subprotocol',
  /** Event frames that do not match the declared count, or a control message that does not decode. */
  'drop_malformed',
  /** Sequence at or above 2^53, or a fragment header on a packet that declares events. */
  'drop_bad_header',
  /** Data for a new stream while every stream slot is busy. */
  'drop_stream_limit',
  /** Control message about a stream we do not have. */
  'drop_unknown_stream',
  /** Reliable: a sequence already delivered or already held. */
  'drop_duplicate',
  /** Fire-and-forget: a sequence at or below the newest one seen (duplicate or late). */
  'drop_stale',
  /** Reliable: a sequence beyond the reorder window. */
  'drop_out_of_window',
  /** The receive buffer is full (reliable: the sender retransmits later, nothing is lost). */
  'drop_rx_buffer_full',
  'drop_fragment_invalid',
  'drop_fragment_too_large',
  'drop_fragment_duplicate',
  /** A new reassembly past the per-stream count or byte bound. */
  'drop_reassembly_limit',
  /** Data or another FIN at a sequence after the stream's FIN. */
  'drop_after_fin',
  /** A FIN (above sequence 0) for a stream we do not have: it opens nothing. */
  'drop_fin_unknown_stream',
  /** Grant whose total is below the one we hold (replayed or reordered). */
  'drop_grant_stale',
  /** Grant that acknowledges bytes or sequences never sent. */
  'drop_grant_forged',
  /** NACK or selective ack naming sequences never sent. */
  'drop_ack_unsent',
  // events
  'packets_sent',
  'send_failed',
  'events_sent',
  'events_delivered',
  'fragments_sent',
  'events_reassembled',
  'reassemblies_expired',
  'retransmits_nack',
  'retransmits_timeout',
  /** Timeouts undone because the resent packet's ack came too soon to answer the resend. */
  'spurious_timeouts',
  /** Empty fire-and-forget packets sent to recover credit stranded by tail loss. */
  'credit_probes',
  'nacks_ignored',
  'grants_sent',
  'grants_received',
  'nacks_sent',
  'nacks_received',
  'acks_sent',
  'acks_received',
  'resets_sent',
  'resets_received',
  'backpressure',
  'streams_opened',
  'streams_evicted',
  /** Streams forgotten after `streamIdleTimeoutMs` without activity. */
  'streams_expired',
  /** FINs delivered (the peer's direction ended) and graceful closes completed (our FIN acknowledged). */
  'fins_received',
  'closes_completed',
] as const;
export type StreamCounter = (typeof STREAM_COUNTERS)[number];

export const STREAM_DROP_COUNTERS: readonly StreamCounter[] = STREAM_COUNTERS.filter((n) => n.startsWith('drop_'));

export function newStreamCounters(): CounterSet<StreamCounter> {
  return new CounterSet<StreamCounter>(STREAM_COUNTERS);
}
