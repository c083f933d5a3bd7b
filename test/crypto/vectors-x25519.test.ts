// X25519 against every Wycheproof XDH case (test/vectors/PROVENANCE.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CryptoError, ErrorCode, fromHex, toHex } from '../../src/core/index.js';
import { x25519 } from '../../src/crypto/index.js';

interface WycheproofXdh {
  numberOfTests: number;
  testGroups: { curve: string; tests: { tcId: number; public: string; private: string; shared: string; result: string; flags: string[] }[] }[];
}

const file = JSON.parse(readFileSync(new URL('../vectors/wycheproof/x25519_test.json', import.meta.url), 'utf8')) as WycheproofXdh;
const ZERO = '0'.repeat(64);

test('Wycheproof X25519: valid and non-zero acceptable match; all-zero shared secrets throw ERR_BAD_KEY', () => {
  const counts = { valid: 0, acceptable: 0, lowOrder: 0 };
  for (const g of file.testGroups) {
    assert.equal(g.curve, 'curve25519');
    for (const t of g.tests) {
      const label = `tcId ${t.tcId} ${t.flags.join(',')}`;
      const priv = fromHex(t.private);
      const pub = fromHex(t.public);
      if (t.shared === ZERO) {
        assert.equal(t.result, 'acceptable', label);
        assert.throws(() => x25519(priv, pub), (e: unknown) => e instanceof CryptoError && e.code === ErrorCode.BadKey, label);
        counts.lowOrder++;
      } else {
        assert.notEqual(t.result, 'invalid', label);
        assert.equal(toHex(x25519(priv, pub)), t.shared, label);
        if (t.result === 'valid') counts.valid++;
        else counts.acceptable++;
      }
    }
  }
  assert.deepEqual(counts, { valid: 264, acceptable: 223, lowOrder: 31 });
  assert.equal(counts.valid + counts.acceptable + counts.lowOrder, file.numberOfTests);
});

test('X25519 refuses wrong key sizes with ERR_BAD_KEY', () => {
  const isBadKey = (e: unknown): boolean => e instanceof CryptoError && e.code === ErrorCode.BadKey;
  assert.throws(() => x25519(new Uint8Array(31), new Uint8Array(32).fill(9)), isBadKey);
  assert.throws(() => x25519(new Uint8Array(32), new Uint8Array(33)), isBadKey);
});
