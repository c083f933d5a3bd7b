/**
 * The rules an inbound capability announcement passes before it reaches the index, in order (reference v0.27.2
 * `handle_capability_announcement`, with the node_id binding checked for every signed announcement):
 *
 * 1. decode within the limits (oversize, malformed, an allow-list over 64);
 * 2. a direct arrival (hop 0) must come from the node it names;
 * 3. our own announcement coming back is dropped;
 * 4. dedup on (node_id, version, direct): a forwarded copy never fills the slot of a direct one;
 * 5. unsigned ones are refused (unless configured otherwise); the signature must verify under `entity_id`, and
 *    `node_id` must derive from `entity_id` — otherwise a signer could speak for any node;
 * 6. TOFU: a direct verified arrival pins node_id → key; a different key later is refused;
 * 7. the version must be newer than every version accepted for that node (kept after expiry); the same version
 *    arriving direct after a forwarded copy upgrades the entry (and pins), it is never shadowed;
 * 8. an expired announcement (ttl 0, or timestamp + ttl behind our wall clock by more than the skew) is refused;
 * 9. reserved metadata (`intent`, `priority`, …) is stripped, then indexed.
 *
 * Every outcome increments one counter, named as the `reason`.
 */
import { toHex } from '../core/index.js';
import { decodeAnnouncement, forwardedCopy, stripReservedMetadata, verifyAnnouncement, type CapabilityAnnouncement } from './announcement.js';
import type { CapabilityIndex } from './capability-index.js';
import type { CapabilityRejectReason } from './errors.js';

export const INTAKE_COUNTERS = [
  'received', 'accepted', 'upgraded_to_direct', 'duplicate',
  'oversize', 'malformed', 'allow_list_too_long', 'not_from_origin', 'own_announcement', 'unsigned', 'bad_signature',
  'node_id_mismatch', 'entity_rebind', 'stale_version', 'expired', 'hop_limit', 'index_full',
  'expired_evicted', 'subnet_parse_collapsed_multi_tag', 'capability_denied',
] as const;
export type IntakeCounter = (typeof INTAKE_COUNTERS)[number];

export type IntakeResult =
  | { status: 'accepted'; announcement: CapabilityAnnouncement; upgraded: boolean; forward: CapabilityAnnouncement | undefined }
  | { status: 'duplicate' }
  | { status: 'rejected'; reason: Exclude<CapabilityRejectReason, 'duplicate'>; detail: string; cause?: unknown };

function reject(idx: CapabilityIndex, reason: Exclude<CapabilityRejectReason, 'duplicate'>, detail: string, cause?: unknown): IntakeResult {
  idx.counters.inc(reason);
  return { status: 'rejected', reason, detail, cause };
}

export function runIntake(idx: CapabilityIndex, input: Uint8Array | CapabilityAnnouncement, fromNode: bigint | undefined): IntakeResult {
  idx.counters.inc('received');
  let a: CapabilityAnnouncement;
  if (input instanceof Uint8Array) {
    try {
      a = decodeAnnouncement(input);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const reason = /allowed_(nodes|subnets|groups) has/.test(msg) ? 'allow_list_too_long' : /bytes \(at most/.test(msg) ? 'oversize' : 'malformed';
      return reject(idx, reason, msg, e);
    }
  } else a = input;
  const direct = a.hopCount === 0;
  if (a.hopCount >= 16) return reject(idx, 'hop_limit', `hop_count ${a.hopCount}`);
  if (direct && fromNode !== undefined && a.nodeId !== fromNode) {
    return reject(idx, 'not_from_origin', `peer ${hex(fromNode)} sent node ${hex(a.nodeId)}'s announcement as its own`);
  }
  if (idx.options.localNodeId !== undefined && a.nodeId === idx.options.localNodeId) return reject(idx, 'own_announcement', 'our own announcement');
  const key = `${a.nodeId}:${a.version}:${direct ? 1 : 0}`;
  if (idx.seen.has(key)) {
    idx.counters.inc('duplicate');
    return { status: 'duplicate' };
  }
  if (a.signature === undefined && idx.options.requireSigned) return reject(idx, 'unsigned', 'unsigned announcement');
  if (a.signature !== undefined) {
    const verdict = verifyAnnouncement(a);
    if (verdict === 'bad_signature') return reject(idx, 'bad_signature', 'signature does not verify under entity_id');
    if (verdict === 'node_id_mismatch') {
      return reject(idx, 'node_id_mismatch', `node_id ${hex(a.nodeId)} is not the signer's (entity ${toHex(a.entityId).slice(0, 16)}…)`);
    }
  }
  const entity = toHex(a.entityId);
  const pinned = idx.pinnedEntities.get(a.nodeId);
  if (pinned !== undefined && pinned !== entity) return reject(idx, 'entity_rebind', `node ${hex(a.nodeId)} is pinned to another key`);

  const existing = idx.nodes.get(a.nodeId);
  const floor = idx.versionFloor.get(a.nodeId);
  let upgraded = false;
  if (floor !== undefined && a.version < floor) return reject(idx, 'stale_version', `version ${a.version} < ${floor}`);
  if (floor !== undefined && a.version === floor) {
    // The same version again: only a direct copy replacing a forwarded one is news (it carries the TOFU pin).
    if (!(direct && existing !== undefined && !existing.direct && existing.announcement.version === a.version)) {
      rememberSeen(idx, key);
      idx.counters.inc('duplicate');
      return { status: 'duplicate' };
    }
    upgraded = true;
  }
  const clock = idx.components.clock;
  const endMs = Number(a.timestampNs / 1_000_000n) + a.ttlSecs * 1000;
  if (a.ttlSecs === 0 || endMs + idx.options.clockSkewSecs * 1000 <= clock.wallMs()) {
    return reject(idx, 'expired', `announcement expired (ttl ${a.ttlSecs} s)`);
  }
  if (existing === undefined && idx.nodes.size >= idx.options.maxNodes) return reject(idx, 'index_full', `${idx.nodes.size} nodes indexed`);

  if (direct && a.signature !== undefined && pinned === undefined) {
    idx.pinnedEntities.set(a.nodeId, entity);
    // Pins are bounded like version floors: every fresh key pair could otherwise add one.
    if (idx.pinnedEntities.size > idx.options.maxNodes * 2) idx.pinnedEntities.delete(idx.pinnedEntities.keys().next().value!);
  }
  rememberSeen(idx, key);
  const stripped = stripReservedMetadata(a);
  idx.put(stripped, direct || (existing?.direct === true && existing.announcement.version === a.version));
  idx.counters.inc(upgraded ? 'upgraded_to_direct' : 'accepted');
  // Forward the signature-covered original (metadata unstripped), as the reference does, unless this was an upgrade.
  return { status: 'accepted', announcement: stripped, upgraded, forward: upgraded ? undefined : forwardedCopy(a) };
}

function rememberSeen(idx: CapabilityIndex, key: string): void {
  idx.seen.add(key);
  if (idx.seen.size > idx.options.dedupCapacity) idx.seen.delete(idx.seen.values().next().value!);
}

function hex(n: bigint): string {
  return n.toString(16).padStart(16, '0');
}
