// constantTimeEqual / wipe: behaviour only (timing is libsodium's sodium_memcmp and not measured here: a timing
// assertion on a shared CI machine would be flaky without proving anything).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { constantTimeEqual, wipe } from '../../src/crypto/index.js';

test('equal buffers compare equal; any single-byte difference, at any position, does not', () => {
  for (const len of [1, 16, 32, 64, 1000]) {
    const a = Uint8Array.from({ length: len }, (_, i) => (i * 37 + 11) & 0xff);
    assert.ok(constantTimeEqual(a, a.slice()));
    for (let i = 0; i < len; i++) {
      const b = a.slice();
      b[i]! ^= 0x80;
      assert.equal(constantTimeEqual(a, b), false, `len ${len} pos ${i}`);
    }
  }
  assert.ok(constantTimeEqual(new Uint8Array(0), new Uint8Array(0)));
});

test('different lengths are unequal, including a prefix', () => {
  const a = new Uint8Array(32).fill(5);
  assert.equal(constantTimeEqual(a, a.subarray(0, 31)), false);
  assert.equal(constantTimeEqual(a.subarray(0, 0), a), false);
});

test('views into larger buffers compare by their own bytes only', () => {
  const big = new Uint8Array(100);
  big.set([1, 2, 3, 4], 10);
  big.set([1, 2, 3, 4], 50);
  assert.ok(constantTimeEqual(big.subarray(10, 14), big.subarray(50, 54)));
  assert.equal(constantTimeEqual(big.subarray(10, 14), big.subarray(49, 53)), false);
});

test('property: agrees with a plain comparison', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 48 }), fc.uint8Array({ maxLength: 48 }), fc.boolean(), (a, b, same) => {
      const other = same ? a.slice() : b;
      const plain = a.length === other.length && a.every((x, i) => x === other[i]);
      assert.equal(constantTimeEqual(a, other), plain);
    }),
    { seed: 0x5eed, numRuns: 2_000 },
  );
});

test('wipe zeroes the bytes of a view and nothing around it', () => {
  const buf = new Uint8Array(16).fill(0xaa);
  wipe(buf.subarray(4, 12));
  assert.deepEqual([...buf], [0xaa, 0xaa, 0xaa, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xaa, 0xaa, 0xaa]);
});
