import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, ErrorCode, InvalidArgumentError } from '../../src/core/index.js';
import {
  TOKEN_BYTES, TOKEN_SIGNED_BYTES, TokenScope, WireStatus, checkToken, decodeToken, encodeToken, encodeTokenSignedPayload,
  type PermissionToken,
} from '../../src/wire/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { U64_EDGES, assertPrefixesShort, assertStatus, decoderInputArb, hex, u32, u64Arb, u8 } from './harness.js';

const SAMPLE: PermissionToken = {
  issuer: new Uint8Array(32).fill(0x11),
  subject: new Uint8Array(32).fill(0x22),
  scope: TokenScope.PUBLISH | TokenScope.SUBSCRIBE | TokenScope.DELEGATE, // 0x0b
  channelHash: 0x0102_0304_0506_0708n,
  issuerGeneration: 0x0a0b_0c0d,
  notBefore: 1_700_000_000n, // 0x6553f100
  notAfter: 1_700_003_600n, // 0x6553ff10
  delegationDepth: 3,
  nonce: 0xfedc_ba98_7654_3210n,
  signature: new Uint8Array(64).fill(0x33),
};
const SAMPLE_BYTES = hex(`${'11'.repeat(32)} ${'22'.repeat(32)} 0b000000 0807060504030201 0d0c0b0a
  00f1536500000000 10ff536500000000 03 1032547698badcfe ${'33'.repeat(64)}`);

const tokenArb: fc.Arbitrary<PermissionToken> = fc.record({
  issuer: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  subject: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  scope: fc.integer({ min: 0, max: 0x1f }),
  channelHash: u64Arb(),
  issuerGeneration: u32(),
  notBefore: u64Arb(),
  notAfter: u64Arb(),
  delegationDepth: u8(),
  nonce: u64Arb(),
  signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
});

test('hand-computed layout; signed payload is the first 105 bytes', () => {
  assert.equal(SAMPLE_BYTES.length, TOKEN_BYTES);
  assert.deepEqual(encodeToken(SAMPLE), SAMPLE_BYTES);
  assert.deepEqual(decodeToken(SAMPLE_BYTES), SAMPLE);
  assert.deepEqual(encodeTokenSignedPayload(SAMPLE), SAMPLE_BYTES.subarray(0, TOKEN_SIGNED_BYTES));
  assert.equal(TOKEN_SIGNED_BYTES, 105);
  // decoded byte arrays are copies
  const t = decodeToken(SAMPLE_BYTES);
  t.issuer[0] = 0;
  assert.equal(SAMPLE_BYTES[0], 0x11);
});

test('exact length, unknown scope bits, u64 edges', () => {
  assertPrefixesShort(SAMPLE_BYTES, (b, n) => checkToken(b, 0, n));
  const long = new Uint8Array([...SAMPLE_BYTES, 0]);
  assert.equal(checkToken(long, 0, long.length), WireStatus.LONG);
  assert.throws(() => decodeToken(long), (e) => e instanceof DecodeError && e.code === ErrorCode.DecodeLong);
  for (const bit of [0x20, 0x80, 0x100, 0x8000_0000]) {
    const b = SAMPLE_BYTES.slice();
    new DataView(b.buffer).setUint32(64, 0x0b | bit, true);
    assert.equal(checkToken(b, 0, b.length), WireStatus.RESERVED, `scope bit ${bit}`);
    assert.throws(() => encodeToken({ ...SAMPLE, scope: 0x0b | bit }), InvalidArgumentError);
  }
  for (const v of U64_EDGES) {
    const t = { ...SAMPLE, channelHash: v, notBefore: v, notAfter: v, nonce: v };
    assert.deepEqual(decodeToken(encodeToken(t)), t);
  }
  for (const patch of [{ issuer: new Uint8Array(31) }, { signature: new Uint8Array(63) }, { delegationDepth: 256 },
    { issuerGeneration: -1 }, { nonce: 2n ** 64n }, { notAfter: -1n }]) {
    assert.throws(() => encodeToken({ ...SAMPLE, ...patch }), InvalidArgumentError, JSON.stringify(Object.keys(patch)));
  }
});

test('property: round trips', () => {
  fc.assert(fc.property(tokenArb, (t) => assert.deepEqual(decodeToken(encodeToken(t)), { ...t })), fuzzParams());
  fc.assert(fc.property(decoderInputArb(tokenArb.map(encodeToken), 200), (b) => {
    const s = checkToken(b, 0, b.length);
    assertStatus(s);
    if (s === WireStatus.OK) assert.deepEqual(encodeToken(decodeToken(b)), b);
    else assert.throws(() => decodeToken(b), DecodeError);
  }), fuzzParams());
});
