/**
 * Capability sets in wire form (`{ tags, metadata }`), their diff (pinned by `capability_set_diff.json`),
 * builders, and the placement score of the reference's `StandardPlacement` deterministic axes (pinned by
 * `placement_score.json`: hard-required tags veto, the scope axis is 1 or 0, the resource axis is permissive
 * without data).
 */
import { InvalidArgumentError } from '../core/index.js';
import { compareUtf8 } from './json.js';
import type { CapabilitySetWire } from './schema.js';
import { SCOPE_GLOBAL, parseUserTag, tagToString, type AxisSeparator, type TaxonomyAxis } from './tags.js';

export type MetadataChange =
  | { kind: 'added'; key: string; value: string }
  | { kind: 'removed'; key: string; prev_value: string }
  | { kind: 'updated'; key: string; prev_value: string; new_value: string };

export interface CapabilitySetDiff {
  added_tags: string[];
  removed_tags: string[];
  metadata_changes: MetadataChange[];
}

/** What changed from `prev` to `curr`: tag sets, and metadata per key (a renamed key is removed + added). */
export function diffCapabilities(prev: CapabilitySetWire, curr: CapabilitySetWire): CapabilitySetDiff {
  const before = new Set(prev.tags);
  const after = new Set(curr.tags);
  const added_tags = [...after].filter((t) => !before.has(t)).sort(compareUtf8);
  const removed_tags = [...before].filter((t) => !after.has(t)).sort(compareUtf8);
  const keys = [...new Set([...Object.keys(prev.metadata), ...Object.keys(curr.metadata)])].sort(compareUtf8);
  const metadata_changes: MetadataChange[] = [];
  const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
  for (const key of keys) {
    const a = has(prev.metadata, key) ? prev.metadata[key] : undefined;
    const b = has(curr.metadata, key) ? curr.metadata[key] : undefined;
    if (a === undefined && b !== undefined) metadata_changes.push({ kind: 'added', key, value: b });
    else if (a !== undefined && b === undefined) metadata_changes.push({ kind: 'removed', key, prev_value: a });
    else if (a !== undefined && b !== undefined && a !== b) metadata_changes.push({ kind: 'updated', key, prev_value: a, new_value: b });
  }
  return { added_tags, removed_tags, metadata_changes };
}

export function emptyCapabilities(): CapabilitySetWire {
  return { tags: [], metadata: {} };
}

function withTag(caps: CapabilitySetWire, tag: string): CapabilitySetWire {
  return { tags: caps.tags.includes(tag) ? [...caps.tags] : [...caps.tags, tag], metadata: { ...caps.metadata } };
}

/** Adds `axis.key` (a presence tag). */
export function requireTag(caps: CapabilitySetWire, axis: TaxonomyAxis, key: string): CapabilitySetWire {
  return withTag(caps, tagToString(parseUserTag(`${axis}.${key}`)));
}

/** Adds `axis.key=value` (or `:`). */
export function requireAxisValue(caps: CapabilitySetWire, axis: TaxonomyAxis, key: string, value: string, separator: AxisSeparator = '='): CapabilitySetWire {
  if (key.length === 0 || value.length === 0) throw new InvalidArgumentError('axis key and value must be non-empty');
  return withTag(caps, `${axis}.${key}${separator}${value}`);
}

export function withMetadata(caps: CapabilitySetWire, key: string, value: string): CapabilitySetWire {
  return { tags: [...caps.tags], metadata: { ...caps.metadata, [key]: value } };
}

export interface PlacementConfig {
  /** Scope labels (`scope:tenant:foo` or the body `tenant:foo`); absent disables the scope axis. */
  scope_filter?: readonly string[];
}
export interface PlacementCandidateWire extends CapabilitySetWire {
  node_id?: string | bigint;
}
export interface PlacementArtifact {
  kind: 'daemon';
  required: CapabilitySetWire;
  optional: CapabilitySetWire;
}

/**
 * The candidate's score for the artifact, or null for a hard veto (a required tag it lacks). Axes multiply, so a
 * zero on one axis zeroes the score. Scope: with a filter, 1 when the candidate carries one of the filter's
 * scope tags, else 0 (unscoped candidates included); without one, 1.
 */
export function placementScore(config: PlacementConfig, candidate: PlacementCandidateWire, artifact: PlacementArtifact): number | null {
  const tags = new Set(candidate.tags);
  for (const t of artifact.required.tags) if (!tags.has(t)) return null;
  let score = 1.0;
  if (config.scope_filter !== undefined) {
    const wanted = new Set(config.scope_filter.map((s) => (s.startsWith('scope:') ? s : `scope:${s}`)));
    let hit = false;
    for (const t of tags) if (t !== SCOPE_GLOBAL && wanted.has(t)) hit = true;
    score *= hit ? 1.0 : 0.0;
  }
  return score;
}
