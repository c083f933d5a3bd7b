/**
 * The routing table (reference `route.rs`, upstream-architecture §5.11): per destination at most one *protected*
 * candidate (the destination itself is a neighbour: identity-bound, from an authenticated adjacency, metric 1) and
 * one *ordinary* candidate (learnt from a pingwave relayed by a neighbour, metric `hops + 2`). `lookup` takes the
 * lower metric, ties to the protected one, so no claim a neighbour relays can displace a direct route.
 *
 * Failure removes candidates and never synthesises alternates: "no route" is the honest answer until a pingwave
 * through a live neighbour installs one. Keyed by the node id's low u32 word with a collision chain on the high
 * word, so the relay's lookup takes the two words from the routing header and allocates nothing.
 */
import { InvalidArgumentError } from '../core/index.js';
import type { Neighbor } from './neighbor.js';
import { U64Map, idOf } from './u64-map.js';

/** Metric of a protected (direct neighbour) candidate. */
export const DIRECT_METRIC = 1;

export interface Candidate {
  via: Neighbor;
  metric: number;
  updatedMs: number;
}

export class Route {
  ordinary: Candidate | null = null;
  protected: Candidate | null = null;

  constructor(readonly destLo: number, readonly destHi: number) {}

  get dest(): bigint {
    return idOf(this.destLo, this.destHi);
  }

  /** The candidate `lookup` uses: lower metric wins, ties to protected. */
  best(): Candidate | null {
    const p = this.protected;
    const o = this.ordinary;
    if (p === null) return o;
    if (o === null) return p;
    return o.metric < p.metric ? o : p;
  }
}

/** What {@link RoutingTable.observe} did. */
export const ObserveResult = { Unchanged: 0, Installed: 1, Refreshed: 2, Full: 3 } as const;
export type ObserveResult = (typeof ObserveResult)[keyof typeof ObserveResult];

/** What {@link RoutingTable.withdraw} did: nothing (not the sender's claim), removed it, or removed the last route. */
export const WithdrawResult = { NotTheirs: 0, Removed: 1, Lost: 2 } as const;
export type WithdrawResult = (typeof WithdrawResult)[keyof typeof WithdrawResult];

/** One row of {@link RoutingTable.snapshot}. */
export interface RouteRow {
  dest: bigint;
  nextHop: bigint;
  metric: number;
  kind: 'direct' | 'relayed';
  ageMs: number;
}

export interface RoutingTableOptions {
  /** Most destinations held (default 65,536, the reference's MAX_GRAPH_NODES); new ones beyond are refused. */
  maxRoutes?: number;
  /** An ordinary candidate not refreshed for this long may be replaced by a worse one (default 15,000 ms). */
  staleAfterMs?: number;
}

export const DEFAULT_ROUTING_TABLE_OPTIONS: Required<RoutingTableOptions> = { maxRoutes: 65_536, staleAfterMs: 15_000 };

export class RoutingTable {
  private readonly routes = new U64Map<Route>();
  readonly maxRoutes: number;
  readonly staleAfterMs: number;

  constructor(options: RoutingTableOptions = {}) {
    const o = { ...DEFAULT_ROUTING_TABLE_OPTIONS, ...options };
    if (!Number.isInteger(o.maxRoutes) || o.maxRoutes < 1) throw new InvalidArgumentError(`maxRoutes must be a positive integer, got ${o.maxRoutes}`);
    if (!(o.staleAfterMs > 0)) throw new InvalidArgumentError(`staleAfterMs must be positive, got ${o.staleAfterMs}`);
    this.maxRoutes = o.maxRoutes;
    this.staleAfterMs = o.staleAfterMs;
  }

  /** Destinations with at least one candidate. */
  get size(): number {
    return this.routes.size;
  }

  /** The next hop towards `(lo, hi)`, or null: the relay's hot path (no allocation). */
  lookup(lo: number, hi: number): Neighbor | null {
    const r = this.routes.get(lo, hi);
    if (r === undefined) return null;
    const c = r.best();
    return c === null ? null : c.via;
  }

  /** The route record for a destination, or null. */
  route(lo: number, hi: number): Route | null {
    return this.routes.get(lo, hi) ?? null;
  }

  /** Installs or refreshes the protected candidate of a neighbour (its own, direct route). */
  installDirect(n: Neighbor, now: number): ObserveResult {
    const r = this.routeFor(n.lo, n.hi, true);
    if (r === null) return ObserveResult.Full;
    if (r.protected !== null && r.protected.via === n) {
      r.protected.updatedMs = now;
      return ObserveResult.Refreshed;
    }
    r.protected = { via: n, metric: DIRECT_METRIC, updatedMs: now };
    return ObserveResult.Installed;
  }

  /**
   * A neighbour relayed that it reaches `(lo, hi)` at `metric`. Replaces the ordinary candidate only when it is the
   * same neighbour (refresh), strictly better, equal with a lower neighbour RTT, or stale.
   */
  observe(lo: number, hi: number, via: Neighbor, metric: number, now: number): ObserveResult {
    if (lo === via.lo && hi === via.hi) return ObserveResult.Unchanged;
    const r = this.routeFor(lo, hi, true);
    if (r === null) return ObserveResult.Full;
    const cur = r.ordinary;
    if (cur === null) {
      r.ordinary = { via, metric, updatedMs: now };
      return ObserveResult.Installed;
    }
    if (cur.via === via) {
      cur.metric = metric;
      cur.updatedMs = now;
      return ObserveResult.Refreshed;
    }
    const better = metric < cur.metric ||
      (metric === cur.metric && via.rttEwmaUs < cur.via.rttEwmaUs) ||
      now - cur.updatedMs > this.staleAfterMs;
    if (!better) return ObserveResult.Unchanged;
    cur.via = via;
    cur.metric = metric;
    cur.updatedMs = now;
    return ObserveResult.Installed;
  }

  /**
   * Removes every candidate through `n`, including its own direct route. Destinations left without any route are
   * pushed to `lost` (their withdrawals are the caller's to send). Returns the number of candidates removed.
   */
  removeVia(n: Neighbor, lost: bigint[] = []): number {
    let removed = 0;
    for (const r of this.routes.values()) {
      let hit = false;
      if (r.protected !== null && r.protected.via === n) {
        r.protected = null;
        hit = true;
        removed++;
      }
      if (r.ordinary !== null && r.ordinary.via === n) {
        r.ordinary = null;
        hit = true;
        removed++;
      }
      if (hit && r.protected === null && r.ordinary === null) lost.push(r.dest);
    }
    this.prune();
    return removed;
  }

  /**
   * `via` withdrew its route to `(lo, hi)`: drops its ordinary candidate there (it can withdraw only its own
   * claim, so a forged withdrawal from anyone else changes nothing).
   */
  withdraw(lo: number, hi: number, via: Neighbor): WithdrawResult {
    const r = this.route(lo, hi);
    if (r === null || r.ordinary === null || r.ordinary.via !== via) return WithdrawResult.NotTheirs;
    r.ordinary = null;
    if (r.protected !== null) return WithdrawResult.Removed;
    this.routes.delete(lo, hi);
    return WithdrawResult.Lost;
  }

  /** Drops ordinary candidates not refreshed within `maxAgeMs`; destinations left without a route go to `lost`. */
  sweepStale(now: number, maxAgeMs: number, lost: bigint[] = []): number {
    let removed = 0;
    for (const r of this.routes.values()) {
      if (r.ordinary !== null && now - r.ordinary.updatedMs > maxAgeMs) {
        r.ordinary = null;
        removed++;
        if (r.protected === null) lost.push(r.dest);
      }
    }
    this.prune();
    return removed;
  }

  /** Every route with its chosen candidate (for stats, the CLI and tests). */
  snapshot(now: number): RouteRow[] {
    const rows: RouteRow[] = [];
    for (const r of this.routes.values()) {
      const c = r.best();
      if (c === null) continue;
      rows.push({ dest: r.dest, nextHop: c.via.nodeId, metric: c.metric, kind: c === r.protected ? 'direct' : 'relayed', ageMs: now - c.updatedMs });
    }
    return rows;
  }

  private routeFor(lo: number, hi: number, create: boolean): Route | null {
    const found = this.routes.get(lo, hi);
    if (found !== undefined) return found;
    if (!create || this.routes.size >= this.maxRoutes) return null;
    const r = new Route(lo, hi);
    this.routes.set(lo, hi, r);
    return r;
  }

  /** Deletes routes left without candidates. */
  private prune(): void {
    const empty: Route[] = [];
    for (const r of this.routes.values()) if (r.protected === null && r.ordinary === null) empty.push(r);
    for (const r of empty) this.routes.delete(r.destLo, r.destHi);
  }
}
