/**
 * The simulated network: an in-memory datagram fabric driven by a {@link VirtualScheduler} and a seeded
 * {@link Random}, so that many nodes run deterministically in one process and the same seed yields the same run.
 *
 * Model. Every node gets a {@link SimPort} (`network.port(name)`) whose address is `{ family: 'sim', host: name,
 * port: n }`. Each directed pair of names is a link with its own {@link LinkConditions} (network defaults plus
 * per-pair overrides). A send is judged at send time, in this order: an unknown destination name and a partition
 * or one-way block drop it; with a bandwidth, the link's bounded transmit queue either admits it (serialization
 * delay `length / bandwidth` after the datagrams ahead of it) or drops it; then loss drops it. A survivor is
 * copied (the sender may reuse its buffer at once), may have one byte of its copy corrupted, and is delivered
 * after `latency + uniform[0, jitter)`, plus `uniform[0, reorderDelayMs)` with probability `reorder`, so later
 * datagrams overtake it; with probability `duplicate` a second copy follows with its own jitter. At delivery time
 * the datagram is dropped if the destination port has closed (or been replaced). Partitions do not affect
 * datagrams already in flight. Every drop is counted by reason in `counters`, so after the scheduler goes idle
 * `sent + duplicated == delivered + Σ drop_*`. With `trace`, every event is recorded and folded into `traceHash()`.
 */
import { CounterSet, InvalidArgumentError, SeededRandom, VirtualScheduler, type Random } from '../../core/index.js';
import { DEFAULT_MAX_DATAGRAM, peerAddress, type PeerAddress } from '../datagram-port.js';
import { DEFAULT_LINK, SimLink, mergeConditions, type LinkConditions } from './link.js';
import { SimPort, type SimFabric } from './port.js';
import { Trace, type TraceEvent, type TraceRecord } from './trace.js';

export const SIM_COUNTERS = [
  'sent', 'delivered', 'duplicated', 'corrupted', 'reordered',
  'drop_loss', 'drop_partition', 'drop_queue_full', 'drop_no_destination', 'drop_port_closed',
] as const;
export type SimCounter = (typeof SIM_COUNTERS)[number];
export const SIM_DROP_COUNTERS: readonly SimCounter[] = SIM_COUNTERS.filter((n) => n.startsWith('drop_'));

export interface SimNetworkOptions {
  /** Shared with the nodes' machines so that they and the network run on one virtual timeline. */
  scheduler?: VirtualScheduler;
  /** The network's randomness; default `new SeededRandom(seed)`. */
  random?: Random;
  seed?: number;
  defaults?: Partial<LinkConditions>;
  /** Record every event (stored up to `traceLimit`, hashed always). */
  trace?: boolean;
  traceLimit?: number;
  /** Default max datagram for new ports (8192). */
  maxDatagramSize?: number;
}

export class SimNetwork implements SimFabric {
  readonly scheduler: VirtualScheduler;
  readonly random: Random;
  readonly counters = new CounterSet<SimCounter>(SIM_COUNTERS);
  private defaults: LinkConditions;
  private readonly maxDatagramSize: number;
  private readonly ports = new Map<string, SimPort>();
  private nextPort = 1;
  private readonly links = new Map<string, Map<string, SimLink>>();
  private readonly blocked = new Map<string, Set<string>>();
  private readonly trace: Trace | null;
  private inFlightCount = 0;

  constructor(options: SimNetworkOptions = {}) {
    this.scheduler = options.scheduler ?? new VirtualScheduler();
    this.random = options.random ?? new SeededRandom(options.seed ?? 1);
    this.defaults = mergeConditions(DEFAULT_LINK, options.defaults);
    this.maxDatagramSize = options.maxDatagramSize ?? DEFAULT_MAX_DATAGRAM;
    this.trace = options.trace ? new Trace(options.traceLimit) : null;
  }

  /** Opens a port named `name`. A name may be reused after its port closed (in-flight datagrams to the old one drop). */
  port(name: string, options: { maxDatagramSize?: number } = {}): SimPort {
    if (name.length === 0) throw new InvalidArgumentError('port name must not be empty');
    const old = this.ports.get(name);
    if (old !== undefined && !old.closed) throw new InvalidArgumentError(`sim port ${name} is already open`);
    const p = new SimPort(this, peerAddress('sim', name, this.nextPort++), options.maxDatagramSize ?? this.maxDatagramSize);
    this.ports.set(name, p);
    return p;
  }

  /** The current address of `name`'s port. */
  address(name: string): PeerAddress {
    const p = this.ports.get(name);
    if (p === undefined) throw new InvalidArgumentError(`no sim port ${name}`);
    return p.local;
  }

  /** Datagrams scheduled for delivery and not yet delivered or dropped. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Changes the defaults; links keep their own overrides on top. */
  setDefaults(conditions: Partial<LinkConditions>): void {
    this.defaults = mergeConditions(this.defaults, conditions);
    for (const m of this.links.values()) for (const l of m.values()) l.reconfigure(mergeConditions(this.defaults, l.override));
  }

  /** Overrides conditions on the directed link `from -> to` (merged with earlier overrides for that link). */
  setLink(from: string, to: string, conditions: Partial<LinkConditions>): void {
    const l = this.link(from, to);
    l.override = { ...l.override, ...conditions };
    l.reconfigure(mergeConditions(this.defaults, l.override));
  }

  /** Overrides both directions between `a` and `b`. */
  setLinks(a: string, b: string, conditions: Partial<LinkConditions>): void {
    this.setLink(a, b, conditions);
    this.setLink(b, a, conditions);
  }

  /** Effective conditions of `from -> to`. */
  conditions(from: string, to: string): Readonly<LinkConditions> {
    return this.links.get(from)?.get(to)?.conditions ?? this.defaults;
  }

  /** Blocks every datagram between the two groups, both ways. */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    for (const a of groupA) for (const b of groupB) {
      this.block(a, b);
      this.block(b, a);
    }
  }

  /** Blocks `from -> to` only (a one-way partition). */
  block(from: string, to: string): void {
    let s = this.blocked.get(from);
    if (s === undefined) this.blocked.set(from, (s = new Set()));
    s.add(to);
  }

  unblock(from: string, to: string): void {
    this.blocked.get(from)?.delete(to);
  }

  /** Removes every partition and block. */
  heal(): void {
    this.blocked.clear();
  }

  isBlocked(from: string, to: string): boolean {
    return this.blocked.get(from)?.has(to) ?? false;
  }

  /** Recorded events (empty without `trace`). */
  get traceRecords(): readonly TraceRecord[] {
    return this.trace?.records ?? [];
  }

  /** FNV-1a 64 over every traced event; throws without `trace`. */
  traceHash(): bigint {
    if (this.trace === null) throw new InvalidArgumentError('the network was created without trace');
    return this.trace.value;
  }

  /** @internal SimPort's entry point; the port has already counted the send. */
  transmit(from: SimPort, bytes: Uint8Array, to: PeerAddress): void {
    const src = from.name;
    const dst = to.host;
    const now = this.scheduler.nowMs();
    this.counters.inc('sent');
    this.record(now, src, dst, bytes.length, 'send');
    if (!this.ports.has(dst)) return this.drop('drop_no_destination', now, src, dst, bytes.length);
    if (this.isBlocked(src, dst)) return this.drop('drop_partition', now, src, dst, bytes.length);
    const link = this.link(src, dst);
    const c = link.conditions;
    const departs = link.transmit(now, bytes.length);
    if (departs < 0) return this.drop('drop_queue_full', now, src, dst, bytes.length);
    const rnd = this.random;
    if (c.loss > 0 && rnd.nextFloat() < c.loss) return this.drop('drop_loss', now, src, dst, bytes.length);

    const copy = bytes.slice();
    if (c.corrupt > 0 && copy.length > 0 && rnd.nextFloat() < c.corrupt) {
      // XOR with a non-zero value, so the byte really changes.
      const i = rnd.nextU32() % copy.length;
      copy[i] = copy[i]! ^ (1 + (rnd.nextU32() % 255));
      this.counters.inc('corrupted');
      this.record(now, src, dst, copy.length, 'corrupt');
    }
    this.schedule(departs, c, from.local, src, to, copy);
    if (c.duplicate > 0 && rnd.nextFloat() < c.duplicate) {
      this.counters.inc('duplicated');
      this.record(now, src, dst, copy.length, 'duplicate');
      this.schedule(departs, c, from.local, src, to, copy.slice());
    }
  }

  private schedule(departs: number, c: LinkConditions, fromAddr: PeerAddress, src: string, to: PeerAddress, copy: Uint8Array): void {
    let delay = c.latencyMs;
    if (c.jitterMs > 0) delay += this.random.nextFloat() * c.jitterMs;
    if (c.reorder > 0 && this.random.nextFloat() < c.reorder) {
      delay += this.random.nextFloat() * c.reorderDelayMs;
      this.counters.inc('reordered');
      this.record(this.scheduler.nowMs(), src, to.host, copy.length, 'reorder');
    }
    this.inFlightCount++;
    this.scheduler.scheduleAt(departs + delay, () => this.deliver(copy, fromAddr, src, to));
  }

  private deliver(copy: Uint8Array, fromAddr: PeerAddress, src: string, to: PeerAddress): void {
    this.inFlightCount--;
    const now = this.scheduler.nowMs();
    const p = this.ports.get(to.host);
    if (p === undefined || p.closed || p.local.port !== to.port) return this.drop('drop_port_closed', now, src, to.host, copy.length);
    this.counters.inc('delivered');
    this.record(now, src, to.host, copy.length, 'deliver');
    p.deliver(copy, fromAddr);
  }

  private drop(reason: SimCounter & TraceEvent, now: number, src: string, dst: string, length: number): void {
    this.counters.inc(reason);
    this.record(now, src, dst, length, reason);
  }

  private record(now: number, src: string, dst: string, length: number, event: TraceEvent): void {
    if (this.trace !== null) this.trace.add(now, src, dst, length, event);
  }

  private link(from: string, to: string): SimLink {
    let m = this.links.get(from);
    if (m === undefined) this.links.set(from, (m = new Map()));
    let l = m.get(to);
    if (l === undefined) m.set(to, (l = new SimLink(this.defaults, undefined)));
    return l;
  }
}
