// `net-mesh token issue|delegate|inspect` and `net-mesh cap show|query` on real files, as child processes (the
// end-to-end path) and in-process for the refusal matrix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Identity, saveIdentity } from '../../src/crypto/index.js';
import { createAnnouncement, encodeAnnouncement, encodeAnnouncementJson, p, predicateToRpcHeader } from '../../src/trust/index.js';
import { cli, runCli, tempDir } from './harness.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function identities(dir: string): Promise<{ root: Identity; alice: Identity; bob: Identity; path: (n: string) => string }> {
  const root = Identity.fromSeed(new Uint8Array(32).fill(60));
  const alice = Identity.fromSeed(new Uint8Array(32).fill(61));
  const bob = Identity.fromSeed(new Uint8Array(32).fill(62));
  for (const [n, id] of [['root', root], ['alice', alice], ['bob', bob]] as const) await saveIdentity(join(dir, n), id);
  return { root, alice, bob, path: (n) => join(dir, n) };
}

test('token issue → delegate → inspect across processes; a widening delegation and a wrong root exit 5', async () => {
  const { dir, cleanup } = await tempDir('trust-token');
  try {
    const { root, alice, bob, path } = await identities(dir);
    const issued = await cli(['token', 'issue', '--identity', path('root'), '--subject', hex(alice.publicKey), '--channel', 'prod/deploy',
      '--scope', 'subscribe,delegate', '--ttl', '3600', '--depth', '1', '--out', path('a.chain')]);
    assert.equal(issued.code, 0, issued.stderr);
    assert.match(issued.stdout, /links\s+1/);
    assert.equal((await readFile(path('a.chain'))).length, 1 + 169);
    const delegated = await cli(['token', 'delegate', path('a.chain'), '--identity', path('alice'), '--subject', hex(bob.publicKey),
      '--scope', 'subscribe', '--ttl', '600', '--out', path('b.chain'), '--json']);
    assert.equal(delegated.code, 0, delegated.stderr);
    const j = JSON.parse(delegated.stdout) as { tokens: { subject: string; delegation_depth: number }[] };
    assert.deepEqual(j.tokens.map((t) => t.delegation_depth), [1, 0]);
    const inspected = await cli(['token', 'inspect', path('b.chain'), '--root', hex(root.publicKey)]);
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.match(inspected.stdout, /valid: roots at a given key/);
    // refusals, in process: widening scope, wrong root, exhausted depth, malformed files
    const widen = await runCli(['token', 'delegate', path('a.chain'), '--identity', path('alice'), '--subject', hex(bob.publicKey), '--scope', 'subscribe,publish']);
    assert.equal(widen.code, 5);
    assert.match(widen.stderr, /scope_widened/);
    const wrongRoot = await runCli(['token', 'inspect', path('b.chain'), '--root', hex(bob.publicKey)]);
    assert.equal(wrongRoot.code, 5);
    assert.match(wrongRoot.stderr, /untrusted_root/);
    const exhausted = await runCli(['token', 'delegate', path('b.chain'), '--identity', path('bob'), '--subject', hex(root.publicKey), '--scope', 'subscribe']);
    assert.equal(exhausted.code, 5);
    await writeFile(path('bad.chain'), (await readFile(path('b.chain'))).subarray(0, 200));
    assert.equal((await runCli(['token', 'inspect', path('bad.chain')])).code, 5);
    const badScope = await runCli(['token', 'issue', '--identity', path('root'), '--subject', hex(alice.publicKey), '--channel', 'x', '--scope', 'root', '--ttl', '5']);
    assert.equal(badScope.code, 2);
    const tooLong = await runCli(['token', 'issue', '--identity', path('root'), '--subject', hex(alice.publicKey), '--channel', 'x', '--scope', 'publish', '--ttl', String(400 * 86400)]);
    assert.equal(tooLong.code, 2);
    assert.match(tooLong.stderr, /ttl_too_long/);
    const upper = await runCli(['token', 'issue', '--identity', path('root'), '--subject', hex(alice.publicKey), '--channel', 'Prod/..', '--scope', 'publish', '--ttl', '5']);
    assert.equal(upper.code, 2);
  } finally {
    await cleanup();
  }
});

test('cap show and cap query on announcement files; forged and over-limit files are refused', async () => {
  const { dir, cleanup } = await tempDir('trust-cap');
  try {
    const { root, alice, bob, path } = await identities(dir);
    const ts = BigInt(Date.now()) * 1_000_000n;
    await writeFile(path('alice.json'), encodeAnnouncement(createAnnouncement(alice, {
      version: 1n, timestampNs: ts, tags: ['hardware.gpu', 'hardware.memory_gb=128', 'nrpc:train'], metadata: { intent: 'x', team: 'ml' },
    })));
    await writeFile(path('bob.json'), encodeAnnouncement(createAnnouncement(bob, { version: 1n, timestampNs: ts, tags: ['hardware.memory_gb=16', 'hardware.gpu=yes'] })));
    const forged = createAnnouncement(root, { version: 1n, timestampNs: ts, tags: ['nrpc:train'] });
    forged.nodeId = alice.nodeId;
    forged.signature = root.sign(new TextEncoder().encode(encodeAnnouncementJson(forged, true)));
    await writeFile(path('forged.json'), encodeAnnouncement(forged));

    const shown = await cli(['cap', 'show', path('bob.json')]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /signature\s+ok/);
    assert.match(shown.stdout, /type_mismatch/, 'hardware.gpu=yes is a presence key with a value');
    const bad = await runCli(['cap', 'show', path('forged.json')]);
    assert.equal(bad.code, 5);
    assert.match(bad.stderr, /node_id_mismatch/);

    const where = predicateToRpcHeader(p.and(p.exists('hardware.gpu'), p.numericAtLeast('hardware.memory_gb', 64)));
    const q = await cli(['cap', 'query', path('forged.json'), path('alice.json'), path('bob.json'), '--where', where, '--json', '--report']);
    assert.equal(q.code, 0, q.stderr);
    const out = JSON.parse(q.stdout) as { indexed: number; matches: string[]; refused: { reason: string }[]; report: { matched: number } };
    assert.deepEqual(out.matches, [alice.nodeId.toString(16).padStart(16, '0')]);
    assert.equal(out.indexed, 2);
    assert.deepEqual(out.refused.map((r) => r.reason), ['node_id_mismatch']);
    assert.equal(out.report.matched, 1);
    const byTag = await runCli(['cap', 'query', path('alice.json'), path('bob.json'), '--tag', 'nrpc:train']);
    assert.equal(byTag.stdout.trim(), alice.nodeId.toString(16).padStart(16, '0'));
    const badWhere = await runCli(['cap', 'query', path('alice.json'), '--where', '{"nodes":[{"kind":"nope"}],"root_idx":0}']);
    assert.equal(badWhere.code, 2);
    const json = JSON.parse(await readFile(path('alice.json'), 'utf8')) as Record<string, unknown>;
    json.allowed_nodes = Array.from({ length: 65 }, (_, i) => i + 1);
    await writeFile(path('wide.json'), JSON.stringify(json));
    const wide = await runCli(['cap', 'show', path('wide.json')]);
    assert.equal(wide.code, 1, 'a decode failure is ERR_DECODE_LIMIT');
    assert.match(wide.stderr, /allowed_nodes has 65 entries/);
  } finally {
    await cleanup();
  }
});
