/**
 * Capability predicates: the AST users build with `p`, and its wire form `PredicateWire` (a flat post-order node
 * list whose composites point only at lower indices, so decoding needs no recursion guard beyond that rule). The
 * `net-where` nRPC header carries the wire form as serde_json text; {@link predicateToRpcHeader} writes the same
 * bytes the reference does (pinned by `predicate_nrpc_envelope.json`).
 */
import { InvalidArgumentError } from '../core/index.js';
import { PredicateError } from './errors.js';
import { parseJson, jsonString, rustF64Json, type JsonValue } from './json.js';
import { TAXONOMY_AXES, tagKey, type TagKey, type TaxonomyAxis } from './tags.js';

/** Largest node list a decoder accepts. */
export const PREDICATE_MAX_NODES = 256;
/** Largest `net-where` header value a decoder reads (the nRPC header value limit). */
export const PREDICATE_HEADER_MAX_BYTES = 4096;
export const RPC_WHERE_HEADER = 'net-where';

export type Predicate =
  | { type: 'exists'; key: TagKey }
  | { type: 'equals'; key: TagKey; value: string }
  | { type: 'numericAtLeast'; key: TagKey; threshold: number }
  | { type: 'numericAtMost'; key: TagKey; threshold: number }
  | { type: 'numericInRange'; key: TagKey; min: number; max: number }
  | { type: 'semverAtLeast'; key: TagKey; version: string }
  | { type: 'semverAtMost'; key: TagKey; version: string }
  | { type: 'semverCompatible'; key: TagKey; version: string }
  | { type: 'stringPrefix'; key: TagKey; prefix: string }
  | { type: 'stringMatches'; key: TagKey; pattern: string }
  | { type: 'metadataExists'; key: string }
  | { type: 'metadataEquals'; key: string; value: string }
  | { type: 'metadataMatches'; key: string; pattern: string }
  | { type: 'metadataNumericAtLeast'; key: string; threshold: number }
  | { type: 'and'; children: Predicate[] }
  | { type: 'or'; children: Predicate[] }
  | { type: 'not'; child: Predicate };

export type PredicateNode =
  | { kind: 'exists'; key: TagKey }
  | { kind: 'equals'; key: TagKey; value: string }
  | { kind: 'numeric_at_least'; key: TagKey; threshold: number }
  | { kind: 'numeric_at_most'; key: TagKey; threshold: number }
  | { kind: 'numeric_in_range'; key: TagKey; min: number; max: number }
  | { kind: 'semver_at_least'; key: TagKey; version: string }
  | { kind: 'semver_at_most'; key: TagKey; version: string }
  | { kind: 'semver_compatible'; key: TagKey; version: string }
  | { kind: 'string_prefix'; key: TagKey; prefix: string }
  | { kind: 'string_matches'; key: TagKey; pattern: string }
  | { kind: 'metadata_exists'; key: string }
  | { kind: 'metadata_equals'; key: string; value: string }
  | { kind: 'metadata_matches'; key: string; pattern: string }
  | { kind: 'metadata_numeric_at_least'; key: string; threshold: number }
  | { kind: 'and'; children: number[] }
  | { kind: 'or'; children: number[] }
  | { kind: 'not'; child: number };

export interface PredicateWire {
  nodes: PredicateNode[];
  root_idx: number;
}

type KeyArg = TagKey | `${TaxonomyAxis}.${string}`;

/** `'hardware.gpu'` or `{ axis, key }` → TagKey. */
function key(k: KeyArg): TagKey {
  if (typeof k !== 'string') return tagKey(k.axis, k.key);
  const dot = k.indexOf('.');
  return tagKey(k.slice(0, dot) as TaxonomyAxis, k.slice(dot + 1));
}
function num(n: number, what: string): number {
  if (typeof n !== 'number' || Number.isNaN(n)) throw new InvalidArgumentError(`${what} must be a number`);
  return n;
}

/** The predicate builder (the reference SDK's `p`). Keys are `'axis.key'` strings or TagKeys. */
export const p = {
  exists: (k: KeyArg): Predicate => ({ type: 'exists', key: key(k) }),
  equals: (k: KeyArg, value: string): Predicate => ({ type: 'equals', key: key(k), value }),
  numericAtLeast: (k: KeyArg, n: number): Predicate => ({ type: 'numericAtLeast', key: key(k), threshold: num(n, 'threshold') }),
  numericAtMost: (k: KeyArg, n: number): Predicate => ({ type: 'numericAtMost', key: key(k), threshold: num(n, 'threshold') }),
  numericInRange: (k: KeyArg, min: number, max: number): Predicate => ({ type: 'numericInRange', key: key(k), min: num(min, 'min'), max: num(max, 'max') }),
  semverAtLeast: (k: KeyArg, version: string): Predicate => ({ type: 'semverAtLeast', key: key(k), version }),
  semverAtMost: (k: KeyArg, version: string): Predicate => ({ type: 'semverAtMost', key: key(k), version }),
  semverCompatible: (k: KeyArg, version: string): Predicate => ({ type: 'semverCompatible', key: key(k), version }),
  stringPrefix: (k: KeyArg, prefix: string): Predicate => ({ type: 'stringPrefix', key: key(k), prefix }),
  /** Substring match (the reference's `StringMatches` is `contains`, pinned by the golden vectors). */
  stringMatches: (k: KeyArg, pattern: string): Predicate => ({ type: 'stringMatches', key: key(k), pattern }),
  metadataExists: (k: string): Predicate => ({ type: 'metadataExists', key: k }),
  metadataEquals: (k: string, value: string): Predicate => ({ type: 'metadataEquals', key: k, value }),
  metadataMatches: (k: string, pattern: string): Predicate => ({ type: 'metadataMatches', key: k, pattern }),
  metadataNumericAtLeast: (k: string, n: number): Predicate => ({ type: 'metadataNumericAtLeast', key: k, threshold: num(n, 'threshold') }),
  and: (...children: Predicate[]): Predicate => ({ type: 'and', children }),
  or: (...children: Predicate[]): Predicate => ({ type: 'or', children }),
  not: (child: Predicate): Predicate => ({ type: 'not', child }),
} as const;

const LEAF_KIND: Record<string, PredicateNode['kind']> = {
  exists: 'exists', equals: 'equals', numericAtLeast: 'numeric_at_least', numericAtMost: 'numeric_at_most',
  numericInRange: 'numeric_in_range', semverAtLeast: 'semver_at_least', semverAtMost: 'semver_at_most',
  semverCompatible: 'semver_compatible', stringPrefix: 'string_prefix', stringMatches: 'string_matches',
  metadataExists: 'metadata_exists', metadataEquals: 'metadata_equals', metadataMatches: 'metadata_matches',
  metadataNumericAtLeast: 'metadata_numeric_at_least',
};
const LEAF_TYPE: Record<string, Predicate['type']> = Object.fromEntries(Object.entries(LEAF_KIND).map(([t, k]) => [k, t])) as Record<string, Predicate['type']>;

function emit(pred: Predicate, out: PredicateNode[]): number {
  if (out.length >= PREDICATE_MAX_NODES) throw new InvalidArgumentError(`predicate has more than ${PREDICATE_MAX_NODES} nodes`);
  switch (pred.type) {
    case 'and':
    case 'or':
      out.push({ kind: pred.type, children: pred.children.map((c) => emit(c, out)) });
      break;
    case 'not':
      out.push({ kind: 'not', child: emit(pred.child, out) });
      break;
    default: {
      const { type, ...fields } = pred;
      out.push({ kind: LEAF_KIND[type], ...fields } as PredicateNode);
    }
  }
  return out.length - 1;
}

/** The wire form: children are emitted before their parent (post-order). */
export function predicateToWire(pred: Predicate): PredicateWire {
  const nodes: PredicateNode[] = [];
  const root_idx = emit(pred, nodes);
  return { nodes, root_idx };
}

// --- decoding (hostile input) ---------------------------------------------------------------------------------

function obj(v: JsonValue | undefined, what: string): Record<string, JsonValue> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new PredicateError(`${what} must be an object`);
  return v as Record<string, JsonValue>;
}
function str(o: Record<string, JsonValue>, f: string): string {
  const v = o[f];
  if (typeof v !== 'string') throw new PredicateError(`field ${f} must be a string`);
  return v;
}
function float(o: Record<string, JsonValue>, f: string): number {
  const v = o[f];
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PredicateError(`field ${f} must be a number`);
  return v;
}
function index(v: JsonValue | undefined, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' && Number.isInteger(v) ? v : NaN;
  if (!(n >= 0 && n < PREDICATE_MAX_NODES)) throw new PredicateError(`${what} must be a node index`);
  return n;
}
function wireKey(v: JsonValue | undefined): TagKey {
  const o = obj(v, 'key');
  const axis = str(o, 'axis');
  const k = str(o, 'key');
  if (!(TAXONOMY_AXES as readonly string[]).includes(axis)) throw new PredicateError(`unknown axis ${JSON.stringify(axis)}`);
  if (k.length === 0) throw new PredicateError('empty tag key');
  return { axis: axis as TaxonomyAxis, key: k };
}

/** Validates a parsed wire object (from JSON) into a PredicateWire; throws PredicateError. */
export function predicateWireFromJson(value: JsonValue | unknown): PredicateWire {
  const o = obj(value as JsonValue, 'predicate');
  const list = o.nodes;
  if (!Array.isArray(list) || list.length === 0) throw new PredicateError('nodes must be a non-empty array');
  if (list.length > PREDICATE_MAX_NODES) throw new PredicateError(`more than ${PREDICATE_MAX_NODES} nodes`);
  const nodes: PredicateNode[] = [];
  for (let i = 0; i < list.length; i++) {
    const n = obj(list[i], `node ${i}`);
    const kind = str(n, 'kind');
    const below = (v: JsonValue | undefined): number => {
      const c = index(v, `child of node ${i}`);
      if (c >= i) throw new PredicateError(`node ${i} refers to node ${c}, not below it`);
      return c;
    };
    switch (kind) {
      case 'and':
      case 'or': {
        const ch = n.children;
        if (!Array.isArray(ch) || ch.length === 0) throw new PredicateError(`node ${i}: children must be a non-empty array`);
        nodes.push({ kind, children: ch.map(below) });
        break;
      }
      case 'not':
        nodes.push({ kind, child: below(n.child) });
        break;
      case 'exists':
        nodes.push({ kind, key: wireKey(n.key) });
        break;
      case 'equals':
        nodes.push({ kind, key: wireKey(n.key), value: str(n, 'value') });
        break;
      case 'numeric_at_least':
      case 'numeric_at_most':
        nodes.push({ kind, key: wireKey(n.key), threshold: float(n, 'threshold') });
        break;
      case 'numeric_in_range':
        nodes.push({ kind, key: wireKey(n.key), min: float(n, 'min'), max: float(n, 'max') });
        break;
      case 'semver_at_least':
      case 'semver_at_most':
      case 'semver_compatible':
        nodes.push({ kind, key: wireKey(n.key), version: str(n, 'version') });
        break;
      case 'string_prefix':
        nodes.push({ kind, key: wireKey(n.key), prefix: str(n, 'prefix') });
        break;
      case 'string_matches':
        nodes.push({ kind, key: wireKey(n.key), pattern: str(n, 'pattern') });
        break;
      case 'metadata_exists':
        nodes.push({ kind, key: str(n, 'key') });
        break;
      case 'metadata_equals':
        nodes.push({ kind, key: str(n, 'key'), value: str(n, 'value') });
        break;
      case 'metadata_matches':
        nodes.push({ kind, key: str(n, 'key'), pattern: str(n, 'pattern') });
        break;
      case 'metadata_numeric_at_least':
        nodes.push({ kind, key: str(n, 'key'), threshold: float(n, 'threshold') });
        break;
      default:
        throw new PredicateError(`node ${i}: unknown kind ${JSON.stringify(kind)}`);
    }
  }
  const root = index(o.root_idx, 'root_idx');
  if (root >= nodes.length) throw new PredicateError(`root_idx ${root} out of range`);
  return { nodes, root_idx: root };
}

/** Rebuilds the AST; throws PredicateError for a malformed wire form. Shared children are shared objects. */
export function predicateFromWire(wire: PredicateWire): Predicate {
  const w = predicateWireFromJson(wire as unknown as JsonValue);
  const built: Predicate[] = [];
  for (const n of w.nodes) {
    if (n.kind === 'and' || n.kind === 'or') built.push({ type: n.kind, children: n.children.map((c) => built[c]!) });
    else if (n.kind === 'not') built.push({ type: 'not', child: built[n.child]! });
    else {
      const { kind, ...fields } = n;
      built.push({ type: LEAF_TYPE[kind], ...fields } as Predicate);
    }
  }
  return built[w.root_idx]!;
}

// --- serde_json text -----------------------------------------------------------------------------------------

function keyJson(k: TagKey): string {
  return `{"axis":${jsonString(k.axis)},"key":${jsonString(k.key)}}`;
}

/** One node as serde_json writes it: `kind` first, then the variant's fields in declaration order. */
function nodeJson(n: PredicateNode): string {
  const head = `{"kind":${jsonString(n.kind)}`;
  switch (n.kind) {
    case 'and':
    case 'or':
      return `${head},"children":[${n.children.join(',')}]}`;
    case 'not':
      return `${head},"child":${n.child}}`;
    case 'exists':
      return `${head},"key":${keyJson(n.key)}}`;
    case 'equals':
      return `${head},"key":${keyJson(n.key)},"value":${jsonString(n.value)}}`;
    case 'numeric_at_least':
    case 'numeric_at_most':
      return `${head},"key":${keyJson(n.key)},"threshold":${rustF64Json(n.threshold)}}`;
    case 'numeric_in_range':
      return `${head},"key":${keyJson(n.key)},"min":${rustF64Json(n.min)},"max":${rustF64Json(n.max)}}`;
    case 'semver_at_least':
    case 'semver_at_most':
    case 'semver_compatible':
      return `${head},"key":${keyJson(n.key)},"version":${jsonString(n.version)}}`;
    case 'string_prefix':
      return `${head},"key":${keyJson(n.key)},"prefix":${jsonString(n.prefix)}}`;
    case 'string_matches':
      return `${head},"key":${keyJson(n.key)},"pattern":${jsonString(n.pattern)}}`;
    case 'metadata_exists':
      return `${head},"key":${jsonString(n.key)}}`;
    case 'metadata_equals':
      return `${head},"key":${jsonString(n.key)},"value":${jsonString(n.value)}}`;
    case 'metadata_matches':
      return `${head},"key":${jsonString(n.key)},"pattern":${jsonString(n.pattern)}}`;
    case 'metadata_numeric_at_least':
      return `${head},"key":${jsonString(n.key)},"threshold":${rustF64Json(n.threshold)}}`;
  }
}

/** The wire form as serde_json text (compact), byte-equal to the reference's `predicate_to_rpc_header`. */
export function predicateWireToJson(wire: PredicateWire): string {
  return `{"nodes":[${wire.nodes.map(nodeJson).join(',')}],"root_idx":${wire.root_idx}}`;
}

export function predicateToRpcHeader(pred: Predicate): string {
  return predicateWireToJson(predicateToWire(pred));
}

/** Decodes a `net-where` header value (text or UTF-8 bytes); throws PredicateError. */
export function predicateFromRpcHeader(value: string | Uint8Array): Predicate {
  const text = typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (text.length > PREDICATE_HEADER_MAX_BYTES) throw new PredicateError(`header longer than ${PREDICATE_HEADER_MAX_BYTES} bytes`);
  let parsed: JsonValue;
  try {
    parsed = parseJson(text, 6);
  } catch (e) {
    throw new PredicateError('header is not JSON', { cause: e });
  }
  return predicateFromWire(parsed as unknown as PredicateWire);
}

/** `{ name: 'net-where', value }` for an nRPC request. */
export function whereHeader(pred: Predicate): { name: string; value: Uint8Array } {
  return { name: RPC_WHERE_HEADER, value: new TextEncoder().encode(predicateToRpcHeader(pred)) };
}
