/**
 * Predicate evaluation (reference `behavior/predicate.rs` semantics, pinned by `predicate_eval.json` and
 * `predicate_trace.json`): numeric leaves parse values as Rust's `f64::from_str` does, semver leaves compare
 * `major.minor.patch` cores (pre-release and build suffixes stripped) with caret compatibility, `*_matches` is a
 * substring test. The planner evaluates And/Or children cheapest first (a stable sort by static cost); the
 * answer is the same as declaration order, only the work and the trace differ.
 */
import { EvalContext } from './eval-context.js';
import { rustF64Display } from './json.js';
import type { Predicate } from './predicate.js';
import type { TagKey } from './tags.js';

const RUST_FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Rust's `f64::from_str`: decimal or scientific, optional sign, `inf`/`infinity`/`nan`; no hex, `_` or spaces. */
export function parseRustF64(s: string): number | undefined {
  // Fast path: starts with a digit, sign or point, is not 0x/0b/0o, ends in a digit or point — then Number()
  // accepts exactly what Rust does, and NaN means Rust refuses it too.
  const n = s.length;
  if (n > 0) {
    const c0 = s.charCodeAt(0);
    const cl = s.charCodeAt(n - 1);
    const c1 = n > 1 ? s.charCodeAt(1) | 0x20 : 0;
    if (((c0 >= 0x30 && c0 <= 0x39) || c0 === 0x2b || c0 === 0x2d || c0 === 0x2e) && ((cl >= 0x30 && cl <= 0x39) || cl === 0x2e) &&
      !(c0 === 0x30 && (c1 === 0x78 || c1 === 0x62 || c1 === 0x6f))) {
      const v = Number(s);
      if (!Number.isNaN(v)) return v;
      return RUST_FLOAT_RE.test(s) ? Number(s) : undefined;
    }
  }
  if (RUST_FLOAT_RE.test(s)) return Number(s);
  const lower = s.toLowerCase();
  const neg = lower.startsWith('-');
  const body = neg || lower.startsWith('+') ? lower.slice(1) : lower;
  if (body === 'inf' || body === 'infinity') return neg ? -Infinity : Infinity;
  if (body === 'nan') return NaN;
  return undefined;
}

type Semver = [number, number, number];
const DIGITS_RE = /^\d+$/;

/** `major[.minor[.patch]]` with any `-pre` / `+build` suffix stripped; undefined when not numeric. */
export function parseSemver(s: string): Semver | undefined {
  let end = s.length;
  const plus = s.indexOf('+');
  const dash = s.indexOf('-');
  if (plus >= 0) end = plus;
  if (dash >= 0 && dash < end) end = dash;
  const parts = s.slice(0, end).split('.');
  if (parts.length > 3) return undefined;
  const out: Semver = [0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!.trim();
    if (!DIGITS_RE.test(part)) return undefined;
    out[i] = Number(part);
  }
  return out;
}

function semverCmp(a: Semver, b: Semver): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Cargo's caret rule: `^1.2.3` = same major; `^0.2.3` = same minor; `^0.0.3` = exactly 0.0.3. */
function semverCompatible(have: Semver, want: Semver): boolean {
  if (semverCmp(have, want) < 0) return false;
  if (want[0] !== 0) return have[0] === want[0];
  if (want[1] !== 0) return have[0] === 0 && have[1] === want[1];
  return have[0] === 0 && have[1] === 0 && have[2] === want[2];
}

const tk = (k: TagKey): string => `${k.axis}.${k.key}`;

/** Static cost of a clause (the reference's `static_cost`); composites sum their children, saturating at u32. */
export function staticCost(p: Predicate): number {
  switch (p.type) {
    case 'metadataExists': return 10;
    case 'metadataEquals': return 11;
    case 'exists': return 20;
    case 'equals': return 21;
    case 'metadataNumericAtLeast': return 25;
    case 'numericAtLeast': case 'numericAtMost': case 'numericInRange': return 30;
    case 'stringPrefix': return 40;
    case 'metadataMatches': return 45;
    case 'stringMatches': return 50;
    case 'semverAtLeast': case 'semverAtMost': case 'semverCompatible': return 60;
    case 'and': case 'or': {
      let sum = 0;
      for (const c of p.children) sum = Math.min(sum + staticCost(c), 0xffffffff);
      return sum;
    }
    case 'not': return staticCost(p.child);
  }
}

/** One-line label of a clause (the reference's `debug_label`); strings in `{:?}` form are JSON-quoted. */
export function debugLabel(p: Predicate): string {
  const q = (s: string): string => JSON.stringify(s);
  const n = rustF64Display;
  switch (p.type) {
    case 'exists': return `Exists(${tk(p.key)})`;
    case 'equals': return `Equals(${tk(p.key)}=${p.value})`;
    case 'numericAtLeast': return `NumericAtLeast(${tk(p.key)} >= ${n(p.threshold)})`;
    case 'numericAtMost': return `NumericAtMost(${tk(p.key)} <= ${n(p.threshold)})`;
    case 'numericInRange': return `NumericInRange(${tk(p.key)} in [${n(p.min)}, ${n(p.max)}])`;
    case 'semverAtLeast': return `SemverAtLeast(${tk(p.key)} >= ${p.version})`;
    case 'semverAtMost': return `SemverAtMost(${tk(p.key)} <= ${p.version})`;
    case 'semverCompatible': return `SemverCompatible(${tk(p.key)} ~= ${p.version})`;
    case 'stringPrefix': return `StringPrefix(${tk(p.key)} starts with ${q(p.prefix)})`;
    case 'stringMatches': return `StringMatches(${tk(p.key)} contains ${q(p.pattern)})`;
    case 'metadataExists': return `MetadataExists(${p.key})`;
    case 'metadataEquals': return `MetadataEquals(${p.key}=${p.value})`;
    case 'metadataMatches': return `MetadataMatches(${p.key} contains ${q(p.pattern)})`;
    case 'metadataNumericAtLeast': return `MetadataNumericAtLeast(${p.key} >= ${n(p.threshold)})`;
    case 'and': return `And(${p.children.length} clauses)`;
    case 'or': return `Or(${p.children.length} clauses)`;
    case 'not': return 'Not';
  }
}

/** A predicate compiled to a closure tree over an {@link EvalContext}, children in planner order. */
export type CompiledPredicate = (ctx: EvalContext) => boolean;

function plan(children: readonly Predicate[]): Predicate[] {
  return children.map((c, i) => ({ c, i, cost: staticCost(c) })).sort((a, b) => a.cost - b.cost || a.i - b.i).map((x) => x.c);
}

function numeric(key: string, test: (n: number) => boolean): CompiledPredicate {
  return (ctx) => {
    const v = ctx.value(key);
    if (v === undefined) return false;
    const n = parseRustF64(v);
    return n !== undefined && test(n);
  };
}
function semver(key: string, version: string, test: (have: Semver, want: Semver) => boolean): CompiledPredicate {
  const want = parseSemver(version);
  if (want === undefined) return () => false;
  return (ctx) => {
    const v = ctx.value(key);
    const have = v === undefined ? undefined : parseSemver(v);
    return have !== undefined && test(have, want);
  };
}

/** Compiles `pred` once; the result evaluates with no allocation per call. */
export function compilePredicate(pred: Predicate, planned = true): CompiledPredicate {
  switch (pred.type) {
    case 'and': {
      const cs = (planned ? plan(pred.children) : pred.children).map((c) => compilePredicate(c, planned));
      return (ctx) => {
        for (let i = 0; i < cs.length; i++) if (!cs[i]!(ctx)) return false;
        return true;
      };
    }
    case 'or': {
      const cs = (planned ? plan(pred.children) : pred.children).map((c) => compilePredicate(c, planned));
      return (ctx) => {
        for (let i = 0; i < cs.length; i++) if (cs[i]!(ctx)) return true;
        return false;
      };
    }
    case 'not': {
      const c = compilePredicate(pred.child, planned);
      return (ctx) => !c(ctx);
    }
    case 'exists': {
      const k = tk(pred.key);
      return (ctx) => ctx.has(k);
    }
    case 'equals': {
      const k = tk(pred.key);
      const want = pred.value;
      return (ctx) => ctx.value(k) === want;
    }
    case 'numericAtLeast': { const t = pred.threshold; return numeric(tk(pred.key), (n) => n >= t); }
    case 'numericAtMost': { const t = pred.threshold; return numeric(tk(pred.key), (n) => n <= t); }
    case 'numericInRange': { const { min, max } = pred; return numeric(tk(pred.key), (n) => n >= min && n <= max); }
    case 'semverAtLeast': return semver(tk(pred.key), pred.version, (h, w) => semverCmp(h, w) >= 0);
    case 'semverAtMost': return semver(tk(pred.key), pred.version, (h, w) => semverCmp(h, w) <= 0);
    case 'semverCompatible': return semver(tk(pred.key), pred.version, semverCompatible);
    case 'stringPrefix': {
      const k = tk(pred.key);
      const pre = pred.prefix;
      return (ctx) => ctx.value(k)?.startsWith(pre) === true;
    }
    case 'stringMatches': {
      const k = tk(pred.key);
      const pat = pred.pattern;
      return (ctx) => ctx.value(k)?.includes(pat) === true;
    }
    case 'metadataExists': { const k = pred.key; return (ctx) => ctx.metadata.has(k); }
    case 'metadataEquals': { const { key, value } = pred; return (ctx) => ctx.metadata.get(key) === value; }
    case 'metadataMatches': { const { key, pattern } = pred; return (ctx) => ctx.metadata.get(key)?.includes(pattern) === true; }
    case 'metadataNumericAtLeast': {
      const { key, threshold } = pred;
      return (ctx) => {
        const v = ctx.metadata.get(key);
        const n = v === undefined ? undefined : parseRustF64(v);
        return n !== undefined && n >= threshold;
      };
    }
  }
}

function contextOf(tags: readonly string[] | EvalContext, metadata?: Readonly<Record<string, string>>): EvalContext {
  return tags instanceof EvalContext ? tags : new EvalContext(tags, metadata ?? {});
}

/** Evaluates in declaration order (the reference's `evaluate_unplanned`). */
export function evaluatePredicate(pred: Predicate, tags: readonly string[] | EvalContext, metadata?: Readonly<Record<string, string>>): boolean {
  return compilePredicate(pred, false)(contextOf(tags, metadata));
}

export interface ClauseTrace {
  label: string;
  result: boolean;
  children: ClauseTrace[];
}

function trace(pred: Predicate, ctx: EvalContext): ClauseTrace {
  const label = debugLabel(pred);
  if (pred.type === 'and' || pred.type === 'or') {
    const stopOn = pred.type === 'or';
    const children: ClauseTrace[] = [];
    let result = !stopOn;
    for (const c of plan(pred.children)) {
      const t = trace(c, ctx);
      children.push(t);
      if (t.result === stopOn) {
        result = stopOn;
        break;
      }
    }
    return { label, result, children };
  }
  if (pred.type === 'not') {
    const inner = trace(pred.child, ctx);
    return { label, result: !inner.result, children: [inner] };
  }
  return { label, result: compilePredicate(pred)(ctx), children: [] };
}

/** Evaluates in planner order and records every clause that ran (the reference's `evaluate_with_trace`). */
export function evaluatePredicateWithTrace(
  pred: Predicate, tags: readonly string[] | EvalContext, metadata?: Readonly<Record<string, string>>,
): { result: boolean; trace: ClauseTrace } {
  const t = trace(pred, contextOf(tags, metadata));
  return { result: t.result, trace: t };
}
