// BLAKE3 against the official test vectors: hash and keyed_hash (derive_key is not offered), the full 131-byte XOF output and
// the 32-byte default (test/vectors/PROVENANCE.md).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { toHex, utf8 } from '../../src/core/index.js';
import {
  BLAKE3_MAX_OUT_BYTES, blake3, blake3Keyed, ensureBlake3OutputLength,
} from '../../src/crypto/index.js';

interface Blake3Vectors {
  key: string;
  context_string: string;
  cases: { input_len: number; hash: string; keyed_hash: string; derive_key: string }[];
}

const file = JSON.parse(readFileSync(new URL('../vectors/blake3/test_vectors.json', import.meta.url), 'utf8')) as Blake3Vectors;
const XOF = 131;

function input(len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = i % 251;
  return out;
}

before(async () => {
  await ensureBlake3OutputLength(XOF);
});

test('BLAKE3 official vectors: all 35 cases, hash and keyed_hash, 131-byte XOF and 32-byte default', () => {
  assert.equal(file.cases.length, 35);
  const key = utf8(file.key);
  assert.equal(key.length, 32);
  for (const c of file.cases) {
    const data = input(c.input_len);
    const label = `input_len ${c.input_len}`;
    assert.equal(toHex(blake3(data, XOF)), c.hash, `hash ${label}`);
    assert.equal(toHex(blake3(data)), c.hash.slice(0, 64), `hash/32 ${label}`);
    assert.equal(toHex(blake3Keyed(key, data, XOF)), c.keyed_hash, `keyed ${label}`);
    assert.equal(toHex(blake3Keyed(key, data)), c.keyed_hash.slice(0, 64), `keyed/32 ${label}`);
  }
});

test('hash and keyed modes interleave without leaking state into each other', () => {
  const key = utf8(file.key);
  const data = input(1025);
  const c = file.cases.find((x) => x.input_len === 1025)!;
  for (let i = 0; i < 3; i++) {
    assert.equal(toHex(blake3(data)), c.hash.slice(0, 64));
    assert.equal(toHex(blake3Keyed(key, data)), c.keyed_hash.slice(0, 64));
  }
});


test('unprepared or out-of-range lengths and wrong key sizes are refused', () => {
  assert.throws(() => blake3(new Uint8Array(1), 17), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => blake3(new Uint8Array(1), 0), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => blake3(new Uint8Array(1), BLAKE3_MAX_OUT_BYTES + 1), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => blake3Keyed(new Uint8Array(31), new Uint8Array(1)), { code: 'ERR_INVALID_ARGUMENT' });
});
