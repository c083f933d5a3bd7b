// NACK payload and punch keep-alive: the two small exact-length codecs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, ErrorCode, InvalidArgumentError } from '../../src/core/index.js';
import {
  KEEPALIVE_BYTES, Keepalive, NACK_BYTES, NackPayload, WireStatus, decodeKeepalive, decodeKeepaliveInto, decodeNack,
  decodeNackInto, encodeKeepalive, encodeKeepaliveInto, encodeNack, encodeNackInto,
} from '../../src/wire/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { U64_EDGES, assertPrefixesShort, assertStatus, decoderInputArb, hex, u32, u64Arb } from './harness.js';

test('NACK: hand-computed layout and missing sequences', () => {
  const n = NackPayload.from(0x0102_0304_0506_0708n, 0x8000_0000_0000_0005n);
  const bytes = encodeNack(n);
  assert.deepEqual(bytes, hex('0807060504030201 0500000000000080'));
  assert.deepEqual(decodeNack(bytes), n);
  const base = 0x0102_0304_0506_0708n;
  assert.deepEqual(n.missingSequences(), [base, base + 1n, base + 3n, base + 64n]);
  assert.equal(n.isMissingAfter(63), true);
  assert.equal(n.isMissingAfter(64), false);
  // saturates at 2^64 - 1 like the reference
  assert.deepEqual(NackPayload.from(2n ** 64n - 1n, 3n).missingSequences(), [2n ** 64n - 1n, 2n ** 64n - 1n, 2n ** 64n - 1n]);
});

test('NACK: exact length, prefixes, trailing bytes, u64 edges', () => {
  const bytes = encodeNack(NackPayload.from(5n, 6n));
  const out = new NackPayload();
  assertPrefixesShort(bytes, (b, n) => decodeNackInto(b, 0, n, out));
  const long = new Uint8Array(NACK_BYTES + 1);
  assert.equal(decodeNackInto(long, 0, long.length, out), WireStatus.LONG);
  assert.throws(() => decodeNack(long), (e) => e instanceof DecodeError && e.code === ErrorCode.DecodeLong);
  assert.equal(decodeNackInto(long, 1, NACK_BYTES, out), WireStatus.OK);
  assert.equal(decodeNackInto(long, 2, NACK_BYTES, out), WireStatus.SHORT);
  for (const v of U64_EDGES) {
    const back = decodeNack(encodeNack(NackPayload.from(v, v)));
    assert.equal(back.nextExpected, v);
    assert.equal(back.missingBitmap, v);
  }
  const bad = Object.assign(new NackPayload(), { bitmapHi: 2 ** 32 });
  assert.equal(encodeNackInto(bad, new Uint8Array(16), 0), WireStatus.VALUE);
  assert.throws(() => encodeNack(bad), InvalidArgumentError);
});

test('NACK: property round trips', () => {
  const arb = fc.tuple(u64Arb(), u64Arb()).map(([a, b]) => NackPayload.from(a, b));
  const out = new Uint8Array(NACK_BYTES);
  const back = new NackPayload();
  fc.assert(fc.property(arb, (n) => {
    assert.equal(encodeNackInto(n, out, 0), WireStatus.OK);
    assert.equal(decodeNackInto(out, 0, NACK_BYTES, back), WireStatus.OK);
    assert.deepEqual(back, n);
  }), fuzzParams());
  fc.assert(fc.property(decoderInputArb(arb.map(encodeNack), 40), (b) => {
    const s = decodeNackInto(b, 0, b.length, back);
    assertStatus(s);
    if (s === WireStatus.OK) assert.deepEqual(encodeNack(back), b);
    else assert.throws(() => decodeNack(b), DecodeError);
  }), fuzzParams());
});

test('keep-alive: hand-computed layout, magic, exact length', () => {
  const k = Keepalive.from(0x1122_3344_5566_7788n, 0xcafe_f00d);
  const bytes = encodeKeepalive(k);
  assert.deepEqual(bytes, hex('5048 8877665544332211 0df0feca'));
  assert.deepEqual(decodeKeepalive(bytes), k);
  const out = new Keepalive();
  assertPrefixesShort(bytes, (b, n) => decodeKeepaliveInto(b, 0, n, out));
  assert.equal(decodeKeepaliveInto(new Uint8Array([...bytes, 0]), 0, 15, out), WireStatus.LONG);
  const wrong = bytes.slice();
  wrong[1] = 0x49;
  assert.equal(decodeKeepaliveInto(wrong, 0, KEEPALIVE_BYTES, out), WireStatus.BAD_MAGIC);
  for (const v of U64_EDGES) assert.equal(decodeKeepalive(encodeKeepalive(Keepalive.from(v, 1))).senderNodeId, v);
  assert.equal(encodeKeepaliveInto(Object.assign(new Keepalive(), { punchId: -1 }), new Uint8Array(14), 0), WireStatus.VALUE);
  assert.equal(encodeKeepaliveInto(k, new Uint8Array(13), 0), WireStatus.SHORT);
});

test('keep-alive: property round trips', () => {
  const arb = fc.tuple(u64Arb(), u32()).map(([id, p]) => Keepalive.from(id, p));
  const back = new Keepalive();
  fc.assert(fc.property(arb, (k) => {
    assert.deepEqual(decodeKeepalive(encodeKeepalive(k)), k);
  }), fuzzParams());
  fc.assert(fc.property(decoderInputArb(arb.map(encodeKeepalive), 30), (b) => {
    const s = decodeKeepaliveInto(b, 0, b.length, back);
    assertStatus(s);
    if (s === WireStatus.OK) assert.deepEqual(encodeKeepalive(back), b);
    else assert.throws(() => decodeKeepalive(b), DecodeError);
  }), fuzzParams());
});
