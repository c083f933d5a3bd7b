// Trust plane: a capability filter over 10,000 indexed nodes, a cached token check, and an uncached token
// verification against one bare sodium-native ed25519 verify (the baseline the issue names).
import { VirtualClock } from '../../src/core/index.js';
import { ChannelName, Identity, ed25519VerifyStrict } from '../../src/crypto/index.js';
import { sodium } from '../../src/crypto/sodium.js';
import {
  CapabilityIndex, TokenCache, TokenScope, delegateToken, encodeToken, issueKeyFor, issueToken, p, verifyTokenBytes, verifyTokenChain,
  type CapabilityAnnouncement,
} from './fixtures.js';
import { compareNs, round, type BenchCase } from '../harness.js';

const NODES = 10_000;

function buildIndex(): { idx: CapabilityIndex; tagLists: string[][] } {
  const idx = new CapabilityIndex({ clock: new VirtualClock() }, { maxNodes: NODES });
  const tagLists: string[][] = [];
  for (let i = 0; i < NODES; i++) {
    const tags = [`hardware.memory_gb=${(i % 8) * 32}`, `hardware.cpu_cores=${8 + (i % 4) * 8}`, `nrpc:svc-${i % 50}`, 'software.os=linux'];
    if (i % 3 === 0) tags.push('hardware.gpu', `hardware.gpu.vendor=${i % 2 === 0 ? 'nvidia' : 'amd'}`, 'hardware.gpu.vram_gb=80');
    if (i % 10 === 0) tags.push('scope:tenant:acme');
    tagLists.push(tags);
    const a: CapabilityAnnouncement = {
      nodeId: BigInt(i + 1), entityId: new Uint8Array(32), version: 1n, timestampNs: 0n, ttlSecs: 300, tags, metadata: { team: `t${i % 5}` },
      hopCount: 0, allowedNodes: [], allowedSubnets: [], allowedGroups: [],
    };
    idx.indexLocal(a);
  }
  return { idx, tagLists };
}

const cases: BenchCase[] = [
  {
    name: 'trust.capability_filter_10k',
    async run() {
      const { idx, tagLists } = buildIndex();
      const filter = { requireGpu: true, minMemoryGb: 64 };
      const pred = p.and(p.exists('hardware.gpu'), p.numericAtLeast('hardware.memory_gb', 64));
      // Baseline: the same question answered by scanning each node's tag list, as an unindexed store would.
      const naive = (): number => {
        let n = 0;
        for (const tags of tagLists) {
          if (!tags.includes('hardware.gpu')) continue;
          const m = tags.find((t) => t.startsWith('hardware.memory_gb='));
          if (m !== undefined && Number(m.slice(19)) >= 64) n++;
        }
        return n;
      };
      if (idx.countNodes(filter) !== naive() || idx.countNodes(pred) !== naive()) throw new Error('filter and baseline disagree');
      const ns = await compareNs({ filter: () => idx.countNodes(filter), predicate: () => idx.countNodes(pred), naive_tag_scan: naive });
      return {
        value: ns.filter, unit: 'ns', baseline: { predicate: ns.predicate, naive_tag_scan: ns.naive_tag_scan, per_node_ns: round(ns.filter / NODES, 1) },
        notes: `${NODES} nodes, GPU + memory >= 64, ${naive()} match`,
      };
    },
  },
  {
    name: 'trust.token_check_cached',
    async run() {
      const root = Identity.fromSeed(new Uint8Array(32).fill(1));
      const alice = Identity.fromSeed(new Uint8Array(32).fill(2));
      const bob = Identity.fromSeed(new Uint8Array(32).fill(3));
      const now = 1_700_000_000;
      const ch = ChannelName.parse('prod/deploy');
      const parent = issueToken(root, { subject: alice.publicKey, scope: TokenScope.SUBSCRIBE | TokenScope.DELEGATE, channel: ch, ttlSecs: 3600, delegationDepth: 1, nowSecs: now });
      const child = delegateToken(parent, alice, { subject: bob.publicKey, scope: TokenScope.SUBSCRIBE, nowSecs: now });
      const cache = new TokenCache({ clock: new VirtualClock(now * 1000) }, { roots: [root.publicKey] });
      cache.insert([parent, child]);
      const subject = bob.publicKey;
      const key = issueKeyFor(subject);
      if (!cache.check(subject, TokenScope.SUBSCRIBE, ch.hash)) throw new Error('cache refuses a valid chain');
      const check = { action: TokenScope.SUBSCRIBE, channelHash: ch.hash, presenter: subject, roots: [root.publicKey], nowSecs: now, skewSecs: 60 };
      const ns = await compareNs({
        cached: () => cache.check(subject, TokenScope.SUBSCRIBE, ch.hash),
        cached_by_key: () => cache.check(key, TokenScope.SUBSCRIBE, ch.hash),
        uncached_chain_verify: () => verifyTokenChain([parent, child], check),
      });
      return { value: ns.cached, unit: 'ns', baseline: { cached_by_key: ns.cached_by_key, uncached_chain_verify: ns.uncached_chain_verify }, notes: 'chain of 2, subject given as bytes' };
    },
  },
  {
    name: 'trust.token_verify',
    async run() {
      const root = Identity.fromSeed(new Uint8Array(32).fill(1));
      const t = issueToken(root, { subject: new Uint8Array(32).fill(9), scope: TokenScope.SUBSCRIBE, channel: 'a/b', ttlSecs: 60, nowSecs: 1_700_000_000 });
      const bytes = encodeToken(t);
      const msg = bytes.subarray(0, 105);
      const sig = bytes.subarray(105);
      const pk = bytes.subarray(0, 32);
      if (!verifyTokenBytes(bytes) || !ed25519VerifyStrict(pk, msg, sig)) throw new Error('token does not verify');
      const ns = await compareNs({
        token_verify: () => verifyTokenBytes(bytes),
        sodium_ed25519_verify: () => sodium.crypto_sign_verify_detached(sig, msg, pk),
      });
      return {
        value: ns.token_verify, unit: 'ns', baseline: { sodium_ed25519_verify: ns.sodium_ed25519_verify, ratio: round(ns.token_verify / ns.sodium_ed25519_verify, 3) },
        notes: '169-byte token, shape check + strict ed25519 over the 105-byte payload, no copy',
      };
    },
  },
];

export default cases;
