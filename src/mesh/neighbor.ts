/**
 * A neighbour: a peer with a live, identity-proven session. Routing candidates point at these objects, so a relay
 * finds the next hop's address with one table lookup and no second map.
 */
import type { PeerAddress } from '../transport/index.js';

export const NeighborStatus = { Healthy: 0, Suspected: 1, Failed: 2 } as const;
export type NeighborStatus = (typeof NeighborStatus)[keyof typeof NeighborStatus];
export const NEIGHBOR_STATUS_NAMES = ['healthy', 'suspected', 'failed'] as const;

export class Neighbor {
  /** Low and high u32 words of the node id (the routing header's dest_id words). */
  readonly lo: number;
  readonly hi: number;
  /** Where its session's packets go: updated when the session roams. */
  address: PeerAddress | null;
  status: NeighborStatus = NeighborStatus.Healthy;
  /** The session incarnation the status belongs to. */
  incarnation = 0;
  /** Smoothed round-trip time in microseconds (EWMA, alpha 1/8); NaN until measured. */
  rttEwmaUs = Number.NaN;

  constructor(readonly nodeId: bigint, address: PeerAddress | null) {
    this.lo = Number(nodeId & 0xffff_ffffn);
    this.hi = Number(nodeId >> 32n);
    this.address = address;
  }

  /** Folds one RTT sample into the EWMA (alpha = 1/8, as the reference's latency tiebreak). */
  sampleRtt(us: number): void {
    this.rttEwmaUs = Number.isNaN(this.rttEwmaUs) ? us : this.rttEwmaUs + (us - this.rttEwmaUs) / 8;
  }
}
