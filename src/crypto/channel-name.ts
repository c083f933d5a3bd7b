/**
 * Channel names and channel hashes: the one place that decides what a channel name is and how it hashes.
 *
 * Rules follow the reference's code at v0.27.2 (`channel/name.rs`; DESIGN.md §3), not the seed's prose: the
 * characters are `[a-z0-9-_./]`, and uppercase is rejected rather than folded (folding would let `Prod.deploy`
 * and `prod.deploy` reach one ACL through two spellings on nodes that fold differently); names are
 * `/`-hierarchical with no leading or trailing `/` and no `//`; no segment may be `.` or `..` (names become
 * directory names in RedEX storage, so these would alias or escape the data root); 1..255 bytes.
 *
 * Hashes: the canonical `ChannelHash` is xxh3_64 of the UTF-8 name (u64, the key for ACLs, tokens and storage);
 * the wire hint is its low 16 bits (a packet-header filter that collides routinely and never decides access).
 */
import { ChannelNameError } from '../core/index.js';
import { xxh3_64, xxh3_64Words } from './xxh3.js';

export const CHANNEL_NAME_MAX_BYTES = 255;

/** Scratch for the ASCII bytes of a validated name: hashing allocates nothing but hash-wasm's digest. */
const scratch = new Uint8Array(CHANNEL_NAME_MAX_BYTES);
const scratchWords = new Uint32Array(2);

/** A validated channel name with its hashes computed once. */
export class ChannelName {
  /** The canonical u64 channel hash (xxh3_64 of the name). */
  readonly hash: bigint;
  /** Low and high u32 words of `hash`, for hot paths. */
  readonly hashLo: number;
  readonly hashHi: number;
  /** The u16 wire hint stamped in packet headers (low 16 bits of `hash`). */
  readonly hint: number;

  private constructor(readonly name: string) {
    const words = hashWords(name, scratchWords);
    this.hashLo = words[0]!;
    this.hashHi = words[1]!;
    this.hash = (BigInt(this.hashHi) << 32n) | BigInt(this.hashLo);
    this.hint = this.hashLo & 0xffff;
  }

  /** Validates `name`; throws `ChannelNameError` (`ERR_CHANNEL_NAME`) when it breaks a rule. */
  static parse(name: string): ChannelName {
    validateChannelName(name);
    return new ChannelName(name);
  }

  /** Number of `/`-separated segments. */
  get depth(): number {
    let n = 1;
    for (let i = 0; i < this.name.length; i++) if (this.name.charCodeAt(i) === 0x2f) n++;
    return n;
  }

  /** True when this name equals `other` or is an ancestor of it (`a/b` is a prefix of `a/b/c`, not of `a/bc`). */
  isPrefixOf(other: ChannelName): boolean {
    if (this.name.length >= other.name.length) return this.name === other.name;
    return other.name.startsWith(this.name) && other.name.charCodeAt(this.name.length) === 0x2f;
  }

  equals(other: ChannelName): boolean {
    return this.name === other.name;
  }

  toString(): string {
    return this.name;
  }

  toJSON(): string {
    return this.name;
  }
}

/** Parses a channel name (same as `ChannelName.parse`). */
export function parseChannelName(name: string): ChannelName {
  return ChannelName.parse(name);
}

/** True when `name` is a valid channel name. */
export function isValidChannelName(name: string): boolean {
  return checkChannelName(name) === null;
}

/** Throws `ChannelNameError` unless `name` is a valid channel name. */
export function validateChannelName(name: string): void {
  const problem = checkChannelName(name);
  if (problem !== null) throw new ChannelNameError(`invalid channel name ${quote(name)}: ${problem}`);
}

/** The canonical u64 hash of a channel name; a string is validated first, so invalid names never hash. */
export function channelHash(name: ChannelName | string): bigint {
  if (name instanceof ChannelName) return name.hash;
  validateChannelName(name);
  return xxh3_64(asciiBytes(name));
}

/** The canonical hash as u32 words in `out` (`[lo, hi]`), without a bigint. Validates strings like `channelHash`. */
export function channelHashWords(name: ChannelName | string, out: Uint32Array = new Uint32Array(2)): Uint32Array {
  if (name instanceof ChannelName) {
    out[0] = name.hashLo;
    out[1] = name.hashHi;
    return out;
  }
  validateChannelName(name);
  return hashWords(name, out);
}

/** The u16 wire hint (low 16 bits of the canonical hash). */
export function channelHint(name: ChannelName | string): number {
  if (name instanceof ChannelName) return name.hint;
  return channelHashWords(name, scratchWords)[0]! & 0xffff;
}

/** Returns null for a valid name, else the rule it breaks. Non-strings are invalid. */
function checkChannelName(name: unknown): string | null {
  if (typeof name !== 'string') return 'not a string';
  const n = name.length;
  if (n === 0) return 'empty';
  // Every allowed character is one UTF-16 unit and one UTF-8 byte, so a longer string is too long in bytes.
  if (n > CHANNEL_NAME_MAX_BYTES) return `longer than ${CHANNEL_NAME_MAX_BYTES} bytes`;
  let segStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? name.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const len = i - segStart;
      if (len === 0) return i === 0 || i === n ? "starts or ends with '/'" : "contains '//'";
      if (len <= 2 && name.charCodeAt(segStart) === 0x2e && (len === 1 || name.charCodeAt(segStart + 1) === 0x2e)) {
        return "has a '.' or '..' segment";
      }
      segStart = i + 1;
      continue;
    }
    if (c >= 0x41 && c <= 0x5a) return 'uppercase is not allowed (names are lowercase only)';
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2e;
    if (!ok) return `character U+${c.toString(16).padStart(4, '0').toUpperCase()} is not allowed`;
  }
  return null;
}

function asciiBytes(name: string): Uint8Array {
  for (let i = 0; i < name.length; i++) scratch[i] = name.charCodeAt(i);
  return scratch.subarray(0, name.length);
}

function hashWords(name: string, out: Uint32Array): Uint32Array {
  return xxh3_64Words(asciiBytes(name), out);
}

/** A bounded, escaped rendering of untrusted input for error messages. */
function quote(name: unknown): string {
  if (typeof name !== 'string') return typeof name;
  const s = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
  return s;
}
