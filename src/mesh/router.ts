/**
 * The mesh control plane of one node, sans-I/O: neighbours (peers with a direct, identity-proven session),
 * pingwave discovery, the routing table, the failure detector and route withdrawal. Inputs are session events,
 * sealed payloads on subprotocols 0xF004 (pingwave batches) and 0x0C01 (withdrawals) and the clock; outputs go
 * through the injected `sendTo` (sealed to a neighbour) and `sendDatagram` (the relay's forwarded bytes).
 *
 * - Discovery: every `pingwaveIntervalMs` (and, event-driven, when a neighbour comes up, floored by
 *   `eventPingwaveMinGapMs`) the node floods a pingwave with a new sequence. A neighbour re-floods an accepted
 *   record to its other healthy neighbours (split horizon) with TTL − 1 and hop count + 1, in batches of up to
 *   `maxPingwavesPerPacket`. A new neighbour also gets what we know (one batch per packet), so it does not wait an
 *   interval to learn the mesh.
 * - Failure: silence → suspected → failed (see FailureDetector). A failed or departed neighbour's candidates are
 *   removed, never replaced by guesses, and every destination left without a route is withdrawn to the other
 *   neighbours (damped to one withdrawal per destination per `withdrawDampMs`). Recovery reinstalls only the
 *   recovered neighbour's own route; others return with the next pingwaves.
 */
import { InvalidArgumentError, type Clock, type CounterSet } from '../core/index.js';
import type { PeerAddress, SessionPeer } from '../transport/index.js';
import {
  MAX_HOPS, PINGWAVE_BYTES, Pingwave, ROUTE_WITHDRAWAL_BYTES, RouteWithdrawal, SUBPROTOCOL_PINGWAVE,
  SUBPROTOCOL_ROUTE_WITHDRAW, WireStatus, decodePingwaveInto, decodeRouteWithdrawalInto, encodePingwaveInto,
  encodeRouteWithdrawalInto, pingwaveBatchCount,
} from '../wire/index.js';
import { newMeshCounters, type MeshCounter } from './counters.js';
import { FailureDetector, Verdict, failureDetectorDefaults, type FailureDetectorOptions } from './failure-detector.js';
import { Neighbor, NeighborStatus } from './neighbor.js';
import { PingwaveVerdict, ProximityGraph } from './proximity-graph.js';
import { Relay } from './relay.js';
import { ObserveResult, RoutingTable, WithdrawResult, type RouteRow, type RoutingTableOptions } from './routing-table.js';
import { U64Map, idOf, idWords } from './u64-map.js';

export interface MeshRouterEvents {
  neighborSuspected?(nodeId: bigint): void;
  neighborFailed?(nodeId: bigint): void;
  neighborRecovered?(nodeId: bigint): void;
  /** A destination has no route any more. */
  routeLost?(dest: bigint): void;
}

export interface MeshRouterComponents {
  clock: Clock;
  nodeId: bigint;
  /** Seals `payload` on `subprotocol` to a peer's session; false when it could not be sent. */
  sendTo(nodeId: bigint, subprotocol: number, payload: Uint8Array): boolean;
  /** Sends a datagram as is (the relay's forwarded bytes). */
  sendDatagram(bytes: Uint8Array, to: PeerAddress): void;
  /** The session record of a peer: liveness, address, incarnation. */
  peer(nodeId: bigint): SessionPeer | undefined;
  events?: MeshRouterEvents;
}

export interface MeshRouterOptions {
  /** Own pingwave period (default 5,000 ms, the heartbeat interval). */
  pingwaveIntervalMs?: number;
  /** TTL of our pingwaves (default 16, the reference's MAX_TTL). */
  pingwaveTtl?: number;
  /** Floor between two event-driven pingwaves (default 250 ms). */
  eventPingwaveMinGapMs?: number;
  /** Origins the proximity graph holds (default 65,536). */
  maxGraphNodes?: number;
  /** Records per pingwave packet (default 15: 1,080 bytes, fits a 1,200-byte datagram). */
  maxPingwavesPerPacket?: number;
  /** At most one withdrawal per destination per this long (default 1,000 ms). */
  withdrawDampMs?: number;
  /** Silence thresholds (default: 2 and 3 pingwave intervals). */
  failure?: FailureDetectorOptions;
  routing?: RoutingTableOptions;
  /** First pingwave sequence; a restarted node should start above what it sent before (default 1). */
  firstSeq?: bigint;
}

interface Resolved {
  pingwaveIntervalMs: number;
  pingwaveTtl: number;
  eventPingwaveMinGapMs: number;
  maxGraphNodes: number;
  maxPingwavesPerPacket: number;
  withdrawDampMs: number;
}

export const MESH_ROUTER_DEFAULTS: Readonly<Resolved> = Object.freeze({
  pingwaveIntervalMs: 5_000,
  pingwaveTtl: 16,
  eventPingwaveMinGapMs: 250,
  maxGraphNodes: 65_536,
  maxPingwavesPerPacket: 15,
  withdrawDampMs: 1_000,
});

function resolve(o: MeshRouterOptions): Resolved {
  const d = MESH_ROUTER_DEFAULTS;
  const r: Resolved = {
    pingwaveIntervalMs: o.pingwaveIntervalMs ?? d.pingwaveIntervalMs,
    pingwaveTtl: o.pingwaveTtl ?? d.pingwaveTtl,
    eventPingwaveMinGapMs: o.eventPingwaveMinGapMs ?? d.eventPingwaveMinGapMs,
    maxGraphNodes: o.maxGraphNodes ?? d.maxGraphNodes,
    maxPingwavesPerPacket: o.maxPingwavesPerPacket ?? d.maxPingwavesPerPacket,
    withdrawDampMs: o.withdrawDampMs ?? d.withdrawDampMs,
  };
  for (const [k, v] of Object.entries(r)) {
    if (!Number.isFinite(v) || v < 0 || (k !== 'pingwaveIntervalMs' && !Number.isInteger(v))) {
      throw new InvalidArgumentError(`mesh option ${k} must be a non-negative finite number, got ${v}`);
    }
  }
  if (!(r.pingwaveIntervalMs > 0)) throw new InvalidArgumentError('pingwaveIntervalMs must be positive');
  if (r.pingwaveTtl < 1 || r.pingwaveTtl > 255) throw new InvalidArgumentError(`pingwaveTtl must be 1..255, got ${r.pingwaveTtl}`);
  if (r.maxPingwavesPerPacket < 1) throw new InvalidArgumentError('maxPingwavesPerPacket must be at least 1');
  return r;
}

/** Outgoing pingwave records for one neighbour, flushed as one packet. */
interface Outbox {
  bytes: Uint8Array;
  count: number;
}

export class MeshRouter {
  readonly counters: CounterSet<MeshCounter> = newMeshCounters();
  readonly table: RoutingTable;
  readonly graph: ProximityGraph;
  readonly relay: Relay;
  private readonly o: Resolved;
  private readonly fd: FailureDetector;
  private readonly neighbors = new U64Map<Neighbor>();
  private readonly outboxes = new Map<Neighbor, Outbox>();
  private readonly lastWithdrawn = new U64Map<{ lo: number; hi: number; at: number }>();
  private readonly self: { lo: number; hi: number };
  private readonly pw = new Pingwave();
  private readonly wd = new RouteWithdrawal();
  private readonly wdBytes = new Uint8Array(ROUTE_WITHDRAWAL_BYTES);
  private seq: bigint;
  private withdrawSeq = 0n;
  private nextOriginateAt: number;
  private lastOriginatedAt = -Infinity;
  private nextCheckAt: number;
  private readonly checkIntervalMs: number;
  private readonly staleAfterMs: number;

  constructor(private readonly c: MeshRouterComponents, options: MeshRouterOptions = {}) {
    this.o = resolve(options);
    const fdo = { ...failureDetectorDefaults(this.o.pingwaveIntervalMs), ...options.failure };
    this.fd = new FailureDetector(fdo);
    this.checkIntervalMs = Math.max(1, Math.min(this.o.pingwaveIntervalMs, fdo.suspectAfterMs) / 4);
    this.staleAfterMs = 3 * this.o.pingwaveIntervalMs;
    this.table = new RoutingTable({ staleAfterMs: this.staleAfterMs, ...options.routing });
    this.graph = new ProximityGraph(this.o.maxGraphNodes, this.staleAfterMs);
    const [lo, hi] = idWords(c.nodeId);
    this.self = { lo, hi };
    this.relay = new Relay(this.table, this.self, c.sendDatagram, this.counters);
    this.seq = options.firstSeq ?? 1n;
    const now = c.clock.nowMs();
    this.nextOriginateAt = now + this.o.pingwaveIntervalMs;
    this.nextCheckAt = now + this.checkIntervalMs;
  }

  /** Reroute bound: a silent neighbour is failed and routed around at most this long after its last packet. */
  get rerouteBoundMs(): number {
    return this.fd.failAfterMs + this.checkIntervalMs;
  }

  /** The next hop towards `dest`, or null ("no route" is an honest answer). */
  nextHop(dest: bigint): Neighbor | null {
    const [lo, hi] = idWords(dest);
    return this.table.lookup(lo, hi);
  }

  routes(): RouteRow[] {
    return this.table.snapshot(this.c.clock.nowMs());
  }

  neighbor(nodeId: bigint): Neighbor | undefined {
    const [lo, hi] = idWords(nodeId);
    return this.neighbors.get(lo, hi);
  }

  neighborList(): Neighbor[] {
    return [...this.neighbors.values()];
  }

  /** A peer's session is up with a proven identity. Direct sessions only: a routed session's address is a relay. */
  neighborUp(p: SessionPeer): void {
    if (!p.connected || !p.identityProven || p.viaRelay) return;
    const now = this.c.clock.nowMs();
    const [lo, hi] = idWords(p.nodeId);
    let n = this.neighbors.get(lo, hi);
    if (n === undefined) {
      n = new Neighbor(p.nodeId, p.address);
      this.neighbors.set(lo, hi, n);
    }
    n.address = p.address;
    n.incarnation = p.incarnation;
    n.status = NeighborStatus.Healthy;
    if (this.table.installDirect(n, now) === ObserveResult.Installed) this.counters.inc('routes_installed');
    this.sendGraphTo(n, now);
    this.nextOriginateAt = Math.min(this.nextOriginateAt, Math.max(now, this.lastOriginatedAt + this.o.eventPingwaveMinGapMs));
  }

  /** A peer's session went down (timeout, close, shutdown): its routes go, and the losses are withdrawn. */
  neighborDown(nodeId: bigint): void {
    const [lo, hi] = idWords(nodeId);
    const n = this.neighbors.get(lo, hi);
    if (n === undefined) return;
    this.neighbors.delete(lo, hi);
    this.outboxes.delete(n);
    this.cutOff(n, this.c.clock.nowMs());
  }

  /** A sealed pingwave batch from a peer. */
  onPingwaves(from: SessionPeer, payload: Uint8Array): void {
    const c = this.counters;
    c.inc('pingwave_packets_received');
    // Only a neighbour's claims count: a peer reached through a relay could otherwise plant paths through itself.
    const n = this.neighbor(from.nodeId);
    if (n === undefined) return c.inc('pingwave_packets_drop_not_neighbor');
    const count = pingwaveBatchCount(payload.length, this.o.maxPingwavesPerPacket);
    if (count < 0) return c.inc('pingwave_packets_drop_bad_length');
    const now = this.c.clock.nowMs();
    const pw = this.pw;
    for (let i = 0; i < count; i++) {
      c.inc('pingwaves_received');
      if (decodePingwaveInto(payload, i * PINGWAVE_BYTES, pw) !== WireStatus.OK) {
        c.inc('pingwave_drop_bad');
        continue;
      }
      this.takePingwave(n, pw, now);
    }
    this.flush();
  }

  /** A sealed route withdrawal from a peer. */
  onWithdrawal(from: SessionPeer, payload: Uint8Array): void {
    const c = this.counters;
    c.inc('withdrawals_received');
    const n = this.neighbor(from.nodeId);
    if (decodeRouteWithdrawalInto(payload, 0, payload.length, this.wd) !== WireStatus.OK) {
      c.inc('withdrawals_bad');
      return;
    }
    const { destLo, destHi } = this.wd;
    const result = n === undefined ? WithdrawResult.NotTheirs : this.table.withdraw(destLo, destHi, n);
    if (result === WithdrawResult.NotTheirs) {
      c.inc('withdrawals_ignored');
      return;
    }
    c.inc('withdrawals_applied');
    this.graph.withdraw(destLo, destHi, n!);
    if (result === WithdrawResult.Lost) {
      c.inc('routes_lost');
      const dest = idOf(destLo, destHi);
      this.c.events?.routeLost?.(dest);
      this.withdraw(dest, n!, this.c.clock.nowMs());
    }
  }

  nextDeadline(): number {
    return Math.min(this.nextOriginateAt, this.nextCheckAt);
  }

  /** Runs what is due: liveness checks, stale-route sweep, our own pingwave. */
  tick(): void {
    const now = this.c.clock.nowMs();
    if (now >= this.nextCheckAt) {
      this.nextCheckAt = now + this.checkIntervalMs;
      this.checkNeighbors(now);
      const lost: bigint[] = [];
      this.table.sweepStale(now, this.staleAfterMs, lost);
      this.counters.inc('routes_lost', lost.length);
      this.graph.forget(now, 4 * this.staleAfterMs);
      const expired = [...this.lastWithdrawn.values()].filter((d) => now - d.at >= this.o.withdrawDampMs);
      for (const d of expired) this.lastWithdrawn.delete(d.lo, d.hi);
    }
    if (now >= this.nextOriginateAt) this.originate(now);
  }

  private checkNeighbors(now: number): void {
    for (const n of [...this.neighbors.values()]) {
      const p = this.c.peer(n.nodeId);
      if (p === undefined || !p.connected) continue;
      n.address = p.address;
      const v = this.fd.assess(n, p.lastHeardMs, p.incarnation, now);
      if (v === Verdict.Suspected) {
        this.counters.inc('neighbors_suspected');
        this.c.events?.neighborSuspected?.(n.nodeId);
      } else if (v === Verdict.Failed) {
        this.counters.inc('neighbors_failed');
        this.cutOff(n, now);
        this.c.events?.neighborFailed?.(n.nodeId);
      } else if (v === Verdict.Recovered || v === Verdict.Reincarnated) {
        this.counters.inc('neighbors_recovered');
        if (this.table.installDirect(n, now) === ObserveResult.Installed) this.counters.inc('routes_installed');
        this.sendGraphTo(n, now);
        this.c.events?.neighborRecovered?.(n.nodeId);
      }
    }
  }

  /** Removes every route through `n` and withdraws the destinations left unreachable. */
  private cutOff(n: Neighbor, now: number): void {
    const lost: bigint[] = [];
    this.table.removeVia(n, lost);
    this.graph.dropVia(n);
    this.counters.inc('routes_lost', lost.length);
    for (const dest of lost) {
      this.c.events?.routeLost?.(dest);
      this.withdraw(dest, n, now);
    }
  }

  private takePingwave(n: Neighbor, pw: Pingwave, now: number): void {
    const c = this.counters;
    if (pw.originLo === this.self.lo && pw.originHi === this.self.hi) return c.inc('pingwave_drop_own_origin');
    if (pw.hopCount >= MAX_HOPS) return c.inc('pingwave_drop_hops');
    const v = this.graph.offer(pw.originLo, pw.originHi, pw.seqLo, pw.seqHi, pw.hopCount, n, now);
    if (v !== PingwaveVerdict.Accepted) {
      return c.inc(v === PingwaveVerdict.Duplicate ? 'pingwave_drop_duplicate' : v === PingwaveVerdict.Stale
        ? 'pingwave_drop_stale' : v === PingwaveVerdict.Worse ? 'pingwave_drop_worse' : 'pingwave_drop_graph_full');
    }
    const r = this.table.observe(pw.originLo, pw.originHi, n, pw.hopCount + 2, now);
    if (r === ObserveResult.Full) return c.inc('pingwave_drop_routes_full');
    c.inc('pingwaves_accepted');
    if (r === ObserveResult.Installed) c.inc('routes_installed');
    if (pw.ttl <= 1 || pw.hopCount + 1 >= MAX_HOPS) return;
    pw.ttl -= 1;
    pw.hopCount += 1;
    for (const m of this.neighbors.values()) {
      if (m === n || m.status !== NeighborStatus.Healthy || (m.lo === pw.originLo && m.hi === pw.originHi)) continue;
      this.enqueue(m, pw);
    }
  }

  private originate(now: number): void {
    this.lastOriginatedAt = now;
    this.nextOriginateAt = now + this.o.pingwaveIntervalMs;
    const pw = this.pw;
    pw.origin = this.c.nodeId;
    pw.seq = this.seq++;
    pw.ttl = this.o.pingwaveTtl;
    pw.hopCount = 0;
    pw.timestampUs = BigInt(Math.max(0, Math.floor(now * 1000)));
    this.counters.inc('pingwaves_originated');
    for (const m of this.neighbors.values()) if (m.status === NeighborStatus.Healthy) this.enqueue(m, pw);
    this.flush();
  }

  /** Tells a new (or recovered) neighbour every live path we hold, as if re-flooding each origin's last record. */
  private sendGraphTo(n: Neighbor, now: number): void {
    const pw = this.pw;
    for (const g of this.graph.values()) {
      if (g.via === null || g.via === n || now - g.updatedMs > this.staleAfterMs) continue;
      if (g.hops + 1 >= MAX_HOPS || (g.originLo === n.lo && g.originHi === n.hi)) continue;
      pw.originLo = g.originLo;
      pw.originHi = g.originHi;
      pw.seqLo = g.seqLo;
      pw.seqHi = g.seqHi;
      pw.hopCount = g.hops + 1;
      pw.ttl = Math.max(1, this.o.pingwaveTtl - pw.hopCount);
      this.enqueue(n, pw);
    }
    this.flush();
  }

  private enqueue(m: Neighbor, pw: Pingwave): void {
    let box = this.outboxes.get(m);
    if (box === undefined) {
      box = { bytes: new Uint8Array(this.o.maxPingwavesPerPacket * PINGWAVE_BYTES), count: 0 };
      this.outboxes.set(m, box);
    }
    encodePingwaveInto(pw, box.bytes, box.count * PINGWAVE_BYTES);
    if (++box.count === this.o.maxPingwavesPerPacket) this.flushOne(m, box);
  }

  private flush(): void {
    for (const [m, box] of this.outboxes) if (box.count > 0) this.flushOne(m, box);
  }

  private flushOne(m: Neighbor, box: Outbox): void {
    if (this.c.sendTo(m.nodeId, SUBPROTOCOL_PINGWAVE, box.bytes.subarray(0, box.count * PINGWAVE_BYTES))) {
      this.counters.inc('pingwave_packets_sent');
    }
    box.count = 0;
  }

  /** Withdraws `dest` from every healthy neighbour but `except` (damped per destination). */
  private withdraw(dest: bigint, except: Neighbor, now: number): void {
    const [lo, hi] = idWords(dest);
    const last = this.lastWithdrawn.get(lo, hi);
    if (last !== undefined && now - last.at < this.o.withdrawDampMs) {
      this.counters.inc('withdrawals_damped');
      return;
    }
    this.lastWithdrawn.set(lo, hi, { lo, hi, at: now });
    this.wd.dest = dest;
    this.wd.seq = ++this.withdrawSeq;
    encodeRouteWithdrawalInto(this.wd, this.wdBytes, 0);
    for (const m of this.neighbors.values()) {
      if (m === except || m.status !== NeighborStatus.Healthy || (m.lo === lo && m.hi === hi)) continue;
      if (this.c.sendTo(m.nodeId, SUBPROTOCOL_ROUTE_WITHDRAW, this.wdBytes)) this.counters.inc('withdrawals_sent');
    }
  }
}
