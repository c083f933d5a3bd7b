/**
 * Capability announcements (reference v0.27.2 `behavior/capability.rs` `CapabilityAnnouncement`): serde_json
 * of `{node_id, entity_id, version, timestamp_ns, ttl_secs, capabilities: {tags, metadata}, signature?,
 * hop_count?, reflex_addr?, allowed_nodes?, allowed_subnets?, allowed_groups?}` with tags sorted by their UTF-8
 * bytes, metadata sorted by key, and every optional field omitted when empty (so an unrestricted announcement
 * is byte-identical to the older signed form). The signature is ed25519 by `entity_id` over the same JSON with
 * `signature` absent and `hop_count` zero, so forwarders can bump `hop_count` without the key.
 *
 * The signature covers `entity_id` but says nothing about `node_id`: {@link verifyAnnouncement} also requires
 * `node_id == deriveNodeId(entity_id)` (the v0.27.2 fix); without it a signer could speak for any node.
 */
import { DecodeError, ErrorCode, InvalidArgumentError, U64_MAX, fromHex, toHex } from '../core/index.js';
import { Identity, deriveNodeId, ed25519VerifyStrict } from '../crypto/index.js';
import { compareUtf8, jsonString, parseJson, type JsonValue } from './json.js';
import { METADATA_RESERVED_KEYS } from './schema.js';

/** Most entries on each allow-list axis (reference `MAX_ALLOW_LIST_LEN`). */
export const MAX_ALLOW_LIST_LEN = 64;
/** Forwarding depth cap (reference `MAX_CAPABILITY_HOPS`, as pingwaves). */
export const MAX_CAPABILITY_HOPS = 16;
/** Default TTL stamped by {@link createAnnouncement} (reference `DEFAULT_TTL_SECS`). */
export const CAPABILITY_DEFAULT_TTL_SECS = 300;
/** Largest announcement a decoder reads (checked before parsing). */
export const CAPABILITY_ANNOUNCEMENT_MAX_BYTES = 65536;
/** Most tags per announcement a decoder accepts. */
export const CAPABILITY_MAX_TAGS = 1024;
/** Most metadata entries per announcement a decoder accepts. */
export const CAPABILITY_MAX_METADATA = 256;

export interface CapabilityAnnouncement {
  nodeId: bigint;
  /** The announcer's ed25519 public key (32 bytes). */
  entityId: Uint8Array;
  version: bigint;
  timestampNs: bigint;
  ttlSecs: number;
  /** Distinct tags; encoders sort them. */
  tags: string[];
  metadata: Record<string, string>;
  signature?: Uint8Array | undefined;
  hopCount: number;
  reflexAddr?: string | undefined;
  allowedNodes: bigint[];
  /** 16-byte subnet ids as 32 lowercase hex digits. */
  allowedSubnets: string[];
  /** 32-byte group ids as 64 lowercase hex digits. */
  allowedGroups: string[];
}

function idArray(hex: string): string {
  return `[${Array.from(fromHex(hex)).join(',')}]`;
}

/** The serde_json bytes of `a`; with `forSigning`, signature omitted and hop_count zero (the signed transcript). */
export function encodeAnnouncementJson(a: CapabilityAnnouncement, forSigning = false): string {
  const tags = [...new Set(a.tags)].sort(compareUtf8);
  const meta = Object.keys(a.metadata).sort(compareUtf8).map((k) => `${jsonString(k)}:${jsonString(a.metadata[k]!)}`);
  let s = `{"node_id":${a.nodeId},"entity_id":${jsonString(toHex(a.entityId))},"version":${a.version},` +
    `"timestamp_ns":${a.timestampNs},"ttl_secs":${a.ttlSecs},` +
    `"capabilities":{"tags":[${tags.map(jsonString).join(',')}],"metadata":{${meta.join(',')}}}`;
  if (!forSigning && a.signature !== undefined) s += `,"signature":${jsonString(toHex(a.signature))}`;
  if (!forSigning && a.hopCount !== 0) s += `,"hop_count":${a.hopCount}`;
  if (a.reflexAddr !== undefined) s += `,"reflex_addr":${jsonString(a.reflexAddr)}`;
  if (a.allowedNodes.length > 0) s += `,"allowed_nodes":[${a.allowedNodes.join(',')}]`;
  if (a.allowedSubnets.length > 0) s += `,"allowed_subnets":[${a.allowedSubnets.map(idArray).join(',')}]`;
  if (a.allowedGroups.length > 0) s += `,"allowed_groups":[${a.allowedGroups.map(idArray).join(',')}]`;
  return s + '}';
}

export function encodeAnnouncement(a: CapabilityAnnouncement): Uint8Array {
  return new TextEncoder().encode(encodeAnnouncementJson(a));
}

// --- decoding (hostile input) --------------------------------------------------------------------------------

function bad(what: string, code: ErrorCode = ErrorCode.DecodeValue): never {
  throw new DecodeError(code, `capability announcement: ${what}`);
}
function u64(v: JsonValue | undefined, what: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) bad(`${what} must be a u64`);
  return v;
}
function small(v: JsonValue | undefined, max: number, what: string): number {
  if (typeof v !== 'bigint' || v < 0n || v > BigInt(max)) bad(`${what} must be an integer in 0..${max}`);
  return Number(v);
}
function hexField(v: JsonValue | undefined, bytes: number, what: string): Uint8Array {
  if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(v)) bad(`${what} must be ${bytes} bytes of hex`);
  return fromHex(v.toLowerCase());
}
function list(v: JsonValue | undefined, what: string): JsonValue[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) bad(`${what} must be an array`);
  if (v.length > MAX_ALLOW_LIST_LEN) bad(`${what} has ${v.length} entries (at most ${MAX_ALLOW_LIST_LEN})`, ErrorCode.DecodeLimit);
  return v;
}
function idBytes(v: JsonValue, bytes: number, what: string): string {
  if (!Array.isArray(v) || v.length !== bytes) bad(`${what} must be ${bytes} bytes`);
  return toHex(Uint8Array.from(v.map((b) => small(b, 255, what))));
}
const KNOWN = new Set(['node_id', 'entity_id', 'version', 'timestamp_ns', 'ttl_secs', 'capabilities', 'signature', 'hop_count',
  'reflex_addr', 'allowed_nodes', 'allowed_subnets', 'allowed_groups']);

/**
 * Decodes announcement JSON. Throws DecodeError: `ERR_DECODE_LIMIT` for an oversize input or an allow-list over
 * {@link MAX_ALLOW_LIST_LEN}, `ERR_DECODE_VALUE` for anything malformed. Nothing is allocated by an unchecked size:
 * the input length is bounded first and every list is checked against its cap.
 */
export function decodeAnnouncement(bytes: Uint8Array): CapabilityAnnouncement {
  if (bytes.length > CAPABILITY_ANNOUNCEMENT_MAX_BYTES) bad(`${bytes.length} bytes (at most ${CAPABILITY_ANNOUNCEMENT_MAX_BYTES})`, ErrorCode.DecodeLimit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bad('not UTF-8');
  }
  const root = parseJson(text, 6);
  if (root === null || typeof root !== 'object' || Array.isArray(root)) bad('not an object');
  const o = root as Record<string, JsonValue>;
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) bad(`unknown field ${JSON.stringify(key)}`);
  const caps = o.capabilities;
  if (caps === null || typeof caps !== 'object' || Array.isArray(caps)) bad('capabilities must be an object');
  const c = caps as Record<string, JsonValue>;
  const rawTags = c.tags ?? [];
  if (!Array.isArray(rawTags)) bad('tags must be an array');
  if (rawTags.length > CAPABILITY_MAX_TAGS) bad(`more than ${CAPABILITY_MAX_TAGS} tags`, ErrorCode.DecodeLimit);
  const tags = new Set<string>();
  for (const t of rawTags) {
    if (typeof t !== 'string' || t.length === 0) bad('tags must be non-empty strings');
    tags.add(t);
  }
  const rawMeta = c.metadata ?? {};
  if (rawMeta === null || typeof rawMeta !== 'object' || Array.isArray(rawMeta)) bad('metadata must be an object');
  const metaKeys = Object.keys(rawMeta);
  if (metaKeys.length > CAPABILITY_MAX_METADATA) bad(`more than ${CAPABILITY_MAX_METADATA} metadata entries`, ErrorCode.DecodeLimit);
  const metadata = Object.create(null) as Record<string, string>; // keys such as __proto__ stay plain data
  for (const k of metaKeys) {
    const v = (rawMeta as Record<string, JsonValue>)[k];
    if (typeof v !== 'string') bad('metadata values must be strings');
    metadata[k] = v;
  }
  const reflex = o.reflex_addr;
  if (reflex !== undefined && reflex !== null && typeof reflex !== 'string') bad('reflex_addr must be a string');
  const sig = o.signature;
  return {
    nodeId: u64(o.node_id, 'node_id'),
    entityId: hexField(o.entity_id, 32, 'entity_id'),
    version: u64(o.version, 'version'),
    timestampNs: u64(o.timestamp_ns, 'timestamp_ns'),
    ttlSecs: small(o.ttl_secs, 0xffff_ffff, 'ttl_secs'),
    tags: [...tags],
    metadata,
    signature: sig === undefined || sig === null ? undefined : hexField(sig, 64, 'signature'),
    hopCount: o.hop_count === undefined ? 0 : small(o.hop_count, 255, 'hop_count'),
    reflexAddr: typeof reflex === 'string' ? reflex : undefined,
    allowedNodes: list(o.allowed_nodes, 'allowed_nodes').map((v) => u64(v, 'allowed_nodes entry')),
    allowedSubnets: list(o.allowed_subnets, 'allowed_subnets').map((v) => idBytes(v, 16, 'subnet id')),
    allowedGroups: list(o.allowed_groups, 'allowed_groups').map((v) => idBytes(v, 32, 'group id')),
  };
}

// --- building and signing ------------------------------------------------------------------------------------

export interface AnnouncementOptions {
  version: bigint;
  tags?: readonly string[];
  metadata?: Readonly<Record<string, string>>;
  ttlSecs?: number;
  timestampNs: bigint;
  allowedNodes?: readonly bigint[];
  allowedSubnets?: readonly string[];
  allowedGroups?: readonly string[];
}

/** A signed announcement for `identity`; throws InvalidArgumentError for a list over its cap or a bad field. */
export function createAnnouncement(identity: Identity, o: AnnouncementOptions): CapabilityAnnouncement {
  const check = (n: number, what: string): void => {
    if (n > MAX_ALLOW_LIST_LEN) throw new InvalidArgumentError(`${what} has ${n} entries (at most ${MAX_ALLOW_LIST_LEN})`);
  };
  check(o.allowedNodes?.length ?? 0, 'allowed nodes');
  check(o.allowedSubnets?.length ?? 0, 'allowed subnets');
  check(o.allowedGroups?.length ?? 0, 'allowed groups');
  const ttlSecs = o.ttlSecs ?? CAPABILITY_DEFAULT_TTL_SECS;
  if (!Number.isInteger(ttlSecs) || ttlSecs < 1 || ttlSecs > 0xffff_ffff) throw new InvalidArgumentError('ttlSecs must be in 1..2^32-1');
  if (o.version < 0n || o.version > U64_MAX) throw new InvalidArgumentError('version must be a u64');
  const hexOf = (s: string, n: number): string => {
    if (!new RegExp(`^[0-9a-f]{${n}}$`).test(s)) throw new InvalidArgumentError(`id must be ${n} lowercase hex digits`);
    return s;
  };
  for (const t of o.tags ?? []) if (typeof t !== 'string' || t.length === 0) throw new InvalidArgumentError('tags must be non-empty strings');
  const a: CapabilityAnnouncement = {
    nodeId: identity.nodeId,
    entityId: identity.publicKey.slice(),
    version: o.version,
    timestampNs: o.timestampNs,
    ttlSecs,
    tags: [...new Set(o.tags ?? [])],
    metadata: { ...(o.metadata ?? {}) },
    hopCount: 0,
    allowedNodes: [...new Set(o.allowedNodes ?? [])],
    allowedSubnets: [...new Set((o.allowedSubnets ?? []).map((s) => hexOf(s, 32)))],
    allowedGroups: [...new Set((o.allowedGroups ?? []).map((s) => hexOf(s, 64)))],
  };
  a.signature = identity.sign(new TextEncoder().encode(encodeAnnouncementJson(a, true)));
  return a;
}

export type AnnouncementVerdict = 'ok' | 'unsigned' | 'bad_signature' | 'node_id_mismatch';

/** Checks the signature over the canonical transcript and the node_id ↔ key binding. Never throws. */
export function verifyAnnouncement(a: CapabilityAnnouncement): AnnouncementVerdict {
  if (a.signature === undefined) return 'unsigned';
  const transcript = new TextEncoder().encode(encodeAnnouncementJson(a, true));
  if (!ed25519VerifyStrict(a.entityId, transcript, a.signature)) return 'bad_signature';
  return deriveNodeId(a.entityId) === a.nodeId ? 'ok' : 'node_id_mismatch';
}

/** A copy without the metadata keys only the local node may set (applied to every received announcement). */
export function stripReservedMetadata(a: CapabilityAnnouncement): CapabilityAnnouncement {
  const metadata = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(a.metadata)) if (!METADATA_RESERVED_KEYS.includes(k)) metadata[k] = v;
  return { ...a, metadata };
}

/** The copy a forwarder sends on: hop_count + 1 (the signature stays valid). Undefined at the hop cap. */
export function forwardedCopy(a: CapabilityAnnouncement): CapabilityAnnouncement | undefined {
  return a.hopCount >= MAX_CAPABILITY_HOPS - 1 ? undefined : { ...a, hopCount: a.hopCount + 1 };
}
