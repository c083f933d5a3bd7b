import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  DatagramKind, HEADER_BYTES, Keepalive, MIN_ROUTED_BYTES, PINGWAVE_BYTES, RoutingHeader, classifyDatagram, encodeHandshakePacket,
  encodeKeepalive, encodeRoutingHeader,
} from '../../src/wire/index.js';
import { fuzzParams } from '../support/fuzz.js';

function withPrefix(a: number, b: number, length: number): Uint8Array {
  const d = new Uint8Array(length);
  if (length > 0) d[0] = a;
  if (length > 1) d[1] = b;
  return d;
}

test('reference order: keep-alive, pingwave, routed, direct', () => {
  assert.equal(classifyDatagram(encodeKeepalive(Keepalive.from(1n, 2))), DatagramKind.KEEPALIVE);
  assert.equal(classifyDatagram(withPrefix(0x50, 0x48, 15)), DatagramKind.UNKNOWN);
  assert.equal(classifyDatagram(withPrefix(0x45, 0x4e, 14)), DatagramKind.DIRECT); // then fails header decode (SHORT)
  assert.equal(classifyDatagram(withPrefix(0x00, 0x00, PINGWAVE_BYTES)), DatagramKind.PINGWAVE);
  assert.equal(classifyDatagram(withPrefix(0x52, 0x54, PINGWAVE_BYTES)), DatagramKind.PINGWAVE); // 72 < 86
  assert.equal(classifyDatagram(withPrefix(0x50, 0x48, PINGWAVE_BYTES)), DatagramKind.PINGWAVE);
  assert.equal(classifyDatagram(withPrefix(0x45, 0x4e, PINGWAVE_BYTES)), DatagramKind.DIRECT);
  const routed = new Uint8Array(MIN_ROUTED_BYTES);
  routed.set(encodeRoutingHeader(RoutingHeader.from({ ttl: 4, destId: 9n })));
  assert.equal(MIN_ROUTED_BYTES, 18 + HEADER_BYTES);
  assert.equal(classifyDatagram(routed), DatagramKind.ROUTED);
  assert.equal(classifyDatagram(routed.subarray(0, MIN_ROUTED_BYTES - 1)), DatagramKind.UNKNOWN);
  assert.equal(classifyDatagram(encodeHandshakePacket(new Uint8Array(48))), DatagramKind.DIRECT);
  assert.equal(classifyDatagram(new Uint8Array(0)), DatagramKind.UNKNOWN);
  assert.equal(classifyDatagram(new Uint8Array([0x45])), DatagramKind.UNKNOWN);
  assert.equal(classifyDatagram(withPrefix(0x4e, 0x45, 100)), DatagramKind.UNKNOWN);
});

test('offset and length select the datagram inside a larger buffer', () => {
  const buf = new Uint8Array(200);
  buf.set(encodeKeepalive(Keepalive.from(1n, 2)), 10);
  assert.equal(classifyDatagram(buf, 10, 14), DatagramKind.KEEPALIVE);
  assert.equal(classifyDatagram(buf, 10, 15), DatagramKind.UNKNOWN);
  assert.equal(classifyDatagram(buf, 190, 14), DatagramKind.UNKNOWN); // range leaves the buffer
  assert.equal(classifyDatagram(buf, -1, 14), DatagramKind.UNKNOWN);
});

test('property: a kind for any bytes, consistent with the rules', () => {
  const arb = fc.tuple(fc.constantFrom(0, 1, 2, 13, 14, 15, 71, 72, 73, 85, 86, 87, 300), fc.constantFrom(
    [0x50, 0x48], [0x45, 0x4e], [0x52, 0x54], [0, 0], [0x4e, 0x45], [0x54, 0x52],
  ), fc.uint8Array({ maxLength: 300 }));
  fc.assert(fc.property(arb, ([len, [a, b], fill]) => {
    const d = new Uint8Array(len);
    d.set(fill.subarray(0, len));
    if (len > 0) d[0] = a!;
    if (len > 1) d[1] = b!;
    const k = classifyDatagram(d);
    const first = len >= 2 ? a! | (b! << 8) : -1;
    const want = len < 2 ? DatagramKind.UNKNOWN
      : len === 14 && first === 0x4850 ? DatagramKind.KEEPALIVE
      : len === 72 && first !== 0x4e45 ? DatagramKind.PINGWAVE
      : first === 0x5452 && len >= 86 ? DatagramKind.ROUTED
      : first === 0x4e45 ? DatagramKind.DIRECT : DatagramKind.UNKNOWN;
    assert.equal(k, want);
  }), fuzzParams());
});
