/**
 * What pingwaves taught us about every origin: its latest sequence, how many hops away it is and through which
 * neighbour (reference `LocalGraph` / `ProximityGraph`). Bounded: at most `maxNodes` origins, new ones beyond are
 * refused and counted.
 *
 * Acceptance (reference `strict_progress`, seed v0.8–v0.15 §1.F.5): a record is taken when its sequence is not
 * older than the last one seen AND its hop count is not larger than the path we hold, so a spoofed
 * `(origin, seq, hop_count = 0)` cannot move a path by being fresher alone. Two relaxations keep paths honest
 * when the topology changes: the neighbour we already route through may report any hop count (its own path moved),
 * and a path not refreshed for `staleAfterMs`, or withdrawn, may be replaced by any fresh record.
 */
import type { Neighbor } from './neighbor.js';
import { U64Map } from './u64-map.js';

export interface GraphNode {
  readonly originLo: number;
  readonly originHi: number;
  seqLo: number;
  seqHi: number;
  hops: number;
  /** The neighbour the path goes through; null once withdrawn (the sequence is kept so old records stay old). */
  via: Neighbor | null;
  updatedMs: number;
}

export const PingwaveVerdict = { Accepted: 0, Duplicate: 1, Stale: 2, Worse: 3, Full: 4 } as const;
export type PingwaveVerdict = (typeof PingwaveVerdict)[keyof typeof PingwaveVerdict];

/** -1, 0 or 1 comparing two u64s given as words. */
export function compareU64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  if (aHi !== bHi) return aHi < bHi ? -1 : 1;
  if (aLo !== bLo) return aLo < bLo ? -1 : 1;
  return 0;
}

export class ProximityGraph {
  private readonly nodes = new U64Map<GraphNode>();

  constructor(readonly maxNodes: number, readonly staleAfterMs: number) {}

  get size(): number {
    return this.nodes.size;
  }

  get(lo: number, hi: number): GraphNode | undefined {
    return this.nodes.get(lo, hi);
  }

  values(): IterableIterator<GraphNode> {
    return this.nodes.values();
  }

  /** Applies the acceptance rule to one record heard from `via`; on Accepted the node holds the new path. */
  offer(originLo: number, originHi: number, seqLo: number, seqHi: number, hops: number, via: Neighbor, now: number): PingwaveVerdict {
    const n = this.nodes.get(originLo, originHi);
    if (n === undefined) {
      if (this.nodes.size >= this.maxNodes) return PingwaveVerdict.Full;
      this.nodes.set(originLo, originHi, { originLo, originHi, seqLo, seqHi, hops, via, updatedMs: now });
      return PingwaveVerdict.Accepted;
    }
    const order = compareU64(seqLo, seqHi, n.seqLo, n.seqHi);
    if (order < 0) return PingwaveVerdict.Stale;
    const open = n.via === null || now - n.updatedMs > this.staleAfterMs;
    if (order === 0 && !open && hops >= n.hops) return PingwaveVerdict.Duplicate;
    if (!open && hops > n.hops && n.via !== via) return PingwaveVerdict.Worse;
    if (order === 0 && n.via === via && hops >= n.hops) return PingwaveVerdict.Duplicate;
    n.seqLo = seqLo;
    n.seqHi = seqHi;
    n.hops = hops;
    n.via = via;
    n.updatedMs = now;
    return PingwaveVerdict.Accepted;
  }

  /**
   * Forgets every origin whose path goes through a departed or failed neighbour, sequences included: the
   * sequences it vouched for must not outlive it (a far-future sequence from it would otherwise make every honest
   * record of that origin look stale).
   */
  dropVia(via: Neighbor): void {
    const gone: GraphNode[] = [];
    for (const n of this.nodes.values()) if (n.via === via) gone.push(n);
    for (const n of gone) this.nodes.delete(n.originLo, n.originHi);
  }

  /** Marks the path to one origin withdrawn if it goes through `via`. */
  withdraw(lo: number, hi: number, via: Neighbor): void {
    const n = this.nodes.get(lo, hi);
    if (n !== undefined && n.via === via) n.via = null;
  }

  /** Forgets origins silent for `forgetAfterMs` (their sequence history goes with them). */
  forget(now: number, forgetAfterMs: number): void {
    const old: GraphNode[] = [];
    for (const n of this.nodes.values()) if (now - n.updatedMs > forgetAfterMs) old.push(n);
    for (const n of old) this.nodes.delete(n.originLo, n.originHi);
  }
}
