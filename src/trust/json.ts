/**
 * JSON in serde_json's dialect, which the reference signs: capability announcements are signed over
 * `serde_json::to_vec` (compact, struct fields in declaration order, u64 as exact integers, f64 in ryu's format),
 * so a verifier must rebuild those bytes exactly. `JSON.parse` loses u64 precision and `JSON.stringify` writes
 * `64` where serde_json writes `64.0`, hence this module.
 *
 * The parser is for hostile input: the caller bounds the text length, nesting is capped, and integer literals
 * without fraction or exponent come back as bigint so no id is rounded.
 */
import { DecodeError, ErrorCode } from '../core/index.js';

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/** Deepest nesting the parser accepts (announcements need 4, predicates 3). */
export const JSON_MAX_DEPTH = 16;

function fail(at: number, what: string): never {
  throw new DecodeError(ErrorCode.DecodeValue, `json: ${what} at offset ${at}`);
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Parses `text`; integers without fraction or exponent are bigint, other numbers are float. Throws DecodeError. */
export function parseJson(text: string, maxDepth = JSON_MAX_DEPTH): JsonValue {
  let i = 0;
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const str = (): string => {
    // JSON.parse of just the string literal: exact escape handling, bounded by the caller's text length.
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) fail(start, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) i += 2;
      else if (c < 0x20) fail(i, 'control character in string');
      else i++;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail(start, 'bad string escape');
    }
  };
  const value = (depth: number): JsonValue => {
    if (depth > maxDepth) fail(i, 'nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(i, 'expected a key');
        const key = str();
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(i, `duplicate key ${JSON.stringify(key)}`);
        ws();
        if (text[i] !== ':') fail(i, 'expected :');
        i++;
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return obj;
        } else fail(i, 'expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return arr;
        } else fail(i, 'expected , or ]');
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (m === null || m[0].length === 0 || m[0] === '-') fail(i, 'unexpected character');
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) return BigInt(m[0]);
    const n = Number(m[0]);
    if (!Number.isFinite(n)) fail(i, 'number out of range');
    return n;
  };
  const out = value(0);
  ws();
  if (i !== text.length) fail(i, 'trailing characters');
  return out;
}

/** serde_json's string literal: same escapes as JSON.stringify for well-formed strings. */
export function jsonString(s: string): string {
  return JSON.stringify(s);
}

/**
 * An f64 as serde_json writes it (ryu): shortest round-trip digits; integers keep `.0`; plain notation for
 * decimal exponents -5 < k <= 16, otherwise `d.ddde<k>` without a `+`. Non-finite numbers become `null`.
 */
export function rustF64Json(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const kk = Number(expText) + 1; // 10^(kk-1) <= |x| < 10^kk
  const len = digits.length;
  let body: string;
  if (kk >= len && kk <= 16) body = `${digits}${'0'.repeat(kk - len)}.0`;
  else if (kk > 0 && kk <= 16) body = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  else if (kk > -5 && kk <= 0) body = `0.${'0'.repeat(-kk)}${digits}`;
  else if (len === 1) body = `${digits}e${kk - 1}`;
  else body = `${digits[0]}.${digits.slice(1)}e${kk - 1}`;
  return sign + body;
}

/** An f64 as Rust's `Display` writes it (labels such as `NumericAtLeast(k >= 64)`): plain decimal, never an exponent. */
export function rustF64Display(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const s = String(x);
  if (!s.includes('e')) return s;
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp >= 0) return sign + digits + '0'.repeat(Math.max(0, exp + 1 - digits.length));
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** Byte-order comparison of the UTF-8 encodings (Rust's `String` order, which BTreeMap and sorted tag lists use). */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from UTF-8 order only when a surrogate meets a code unit in U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y >= 0xe000 : x >= 0xe000)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
