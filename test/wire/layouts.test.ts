// The exported layout tables describe what the encoders actually write: for every field, an encoding that
// differs from a baseline only in that field differs only inside the field's byte range.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AAD_BYTES, AAD_LAYOUT, EVENT_FRAME_LAYOUT, HANDSHAKE_PACKET_LAYOUT, HEADER_BYTES, HEARTBEAT_PACKET_BYTES,
  HEARTBEAT_PACKET_LAYOUT, KEEPALIVE_BYTES, KEEPALIVE_LAYOUT, Keepalive, NACK_BYTES, NACK_LAYOUT, NackPayload,
  PACKET_HEADER_LAYOUT, PINGWAVE_BYTES, PINGWAVE_LAYOUT, PacketHeader, ROUTING_HEADER_BYTES, ROUTING_HEADER_LAYOUT,
  RoutingHeader, TOKEN_BYTES, TOKEN_LAYOUT, encodeHeader, encodeKeepalive, encodeNack, encodeRoutingHeader, encodeToken,
  fieldOffset, layoutBytes, writeAad, type Layout, type PermissionToken,
} from '../../src/wire/index.js';
import { changedOffsets, hex } from './harness.js';

function assertContiguous(layout: Layout, total: number): void {
  let at = 0;
  for (const f of layout) {
    assert.equal(f.offset, at, `${f.field} offset`);
    at += f.size ?? 0;
  }
  assert.equal(layoutBytes(layout), total);
}

/** `encode(field)` differs from `encode(null)` exactly within the field's range (at least one byte changed). */
function assertFieldsLand(layout: Layout, encode: (field: string | null) => Uint8Array, skip: string[] = []): void {
  const base = encode(null);
  for (const f of layout) {
    if (skip.includes(f.field)) continue;
    const changed = changedOffsets(encode(f.field), base);
    assert.ok(changed.length > 0, `${f.field}: no byte changed`);
    for (const i of changed) assert.ok(i >= f.offset && i < f.offset + (f.size ?? 0), `${f.field}: byte ${i} outside`);
  }
}

test('layouts are contiguous and sum to their sizes', () => {
  assertContiguous(PACKET_HEADER_LAYOUT, HEADER_BYTES);
  assertContiguous(AAD_LAYOUT, AAD_BYTES);
  assertContiguous(ROUTING_HEADER_LAYOUT, ROUTING_HEADER_BYTES);
  assertContiguous(NACK_LAYOUT, NACK_BYTES);
  assertContiguous(KEEPALIVE_LAYOUT, KEEPALIVE_BYTES);
  assertContiguous(TOKEN_LAYOUT, TOKEN_BYTES);
  assertContiguous(HEARTBEAT_PACKET_LAYOUT, HEARTBEAT_PACKET_BYTES);
  assertContiguous(PINGWAVE_LAYOUT, PINGWAVE_BYTES);
  assertContiguous(HANDSHAKE_PACKET_LAYOUT, HEADER_BYTES);
  assertContiguous(EVENT_FRAME_LAYOUT, 4);
  assert.equal(fieldOffset(PACKET_HEADER_LAYOUT, 'payload_len'), 64);
  assert.throws(() => fieldOffset(PACKET_HEADER_LAYOUT, 'nope'));
});

const HEADER_SETTERS: Record<string, (h: PacketHeader) => void> = {
  flags: (h) => (h.flags = 0x3f), priority: (h) => (h.priority = 0xff), hop_ttl: (h) => (h.hopTtl = 0xff),
  hop_count: (h) => (h.hopCount = 0xff), frag_flags: (h) => (h.fragFlags = 0xff),
  subprotocol_id: (h) => (h.subprotocolId = 0xffff), channel_hash: (h) => (h.channelHash = 0xffff),
  nonce: (h) => (h.nonce = new Uint8Array(12).fill(0xff)), session_id: (h) => (h.sessionId = 2n ** 64n - 1n),
  stream_id: (h) => (h.streamId = 2n ** 64n - 1n), sequence: (h) => (h.sequence = 2n ** 64n - 1n),
  origin_hash: (h) => (h.originHash = 2n ** 64n - 1n), subnet_id: (h) => (h.subnetId = 0xffff_ffff),
  fragment_id: (h) => (h.fragmentId = 0xffff), fragment_offset: (h) => (h.fragmentOffset = 0xffff),
  payload_len: (h) => (h.payloadLen = 0x1f00), event_count: (h) => (h.eventCount = 0x0701),
};

function headerWith(field: string | null): PacketHeader {
  const h = new PacketHeader();
  if (field !== null) HEADER_SETTERS[field]!(h);
  return h;
}

test('packet header layout matches the encoder; constant fields hold the constants', () => {
  assertFieldsLand(PACKET_HEADER_LAYOUT, (f) => encodeHeader(headerWith(f)), ['magic', 'version']);
  assert.deepEqual(encodeHeader(new PacketHeader()).subarray(0, 3), hex('454e01'));
  assert.deepEqual(Object.keys(HEADER_SETTERS), PACKET_HEADER_LAYOUT.map((f) => f.field).filter((f) => f !== 'magic' && f !== 'version'));
});

test('AAD layout matches writeAad', () => {
  const aad = (f: string | null): Uint8Array => {
    const out = new Uint8Array(AAD_BYTES);
    writeAad(encodeHeader(headerWith(f === null || f.startsWith('zero') ? null : f)), 0, out);
    return out;
  };
  assertFieldsLand(AAD_LAYOUT, aad, ['magic', 'version', 'zero (hop_count excluded)']);
  assert.deepEqual(aad('hop_count'), aad(null));
  assert.deepEqual(aad('nonce'), aad(null));
});

test('routing header, NACK, keep-alive and token layouts match their encoders', () => {
  assertFieldsLand(ROUTING_HEADER_LAYOUT, (f) => {
    const h = new RoutingHeader();
    if (f === 'ttl') h.ttl = 0xff;
    if (f === 'hop_count') h.hopCount = 0xff;
    if (f === 'flags') h.flags = 0x0f;
    if (f === 'src_id') h.srcId = 0xffff_ffff;
    if (f === 'dest_id') h.destId = 2n ** 64n - 1n;
    return encodeRoutingHeader(h);
  }, ['magic', 'reserved']);
  assertFieldsLand(NACK_LAYOUT, (f) => encodeNack(NackPayload.from(f === 'next_expected' ? 2n ** 64n - 1n : 0n,
    f === 'missing_bitmap' ? 2n ** 64n - 1n : 0n)));
  assertFieldsLand(KEEPALIVE_LAYOUT, (f) => encodeKeepalive(Keepalive.from(f === 'sender_node_id' ? 2n ** 64n - 1n : 0n,
    f === 'punch_id' ? 0xffff_ffff : 0)), ['magic']);
  assertFieldsLand(TOKEN_LAYOUT, (f) => {
    const t: PermissionToken = {
      issuer: new Uint8Array(32).fill(f === 'issuer' ? 1 : 0), subject: new Uint8Array(32).fill(f === 'subject' ? 1 : 0),
      scope: f === 'scope' ? 0x1f : 0, channelHash: f === 'channel_hash' ? 2n ** 64n - 1n : 0n,
      issuerGeneration: f === 'issuer_generation' ? 0xffff_ffff : 0, notBefore: f === 'not_before' ? 2n ** 64n - 1n : 0n,
      notAfter: f === 'not_after' ? 2n ** 64n - 1n : 0n, delegationDepth: f === 'delegation_depth' ? 0xff : 0,
      nonce: f === 'nonce' ? 2n ** 64n - 1n : 0n, signature: new Uint8Array(64).fill(f === 'signature' ? 1 : 0),
    };
    return encodeToken(t);
  });
});
