// Identity: ed25519 keys from a seed, node_id / origin_hash derivations (cross-checked against @noble/hashes and
// against values computed with Python's hashlib), the X25519 static key conversion (against @noble/curves), and
// the fixed seeds of the reference's payment vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { blake2s as nobleBlake2s } from '@noble/hashes/blake2.js';
import { ed25519 as nobleEd25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { ClosedError, CryptoError, ErrorCode, SeededRandom, fromHex, readU64LE, toHex, utf8 } from '../../src/core/index.js';
import {
  Identity, deriveNodeId, deriveOriginHash, ed25519VerifyStrict, x25519, x25519PublicKey,
} from '../../src/crypto/index.js';

interface PaymentIdentities {
  caller_seed_hex: string;
  caller_pub_hex: string;
  provider_seed_hex: string;
  provider_pub_hex: string;
  registry_signer_seed_hex: string;
  registry_signer_pub_hex: string;
}
const ids = (JSON.parse(readFileSync(new URL('../vectors/net-reference/cross_lang_payments/payment_vectors.json', import.meta.url), 'utf8')) as {
  identities: PaymentIdentities;
}).identities;

const FIXED = [
  // seed, public key (reference vectors), node_id and origin_hash (Python hashlib.blake2s(pub, key=label)[:8] LE)
  { seed: ids.caller_seed_hex, pub: ids.caller_pub_hex, nodeId: 0x8edf34ef4ac5d453n, origin: 0x673db0e87049ae61n },
  { seed: ids.provider_seed_hex, pub: ids.provider_pub_hex, nodeId: 0x2199586daf8408bfn, origin: 0x9bb5af0a3b00cde1n },
  { seed: ids.registry_signer_seed_hex, pub: ids.registry_signer_pub_hex, nodeId: 0x60269137ebfedc42n, origin: 0x266b6cb0d434119en },
];

function nobleLabel(label: string, pub: Uint8Array): bigint {
  return readU64LE(nobleBlake2s(pub, { key: utf8(label) }), 0);
}

test('the payment vectors\' fixed seeds (32x01, 32x02, 32x03) give their public keys', () => {
  assert.equal(FIXED[0]!.seed, '01'.repeat(32));
  assert.equal(FIXED[1]!.seed, '02'.repeat(32));
  assert.equal(FIXED[2]!.seed, '03'.repeat(32));
  for (const f of FIXED) assert.equal(toHex(Identity.fromSeed(fromHex(f.seed)).publicKey), f.pub);
});

test('node_id and origin_hash: label is the BLAKE2s MAC key, public key the message, first 8 bytes LE', () => {
  for (const f of FIXED) {
    const id = Identity.fromSeed(fromHex(f.seed));
    assert.equal(id.nodeId, f.nodeId);
    assert.equal(id.originHash, f.origin);
    assert.equal(id.nodeId, nobleLabel('net-node-id-v1', id.publicKey));
    assert.equal(id.originHash, nobleLabel('net-origin-v1', id.publicKey));
    assert.equal(deriveNodeId(id.publicKey), id.nodeId);
    assert.equal(deriveOriginHash(id.publicKey), id.originHash);
    assert.equal(id.nodeIdLo, Number(f.nodeId & 0xffffffffn));
    assert.equal(id.nodeIdHi, Number(f.nodeId >> 32n));
    assert.equal(id.originHashLo, Number(f.origin & 0xffffffffn));
    assert.equal(id.originHashHi, Number(f.origin >> 32n));
    assert.equal(id.routingId, Number(f.nodeId & 0xffffffffn));
    assert.equal(Number(id.nodeId & 0xffff_ffffn), id.routingId);
  }
});

test('derivations agree with @noble/hashes for many random keys', () => {
  const rnd = new SeededRandom(0x5eed);
  for (let i = 0; i < 500; i++) {
    const pub = new Uint8Array(32);
    rnd.fill(pub);
    assert.equal(deriveNodeId(pub), nobleLabel('net-node-id-v1', pub));
    assert.equal(deriveOriginHash(pub), nobleLabel('net-origin-v1', pub));
  }
  const isBadKey = (e: unknown): boolean => e instanceof CryptoError && e.code === ErrorCode.BadKey;
  assert.throws(() => deriveNodeId(new Uint8Array(31)), isBadKey);
  assert.throws(() => deriveOriginHash(new Uint8Array(33)), isBadKey);
});

test('the X25519 static key pair derives from the ed25519 seed and agrees with @noble/curves', () => {
  for (const f of FIXED) {
    const id = Identity.fromSeed(fromHex(f.seed));
    assert.deepEqual(x25519PublicKey(id.staticPrivateKey), id.staticPublicKey);
    assert.equal(toHex(id.staticPublicKey), toHex(nobleEd25519.utils.toMontgomery(id.publicKey)));
    const secret = nobleEd25519.utils.toMontgomerySecret(fromHex(f.seed));
    assert.equal(toHex(nobleX25519.getPublicKey(secret)), toHex(id.staticPublicKey));
  }
  // Two identities agree on a shared secret both ways (the Noise es/se shape).
  const a = Identity.fromSeed(fromHex(FIXED[0]!.seed));
  const b = Identity.fromSeed(fromHex(FIXED[1]!.seed));
  assert.deepEqual(x25519(a.staticPrivateKey, b.staticPublicKey), x25519(b.staticPrivateKey, a.staticPublicKey));
});

test('the same seed gives the same identity; generate() uses the injected random', () => {
  const a = Identity.generate(new SeededRandom(7));
  const b = Identity.generate(new SeededRandom(7));
  const c = Identity.generate();
  assert.equal(a.nodeId, b.nodeId);
  assert.deepEqual(a.staticPublicKey, b.staticPublicKey);
  assert.notEqual(a.nodeId, c.nodeId);
  const seed = a.exportSeed();
  assert.equal(Identity.fromSeed(seed).nodeId, a.nodeId);
  seed.fill(0); // the identity holds its own copy
  assert.equal(Identity.fromSeed(a.exportSeed()).nodeId, a.nodeId);
  assert.throws(() => Identity.fromSeed(new Uint8Array(31)), { code: 'ERR_BAD_KEY' });
});

test('sign and verify; a signature by one identity does not verify for another', () => {
  const a = Identity.fromSeed(fromHex(FIXED[0]!.seed));
  const b = Identity.fromSeed(fromHex(FIXED[1]!.seed));
  const msg = utf8('net-mesh-identity-v1 handshake hash');
  const sig = a.sign(msg);
  assert.ok(a.verify(msg, sig));
  assert.ok(ed25519VerifyStrict(a.publicKey, msg, sig));
  assert.ok(!b.verify(msg, sig));
  assert.ok(!a.verify(utf8('other'), sig));
  assert.ok(Identity.publicKeyMatchesNodeId(a.publicKey, a.nodeId));
  assert.ok(!Identity.publicKeyMatchesNodeId(b.publicKey, a.nodeId));
  assert.ok(!Identity.publicKeyMatchesNodeId(new Uint8Array(5), a.nodeId));
});

test('dispose wipes the secrets and refuses secret use afterwards', () => {
  const id = Identity.fromSeed(fromHex(FIXED[2]!.seed));
  const liveStatic = id.staticPrivateKey;
  assert.ok(liveStatic.some((x) => x !== 0));
  id.dispose();
  id.dispose(); // idempotent
  assert.ok(id.disposed);
  assert.ok(liveStatic.every((x) => x === 0));
  assert.throws(() => id.sign(utf8('x')), ClosedError);
  assert.throws(() => id.exportSeed(), ClosedError);
  assert.throws(() => id.staticPrivateKey, ClosedError);
  // Public values stay usable.
  assert.equal(id.nodeId, FIXED[2]!.nodeId);
});

test('inspect and JSON show public values only', () => {
  const id = Identity.fromSeed(fromHex(FIXED[0]!.seed));
  const shown = `${inspect(id)} ${JSON.stringify(id)}`;
  assert.ok(shown.includes(FIXED[0]!.nodeId.toString(16)));
  assert.ok(!shown.includes('0101010101'));
  assert.ok(!shown.includes(toHex(id.staticPrivateKey)));
});
