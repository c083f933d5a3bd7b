/**
 * Node configuration: a TOML file (smol-toml, TOML 1.0) and command-line flags, validated into a typed
 * {@link NodeConfig}. Flags override the file; `--peer` flags, when given, replace the file's peers. Relative
 * paths in a file are relative to the file's directory, relative paths in flags to the working directory, and a
 * leading `~/` is the home directory. Unknown keys are refused. Every problem is a {@link ConfigError} naming the
 * key and, when the file has it, the line.
 *
 * ```toml
 * [node]
 * bind = "127.0.0.1:9000"
 * identity = "identity"        # optional: defaults to $XDG_CONFIG_HOME/net-mesh/identity
 * psk_file = "mesh.psk"
 *
 * [[peers]]
 * address = "127.0.0.1:9001"
 * static_key = "<64 hex: the peer's X25519 static public key>"
 * node_id = "<16 hex>"
 * ```
 *
 * Secrets are not read here: {@link NodeConfig} holds the identity and PSK file paths (see psk-file.ts and
 * loadIdentity for the files themselves).
 */
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { TomlError, parse } from 'smol-toml';
import { fromHex } from '../core/index.js';
import { parseSocketAddress, type SocketAddress } from '../transport/index.js';
import { ConfigError } from './errors.js';
import { defaultIdentityPath } from './paths.js';

export interface PeerConfig {
  address: SocketAddress;
  /** The peer's X25519 static public key (32 bytes), as `net-mesh identity show` prints it. */
  staticKey: Uint8Array;
  nodeId: bigint;
}

export interface NodeConfig {
  /** Absolute path of the configuration file, when there was one. */
  source: string | undefined;
  bind: SocketAddress;
  /** Absolute path of the identity file. */
  identity: string;
  /** Absolute path of the PSK file. */
  pskFile: string;
  peers: PeerConfig[];
}

/** What a configuration file sets; every field optional until flags and defaults are applied. */
export interface NodeConfigFile {
  source: string | undefined;
  bind?: SocketAddress;
  identity?: string;
  pskFile?: string;
  peers?: PeerConfig[];
}

/** Command-line overrides, as the user typed them. */
export interface ConfigOverrides {
  bind?: string | undefined;
  identity?: string | undefined;
  pskFile?: string | undefined;
  /** `address,static_key,node_id` each. */
  peers?: readonly string[] | undefined;
}

export interface ResolveOptions {
  /** Base for relative paths in flags. Default `process.cwd()`. */
  cwd?: string;
  /** Used when neither the file nor a flag names an identity. Default {@link defaultIdentityPath}. */
  defaultIdentity?: string;
}

/** Configuration files larger than this are refused unread. */
export const CONFIG_FILE_MAX_BYTES = 1 << 20;

const TOP_KEYS = ['node', 'peers'];
const NODE_KEYS = ['bind', 'identity', 'psk_file'];
const PEER_KEYS = ['address', 'static_key', 'node_id'];

/** Reads and validates the configuration file at `path`. */
export async function readNodeConfigFile(path: string): Promise<NodeConfigFile> {
  const file = resolve(path);
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new ConfigError('not a regular file', { file: path });
    if (st.size > CONFIG_FILE_MAX_BYTES) throw new ConfigError(`larger than ${CONFIG_FILE_MAX_BYTES} bytes`, { file: path });
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as { code?: unknown }).code;
    throw new ConfigError(`cannot read configuration file: ${typeof code === 'string' ? code : String(e)}`, { file: path }, { cause: e });
  }
  return parseNodeConfigToml(text, path, dirname(file));
}

/**
 * Validates TOML text. `file` names it in messages; `baseDir` (default: the working directory) anchors relative
 * paths.
 */
export function parseNodeConfigToml(text: string, file?: string, baseDir = process.cwd()): NodeConfigFile {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text, { unsafeKeyBehaviour: 'throw', maxDepth: 16 }) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new ConfigError(`invalid TOML: ${first}`, { file, line: e.line, column: e.column }, { cause: e });
    }
    throw new ConfigError(`invalid TOML: ${(e as Error).message}`, { file }, { cause: e });
  }
  const locate = (key: string, table?: string, index = 0, sub?: string): ConfigError['line'] =>
    findLine(text, table, index, sub ?? key);
  const fail = (detail: string, key: string, line: number | undefined): never => {
    throw new ConfigError(detail, { file, key, line });
  };

  for (const k of Object.keys(doc)) {
    if (!TOP_KEYS.includes(k)) fail(`unknown key (allowed: ${TOP_KEYS.join(', ')})`, k, locate(k));
  }
  const out: NodeConfigFile = { source: file === undefined ? undefined : resolve(file) };

  const node = doc.node;
  if (node !== undefined) {
    if (!isTable(node)) fail('expected a table ([node])', 'node', locate('node'));
    const n = node as Record<string, unknown>;
    for (const k of Object.keys(n)) {
      if (!NODE_KEYS.includes(k)) fail(`unknown key (allowed: ${NODE_KEYS.join(', ')})`, `node.${k}`, locate(k, 'node'));
    }
    const str = (k: string): string | undefined => {
      const v = n[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || v === '') fail('expected a non-empty string', `node.${k}`, locate(k, 'node'));
      return v as string;
    };
    const bind = str('bind');
    if (bind !== undefined) out.bind = address(bind, true, (d) => fail(d, 'node.bind', locate('bind', 'node')));
    const identity = str('identity');
    if (identity !== undefined) out.identity = expandPath(identity, baseDir);
    const psk = str('psk_file');
    if (psk !== undefined) out.pskFile = expandPath(psk, baseDir);
  }

  const peers = doc.peers;
  if (peers !== undefined) {
    if (!Array.isArray(peers) || !peers.every(isTable)) {
      fail('expected an array of tables ([[peers]])', 'peers', locate('peers'));
    }
    out.peers = (peers as Record<string, unknown>[]).map((p, i) => {
      const key = (k: string): string => `peers[${i}].${k}`;
      for (const k of Object.keys(p)) {
        if (!PEER_KEYS.includes(k)) fail(`unknown key (allowed: ${PEER_KEYS.join(', ')})`, key(k), locate(k, 'peers', i));
      }
      const field = (k: string): string => {
        const v = p[k];
        if (v === undefined) fail('missing (every peer needs address, static_key and node_id)', key(k), locate(k, 'peers', i, ''));
        if (typeof v !== 'string') fail('expected a string', key(k), locate(k, 'peers', i));
        return v as string;
      };
      const where = (k: string) => (d: string): never => fail(d, key(k), locate(k, 'peers', i));
      return {
        address: address(field('address'), false, where('address')),
        staticKey: staticKey(field('static_key'), where('static_key')),
        nodeId: nodeId(field('node_id'), where('node_id')),
      };
    });
    checkDuplicatePeers(out.peers, (d, i, k) => fail(d, `peers[${i}].${k}`, locate(k, 'peers', i)));
  }
  return out;
}

/** Applies flags and defaults to a file's settings (or to none) and checks that everything required is set. */
export function resolveNodeConfig(
  file: NodeConfigFile | undefined,
  overrides: ConfigOverrides = {},
  options: ResolveOptions = {},
): NodeConfig {
  const cwd = options.cwd ?? process.cwd();
  const flagFail = (flag: string) => (d: string): never => {
    throw new ConfigError(d, { key: flag });
  };
  const bind = overrides.bind !== undefined ? address(overrides.bind, true, flagFail('--bind')) : file?.bind;
  const identity = overrides.identity !== undefined ? flagPath(overrides.identity, '--identity', cwd) : file?.identity;
  const pskFile = overrides.pskFile !== undefined ? flagPath(overrides.pskFile, '--psk-file', cwd) : file?.pskFile;
  let peers = file?.peers ?? [];
  if (overrides.peers !== undefined && overrides.peers.length > 0) {
    peers = overrides.peers.map((spec) => parsePeerSpec(spec));
    checkDuplicatePeers(peers, (d) => flagFail('--peer')(d));
  }
  const where = file?.source;
  if (bind === undefined) {
    throw new ConfigError('missing: set bind in [node] or pass --bind host:port', { file: where, key: 'node.bind' });
  }
  if (pskFile === undefined) {
    throw new ConfigError('missing: set psk_file in [node] or pass --psk-file PATH', { file: where, key: 'node.psk_file' });
  }
  return {
    source: where,
    bind,
    identity: identity ?? options.defaultIdentity ?? defaultIdentityPath(),
    pskFile,
    peers,
  };
}

/** Reads the file at `path` (if any) and resolves it with `overrides`. */
export async function loadNodeConfig(
  path: string | undefined,
  overrides: ConfigOverrides = {},
  options: ResolveOptions = {},
): Promise<NodeConfig> {
  const file = path === undefined ? undefined : await readNodeConfigFile(path);
  return resolveNodeConfig(file, overrides, options);
}

/** Parses a `--peer` value: `address,static_key,node_id`. */
export function parsePeerSpec(spec: string): PeerConfig {
  const fail = (d: string): never => {
    throw new ConfigError(d, { key: '--peer' });
  };
  const parts = spec.split(',').map((s) => s.trim());
  if (parts.length !== 3) fail(`expected "address,static_key,node_id", got ${JSON.stringify(spec)}`);
  const [a, k, id] = parts as [string, string, string];
  return { address: address(a, false, fail), staticKey: staticKey(k, fail), nodeId: nodeId(id, fail) };
}

function address(text: string, allowPortZero: boolean, fail: (d: string) => never): SocketAddress {
  const a = parseSocketAddress(text, allowPortZero);
  return typeof a === 'string' ? fail(a) : a;
}

function staticKey(text: string, fail: (d: string) => never): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    fail(`expected 64 hex digits (the peer's static_key from "net-mesh identity show"), got ${describe(text)}`);
  }
  const key = fromHex(text.toLowerCase());
  if (key.every((b) => b === 0)) fail('an all-zero key is not a public key');
  return key;
}

function nodeId(text: string, fail: (d: string) => never): bigint {
  if (!/^[0-9a-fA-F]{16}$/.test(text)) fail(`expected 16 hex digits (the peer's node_id), got ${describe(text)}`);
  return BigInt(`0x${text}`);
}

function describe(text: string): string {
  return text.length > 80 ? `${text.length} characters` : JSON.stringify(text);
}

function checkDuplicatePeers(peers: readonly PeerConfig[], fail: (detail: string, index: number, key: string) => never): void {
  const ids = new Map<bigint, number>();
  const keys = new Map<string, number>();
  peers.forEach((p, i) => {
    const byId = ids.get(p.nodeId);
    if (byId !== undefined) fail(`the same node_id as peers[${byId}]`, i, 'node_id');
    ids.set(p.nodeId, i);
    const hex = Buffer.from(p.staticKey).toString('hex');
    const byKey = keys.get(hex);
    if (byKey !== undefined) fail(`the same static_key as peers[${byKey}]`, i, 'static_key');
    keys.set(hex, i);
  });
}

function expandPath(p: string, base: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(base, p);
}

function flagPath(p: string, flag: string, cwd: string): string {
  if (p === '') throw new ConfigError('expected a path', { key: flag });
  return expandPath(p, cwd);
}

function isTable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * The 1-based line of `key` inside the `index`th `[table]`/`[[table]]` section (top level when `table` is
 * undefined); the section header's line when `key` is '' or not found there. Best effort: inline tables and
 * dotted keys fall back to the header or to nothing.
 */
function findLine(text: string, table: string | undefined, index: number, key: string): number | undefined {
  const lines = text.split(/\r?\n/);
  let current: string | undefined;
  let seen = -1;
  let header: number | undefined;
  const keyRe = key === '' ? undefined : new RegExp(`^\\s*(?:${escape(key)}|"${escape(key)}"|'${escape(key)}')\\s*[=.]`);
  for (let i = 0; i < lines.length; i++) {
    const h = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?/.exec(lines[i]!);
    if (h !== null) {
      current = h[1]!.replace(/["']/g, '');
      if (table === undefined && (current === key || current.startsWith(`${key}.`))) return i + 1;
      if (current === table) seen++;
      if (current === table && seen === index) header = i + 1;
      continue;
    }
    const inSection = table === undefined ? current === undefined : current === table && seen === index;
    if (inSection && keyRe !== undefined && keyRe.test(lines[i]!)) return i + 1;
  }
  return header;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
