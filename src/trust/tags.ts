/**
 * Capability tags (reference `behavior/tag.rs`, v0.25 model): a tag is a string; its typed reading is
 * `<axis>.<key>` (presence), `<axis>.<key>=<value>` or `<axis>.<key>:<value>` (the earlier separator wins), a
 * reserved cross-axis tag (`scope:`, `causal:`, `fork-of:`, `heat:`), or a legacy free-form string
 * (`nrpc:<service>`, `subnet:<hex32>`, `group:<hex64>`). Parsing is lossless: `tagToString(parseTag(s)) === s`.
 */
import { InvalidArgumentError, fromHex, toHex } from '../core/index.js';

export type TaxonomyAxis = 'hardware' | 'software' | 'devices' | 'dataforts';
export const TAXONOMY_AXES: readonly TaxonomyAxis[] = ['hardware', 'software', 'devices', 'dataforts'];
export const RESERVED_PREFIXES: readonly string[] = ['causal:', 'fork-of:', 'heat:', 'scope:'];

export const SCOPE_TENANT_PREFIX = 'scope:tenant:';
export const SCOPE_REGION_PREFIX = 'scope:region:';
export const SCOPE_SUBNET_LOCAL = 'scope:subnet-local';
export const SCOPE_GLOBAL = 'scope:global';
export const SUBNET_TAG_PREFIX = 'subnet:';
export const GROUP_TAG_PREFIX = 'group:';
export const NRPC_TAG_PREFIX = 'nrpc:';

export interface TagKey {
  axis: TaxonomyAxis;
  key: string;
}
export type AxisSeparator = ':' | '=';

export type Tag =
  | { kind: 'axisPresent'; axis: TaxonomyAxis; key: string }
  | { kind: 'axisValue'; axis: TaxonomyAxis; key: string; value: string; separator: AxisSeparator }
  | { kind: 'reserved'; prefix: string; body: string }
  | { kind: 'legacy'; raw: string };

/** A TagKey; throws InvalidArgumentError on an unknown axis or an empty key. */
export function tagKey(axis: TaxonomyAxis, key: string): TagKey {
  if (!TAXONOMY_AXES.includes(axis)) throw new InvalidArgumentError(`unknown taxonomy axis ${JSON.stringify(axis)}`);
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError(`tag key must be non-empty (axis ${axis})`);
  return { axis, key };
}

/** The reserved prefix `s` starts with, if any. */
export function startsWithReservedPrefix(s: string): string | undefined {
  return RESERVED_PREFIXES.find((p) => s.startsWith(p));
}

export function tagToString(tag: Tag): string {
  switch (tag.kind) {
    case 'axisPresent':
      return `${tag.axis}.${tag.key}`;
    case 'axisValue':
      return `${tag.axis}.${tag.key}${tag.separator}${tag.value}`;
    case 'reserved':
      return tag.prefix + tag.body;
    case 'legacy':
      return tag.raw;
  }
}

/** Reads a non-empty tag string (privileged: reserved prefixes are accepted). Throws InvalidArgumentError on ''. */
export function parseTag(s: string): Tag {
  if (typeof s !== 'string' || s.length === 0) throw new InvalidArgumentError('tag must be a non-empty string');
  const reserved = startsWithReservedPrefix(s);
  if (reserved !== undefined) return { kind: 'reserved', prefix: reserved, body: s.slice(reserved.length) };
  const dot = s.indexOf('.');
  const axis = dot < 0 ? undefined : TAXONOMY_AXES.find((a) => a.length === dot && s.startsWith(a));
  const body = dot < 0 ? '' : s.slice(dot + 1);
  if (axis === undefined || body.length === 0) return { kind: 'legacy', raw: s };
  const eq = body.indexOf('=');
  const colon = body.indexOf(':');
  const at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
  if (at < 0) return { kind: 'axisPresent', axis, key: body };
  const key = body.slice(0, at);
  const value = body.slice(at + 1);
  if (key.length === 0 || value.length === 0) return { kind: 'legacy', raw: s };
  return { kind: 'axisValue', axis, key, value, separator: body[at] as AxisSeparator };
}

/** Like {@link parseTag}, but refuses the reserved prefixes that only the substrate may emit. */
export function parseUserTag(s: string): Tag {
  const reserved = typeof s === 'string' ? startsWithReservedPrefix(s) : undefined;
  if (reserved !== undefined) {
    throw new InvalidArgumentError(`tag ${JSON.stringify(s)} starts with reserved prefix ${JSON.stringify(reserved)}`);
  }
  return parseTag(s);
}

function scoped(tags: readonly string[] | undefined, tag: string): string[] {
  const out = [...(tags ?? [])];
  if (!out.includes(tag)) out.push(tag);
  return out;
}
export function withTenantScope(tags: readonly string[] | undefined, tenant: string): string[] {
  if (tenant.length === 0) throw new InvalidArgumentError('tenant must be non-empty');
  return scoped(tags, SCOPE_TENANT_PREFIX + tenant);
}
export function withRegionScope(tags: readonly string[] | undefined, region: string): string[] {
  if (region.length === 0) throw new InvalidArgumentError('region must be non-empty');
  return scoped(tags, SCOPE_REGION_PREFIX + region);
}
export function withSubnetLocalScope(tags: readonly string[] | undefined): string[] {
  return scoped(tags, SCOPE_SUBNET_LOCAL);
}

const HEX_RE = /^[0-9a-f]+$/;

/** The 16-byte subnet id of a `subnet:<32 lowercase hex>` tag, as hex; undefined for any other tag. */
export function subnetFromTag(tag: string): string | undefined {
  if (!tag.startsWith(SUBNET_TAG_PREFIX) || tag.length !== SUBNET_TAG_PREFIX.length + 32) return undefined;
  const hex = tag.slice(SUBNET_TAG_PREFIX.length);
  return HEX_RE.test(hex) ? hex : undefined;
}

/** The 32-byte group id of a `group:<64 lowercase hex>` tag, as hex; undefined for any other tag. */
export function groupFromTag(tag: string): string | undefined {
  if (!tag.startsWith(GROUP_TAG_PREFIX) || tag.length !== GROUP_TAG_PREFIX.length + 64) return undefined;
  const hex = tag.slice(GROUP_TAG_PREFIX.length);
  return HEX_RE.test(hex) ? hex : undefined;
}

export function subnetTag(id: Uint8Array): string {
  if (id.length !== 16) throw new InvalidArgumentError('subnet id must be 16 bytes');
  return SUBNET_TAG_PREFIX + toHex(id);
}
export function groupTag(id: Uint8Array): string {
  if (id.length !== 32) throw new InvalidArgumentError('group id must be 32 bytes');
  return GROUP_TAG_PREFIX + toHex(id);
}

/** Parses a subnet (32 hex) or group (64 hex) id given by a user; throws InvalidArgumentError. */
export function parseIdHex(text: string, bytes: 16 | 32, what: string): Uint8Array {
  const t = text.toLowerCase();
  if (t.length !== bytes * 2 || !HEX_RE.test(t)) throw new InvalidArgumentError(`${what} must be ${bytes * 2} hex digits, got ${JSON.stringify(text)}`);
  return fromHex(t);
}

/**
 * Membership claimed by a tag set: exactly one distinct `subnet:` tag gives that subnet (several distinct ones
 * collapse to none, so every receiver reaches the same verdict); every distinct `group:` tag counts, sorted.
 */
export function membershipOf(tags: Iterable<string>): { subnet: string | undefined; groups: string[]; collapsed: boolean } {
  const subnets = new Set<string>();
  const groups = new Set<string>();
  for (const t of tags) {
    const s = subnetFromTag(t);
    if (s !== undefined) subnets.add(s);
    else {
      const g = groupFromTag(t);
      if (g !== undefined) groups.add(g);
    }
  }
  return {
    subnet: subnets.size === 1 ? [...subnets][0] : undefined,
    groups: [...groups].sort(),
    collapsed: subnets.size > 1,
  };
}
