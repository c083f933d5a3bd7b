/**
 * Predicate debug reports (pinned by `predicate_debug_report.json` and `..._redacted.json`): how often each
 * clause ran and matched over a set of candidates, keyed by clause label and sorted by it (the reference keeps a
 * BTreeMap), plus the redaction that hides metadata values before a report is shared.
 */
import { EvalContext } from './eval-context.js';
import { compareUtf8 } from './json.js';
import type { Predicate } from './predicate.js';
import { evaluatePredicateWithTrace, type ClauseTrace } from './predicate-eval.js';

export interface ClauseStats {
  label: string;
  evaluated: number;
  matched: number;
}
export interface PredicateDebugReport {
  total_candidates: number;
  matched: number;
  clause_stats: ClauseStats[];
}
export interface EvalContextWire {
  tags: readonly string[];
  metadata: Readonly<Record<string, string>>;
}

function accumulate(t: ClauseTrace, stats: Map<string, ClauseStats>): void {
  let s = stats.get(t.label);
  if (s === undefined) stats.set(t.label, (s = { label: t.label, evaluated: 0, matched: 0 }));
  s.evaluated++;
  if (t.result) s.matched++;
  for (const c of t.children) accumulate(c, stats);
}

function sorted(stats: Iterable<ClauseStats>): ClauseStats[] {
  return [...stats].sort((a, b) => compareUtf8(a.label, b.label));
}

/** Evaluates `pred` over every context with traces and aggregates per clause label. */
export function predicateDebugReport(pred: Predicate, contexts: readonly (EvalContextWire | EvalContext)[]): PredicateDebugReport {
  const stats = new Map<string, ClauseStats>();
  let matched = 0;
  for (const c of contexts) {
    const ctx = c instanceof EvalContext ? c : new EvalContext(c.tags, c.metadata);
    const { result, trace } = evaluatePredicateWithTrace(pred, ctx);
    if (result) matched++;
    accumulate(trace, stats);
  }
  return { total_candidates: contexts.length, matched, clause_stats: sorted(stats.values()) };
}

const META_EQUALS_RE = /^MetadataEquals\(([^=]+)=(.+)\)$/s;
const META_MATCHES_RE = /^MetadataMatches\((.+) contains "(.*)"\)$/s;
const META_NUMERIC_RE = /^MetadataNumericAtLeast\((.+) >= (.+)\)$/s;

function redactLabel(label: string, keys: ReadonlySet<string>): string {
  let m = META_EQUALS_RE.exec(label);
  if (m !== null) return keys.has(m[1]!) ? `MetadataEquals(${m[1]}=<redacted>)` : label;
  m = META_MATCHES_RE.exec(label);
  if (m !== null) return keys.has(m[1]!) ? `MetadataMatches(${m[1]} contains "<redacted>")` : label;
  m = META_NUMERIC_RE.exec(label);
  if (m !== null) return keys.has(m[1]!) ? `MetadataNumericAtLeast(${m[1]} >= <redacted>)` : label;
  return label;
}

/** Rewrites the values of metadata clauses on `keys` to `<redacted>`, merging labels that become equal. */
export function redactMetadataKeys(report: PredicateDebugReport, keys: readonly string[]): PredicateDebugReport {
  const set = new Set(keys);
  const merged = new Map<string, ClauseStats>();
  for (const s of report.clause_stats) {
    const label = redactLabel(s.label, set);
    const prev = merged.get(label);
    if (prev === undefined) merged.set(label, { label, evaluated: s.evaluated, matched: s.matched });
    else {
      prev.evaluated += s.evaluated;
      prev.matched += s.matched;
    }
  }
  return { total_candidates: report.total_candidates, matched: report.matched, clause_stats: sorted(merged.values()) };
}

/** Validates a report read from JSON; throws TypeError on a wrong shape. */
export function predicateDebugReportFromWire(wire: unknown): PredicateDebugReport {
  const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const w = wire as Partial<PredicateDebugReport> | null;
  if (typeof w !== 'object' || w === null || !count(w.total_candidates) || !count(w.matched) || !Array.isArray(w.clause_stats)) {
    throw new TypeError('debug report: expected { total_candidates, matched, clause_stats[] }');
  }
  return {
    total_candidates: w.total_candidates,
    matched: w.matched,
    clause_stats: w.clause_stats.map((s: Partial<ClauseStats>) => {
      if (typeof s?.label !== 'string' || !count(s.evaluated) || !count(s.matched)) throw new TypeError('debug report: bad clause_stats entry');
      return { label: s.label, evaluated: s.evaluated, matched: s.matched };
    }),
  };
}

/** One line per clause, for the CLI. */
export function renderDebugReport(report: PredicateDebugReport): string {
  const pct = (n: number, d: number): string => (d === 0 ? '0.0%' : `${((100 * n) / d).toFixed(1)}%`);
  const lines = [
    `total candidates  ${report.total_candidates}`,
    `matched           ${report.matched} (${pct(report.matched, report.total_candidates)})`,
    '',
  ];
  for (const s of report.clause_stats) {
    lines.push(`  ${s.label.padEnd(56)} evaluated ${String(s.evaluated).padStart(6)}  matched ${String(s.matched).padStart(6)} (${pct(s.matched, s.evaluated)})`);
  }
  return lines.join('\n') + '\n';
}
