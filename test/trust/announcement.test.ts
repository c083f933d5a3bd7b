// Capability announcements: the serde_json layout, signing, decoding limits, and the intake rules against hostile
// peers (forged node ids, replays, forwarded copies racing direct ones, 65-entry allow-lists).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, VirtualClock, isNetError } from '../../src/core/index.js';
import { Identity } from '../../src/crypto/index.js';
import {
  CapabilityError, CapabilityIndex, MAX_ALLOW_LIST_LEN, createAnnouncement, decodeAnnouncement, encodeAnnouncement,
  encodeAnnouncementJson, forwardedCopy, verifyAnnouncement, type CapabilityAnnouncement,
} from '../../src/trust/index.js';

const seed = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const alice = Identity.fromSeed(seed(1));
const bob = Identity.fromSeed(seed(2));
const mallory = Identity.fromSeed(seed(3));
const clock = new VirtualClock();
const nowNs = (): bigint => BigInt(clock.wallMs()) * 1_000_000n;
const ann = (id: Identity, version: bigint, extra: Partial<Parameters<typeof createAnnouncement>[1]> = {}): CapabilityAnnouncement =>
  createAnnouncement(id, { version, timestampNs: nowNs(), tags: ['nrpc:echo', 'hardware.gpu'], metadata: { intent: 'steal', team: 'a' }, ...extra });
const bytes = (a: CapabilityAnnouncement): Uint8Array => encodeAnnouncement(a);

test('serde_json layout: field order, sorted tags and metadata, optional fields omitted, hop_count outside the signature', () => {
  const a = createAnnouncement(alice, {
    version: 7n, timestampNs: 1_700_000_000_000_000_000n, ttlSecs: 300, tags: ['z', 'a', 'hardware.gpu', 'a'], metadata: { b: '2', a: '1' },
  });
  const json = encodeAnnouncementJson(a);
  assert.ok(json.startsWith(`{"node_id":${alice.nodeId},"entity_id":"${Buffer.from(alice.publicKey).toString('hex')}","version":7,` +
    '"timestamp_ns":1700000000000000000,"ttl_secs":300,"capabilities":{"tags":["a","hardware.gpu","z"],"metadata":{"a":"1","b":"2"}},"signature":"'));
  assert.ok(!json.includes('hop_count') && !json.includes('allowed_'));
  const fwd = forwardedCopy(a)!;
  assert.ok(encodeAnnouncementJson(fwd).includes('"hop_count":1'));
  assert.equal(verifyAnnouncement(fwd), 'ok', 'forwarders bump hop_count without breaking the signature');
  const restricted = ann(alice, 8n, { allowedNodes: [5n], allowedSubnets: ['00'.repeat(15) + 'ff'], allowedGroups: ['01'.repeat(32)] });
  const r = encodeAnnouncementJson(restricted);
  assert.ok(r.endsWith(`"allowed_nodes":[5],"allowed_subnets":[[${'0,'.repeat(15)}255]],"allowed_groups":[[${'1,'.repeat(31)}1]]}`));
  const back = decodeAnnouncement(bytes(restricted));
  assert.equal(encodeAnnouncementJson(back), r, 'decode then encode is the identity on canonical bytes');
  assert.deepEqual([back.allowedNodes, back.allowedSubnets, back.allowedGroups], [restricted.allowedNodes, restricted.allowedSubnets, restricted.allowedGroups]);
  assert.equal(verifyAnnouncement(back), 'ok');
  // u64 values survive (JSON.parse would round these)
  const big = ann(alice, 0xffff_ffff_ffff_fffen);
  assert.equal(decodeAnnouncement(bytes(big)).version, 0xffff_ffff_ffff_fffen);
});

test('a signature over one node id does not carry another: node_id must derive from the signer key', () => {
  // Mallory signs an announcement that claims to be Alice's node: the signature is valid, the binding is not.
  const forged = createAnnouncement(mallory, { version: 1n, timestampNs: nowNs(), tags: ['nrpc:bank'] });
  forged.nodeId = alice.nodeId;
  forged.signature = mallory.sign(new TextEncoder().encode(encodeAnnouncementJson(forged, true)));
  assert.equal(verifyAnnouncement(forged), 'node_id_mismatch');
  const idx = new CapabilityIndex({ clock });
  const r = idx.receive(bytes(forged));
  assert.equal(r.status, 'rejected');
  assert.equal(idx.counters.get('node_id_mismatch'), 1);
  assert.equal(idx.get(alice.nodeId), undefined);
  assert.throws(() => idx.accept(bytes(forged)), (e) => e instanceof CapabilityError && e.reason === 'node_id_mismatch' && e.code === ErrorCode.CapabilityRejected);
  // and a direct peer may only announce itself
  const r2 = idx.receive(bytes(ann(bob, 1n)), { fromNode: mallory.nodeId });
  assert.ok(r2.status === 'rejected' && r2.reason === 'not_from_origin');
  // a tampered field breaks the signature
  const t = ann(bob, 2n);
  t.tags.push('nrpc:admin');
  assert.ok(idx.receive(t).status === 'rejected' && idx.counters.get('bad_signature') === 1);
  // unsigned is refused by default
  const u = { ...ann(bob, 3n), signature: undefined };
  assert.ok(idx.receive(u).status === 'rejected' && idx.counters.get('unsigned') === 1);
});

test('versions only move forward; replays of older (or equal) versions are refused, also after expiry', () => {
  const idx = new CapabilityIndex({ clock });
  const v5 = ann(alice, 5n);
  assert.equal(idx.accept(bytes(v5), { fromNode: alice.nodeId }).status, 'accepted');
  const v4 = ann(alice, 4n, { tags: ['nrpc:old'] });
  assert.throws(() => idx.accept(bytes(v4)), (e) => e instanceof CapabilityError && e.reason === 'stale_version');
  assert.equal(idx.receive(bytes(v5)).status, 'duplicate');
  assert.equal(idx.counters.get('stale_version'), 1);
  // after the entry expires, a replay of v5 does not bring it back
  clock.advance(301_000);
  assert.equal(idx.expire(), 1);
  assert.equal(idx.get(alice.nodeId), undefined);
  const replay = idx.receive(bytes(v5), { fromNode: alice.nodeId });
  assert.notEqual(replay.status, 'accepted');
  assert.equal(idx.get(alice.nodeId), undefined);
  // a fresh, newer announcement is fine
  assert.equal(idx.receive(bytes(ann(alice, 6n)), { fromNode: alice.nodeId }).status, 'accepted');
  // an announcement whose timestamp + ttl is long past is refused even as a first sighting
  const idx2 = new CapabilityIndex({ clock });
  const old = createAnnouncement(bob, { version: 1n, ttlSecs: 10, timestampNs: nowNs() - 3_600_000_000_000n });
  assert.ok(idx2.receive(bytes(old)).status === 'rejected' && idx2.counters.get('expired') === 1);
});

test('a forwarded copy arriving first never shadows the direct one: the direct copy still pins the key', () => {
  const idx = new CapabilityIndex({ clock });
  const a = ann(alice, 10n);
  const fwd = forwardedCopy(a)!;
  const r1 = idx.receive(bytes(fwd), { fromNode: mallory.nodeId });
  assert.equal(r1.status, 'accepted');
  assert.equal(idx.get(alice.nodeId)!.direct, false);
  assert.equal(idx.pinnedEntities.has(alice.nodeId), false, 'a forwarded copy pins nothing');
  const r2 = idx.receive(bytes(a), { fromNode: alice.nodeId });
  assert.ok(r2.status === 'accepted' && r2.upgraded);
  assert.equal(idx.get(alice.nodeId)!.direct, true);
  assert.equal(idx.pinnedEntities.get(alice.nodeId), Buffer.from(alice.publicKey).toString('hex'));
  // further copies of either kind are duplicates
  assert.equal(idx.receive(bytes(fwd)).status, 'duplicate');
  assert.equal(idx.receive(bytes(a), { fromNode: alice.nodeId }).status, 'duplicate');
  assert.equal(idx.counters.get('upgraded_to_direct'), 1);
});

test('reserved metadata is stripped on receipt; the forwarded copy keeps the signed original', () => {
  const idx = new CapabilityIndex({ clock });
  const r = idx.receive(bytes(ann(alice, 1n, { metadata: { intent: 'x', priority: '9', owner: 'o', 'colocate-with': 'c', team: 't', 'tool::a': 's' } })));
  assert.equal(r.status, 'accepted');
  assert.deepEqual({ ...idx.get(alice.nodeId)!.announcement.metadata }, { team: 't', 'tool::a': 's' });
  assert.ok(r.status === 'accepted' && r.forward !== undefined && r.forward.metadata.intent === 'x' && verifyAnnouncement(r.forward) === 'ok');
});

test('65 allow-list entries are refused on build and on the wire; 64 are fine', () => {
  const nodes = (n: number): bigint[] => Array.from({ length: n }, (_, i) => BigInt(i + 1));
  assert.throws(() => ann(alice, 1n, { allowedNodes: nodes(65) }), (e) => isNetError(e, ErrorCode.InvalidArgument));
  const ok = ann(alice, 1n, { allowedNodes: nodes(MAX_ALLOW_LIST_LEN) });
  const idx = new CapabilityIndex({ clock });
  assert.equal(idx.receive(bytes(ok)).status, 'accepted');
  for (const field of ['allowed_nodes', 'allowed_subnets', 'allowed_groups']) {
    const item = field === 'allowed_nodes' ? '1' : field === 'allowed_subnets' ? `[${'0,'.repeat(15)}1]` : `[${'0,'.repeat(31)}1]`;
    const json = encodeAnnouncementJson(ann(alice, 2n)).slice(0, -1) + `,"${field}":[${Array(65).fill(item).join(',')}]}`;
    const b = new TextEncoder().encode(json);
    assert.throws(() => decodeAnnouncement(b), (e) => isNetError(e, ErrorCode.DecodeLimit));
    const r = idx.receive(b);
    assert.ok(r.status === 'rejected' && r.reason === 'allow_list_too_long', field);
  }
  assert.equal(idx.counters.get('allow_list_too_long'), 3);
});

test('decoder limits: oversize, unknown fields, bad hex, duplicate keys, deep nesting, __proto__ keys', () => {
  const base = encodeAnnouncementJson(ann(alice, 1n));
  const bad = [
    new Uint8Array(65537).fill(0x20),
    base.slice(0, -1) + ',"extra":1}',
    base.replace(/"entity_id":"[0-9a-f]+"/, '"entity_id":"zz"'),
    base.replace('"version":1', '"version":1,"version":2'),
    base.replace('"version":1', '"version":-1'),
    base.replace('"version":1', '"version":18446744073709551616'),
    base.replace('"ttl_secs":300', '"ttl_secs":1.5'),
    base.slice(0, -1) + ',"hop_count":[[[[[[[[1]]]]]]]]}',
    '{"a":',
    '',
  ];
  for (const b of bad) {
    const input = typeof b === 'string' ? new TextEncoder().encode(b) : b;
    assert.throws(() => decodeAnnouncement(input), (e) => isNetError(e) && e.code.startsWith('ERR_DECODE'), String(b).slice(0, 60));
  }
  const proto = decodeAnnouncement(new TextEncoder().encode(base.replace('"metadata":{', '"metadata":{"__proto__":"x",')));
  assert.equal(Object.getPrototypeOf(proto.metadata), null);
  assert.equal(proto.metadata.__proto__, 'x');
});

test('own announcements echoed back are dropped; the index is bounded', () => {
  const idx = new CapabilityIndex({ clock }, { localNodeId: alice.nodeId, maxNodes: 1 });
  assert.ok(idx.receive(bytes(ann(alice, 1n))).status === 'rejected' && idx.counters.get('own_announcement') === 1);
  assert.equal(idx.receive(bytes(ann(bob, 1n))).status, 'accepted');
  const r = idx.receive(bytes(ann(mallory, 1n)));
  assert.ok(r.status === 'rejected' && r.reason === 'index_full');
  assert.equal(idx.receive(bytes(ann(bob, 2n))).status, 'accepted', 'an indexed node may still update');
});
