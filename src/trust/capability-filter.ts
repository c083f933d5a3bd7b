/**
 * Discovery filters over indexed nodes: the reference's `CapabilityFilter` (required tags, GPU, vendor, memory,
 * VRAM, models, tools, context length), `CapabilityRequirement` scoring for `findBestNode`, and scope filters
 * (`scope:tenant:` / `scope:region:` / `scope:subnet-local` tags; a node with no scope tag is global).
 */
import type { EvalContext } from './eval-context.js';
import { SCOPE_REGION_PREFIX, SCOPE_SUBNET_LOCAL, SCOPE_TENANT_PREFIX } from './tags.js';

export type GpuVendor = 'nvidia' | 'amd' | 'intel' | 'apple' | 'qualcomm' | 'unknown';

export interface CapabilityFilter {
  /** Every one must be present (exact tag strings). */
  requireTags?: readonly string[];
  /** At least one must be loaded (`software.model.<i>.id=<model>`). */
  requireModels?: readonly string[];
  /** At least one must be offered (`software.tool.<i>.tool_id=<tool>`). */
  requireTools?: readonly string[];
  minMemoryGb?: number;
  requireGpu?: boolean;
  gpuVendor?: GpuVendor;
  minVramGb?: number;
  minContextLength?: number;
}

export interface CapabilityRequirement {
  filter: CapabilityFilter;
  preferMoreMemory?: number;
  preferMoreVram?: number;
  preferFasterInference?: number;
  preferLoadedModels?: number;
}

export type ScopeFilter =
  | { kind: 'any' }
  | { kind: 'globalOnly' }
  | { kind: 'sameSubnet' }
  | { kind: 'tenant'; tenant: string }
  | { kind: 'tenants'; tenants: readonly string[] }
  | { kind: 'region'; region: string }
  | { kind: 'regions'; regions: readonly string[] };

/** A node's scope from its tags: subnet-local beats tenants/regions, which beat global. */
export interface ResolvedScope {
  subnetLocal: boolean;
  tenants: string[];
  regions: string[];
}

/** Model facts read from `software.model.<i>.*` tags, for filters and scores. */
export interface ModelFacts {
  id: string | undefined;
  contextLength: number;
  tokensPerSec: number;
  loaded: boolean;
}

export function resolveScope(tags: Iterable<string>): ResolvedScope {
  const out: ResolvedScope = { subnetLocal: false, tenants: [], regions: [] };
  for (const t of tags) {
    if (t === SCOPE_SUBNET_LOCAL) out.subnetLocal = true;
    else if (t.startsWith(SCOPE_TENANT_PREFIX)) out.tenants.push(t.slice(SCOPE_TENANT_PREFIX.length));
    else if (t.startsWith(SCOPE_REGION_PREFIX)) out.regions.push(t.slice(SCOPE_REGION_PREFIX.length));
  }
  return out;
}

/** The reference's `matches_scope`: subnet-local peers appear only under `sameSubnet`; global peers match any tenant or region query. */
export function matchesScope(scope: ResolvedScope, filter: ScopeFilter, sameSubnet: boolean): boolean {
  if (scope.subnetLocal) return filter.kind === 'sameSubnet' && sameSubnet;
  const global = scope.tenants.length === 0 && scope.regions.length === 0;
  switch (filter.kind) {
    case 'any': return true;
    case 'globalOnly': return global;
    case 'sameSubnet': return sameSubnet;
    case 'tenant': return global || scope.tenants.includes(filter.tenant);
    case 'tenants': return global || scope.tenants.some((t) => filter.tenants.includes(t));
    case 'region': return global || scope.regions.includes(filter.region);
    case 'regions': return global || scope.regions.some((r) => filter.regions.includes(r));
  }
}

const MODEL_RE = /^software\.model\.(\d+)\.([a-z_]+)=(.*)$/s;
const TOOL_RE = /^software\.tool\.\d+\.tool_id=(.*)$/s;

export function modelsOf(tags: Iterable<string>): { models: ModelFacts[]; tools: string[] } {
  const byIndex = new Map<string, ModelFacts>();
  const tools: string[] = [];
  for (const t of tags) {
    const tool = TOOL_RE.exec(t);
    if (tool !== null) tools.push(tool[1]!);
    const m = MODEL_RE.exec(t);
    if (m === null) continue;
    let f = byIndex.get(m[1]!);
    if (f === undefined) byIndex.set(m[1]!, (f = { id: undefined, contextLength: 0, tokensPerSec: 0, loaded: false }));
    const v = m[3]!;
    if (m[2] === 'id') f.id = v;
    else if (m[2] === 'context_length') f.contextLength = u32(v);
    else if (m[2] === 'tokens_per_sec') f.tokensPerSec = u32(v);
    else if (m[2] === 'loaded') f.loaded = v === 'true';
  }
  return { models: [...byIndex.values()], tools };
}

/** Rust `u32::from_str`, 0 when it does not parse (as the reference's `unwrap_or(0)`). */
function u32(v: string | undefined): number {
  if (v === undefined || !/^\+?\d{1,10}$/.test(v)) return 0;
  const n = Number(v);
  return n <= 0xffff_ffff ? n : 0;
}

/** The facts a filter needs about one node, computed once at index time. */
export interface FilterSubject {
  ctx: EvalContext;
  models: readonly ModelFacts[];
  tools: readonly string[];
  /** `hardware.memory_gb` and `hardware.gpu.vram_gb` as u32 (0 when absent), `hardware.gpu` present. */
  memoryGb: number;
  vramGb: number;
  hasGpu: boolean;
}

/** The numeric facts of {@link FilterSubject}, read once from a context. */
export function hardwareFacts(ctx: EvalContext): { memoryGb: number; vramGb: number; hasGpu: boolean } {
  return { memoryGb: u32(ctx.value('hardware.memory_gb')), vramGb: u32(ctx.value('hardware.gpu.vram_gb')), hasGpu: ctx.has('hardware.gpu') };
}

export function matchesFilter(f: CapabilityFilter, n: FilterSubject): boolean {
  const ctx = n.ctx;
  if (f.requireTags !== undefined) for (const t of f.requireTags) if (!ctx.hasTag(t)) return false;
  if (f.requireModels !== undefined && f.requireModels.length > 0 && !n.models.some((m) => m.id !== undefined && f.requireModels!.includes(m.id))) return false;
  if (f.requireTools !== undefined && f.requireTools.length > 0 && !n.tools.some((t) => f.requireTools!.includes(t))) return false;
  if (f.minMemoryGb !== undefined && n.memoryGb < f.minMemoryGb) return false;
  const needGpu = f.requireGpu === true || f.gpuVendor !== undefined || f.minVramGb !== undefined;
  if (needGpu && !n.hasGpu) return false;
  if (f.gpuVendor !== undefined && ctx.value('hardware.gpu.vendor') !== f.gpuVendor) return false;
  if (f.minVramGb !== undefined && n.vramGb < f.minVramGb) return false;
  if (f.minContextLength !== undefined && !n.models.some((m) => m.contextLength >= f.minContextLength!)) return false;
  return true;
}

/** The reference's `CapabilityRequirement::score`: 0 when the filter fails, else 1 plus weighted preferences. */
export function requirementScore(r: CapabilityRequirement, n: FilterSubject): number {
  if (!matchesFilter(r.filter, n)) return 0;
  let score = 1;
  if ((r.preferMoreMemory ?? 0) > 0) score += r.preferMoreMemory! * Math.min(n.memoryGb / 256, 1);
  if ((r.preferMoreVram ?? 0) > 0) score += r.preferMoreVram! * Math.min(n.vramGb / 80, 1);
  if ((r.preferFasterInference ?? 0) > 0) {
    const tps = n.models.reduce((m, x) => Math.max(m, x.tokensPerSec), 0);
    score += r.preferFasterInference! * Math.min(tps / 1000, 1);
  }
  if ((r.preferLoadedModels ?? 0) > 0 && n.models.length > 0) {
    score += r.preferLoadedModels! * (n.models.filter((m) => m.loaded).length / n.models.length);
  }
  return score;
}
