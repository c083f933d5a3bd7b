/** A stream's statistics as the reference reports them, plus the reliable sender's state. */
import type { StreamStats } from './api.js';
import type { Stream } from './stream.js';

export function streamStatsOf(s: Stream): StreamStats {
  const tx = s.send;
  const credit = tx.creditRemaining();
  return {
    txSeq: BigInt(tx.nextSeq),
    rxSeq: BigInt(s.recv.next),
    inboundPending: BigInt(s.recv.pending),
    lastActivityNs: BigInt(Math.round(s.lastActivityMs * 1e6)),
    active: !s.idle,
    backpressureEvents: BigInt(tx.backpressureEvents),
    txCreditRemaining: credit === Infinity ? 0 : Math.max(0, credit),
    txWindow: s.window,
    creditGrantsReceived: BigInt(tx.grantsReceived),
    creditGrantsSent: BigInt(s.recv.grantsSent),
    inFlightPackets: tx.inFlight,
    cwnd: tx.cc?.cwnd ?? 0,
    rtoMs: tx.cc?.rtoMs ?? 0,
    retransmits: tx.retransmits,
  };
}

/** Bytes admitted by `send` and not yet consumed (or settled) by the peer. */
export function bufferedBytesOf(s: Stream): number {
  const base = Math.max(s.send.peerConsumed, s.send.settledBytes);
  return s.send.committedBytes - base;
}
