import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, ErrorCode } from '../../src/core/index.js';
import {
  MAX_HOPS, ROUTING_HEADER_BYTES, RouteFlag, RoutingHeader, WireStatus, decodeRoutingHeader, decodeRoutingHeaderInto,
  encodeRoutingHeader, encodeRoutingHeaderInto, forwardInPlace, routingId, routingIdOf, wireStatusCode,
} from '../../src/wire/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { U64_EDGES, assertPrefixesShort, assertStatus, decoderInputArb, hex, u32, u64Arb, u8 } from './harness.js';

const SAMPLE = RoutingHeader.from({
  ttl: 0x10, hopCount: 0x02, flags: RouteFlag.CONTROL | RouteFlag.END_OF_STREAM, srcId: 0xa1b2_c3d4,
  destId: 0x0102_0304_0506_0708n,
});
const SAMPLE_BYTES = hex('5254 10 02 09 00 d4c3b2a1 0807060504030201');

const headerArb = fc
  .record({ ttl: u8(), hopCount: u8(), flags: fc.integer({ min: 0, max: 15 }), srcId: u32(), destId: u64Arb() })
  .map((r) => RoutingHeader.from(r));

test('hand-computed layout', () => {
  assert.equal(SAMPLE_BYTES.length, ROUTING_HEADER_BYTES);
  assert.deepEqual(encodeRoutingHeader(SAMPLE), SAMPLE_BYTES);
  assert.deepEqual(decodeRoutingHeader(SAMPLE_BYTES), SAMPLE);
});

test('reserved flag nibble and reserved byte are rejected; bad magic', () => {
  const h = new RoutingHeader();
  for (const [at, v, want] of [
    [4, 0x10, WireStatus.RESERVED], [4, 0x80, WireStatus.RESERVED], [4, 0x0f, WireStatus.OK], [5, 1, WireStatus.RESERVED],
    [0, 0x45, WireStatus.BAD_MAGIC], [1, 0x4e, WireStatus.BAD_MAGIC],
  ] as const) {
    const b = SAMPLE_BYTES.slice();
    b[at] = v;
    assert.equal(decodeRoutingHeaderInto(b, 0, h), want, `byte ${at} = ${v}`);
    assert.equal(forwardInPlace(b, 0), want === WireStatus.OK ? WireStatus.OK : want);
  }
  assert.equal(encodeRoutingHeaderInto(RoutingHeader.from({ flags: 0x10 }), new Uint8Array(18), 0), WireStatus.RESERVED);
  assert.equal(encodeRoutingHeaderInto(RoutingHeader.from({ ttl: 256 }), new Uint8Array(18), 0), WireStatus.VALUE);
  assert.equal(encodeRoutingHeaderInto(SAMPLE, new Uint8Array(17), 0), WireStatus.SHORT);
});

test('forwardInPlace: ttl and hop edges (W9)', () => {
  const cases: [number, number, WireStatus, number, number][] = [
    // ttl, hops on arrival -> status, ttl after, hops after
    [0, 0, WireStatus.EXPIRED, 0, 0],
    [1, 0, WireStatus.OK, 0, 1],
    [2, 5, WireStatus.OK, 1, 6],
    [255, 15, WireStatus.OK, 254, 16],
    [5, 16, WireStatus.HOPS, 5, 16],
    [5, 255, WireStatus.HOPS, 5, 255],
    [0, 255, WireStatus.EXPIRED, 0, 255],
  ];
  for (const [ttl, hops, want, ttlAfter, hopsAfter] of cases) {
    const packet = new Uint8Array(3 + ROUTING_HEADER_BYTES + 68).fill(0x5a);
    assert.equal(encodeRoutingHeaderInto(RoutingHeader.from({ ttl, hopCount: hops, destId: 7n }), packet, 3), WireStatus.OK);
    const tail = packet.slice(3 + ROUTING_HEADER_BYTES);
    assert.equal(forwardInPlace(packet, 3), want, `ttl ${ttl} hops ${hops}`);
    assert.equal(packet[3 + 2], ttlAfter);
    assert.equal(packet[3 + 3], hopsAfter);
    assert.deepEqual(packet.slice(3 + ROUTING_HEADER_BYTES), tail, 'packet behind the header untouched');
    assert.equal(packet[2], 0x5a);
  }
  assert.equal(MAX_HOPS, 16);
  assert.equal(wireStatusCode(WireStatus.EXPIRED), ErrorCode.DecodeLimit);
  // a packet can cross at most `ttl` relays: forwarding a ttl-3 packet succeeds three times, then expires
  const p = encodeRoutingHeader(RoutingHeader.from({ ttl: 3 }));
  assert.deepEqual([1, 2, 3, 4].map(() => forwardInPlace(p, 0)), [0, 0, 0, WireStatus.EXPIRED]);
});

test('routing id is the low 32 bits', () => {
  assert.equal(routingId(0xdead_beef), 0xdead_beef);
  assert.equal(routingId(-1), 0xffff_ffff);
  assert.equal(routingIdOf(0x1234_5678_9abc_def0n), 0x9abc_def0);
  assert.equal(routingIdOf(2n ** 64n - 1n), 0xffff_ffff);
});

test('u64 dest_id round-trips at the edges (W10)', () => {
  for (const v of U64_EDGES) assert.equal(decodeRoutingHeader(encodeRoutingHeader(RoutingHeader.from({ destId: v }))).destId, v);
});

test('every prefix is SHORT', () => {
  const h = new RoutingHeader();
  assertPrefixesShort(SAMPLE_BYTES, (b, n) => decodeRoutingHeaderInto(b.subarray(0, n), 0, h));
  assertPrefixesShort(SAMPLE_BYTES, (b, n) => forwardInPlace(b.slice(0, n), 0));
  assert.throws(() => decodeRoutingHeader(SAMPLE_BYTES.subarray(0, 5)), (e) => e instanceof DecodeError && e.code === ErrorCode.DecodeShort);
});

test('property: round trips', () => {
  const out = new Uint8Array(ROUTING_HEADER_BYTES);
  const back = new RoutingHeader();
  const valid = headerArb.map((h) => encodeRoutingHeader(h));
  fc.assert(
    fc.property(headerArb, (h) => {
      assert.equal(encodeRoutingHeaderInto(h, out, 0), WireStatus.OK);
      assert.equal(decodeRoutingHeaderInto(out, 0, back), WireStatus.OK);
      assert.deepEqual(back, h);
    }),
    fuzzParams(),
  );
  fc.assert(
    fc.property(decoderInputArb(valid, 40), (b) => {
      const status = decodeRoutingHeaderInto(b, 0, back);
      assertStatus(status);
      if (status === WireStatus.OK) {
        assert.equal(encodeRoutingHeaderInto(back, out, 0), WireStatus.OK);
        assert.deepEqual(out, b.subarray(0, ROUTING_HEADER_BYTES));
      }
      const f = b.slice();
      const fs = forwardInPlace(f, 0);
      assertStatus(fs);
      if (fs === WireStatus.OK) {
        assert.equal(f[2], b[2]! - 1);
        assert.equal(f[3], b[3]! + 1);
      } else {
        assert.deepEqual(f, b, 'nothing written on failure');
      }
    }),
    fuzzParams(),
  );
});
