import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, InvalidArgumentError, u64Hi, u64Lo } from '../../src/core/index.js';
import {
  HANDSHAKE_MSG1_DIRECT_BYTES, HANDSHAKE_MSG1_ROUTED_BYTES, HANDSHAKE_MSG2_BYTES, HEADER_BYTES, HEARTBEAT_PACKET_BYTES,
  PacketHeader, TAG_BYTES, WireStatus, checkHandshakePacket, decodeHandshakePacket, decodeHeartbeatInto,
  encodeHandshakePacket, encodeHandshakePacketInto, encodeHeaderInto, encodeHeartbeatInto,
} from '../../src/wire/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { U64_EDGES, assertPrefixesShort, assertStatus, decoderInputArb, hex, u64Arb } from './harness.js';

const ZERO_TAIL = '00'.repeat(60 - 4); // header bytes 4..60: all zero

test('handshake packet: hand-computed header, 48 and 56 byte messages', () => {
  assert.equal(HANDSHAKE_MSG1_DIRECT_BYTES, 48);
  assert.equal(HANDSHAKE_MSG1_ROUTED_BYTES, 56);
  assert.equal(HANDSHAKE_MSG2_BYTES, 48);
  for (const len of [48, 56]) {
    const msg = new Uint8Array(len).map((_, i) => i + 1);
    const packet = encodeHandshakePacket(msg);
    const lenHex = len === 48 ? '3000' : '3800';
    assert.deepEqual(packet.subarray(0, HEADER_BYTES), hex(`454e 01 10 ${ZERO_TAIL} 00000000 ${lenHex} 0000`));
    assert.deepEqual(packet.subarray(HEADER_BYTES), msg);
    assert.equal(checkHandshakePacket(packet, 0, packet.length), WireStatus.OK);
    assert.deepEqual(decodeHandshakePacket(packet), msg);
    assertPrefixesShort(packet, (b, n) => checkHandshakePacket(b, 0, n));
    assert.equal(checkHandshakePacket(new Uint8Array([...packet, 0]), 0, packet.length + 1), WireStatus.LONG);
  }
});

test('handshake packet: shape violations', () => {
  const packet = encodeHandshakePacket(new Uint8Array(48));
  const cases: [number, number, WireStatus][] = [
    [3, 0x11, WireStatus.VALUE], [3, 0x20, WireStatus.VALUE], [3, 0x50, WireStatus.RESERVED], [2, 2, WireStatus.BAD_VERSION],
    [0, 0, WireStatus.BAD_MAGIC], [24, 1, WireStatus.VALUE], [12, 1, WireStatus.VALUE], [6, 1, WireStatus.VALUE],
    [66, 1, WireStatus.VALUE], [64, 47, WireStatus.LENGTH], [64, 57, WireStatus.LENGTH], [65, 1, WireStatus.LENGTH],
  ];
  for (const [at, v, want] of cases) {
    const b = packet.slice();
    b[at] = v;
    assert.equal(checkHandshakePacket(b, 0, b.length), want, `byte ${at} = ${v}`);
    assert.throws(() => decodeHandshakePacket(b), DecodeError);
  }
  const big = packet.slice();
  big[64] = 56; // claims 56 bytes, 48 present
  assert.equal(checkHandshakePacket(big, 0, big.length), WireStatus.SHORT);
  assert.equal(encodeHandshakePacketInto(new Uint8Array(47), new Uint8Array(200), 0), WireStatus.LENGTH);
  assert.equal(encodeHandshakePacketInto(new Uint8Array(48), new Uint8Array(115), 0), WireStatus.SHORT);
  assert.throws(() => encodeHandshakePacket(new Uint8Array(64)), InvalidArgumentError);
});

test('handshake packet: property', () => {
  const valid = fc.oneof(fc.uint8Array({ minLength: 48, maxLength: 48 }), fc.uint8Array({ minLength: 56, maxLength: 56 }))
    .map(encodeHandshakePacket);
  fc.assert(fc.property(decoderInputArb(valid, 140), (b) => {
    const s = checkHandshakePacket(b, 0, b.length);
    assertStatus(s);
    if (s === WireStatus.OK) assert.deepEqual(encodeHandshakePacket(decodeHandshakePacket(b)), b);
    else assert.throws(() => decodeHandshakePacket(b), DecodeError);
  }), fuzzParams());
});

function heartbeat(session: bigint, counter: bigint, tagByte = 0xcc): Uint8Array {
  const b = new Uint8Array(HEARTBEAT_PACKET_BYTES);
  assert.equal(encodeHeartbeatInto(u64Lo(session), u64Hi(session), b, 0), WireStatus.OK);
  // what the sealer does afterwards: nonce prefix and counter, then the tag
  b.set(hex('a1a2a3a4'), 12);
  b.set(hex(counter.toString(16).padStart(16, '0')).reverse(), 16);
  b.fill(tagByte, HEADER_BYTES);
  return b;
}

test('heartbeat: hand-computed layout, 84 bytes', () => {
  const skeleton = new Uint8Array(HEARTBEAT_PACKET_BYTES).fill(0xff);
  assert.equal(encodeHeartbeatInto(0x90ab_cdef, 0x1234_5678, skeleton, 0), WireStatus.OK);
  assert.deepEqual(skeleton, hex(`454e 01 20 ${'00'.repeat(20)} efcdab9078563412 ${'00'.repeat(36)} ${'00'.repeat(TAG_BYTES)}`));
  const b = heartbeat(0x1234_5678_90ab_cdefn, 7n);
  const h = new PacketHeader();
  assert.equal(decodeHeartbeatInto(b, 0, b.length, h), WireStatus.OK);
  assert.equal(h.sessionId, 0x1234_5678_90ab_cdefn);
  assert.equal(h.nonceCounter, 7n);
  assert.equal(h.noncePrefix, 0xa4a3_a2a1);
  assertPrefixesShort(b, (x, n) => decodeHeartbeatInto(x, 0, n, h));
  assert.equal(decodeHeartbeatInto(new Uint8Array([...b, 0]), 0, 85, h), WireStatus.LONG);
  assert.equal(encodeHeartbeatInto(0, 0, new Uint8Array(83), 0), WireStatus.SHORT);
  assert.equal(encodeHeartbeatInto(2 ** 32, 0, new Uint8Array(84), 0), WireStatus.VALUE);
  for (const v of U64_EDGES) {
    assert.equal(decodeHeartbeatInto(heartbeat(v, v), 0, 84, h), WireStatus.OK);
    assert.equal(h.sessionId, v);
    assert.equal(h.nonceCounter, v);
  }
});

test('heartbeat: shape violations', () => {
  const h = new PacketHeader();
  const cases: [number, number, WireStatus][] = [
    [3, 0x21, WireStatus.VALUE], [3, 0x10, WireStatus.VALUE], [3, 0x60, WireStatus.RESERVED], [64, 1, WireStatus.LENGTH],
    [66, 1, WireStatus.VALUE], [32, 1, WireStatus.VALUE], [4, 1, WireStatus.VALUE], [6, 1, WireStatus.VALUE], [56, 9, WireStatus.VALUE],
  ];
  for (const [at, v, want] of cases) {
    const b = heartbeat(1n, 1n);
    b[at] = v;
    assert.equal(decodeHeartbeatInto(b, 0, b.length, h), want, `byte ${at} = ${v}`);
  }
});

test('heartbeat: property', () => {
  const valid = fc.tuple(u64Arb(), u64Arb(), fc.integer({ min: 0, max: 255 })).map(([s, c, t]) => heartbeat(s, c, t));
  const h = new PacketHeader();
  const out = new Uint8Array(HEARTBEAT_PACKET_BYTES);
  fc.assert(fc.property(decoderInputArb(valid, 120), (b) => {
    const s = decodeHeartbeatInto(b, 0, b.length, h);
    assertStatus(s);
    if (s === WireStatus.OK) {
      assert.equal(encodeHeaderInto(h, out, 0), WireStatus.OK);
      out.set(b.subarray(HEADER_BYTES), HEADER_BYTES);
      assert.deepEqual(out, b);
    }
  }), fuzzParams());
});
