import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, ErrorCode, InvalidArgumentError } from '../../src/core/index.js';
import {
  HEADER_BYTES, MAX_EVENTS_PER_PACKET, MAX_PAYLOAD_SIZE, PacketHeader, WireStatus, checkHeader,
  decodeHeader, decodeHeaderInto, encodeHeader, encodeHeaderInto,
} from '../../src/wire/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { SAMPLE, SAMPLE_BYTES } from './samples.js';
import { U64_EDGES, assertPrefixesShort, assertStatus, decoderInputArb, u16, u32, u64Arb, u8 } from './harness.js';

const headerArb: fc.Arbitrary<PacketHeader> = fc
  .record({
    flags: fc.integer({ min: 0, max: 0x3f }), priority: u8(), hopTtl: u8(), hopCount: u8(), fragFlags: u8(),
    subprotocolId: u16(), channelHash: u16(), nonce: fc.uint8Array({ minLength: 12, maxLength: 12 }),
    sessionId: u64Arb(), streamId: u64Arb(), sequence: u64Arb(), originHash: u64Arb(), subnetId: u32(),
    fragmentId: u16(), fragmentOffset: u16(), payloadLen: fc.integer({ min: 0, max: MAX_PAYLOAD_SIZE }),
    eventCount: fc.integer({ min: 0, max: MAX_EVENTS_PER_PACKET }),
  })
  .map((init) => PacketHeader.from(init));

test('hand-computed layout: every field at its offset', () => {
  assert.equal(SAMPLE_BYTES.length, HEADER_BYTES);
  const h = PacketHeader.from(SAMPLE);
  assert.deepEqual(encodeHeader(h), SAMPLE_BYTES);
  const back = decodeHeader(SAMPLE_BYTES);
  assert.deepEqual(back.toInit(), h.toInit());
  assert.equal(back.sessionLo, 0x90ab_cdef);
  assert.equal(back.sessionHi, 0x1234_5678);
  assert.equal(back.noncePrefix, 0x1312_1110);
  assert.equal(back.nonceCounter, 0x1b1a_1918_1716_1514n);
  // magic 0x4E45 is stored little-endian: "EN" on the wire
  assert.deepEqual([...SAMPLE_BYTES.subarray(0, 2)], [0x45, 0x4e]);
});

test('encode at an offset and decode at an offset', () => {
  const buf = new Uint8Array(HEADER_BYTES + 10).fill(0xee);
  assert.equal(encodeHeaderInto(PacketHeader.from(SAMPLE), buf, 5), WireStatus.OK);
  assert.deepEqual(buf.subarray(5, 5 + HEADER_BYTES), SAMPLE_BYTES);
  assert.equal(buf[4], 0xee);
  assert.equal(buf[5 + HEADER_BYTES], 0xee);
  const h = new PacketHeader();
  assert.equal(decodeHeaderInto(buf, 5, h), WireStatus.OK);
  assert.equal(h.sessionId, SAMPLE.sessionId);
  assert.equal(encodeHeaderInto(h, buf, 11), WireStatus.SHORT);
  assert.equal(decodeHeaderInto(buf, 11, h), WireStatus.SHORT);
  assert.equal(decodeHeaderInto(buf, -1, h), WireStatus.SHORT);
  assert.equal(decodeHeaderInto(buf, 0.5, h), WireStatus.SHORT);
});

test('validation: magic, version, reserved flags, limits (W3)', () => {
  const h = new PacketHeader();
  const cases: [number, number, WireStatus][] = [
    [0, 0x4e, WireStatus.BAD_MAGIC], [1, 0x45, WireStatus.BAD_MAGIC], [2, 0, WireStatus.BAD_VERSION],
    [2, 2, WireStatus.BAD_VERSION], [3, 0x40, WireStatus.RESERVED], [3, 0x80, WireStatus.RESERVED],
    [3, 0xff, WireStatus.RESERVED],
  ];
  for (const [at, v, want] of cases) {
    const b = SAMPLE_BYTES.slice();
    b[at] = v;
    const before = h.toInit();
    assert.equal(decodeHeaderInto(b, 0, h), want, `byte ${at} = ${v}`);
    assert.deepEqual(h.toInit(), before, 'out untouched on failure');
  }
  for (const bit of [0x01, 0x02, 0x04, 0x08, 0x10, 0x20]) {
    const b = SAMPLE_BYTES.slice();
    b[3] = bit;
    assert.equal(decodeHeaderInto(b, 0, h), WireStatus.OK);
  }
  const limits: [number, number, WireStatus][] = [
    [64, MAX_PAYLOAD_SIZE, WireStatus.OK], [64, MAX_PAYLOAD_SIZE + 1, WireStatus.LIMIT], [64, 0xffff, WireStatus.LIMIT],
    [66, MAX_EVENTS_PER_PACKET, WireStatus.OK], [66, MAX_EVENTS_PER_PACKET + 1, WireStatus.LIMIT],
    [66, 0xffff, WireStatus.LIMIT],
  ];
  for (const [at, v, want] of limits) {
    const b = SAMPLE_BYTES.slice();
    b[at] = v & 0xff;
    b[at + 1] = v >>> 8;
    assert.equal(decodeHeaderInto(b, 0, h), want, `u16 at ${at} = ${v}`);
  }
  assert.equal(MAX_PAYLOAD_SIZE, 8108);
  assert.equal(MAX_EVENTS_PER_PACKET, 2027);
});

test('encoder refuses what the decoder refuses', () => {
  const out = new Uint8Array(HEADER_BYTES);
  const bad: [Partial<PacketHeader>, WireStatus][] = [
    [{ flags: 0x40 }, WireStatus.RESERVED], [{ flags: 0x100 }, WireStatus.VALUE], [{ priority: -1 }, WireStatus.VALUE],
    [{ hopTtl: 1.5 }, WireStatus.VALUE], [{ subprotocolId: 0x10000 }, WireStatus.VALUE], [{ sessionLo: 2 ** 32 }, WireStatus.VALUE],
    [{ originHi: -1 }, WireStatus.VALUE], [{ subnetId: NaN }, WireStatus.VALUE], [{ payloadLen: MAX_PAYLOAD_SIZE + 1 }, WireStatus.LIMIT],
    [{ eventCount: MAX_EVENTS_PER_PACKET + 1 }, WireStatus.LIMIT],
  ];
  for (const [patch, want] of bad) {
    const h = Object.assign(PacketHeader.from(SAMPLE), patch);
    out.fill(0x77);
    assert.equal(checkHeader(h), want, JSON.stringify(patch));
    assert.equal(encodeHeaderInto(h, out, 0), want);
    assert.ok(out.every((x) => x === 0x77), 'nothing written on failure');
    assert.throws(() => encodeHeader(h), InvalidArgumentError);
  }
  assert.throws(() => PacketHeader.from({ sessionId: -1n }), InvalidArgumentError);
  assert.throws(() => PacketHeader.from({ sessionId: 2n ** 64n }), InvalidArgumentError);
  assert.throws(() => PacketHeader.from({ nonce: new Uint8Array(11) }), InvalidArgumentError);
});

test('u64 fields round-trip exactly at 2^53-1, 2^53, 2^53+1, 2^64-1 (W10)', () => {
  for (const v of U64_EDGES) {
    const h = PacketHeader.from({ sessionId: v, streamId: v, sequence: v, originHash: v });
    h.nonceCounter = v;
    const back = decodeHeader(encodeHeader(h));
    assert.equal(back.sessionId, v);
    assert.equal(back.streamId, v);
    assert.equal(back.sequence, v);
    assert.equal(back.originHash, v);
    assert.equal(back.nonceCounter, v);
  }
});

test('every prefix is SHORT (W1)', () => {
  const h = new PacketHeader();
  assertPrefixesShort(SAMPLE_BYTES, (b, n) => decodeHeaderInto(b.subarray(0, n), 0, h));
  assert.throws(() => decodeHeader(SAMPLE_BYTES.subarray(0, 67)), (e) => e instanceof DecodeError && e.code === ErrorCode.DecodeShort);
});

test('property: decode(encode(h)) == h', () => {
  const out = new Uint8Array(HEADER_BYTES);
  const back = new PacketHeader();
  fc.assert(
    fc.property(headerArb, (h) => {
      assert.equal(encodeHeaderInto(h, out, 0), WireStatus.OK);
      assert.equal(decodeHeaderInto(out, 0, back), WireStatus.OK);
      assert.deepEqual(back, h);
    }),
    fuzzParams(),
  );
});

test('property: any bytes give a status; accepted bytes re-encode identically', () => {
  const h = new PacketHeader();
  const out = new Uint8Array(HEADER_BYTES);
  const valid = headerArb.map((x) => encodeHeader(x));
  fc.assert(
    fc.property(decoderInputArb(valid, 96), (b) => {
      const status = decodeHeaderInto(b, 0, h);
      assertStatus(status);
      if (status === WireStatus.OK) {
        assert.equal(encodeHeaderInto(h, out, 0), WireStatus.OK);
        assert.deepEqual(out, b.subarray(0, HEADER_BYTES));
      } else {
        assert.throws(() => decodeHeader(b), DecodeError);
      }
    }),
    fuzzParams(),
  );
});

test('reset and copyFrom', () => {
  const a = PacketHeader.from(SAMPLE);
  const b = new PacketHeader().copyFrom(a);
  assert.deepEqual(b, a);
  b.reset();
  assert.deepEqual(b, new PacketHeader());
});
