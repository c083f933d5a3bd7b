// W2: length and count fields that lie (0, 1, 2^31, 2^32-1, ...) are rejected before anything is allocated
// from them; memory stays bounded by the bytes actually fed in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { writeU16LE, writeU32LE } from '../../src/core/index.js';
import {
  EventFrameReader, HEADER_BYTES, Keepalive, NackPayload, PacketHeader, RoutingHeader, WireStatus, checkEventFrames,
  checkHandshakePacket, checkToken, classifyDatagram, decodeEventFrames, decodeHandshakePacket, decodeHeader,
  decodeHeaderInto, decodeHeartbeatInto, decodeKeepaliveInto, decodeNackInto, decodeRoutingHeaderInto, decodeToken,
  encodeEventFrames, encodeHandshakePacket, forwardInPlace,
} from '../../src/wire/index.js';
import { LYING_LENGTHS, assertStatus, throwsOnlyDecodeError } from './harness.js';
import { SAMPLE_BYTES } from './samples.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Valid structures with every length or count field replaced by each lying value. */
function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const lies = [...LYING_LENGTHS, 2 ** 16 - 1, 8109, 2028, 47, 57];
  for (const lie of lies) {
    for (const at of [64, 66]) {
      const h = SAMPLE_BYTES.slice();
      writeU16LE(h, at, lie & 0xffff);
      out.push(h);
    }
    const hs = encodeHandshakePacket(new Uint8Array(48));
    writeU16LE(hs, 64, lie & 0xffff);
    out.push(hs);
    const frames = encodeEventFrames([new Uint8Array(10), new Uint8Array(3)]);
    for (const at of [0, 14]) {
      const f = frames.slice();
      writeU32LE(f, at, lie >>> 0);
      out.push(f);
    }
  }
  for (const n of [0, 1, 15, 17, 168, 170, 10_000]) out.push(new Uint8Array(n).fill(0x45));
  return out;
}

const header = new PacketHeader();
const routing = new RoutingHeader();
const nack = new NackPayload();
const keepalive = new Keepalive();
const reader = new EventFrameReader();

function feed(b: Uint8Array, scratch: Uint8Array): void {
  assertStatus(decodeHeaderInto(b, 0, header));
  assertStatus(decodeRoutingHeaderInto(b, 0, routing));
  assertStatus(decodeNackInto(b, 0, b.length, nack));
  assertStatus(decodeKeepaliveInto(b, 0, b.length, keepalive));
  assertStatus(decodeHeartbeatInto(b, 0, b.length, header));
  assertStatus(checkHandshakePacket(b, 0, b.length));
  assertStatus(checkToken(b, 0, b.length));
  scratch.set(b);
  assertStatus(forwardInPlace(scratch, 0));
  classifyDatagram(b);
  for (const count of [0, 1, 2, 3, 2027, 2028, 0xffff]) {
    assertStatus(checkEventFrames(b, 0, b.length, count));
    assertStatus(reader.reset(b, 0, b.length, count));
  }
  if (b.length >= HEADER_BYTES) assertStatus(checkEventFrames(b, HEADER_BYTES, b.length - HEADER_BYTES, b[66]!));
  throwsOnlyDecodeError(() => decodeHeader(b));
  throwsOnlyDecodeError(() => decodeHandshakePacket(b));
  throwsOnlyDecodeError(() => decodeToken(b));
  throwsOnlyDecodeError(() => decodeEventFrames(b, 2));
}

test('lying lengths are rejected', () => {
  const frames = encodeEventFrames([new Uint8Array(10), new Uint8Array(3)]);
  for (const lie of LYING_LENGTHS) {
    const f = frames.slice();
    writeU32LE(f, 0, lie >>> 0);
    if (lie !== 10) assert.notEqual(checkEventFrames(f, 0, f.length, 2), WireStatus.OK, `frame len ${lie}`);
    const h = SAMPLE_BYTES.slice();
    writeU16LE(h, 64, lie & 0xffff);
    const s = decodeHeaderInto(h, 0, header);
    assert.equal(s, (lie & 0xffff) > 8108 ? WireStatus.LIMIT : WireStatus.OK);
  }
});

test('memory stays bounded by the input size', () => {
  const inputs = corpus();
  const scratch = inputs.map((b) => b.slice()); // forwardInPlace rewrites its input; allocated up front
  const inputBytes = inputs.reduce((n, b) => n + b.length, 0);
  inputs.forEach((b, i) => feed(b, scratch[i]!)); // warm up
  gc();
  const before = process.memoryUsage();
  let peak = 0;
  for (let round = 0; round < 50; round++) {
    inputs.forEach((b, i) => feed(b, scratch[i]!));
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - before.arrayBuffers);
  }
  assert.ok(peak <= inputBytes, `arrayBuffers grew ${peak} B for ${inputBytes} B of input`);
  gc();
  const after = process.memoryUsage();
  assert.ok(after.arrayBuffers - before.arrayBuffers <= inputBytes, 'nothing retained');
  assert.ok(after.heapUsed - before.heapUsed < 8 * 1024 * 1024, `heap grew ${after.heapUsed - before.heapUsed} B`);
});
