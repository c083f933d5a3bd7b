// XXH3-64 (seed 0) checked against values published outside hash-wasm: xxHash's own sanity table
// (Cyan4973/xxHash cli/xsum_sanity_check.c, commit dde858b9; see test/vectors/PROVENANCE.md). No second xxh3
// implementation is installed, so these published values are the independent check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8 } from '../../src/core/index.js';
import { xxh3_64, xxh3_64Lo, xxh3_64Words } from '../../src/crypto/index.js';

const PRIME32 = 2654435761n;
const PRIME64 = 11400714785074694797n;
const MASK64 = (1n << 64n) - 1n;

/** XSUM_fillTestBuffer: buffer[i] = byteGen >> 56; byteGen *= PRIME64 (mod 2^64), from byteGen = PRIME32. */
function sanityBuffer(len: number): Uint8Array {
  const out = new Uint8Array(len);
  let g = PRIME32;
  for (let i = 0; i < len; i++) {
    out[i] = Number(g >> 56n);
    g = (g * PRIME64) & MASK64;
  }
  return out;
}

// XSUM_testXXH3(sanityBuffer, len, seed = 0, expected): every length bucket of the algorithm.
const SANITY: [number, bigint][] = [
  [0, 0x2d06800538d394c2n],
  [1, 0xc44bdff4074eecdbn],
  [6, 0x27b56a84cd2d7325n],
  [12, 0xa713daf0dfbb77e7n],
  [24, 0xa3fe70bf9d3510ebn],
  [48, 0x397da259ecba1f11n],
  [80, 0xbcdefbbb2c47c90an],
  [195, 0xcd94217ee362ec3an],
  [403, 0xcdeb804d65c6dea4n],
  [512, 0x617e49599013cb6bn],
  [2048, 0xdd59e2c3a5f038e0n],
  [2240, 0x6e73a90539cf2948n],
  [2367, 0xcb37aeb9e5d361edn],
];

test('xxh3_64 matches the xxHash sanity table for every length bucket (seed 0)', () => {
  const buf = sanityBuffer(2367);
  for (const [len, expected] of SANITY) {
    const data = buf.subarray(0, len);
    assert.equal(xxh3_64(data), expected, `len ${len}`);
    const w = xxh3_64Words(data);
    assert.equal(w[0], Number(expected & 0xffffffffn), `lo ${len}`);
    assert.equal(w[1], Number(expected >> 32n), `hi ${len}`);
    assert.equal(xxh3_64Lo(data), Number(expected & 0xffffffffn));
  }
});

test('xxh3_64 of short strings ("", "a", "abc")', () => {
  assert.equal(xxh3_64(utf8('')), 0x2d06800538d394c2n);
  assert.equal(xxh3_64(utf8('a')), 0xe6c632b61e964e1fn);
  assert.equal(xxh3_64(utf8('abc')), 0x78af5f94892f3950n);
});

test('xxh3_64Words writes into the caller buffer', () => {
  const out = new Uint32Array(2);
  assert.equal(xxh3_64Words(utf8('a'), out), out);
  assert.deepEqual([...out], [0x1e964e1f, 0xe6c632b6]);
});
