/**
 * The capability tag schema and `validateCapabilities` (reference `behavior/schema.rs`, pinned by
 * `capability_validation.json`): known keys per axis with value types, indexed collections
 * (`software.model.<u32>.<sub>`) and keyed maps (`software.runtime.<name>`). Unknown keys and legacy tags are
 * warnings (forward compatibility); a value of the wrong type or a malformed index is an error.
 */
import type { TaxonomyAxis } from './tags.js';
import { parseTag } from './tags.js';
import { compareUtf8 } from './json.js';

export type ValueType = 'presence' | 'number' | 'string' | 'enumeration' | 'bool' | 'csv';
interface KeyEntry { key: string; valueType: ValueType }
interface KeyShape { prefix: string; indexed: boolean; valueType: ValueType; subKeys: KeyEntry[] }
interface AxisEntry { keys: KeyEntry[]; shapes: KeyShape[] }

const k = (key: string, valueType: ValueType): KeyEntry => ({ key, valueType });
const N = 'number';
const S = 'string';

export const AXIS_SCHEMA: Readonly<Record<TaxonomyAxis, AxisEntry>> = {
  hardware: {
    keys: [
      k('cpu_cores', N), k('cpu_threads', N), k('memory_gb', N), k('gpu', 'presence'), k('gpu.vendor', 'enumeration'),
      k('gpu.model', S), k('gpu.vram_gb', N), k('gpu.compute_units', N), k('gpu.tensor_cores', N),
      k('gpu.fp16_tflops_x10', N), k('storage_gb', N), k('network_gbps', N), k('limits.max_concurrent_requests', N),
      k('limits.max_tokens_per_request', N), k('limits.rate_limit_rpm', N), k('limits.max_batch_size', N),
      k('limits.max_input_bytes', N), k('limits.max_output_bytes', N),
    ],
    shapes: [],
  },
  software: {
    keys: [k('os', S), k('os_version', S), k('cuda_version', S)],
    shapes: [
      { prefix: 'runtime.', indexed: false, valueType: S, subKeys: [] },
      { prefix: 'framework.', indexed: false, valueType: S, subKeys: [] },
      { prefix: 'driver.', indexed: false, valueType: S, subKeys: [] },
      {
        prefix: 'model.', indexed: true, valueType: S,
        subKeys: [k('id', S), k('family', S), k('parameters_b_x10', N), k('context_length', N), k('quantization', S),
          k('modalities', 'csv'), k('tokens_per_sec', N), k('loaded', 'bool')],
      },
      {
        prefix: 'tool.', indexed: true, valueType: S,
        subKeys: [k('tool_id', S), k('name', S), k('version', S), k('requires', 'csv'), k('estimated_time_ms', N), k('stateless', 'bool')],
      },
    ],
  },
  devices: { keys: [], shapes: [] },
  dataforts: { keys: [], shapes: [] },
};

/** Metadata keys only the local node may set; stripped from every announcement received from a peer. */
export const METADATA_RESERVED_KEYS: readonly string[] = ['intent', 'colocate-with', 'colocate-with-strict', 'priority', 'owner'];
/** Metadata prefixes `validateCapabilities` warns about (`tool::` descriptors are peer content and not stripped). */
export const METADATA_RESERVED_PREFIXES: readonly string[] = ['tool::'];
export const METADATA_SOFT_CAP_BYTES = 4096;

export type SchemaError =
  | { kind: 'type_mismatch'; axis: TaxonomyAxis; key: string; expected: ValueType; actual: string }
  | { kind: 'index_malformed'; axis: TaxonomyAxis; prefix: string; index: string; tag: string };
export type ValidationWarning =
  | { kind: 'unknown_key'; axis: TaxonomyAxis; key: string }
  | { kind: 'metadata_oversize'; soft_cap_bytes: number; actual_bytes: number }
  | { kind: 'legacy_tag'; tag: string }
  | { kind: 'metadata_reserved_key'; key: string }
  | { kind: 'metadata_reserved_prefix'; key: string; prefix: string };
export interface ValidationReport {
  errors: SchemaError[];
  warnings: ValidationWarning[];
}
export interface CapabilitySetWire {
  tags: readonly string[];
  metadata: Readonly<Record<string, string>>;
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

function parses(type: ValueType, v: string): boolean {
  switch (type) {
    case 'number': // Rust `u64::from_str`: an optional `+`, digits, in range
      return /^\+?\d+$/.test(v) && BigInt(v) <= U64_MAX;
    case 'bool':
      return v === 'true' || v === 'false';
    default:
      return v.length > 0;
  }
}

function check(entry: KeyEntry, value: string | undefined, axis: TaxonomyAxis, errors: SchemaError[]): void {
  const mismatch = (actual: string): void => void errors.push({ kind: 'type_mismatch', axis, key: entry.key, expected: entry.valueType, actual });
  if (entry.valueType === 'presence') {
    if (value !== undefined) mismatch(value);
  } else if (value === undefined) mismatch('<no value>');
  else if (!parses(entry.valueType, value)) mismatch(value);
}

function checkAxisKey(axis: TaxonomyAxis, key: string, value: string | undefined, wire: string, report: ValidationReport): void {
  const entry = AXIS_SCHEMA[axis];
  const fixed = entry.keys.find((e) => e.key === key);
  if (fixed !== undefined) return check(fixed, value, axis, report.errors);
  for (const shape of entry.shapes) {
    if (!key.startsWith(shape.prefix)) continue;
    const rest = key.slice(shape.prefix.length);
    if (shape.indexed) {
      const dot = rest.indexOf('.');
      if (dot < 0) continue;
      const idx = rest.slice(0, dot);
      if (!/^\+?\d+$/.test(idx) || BigInt(idx) > 0xffff_ffffn) {
        report.errors.push({ kind: 'index_malformed', axis, prefix: shape.prefix, index: idx, tag: wire });
        return;
      }
      const sub = shape.subKeys.find((e) => e.key === rest.slice(dot + 1));
      if (sub !== undefined) return check(sub, value, axis, report.errors);
      report.warnings.push({ kind: 'unknown_key', axis, key });
      return;
    }
    if (rest.length > 0) return check({ key: shape.prefix, valueType: shape.valueType }, value, axis, report.errors);
  }
  report.warnings.push({ kind: 'unknown_key', axis, key });
}

/** Checks tags against the schema and metadata against the reserved lists and the soft size cap. */
export function validateCapabilities(caps: CapabilitySetWire): ValidationReport {
  const report: ValidationReport = { errors: [], warnings: [] };
  for (const wire of caps.tags) {
    const tag = parseTag(wire);
    if (tag.kind === 'axisPresent') checkAxisKey(tag.axis, tag.key, undefined, wire, report);
    else if (tag.kind === 'axisValue') checkAxisKey(tag.axis, tag.key, tag.value, wire, report);
    else if (tag.kind === 'legacy') report.warnings.push({ kind: 'legacy_tag', tag: tag.raw });
  }
  let bytes = 0;
  for (const [key, value] of Object.entries(caps.metadata)) {
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    if (METADATA_RESERVED_KEYS.includes(key)) report.warnings.push({ kind: 'metadata_reserved_key', key });
    else {
      const prefix = METADATA_RESERVED_PREFIXES.find((pre) => key.startsWith(pre));
      if (prefix !== undefined) report.warnings.push({ kind: 'metadata_reserved_prefix', key, prefix });
    }
  }
  if (bytes > METADATA_SOFT_CAP_BYTES) report.warnings.push({ kind: 'metadata_oversize', soft_cap_bytes: METADATA_SOFT_CAP_BYTES, actual_bytes: bytes });
  const canon = (a: object, b: object): number => compareUtf8(JSON.stringify(a), JSON.stringify(b));
  report.errors.sort(canon);
  report.warnings.sort(canon);
  return report;
}

export function isReportClean(r: ValidationReport): boolean {
  return r.errors.length === 0 && r.warnings.length === 0;
}
export function isReportValid(r: ValidationReport): boolean {
  return r.errors.length === 0;
}
