// The capability index: tag queries, filters, predicates, scopes, findBestNode, expiry, re-announce scheduling,
// and the execution gate (conformance scenarios 1-5 of seed notes §3.5, on the local index).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/index.js';
import { Identity } from '../../src/crypto/index.js';
import {
  CapabilityIndex, Reannouncer, createAnnouncement, encodeAnnouncement, groupTag, p, subnetTag, type CapabilityAnnouncement,
} from '../../src/trust/index.js';

const ids = Array.from({ length: 6 }, (_, i) => Identity.fromSeed(new Uint8Array(32).fill(i + 10)));
const [server, c1, c2, c3, c4, other] = ids as [Identity, Identity, Identity, Identity, Identity, Identity];
const SUBNET = new Uint8Array(16).fill(7);
const GROUP = new Uint8Array(32).fill(9);

function setup(): { clock: VirtualClock; idx: CapabilityIndex; put: (id: Identity, v: bigint, o?: object) => CapabilityAnnouncement } {
  const clock = new VirtualClock();
  const idx = new CapabilityIndex({ clock });
  const put = (id: Identity, v: bigint, o: object = {}): CapabilityAnnouncement => {
    const a = createAnnouncement(id, { version: v, timestampNs: BigInt(clock.wallMs()) * 1_000_000n, ...o });
    assert.equal(idx.accept(encodeAnnouncement(a), { fromNode: id.nodeId }).status, 'accepted');
    return a;
  };
  return { clock, idx, put };
}

test('execution authorization scenarios 1-5: permissive, by node, by subnet, by group, revocation by newer version', () => {
  const { idx, put } = setup();
  put(c1, 1n, { tags: [subnetTag(SUBNET)] });
  put(c2, 1n, { tags: [groupTag(GROUP)] });
  put(c3, 1n, { tags: [subnetTag(new Uint8Array(16).fill(8))] });
  // 1. permissive baseline admits anyone, even callers the index has never seen
  put(server, 1n, { tags: ['nrpc:echo'] });
  for (const c of [c1, c2, c3, c4]) assert.equal(idx.mayExecute(server.nodeId, 'nrpc:echo', c.nodeId), true);
  assert.equal(idx.mayExecute(server.nodeId, 'nrpc:other', c1.nodeId), false, 'a tag the target does not carry');
  assert.equal(idx.mayExecute(other.nodeId, 'nrpc:echo', c1.nodeId), false, 'an unknown target');
  // 2. allow by node
  put(server, 2n, { tags: ['nrpc:echo'], allowedNodes: [c4.nodeId] });
  assert.deepEqual([c1, c2, c3, c4].map((c) => idx.mayExecute(server.nodeId, 'nrpc:echo', c.nodeId)), [false, false, false, true]);
  // 3. allow by subnet: c1 declared it, c3 declared another
  put(server, 3n, { tags: ['nrpc:echo'], allowedSubnets: [Buffer.from(SUBNET).toString('hex')] });
  assert.deepEqual([c1, c2, c3, c4].map((c) => idx.mayExecute(server.nodeId, 'nrpc:echo', c.nodeId)), [true, false, false, false]);
  // 4. allow by group
  put(server, 4n, { tags: ['nrpc:echo'], allowedGroups: [Buffer.from(GROUP).toString('hex')] });
  assert.deepEqual([c1, c2, c3, c4].map((c) => idx.mayExecute(server.nodeId, 'nrpc:echo', c.nodeId)), [false, true, false, false]);
  // 5. revocation: a newer, tighter version supersedes; the older permissive one cannot come back
  const permissive = createAnnouncement(server, { version: 4n, timestampNs: 1n, tags: ['nrpc:echo'] });
  put(server, 5n, { tags: ['nrpc:echo'], allowedNodes: [server.nodeId] });
  assert.equal(idx.mayExecute(server.nodeId, 'nrpc:echo', c2.nodeId), false);
  assert.equal(idx.receive(encodeAnnouncement(permissive)).status, 'duplicate', 'a version already seen is not news');
  const stale = createAnnouncement(server, { version: 0n, timestampNs: 1_700_000_000_000_000_000n, tags: ['nrpc:echo'] });
  const r = idx.receive(encodeAnnouncement(stale));
  assert.ok(r.status === 'rejected' && r.reason === 'stale_version');
  assert.equal(idx.mayExecute(server.nodeId, 'nrpc:echo', server.nodeId), true);
  assert.ok(idx.counters.get('capability_denied') >= 10);
});

test('two different subnet tags collapse to no membership (deterministic on every receiver)', () => {
  const { idx, put } = setup();
  put(c1, 1n, { tags: [subnetTag(SUBNET), subnetTag(new Uint8Array(16).fill(1))] });
  put(server, 1n, { tags: ['nrpc:x'], allowedSubnets: [Buffer.from(SUBNET).toString('hex')] });
  assert.equal(idx.get(c1.nodeId)!.subnet, undefined);
  assert.equal(idx.mayExecute(server.nodeId, 'nrpc:x', c1.nodeId), false);
  assert.equal(idx.counters.get('subnet_parse_collapsed_multi_tag'), 1);
});

test('queries: tags, filters, predicates, scopes, best node', () => {
  const { idx, put } = setup();
  put(c1, 1n, { tags: ['hardware.gpu', 'hardware.gpu.vendor=nvidia', 'hardware.memory_gb=128', 'hardware.gpu.vram_gb=80', 'scope:tenant:a'] });
  put(c2, 1n, { tags: ['hardware.gpu', 'hardware.gpu.vendor=amd', 'hardware.memory_gb=512', 'scope:region:eu'] });
  put(c3, 1n, { tags: ['hardware.memory_gb=64', 'software.model.0.id=llama', 'software.model.0.loaded=true', 'scope:subnet-local'] });
  put(c4, 1n, { tags: ['hardware.memory_gb=32', 'software.runtime.python=3.11.5'], metadata: { team: 'ml' } });
  const sorted = (xs: Identity[]): bigint[] => xs.map((x) => x.nodeId).sort((a, b) => (a < b ? -1 : 1));
  assert.deepEqual(idx.nodesWithTag('hardware.gpu'), sorted([c1, c2]));
  assert.deepEqual(idx.findNodes({ requireGpu: true, minMemoryGb: 200 }), sorted([c2]));
  assert.deepEqual(idx.findNodes({ gpuVendor: 'nvidia' }), sorted([c1]));
  assert.deepEqual(idx.findNodes({ minVramGb: 40 }), sorted([c1]));
  assert.deepEqual(idx.findNodes({ requireModels: ['llama'] }), sorted([c3]));
  assert.deepEqual(idx.findNodes({ requireTags: ['hardware.gpu', 'scope:region:eu'] }), sorted([c2]));
  assert.deepEqual(idx.findNodes({ requireTags: ['nope'] }), []);
  assert.deepEqual(idx.findNodes(p.and(p.numericAtLeast('hardware.memory_gb', 64), p.not(p.exists('hardware.gpu')))), sorted([c3]));
  assert.deepEqual(idx.findNodes(p.or(p.semverAtLeast('software.runtime.python', '3.10'), p.metadataEquals('team', 'ml'))), sorted([c4]));
  // scopes: subnet-local only under sameSubnet; global nodes match any tenant or region
  assert.deepEqual(idx.findNodes({}, { scope: { kind: 'any' } }), sorted([c1, c2, c4]));
  assert.deepEqual(idx.findNodes({}, { scope: { kind: 'tenant', tenant: 'a' } }), sorted([c1, c4]));
  assert.deepEqual(idx.findNodes({}, { scope: { kind: 'regions', regions: ['eu', 'us'] } }), sorted([c2, c4]));
  assert.deepEqual(idx.findNodes({}, { scope: { kind: 'globalOnly' } }), sorted([c4]));
  assert.deepEqual(idx.findNodes({}, { scope: { kind: 'sameSubnet' }, sameSubnet: (n) => n === c3.nodeId }), sorted([c3]));
  assert.equal(idx.countNodes({ minMemoryGb: 64 }), 3);
  assert.equal(idx.findBestNode({ filter: { minMemoryGb: 64 }, preferMoreMemory: 1 }), c2.nodeId);
  assert.equal(idx.findBestNode({ filter: { requireGpu: true }, preferMoreVram: 1 }), c1.nodeId);
  assert.equal(idx.findBestNode({ filter: { minMemoryGb: 4096 } }), undefined);
  assert.deepEqual(idx.findNodes({}, { limit: 2 }).length, 2);
});

test('TTL expiry and the re-announce machine (injected clock, strictly increasing versions)', () => {
  const { clock, idx } = setup();
  const r = new Reannouncer({ clock, identity: c1 }, { tags: ['nrpc:a'] });
  assert.equal(r.ttlSecs, 300);
  const a1 = r.poll()!;
  assert.ok(a1 !== undefined && r.poll() === undefined);
  idx.accept(encodeAnnouncement(a1), { fromNode: c1.nodeId });
  const mv = idx.mutationVersion;
  assert.equal(r.nextDueMs(), 150_000);
  clock.advance(149_999);
  assert.equal(r.poll(), undefined);
  clock.advance(1);
  const a2 = r.poll()!;
  assert.ok(a2.version > a1.version);
  idx.accept(encodeAnnouncement(a2), { fromNode: c1.nodeId });
  assert.ok(idx.mutationVersion > mv);
  // content changes are sent after the minimum interval, not the full period
  r.update({ tags: ['nrpc:b'] });
  assert.equal(r.nextDueMs(), 160_000);
  // without re-announcement the entry expires 300 s after the last one
  assert.equal(idx.nextExpiryMs(), 450_000);
  clock.advance(299_999);
  assert.equal(idx.expire(), 0);
  clock.advance(1);
  assert.equal(idx.expire(), 1);
  assert.equal(idx.size, 0);
  assert.equal(idx.counters.get('expired_evicted'), 1);
});
