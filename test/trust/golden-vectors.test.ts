// The reference's cross-binding capability fixtures (test/vectors/net-reference/cross_lang_capability/), used
// unchanged: predicate envelopes byte for byte, evaluation, traces, debug reports, redaction, validation, diff,
// placement score.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import {
  diffCapabilities, evaluatePredicate, evaluatePredicateWithTrace, placementScore, predicateDebugReport,
  predicateFromRpcHeader, predicateFromWire, predicateToRpcHeader, predicateToWire, redactMetadataKeys, validateCapabilities,
  compareUtf8, METADATA_SOFT_CAP_BYTES, type PredicateWire,
} from '../../src/trust/index.js';

const dir = new URL('../vectors/net-reference/cross_lang_capability/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, dir), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any => JSON.parse(text(name));

/** The raw text of each case's `wire` object, whitespace outside strings removed: serde_json's compact bytes. */
function rawWires(source: string): string[] {
  const out: string[] = [];
  let at = 0;
  for (;;) {
    const k = source.indexOf('"wire":', at);
    if (k < 0) return out;
    let i = source.indexOf('{', k);
    const start = i;
    let depth = 0;
    let inStr = false;
    for (; ; i++) {
      const c = source[i];
      if (inStr) {
        if (c === '\\') i++;
        else if (c === '"') inStr = false;
      } else if (c === '"') inStr = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    let compact = '';
    inStr = false;
    for (let j = start; j <= i; j++) {
      const c = source[j]!;
      if (inStr) {
        compact += c;
        if (c === '\\') compact += source[++j];
        else if (c === '"') inStr = false;
      } else if (c === '"') {
        inStr = true;
        compact += c;
      } else if (!/\s/.test(c)) compact += c;
    }
    out.push(compact);
    at = i;
  }
}

test('predicate_nrpc_envelope: decode then re-encode is byte-equal to the fixture, AST round-trips', () => {
  const f = load('predicate_nrpc_envelope.json');
  assert.equal(f.header_name, 'net-where');
  const raws = rawWires(text('predicate_nrpc_envelope.json'));
  assert.equal(raws.length, f.cases.length);
  f.cases.forEach((c: { name: string; wire: PredicateWire }, i: number) => {
    const fromHeader = predicateFromRpcHeader(raws[i]!);
    assert.equal(predicateToRpcHeader(fromHeader), raws[i], c.name);
    const ast = predicateFromWire(c.wire);
    assert.deepEqual(predicateToWire(ast), c.wire, c.name);
  });
  assert.equal(f.cases.length, 18);
});

test('predicate_eval: every case gives the expected boolean (declaration and planner order agree)', () => {
  const f = load('predicate_eval.json');
  for (const c of f.cases) {
    const pred = predicateFromWire(c.wire);
    assert.equal(evaluatePredicate(pred, c.tags, c.metadata), c.expected, c.name);
    assert.equal(evaluatePredicateWithTrace(pred, c.tags, c.metadata).result, c.expected, `${c.name} (planned)`);
  }
  assert.ok(f.cases.length >= 40);
});

test('predicate_trace: traces equal the fixture (stable cost order, short-circuit)', () => {
  for (const c of load('predicate_trace.json').cases) {
    const { result, trace } = evaluatePredicateWithTrace(predicateFromWire(c.wire), c.tags, c.metadata);
    assert.equal(result, c.expected_result, c.name);
    assert.deepEqual(trace, c.expected_trace, c.name);
  }
});

test('predicate_debug_report: totals and per-label stats sorted by label', () => {
  for (const c of load('predicate_debug_report.json').cases) {
    const r = predicateDebugReport(predicateFromWire(c.wire), c.contexts);
    assert.equal(r.total_candidates, c.expected_total_candidates, c.name);
    assert.equal(r.matched, c.expected_matched, c.name);
    assert.deepEqual(r.clause_stats, c.expected_clause_stats, c.name);
  }
});

test('predicate_debug_report_redacted: metadata values redacted, equal labels merged', () => {
  for (const c of load('predicate_debug_report_redacted.json').cases) {
    assert.deepEqual(redactMetadataKeys(c.report, c.redact_keys), c.redacted_report, c.name);
  }
});

test('capability_validation: errors and warnings in canonical order', () => {
  const f = load('capability_validation.json');
  assert.equal(METADATA_SOFT_CAP_BYTES, f.schema_metadata_soft_cap_bytes);
  const canon = (xs: object[]): object[] => [...xs].sort((a, b) => compareUtf8(JSON.stringify(a), JSON.stringify(b)));
  for (const c of f.cases) {
    const r = validateCapabilities(c.caps);
    assert.deepEqual(canon(r.errors), c.expected_errors, c.name);
    assert.deepEqual(canon(r.warnings), c.expected_warnings, c.name);
  }
});

test('capability_set_diff: tags by wire form, metadata changes by key', () => {
  for (const c of load('capability_set_diff.json').cases) {
    const d = diffCapabilities(c.prev, c.curr);
    assert.deepEqual(d.added_tags, c.expected_added_tags, c.name);
    assert.deepEqual(d.removed_tags, c.expected_removed_tags, c.name);
    assert.deepEqual(d.metadata_changes, c.expected_metadata_changes, c.name);
  }
});

test('placement_score: hard veto is null, scope axis 1 or 0, within 1e-6', () => {
  for (const c of load('placement_score.json').cases) {
    const s = placementScore(c.config, c.candidate, c.artifact);
    if (c.expected_score === null) assert.equal(s, null, c.name);
    else assert.ok(s !== null && Math.abs(s - c.expected_score) <= 1e-6, `${c.name}: ${s}`);
  }
});
