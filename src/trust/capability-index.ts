/**
 * The capability index: what every known node announced, queryable by tag, filter, predicate and scope, and the
 * execution gate `mayExecute`. Sans-I/O: time comes from the injected Clock (`nowMs` for expiry, `wallMs` for
 * the announcement timestamp check); the caller feeds received bytes to {@link CapabilityIndex.receive}, which
 * applies the intake rules of announcement-intake.ts.
 */
import { CounterSet, InvalidArgumentError, type Clock } from '../core/index.js';
import type { CapabilityAnnouncement } from './announcement.js';
import {
  hardwareFacts, matchesFilter, matchesScope, modelsOf, requirementScore, resolveScope, type CapabilityFilter, type CapabilityRequirement,
  type FilterSubject, type ModelFacts, type ResolvedScope, type ScopeFilter,
} from './capability-filter.js';
import { CapabilityError } from './errors.js';
import { EvalContext } from './eval-context.js';
import { INTAKE_COUNTERS, runIntake, type IntakeCounter, type IntakeResult } from './announcement-intake.js';
import type { Predicate } from './predicate.js';
import { compilePredicate, type CompiledPredicate } from './predicate-eval.js';
import { membershipOf } from './tags.js';

export const CAPABILITY_INDEX_DEFAULTS = {
  /** Most nodes indexed; past it new nodes are refused (`index_full`) until entries expire. */
  maxNodes: 65536,
  /** Remembered (node, version, direct) keys for dedup, oldest forgotten first. */
  dedupCapacity: 16384,
  /** Unsigned announcements are refused (reference `require_signed_capabilities`, default true). */
  requireSigned: true,
  /** Allowance for the announcer's clock when checking `timestamp_ns + ttl` against our wall clock (seconds). */
  clockSkewSecs: 60,
} as const;

export interface CapabilityIndexOptions {
  localNodeId?: bigint;
  maxNodes?: number;
  dedupCapacity?: number;
  requireSigned?: boolean;
  clockSkewSecs?: number;
}

/** One indexed node: the (stripped) announcement and the facts queries need, computed once. */
export interface IndexedNode extends FilterSubject {
  readonly announcement: CapabilityAnnouncement;
  readonly direct: boolean;
  readonly expiresAtMs: number;
  readonly scope: ResolvedScope;
  readonly subnet: string | undefined;
  readonly groups: readonly string[];
  readonly allowNodes: ReadonlySet<bigint>;
  readonly allowSubnets: ReadonlySet<string>;
  readonly allowGroups: ReadonlySet<string>;
  readonly models: readonly ModelFacts[];
  readonly tools: readonly string[];
}

export interface QueryOptions {
  scope?: ScopeFilter;
  /** Whether `node` shares the caller's subnet (for `sameSubnet` and subnet-local peers); default permissive. */
  sameSubnet?: (node: bigint) => boolean;
  limit?: number;
}

export class CapabilityIndex {
  readonly counters = new CounterSet<IntakeCounter>(INTAKE_COUNTERS);
  readonly options: Required<Omit<CapabilityIndexOptions, 'localNodeId'>> & { localNodeId: bigint | undefined };
  /** Bumped on every change (index, remove, expiry); caches compare it. */
  mutationVersion = 0;
  readonly nodes = new Map<bigint, IndexedNode>();
  /** Node id → ed25519 key, pinned by the first verified direct announcement (TOFU). */
  readonly pinnedEntities = new Map<bigint, string>();
  /** Dedup keys `node:version:direct`, insertion-ordered for FIFO eviction. */
  readonly seen = new Set<string>();
  /** Highest version ever accepted per node, kept after expiry so an old announcement cannot be replayed. */
  readonly versionFloor = new Map<bigint, bigint>();
  private readonly byTag = new Map<string, Set<bigint>>();

  constructor(readonly components: { clock: Clock }, options: CapabilityIndexOptions = {}) {
    const o = { ...CAPABILITY_INDEX_DEFAULTS, ...options };
    for (const k of ['maxNodes', 'dedupCapacity'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1) throw new InvalidArgumentError(`${k} must be a positive integer`);
    }
    if (!(o.clockSkewSecs >= 0 && o.clockSkewSecs <= 300)) throw new InvalidArgumentError('clockSkewSecs must be in 0..300');
    this.options = { ...o, localNodeId: options.localNodeId };
  }

  /** Runs the intake rules on received bytes (or a decoded announcement); counts and returns the verdict. */
  receive(input: Uint8Array | CapabilityAnnouncement, from: { fromNode?: bigint } = {}): IntakeResult {
    return runIntake(this, input, from.fromNode);
  }

  /** {@link receive}, throwing CapabilityError for a refusal (duplicates are not errors). */
  accept(input: Uint8Array | CapabilityAnnouncement, from: { fromNode?: bigint } = {}): IntakeResult {
    const r = this.receive(input, from);
    if (r.status === 'rejected') throw new CapabilityError(r.reason, r.detail, { cause: r.cause });
    return r;
  }

  /** Indexes `a` as this node's own (self-index: no signature or version checks). */
  indexLocal(a: CapabilityAnnouncement): void {
    this.put(a, true);
  }

  /** Installs an announcement that passed intake. Internal to the trust plane. */
  put(a: CapabilityAnnouncement, direct: boolean): void {
    this.remove(a.nodeId);
    const membership = membershipOf(a.tags);
    if (membership.collapsed) this.counters.inc('subnet_parse_collapsed_multi_tag');
    const { models, tools } = modelsOf(a.tags);
    const ctx = new EvalContext(a.tags, a.metadata);
    const node: IndexedNode = {
      announcement: a,
      ctx,
      ...hardwareFacts(ctx),
      direct,
      expiresAtMs: this.components.clock.nowMs() + a.ttlSecs * 1000,
      scope: resolveScope(a.tags),
      subnet: membership.subnet,
      groups: membership.groups,
      allowNodes: new Set(a.allowedNodes),
      allowSubnets: new Set(a.allowedSubnets),
      allowGroups: new Set(a.allowedGroups),
      models,
      tools,
    };
    this.nodes.set(a.nodeId, node);
    for (const t of a.tags) {
      let s = this.byTag.get(t);
      if (s === undefined) this.byTag.set(t, (s = new Set()));
      s.add(a.nodeId);
    }
    const floor = this.versionFloor.get(a.nodeId);
    if (floor === undefined || a.version > floor) {
      this.versionFloor.delete(a.nodeId);
      this.versionFloor.set(a.nodeId, a.version);
      // Floors outlive entries but stay bounded: forget the least recently raised beyond twice the node cap.
      if (this.versionFloor.size > this.options.maxNodes * 2) this.versionFloor.delete(this.versionFloor.keys().next().value!);
    }
    this.mutationVersion++;
  }

  remove(nodeId: bigint): boolean {
    const node = this.nodes.get(nodeId);
    if (node === undefined) return false;
    this.nodes.delete(nodeId);
    for (const t of node.announcement.tags) {
      const s = this.byTag.get(t);
      s?.delete(nodeId);
      if (s?.size === 0) this.byTag.delete(t);
    }
    this.mutationVersion++;
    return true;
  }

  /** Drops entries whose TTL has passed; returns how many. Call it from the timer {@link nextExpiryMs} gives. */
  expire(): number {
    const now = this.components.clock.nowMs();
    let n = 0;
    for (const [id, node] of this.nodes) {
      if (node.expiresAtMs <= now && this.remove(id)) n++;
    }
    this.counters.inc('expired_evicted', n);
    return n;
  }

  /** When the next entry expires (monotonic ms), or undefined when the index is empty. */
  nextExpiryMs(): number | undefined {
    let next: number | undefined;
    for (const node of this.nodes.values()) if (next === undefined || node.expiresAtMs < next) next = node.expiresAtMs;
    return next;
  }

  get(nodeId: bigint): IndexedNode | undefined {
    return this.nodes.get(nodeId);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Nodes carrying `tag`, ascending. */
  nodesWithTag(tag: string): bigint[] {
    return [...(this.byTag.get(tag) ?? [])].sort(cmp);
  }

  /** Nodes matching a filter or a predicate (and the scope, when given), ascending by node id. */
  findNodes(query: CapabilityFilter | Predicate, opts: QueryOptions = {}): bigint[] {
    const out: bigint[] = [];
    this.scan(query, opts, (id) => void out.push(id));
    out.sort(cmp);
    return opts.limit === undefined ? out : out.slice(0, opts.limit);
  }

  /** Counts matches without building a list (the hot loop of {@link findNodes}). */
  countNodes(query: CapabilityFilter | Predicate, opts: QueryOptions = {}): number {
    let n = 0;
    this.scan(query, opts, () => void n++);
    return n;
  }

  /** The best-scoring node for a requirement; ties go to the lower node id. */
  findBestNode(req: CapabilityRequirement, opts: QueryOptions = {}): bigint | undefined {
    let best: bigint | undefined;
    let bestScore = 0;
    this.scan(req.filter, opts, (id, node) => {
      const s = requirementScore(req, node);
      if (s > bestScore || (s === bestScore && best !== undefined && id < best)) {
        best = id;
        bestScore = s;
      }
    });
    return best;
  }

  /**
   * May `caller` invoke `capabilityTag` on `target`? False when the target is unknown or does not carry the tag;
   * true when its allow-lists are all empty; otherwise when the caller is listed by node id, by its declared
   * subnet, or by one of its declared groups (read from the caller's own indexed announcement).
   */
  mayExecute(target: bigint, capabilityTag: string, caller: bigint): boolean {
    const t = this.nodes.get(target);
    const ok = t !== undefined && t.ctx.hasTag(capabilityTag) && this.admits(t, caller);
    if (!ok) this.counters.inc('capability_denied');
    return ok;
  }

  private admits(t: IndexedNode, caller: bigint): boolean {
    if (t.allowNodes.size === 0 && t.allowSubnets.size === 0 && t.allowGroups.size === 0) return true;
    if (t.allowNodes.has(caller)) return true;
    const c = this.nodes.get(caller);
    if (c === undefined) return false;
    if (c.subnet !== undefined && t.allowSubnets.has(c.subnet)) return true;
    return c.groups.some((g) => t.allowGroups.has(g));
  }

  private scan(query: CapabilityFilter | Predicate, opts: QueryOptions, hit: (id: bigint, node: IndexedNode) => void): void {
    const isPredicate = typeof (query as Predicate).type === 'string';
    const compiled: CompiledPredicate | undefined = isPredicate ? compilePredicate(query as Predicate) : undefined;
    const filter = query as CapabilityFilter;
    const scope = opts.scope;
    const same = opts.sameSubnet;
    // Seed from the rarest required tag when there is one: the inverted index turns a full scan into a probe.
    if (!isPredicate && filter.requireTags !== undefined && filter.requireTags.length > 0) {
      let smallest: Set<bigint> | undefined;
      for (const t of filter.requireTags) {
        const s = this.byTag.get(t);
        if (s === undefined) return;
        if (smallest === undefined || s.size < smallest.size) smallest = s;
      }
      for (const id of smallest!) this.visit(id, this.nodes.get(id)!, compiled, filter, scope, same, hit);
      return;
    }
    // Whole-index scans walk entries, never re-hashing bigint keys.
    for (const [id, node] of this.nodes) this.visit(id, node, compiled, filter, scope, same, hit);
  }

  private visit(
    id: bigint, node: IndexedNode, compiled: CompiledPredicate | undefined, filter: CapabilityFilter, scope: ScopeFilter | undefined,
    same: ((node: bigint) => boolean) | undefined, hit: (id: bigint, node: IndexedNode) => void,
  ): void {
    if (compiled !== undefined ? !compiled(node.ctx) : !matchesFilter(filter, node)) return;
    if (scope !== undefined && !matchesScope(node.scope, scope, same === undefined ? true : same(id))) return;
    hit(id, node);
  }
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type { IntakeResult };
