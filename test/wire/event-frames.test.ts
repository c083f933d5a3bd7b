import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, InvalidArgumentError, writeU32LE } from '../../src/core/index.js';
import {
  EventFrameReader, EventFrameWriter, MAX_EVENTS_PER_PACKET, MAX_PAYLOAD_SIZE, WireStatus, checkEventFrames,
  decodeEventFrames, encodeEventFrames, forEachEvent, writeEventFrame,
} from '../../src/wire/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { LYING_LENGTHS, assertStatus, hex, mutatedArb } from './harness.js';

const eventsArb = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 });

test('hand-computed frames', () => {
  const bytes = encodeEventFrames([hex('aabbcc'), new Uint8Array(0), hex('01')]);
  assert.deepEqual(bytes, hex('03000000 aabbcc 00000000 01000000 01'));
  const seen: string[] = [];
  assert.equal(forEachEvent(bytes, 3, (e, i) => seen.push(`${i}:${Buffer.from(e).toString('hex')}`)), WireStatus.OK);
  assert.deepEqual(seen, ['0:aabbcc', '1:', '2:01']);
  // views, not copies
  const [first] = decodeEventFrames(bytes, 3);
  assert.equal(first!.buffer, bytes.buffer);
});

test('lies: count mismatch, length past the end, trailing bytes', () => {
  const bytes = hex('03000000 aabbcc 00000000');
  assert.equal(checkEventFrames(bytes, 0, bytes.length, 2), WireStatus.OK);
  assert.equal(checkEventFrames(bytes, 0, bytes.length, 1), WireStatus.LONG);
  assert.equal(checkEventFrames(bytes, 0, bytes.length, 3), WireStatus.COUNT);
  assert.equal(checkEventFrames(bytes, 0, bytes.length, 0), WireStatus.LONG);
  assert.equal(checkEventFrames(new Uint8Array(0), 0, 0, 0), WireStatus.OK);
  assert.equal(checkEventFrames(bytes, 0, bytes.length, MAX_EVENTS_PER_PACKET + 1), WireStatus.LIMIT);
  assert.equal(checkEventFrames(bytes, 0, bytes.length, -1), WireStatus.VALUE);
  assert.equal(checkEventFrames(bytes, 0, bytes.length + 1, 2), WireStatus.VALUE);
  for (const lie of LYING_LENGTHS) {
    const b = new Uint8Array(12);
    writeU32LE(b, 0, lie);
    const want = lie === 8 ? WireStatus.OK : lie < 8 ? WireStatus.LONG : WireStatus.LENGTH;
    assert.equal(checkEventFrames(b, 0, 12, 1), lie === 0 ? WireStatus.LONG : want, `len ${lie}`);
    // delivery never starts when the payload lies
    let calls = 0;
    forEachEvent(b, 2, () => calls++);
    assert.equal(calls, 0);
  }
  assert.throws(() => decodeEventFrames(bytes, 3), DecodeError);
});

test('every prefix of a valid payload is rejected, and nothing is delivered', () => {
  const bytes = encodeEventFrames([hex('aabbcc'), hex('dd'), new Uint8Array(0)]);
  for (let n = 0; n < bytes.length; n++) {
    const s = checkEventFrames(bytes, 0, n, 3);
    assert.ok(s === WireStatus.COUNT || s === WireStatus.LENGTH, `prefix ${n}: ${s}`);
    let calls = 0;
    assert.notEqual(forEachEvent(bytes.subarray(0, n), 3, () => calls++), WireStatus.OK);
    assert.equal(calls, 0);
  }
});

test('writer: limits on bytes and on count; reserve', () => {
  const buf = new Uint8Array(MAX_PAYLOAD_SIZE + 100);
  const w = new EventFrameWriter().reset(buf);
  assert.equal(w.free, MAX_PAYLOAD_SIZE);
  for (let i = 0; i < MAX_EVENTS_PER_PACKET; i++) assert.equal(w.append(new Uint8Array(0)), WireStatus.OK);
  assert.equal(w.length, MAX_EVENTS_PER_PACKET * 4);
  assert.equal(w.append(new Uint8Array(0)), WireStatus.LIMIT);
  assert.equal(checkEventFrames(buf, 0, w.length, MAX_EVENTS_PER_PACKET), WireStatus.OK);

  w.reset(buf, 10, 20);
  assert.equal(w.append(new Uint8Array(17)), WireStatus.SHORT);
  assert.equal(w.length, 0);
  assert.equal(w.append(new Uint8Array(16).fill(7)), WireStatus.OK);
  assert.equal(w.free, 0);
  assert.equal(w.reserve(0), -WireStatus.SHORT);
  w.reset(buf, 0, 12);
  const at = w.reserve(3);
  assert.equal(at, 4);
  buf.set([1, 2, 3], at);
  assert.deepEqual(decodeEventFrames(buf.subarray(0, w.length), 1), [new Uint8Array([1, 2, 3])]);
  assert.throws(() => w.reset(buf, 0, buf.length + 1), InvalidArgumentError);
  assert.equal(writeEventFrame(new Uint8Array(6), 0, new Uint8Array(3)), 0);
  assert.equal(writeEventFrame(new Uint8Array(7), 0, new Uint8Array(3)), 7);
  assert.throws(() => encodeEventFrames(new Array<Uint8Array>(MAX_EVENTS_PER_PACKET + 1).fill(new Uint8Array(0))), InvalidArgumentError);
});

test('reader: advance/next walk at an offset without copies', () => {
  const payload = encodeEventFrames([hex('01'), hex('0203')]);
  const buf = new Uint8Array(5 + payload.length + 3);
  buf.set(payload, 5);
  const r = new EventFrameReader();
  assert.equal(r.reset(buf, 5, payload.length, 2), WireStatus.OK);
  assert.equal(r.remaining, 2);
  assert.ok(r.advance());
  assert.deepEqual([r.eventOffset, r.eventLength], [9, 1]);
  assert.deepEqual(r.next(), hex('0203'));
  assert.equal(r.next(), null);
  assert.equal(r.advance(), false);
  assert.equal(r.reset(buf, 5, payload.length, 3), WireStatus.COUNT);
  assert.equal(r.next(), null);
});

test('property: decode(encode(events)) == events; accepted payloads re-encode identically', () => {
  fc.assert(
    fc.property(eventsArb, (events) => {
      const bytes = encodeEventFrames(events);
      assert.deepEqual(decodeEventFrames(bytes, events.length), events);
      const w = new EventFrameWriter().reset(new Uint8Array(bytes.length));
      for (const e of events) assert.equal(w.append(e), WireStatus.OK);
      assert.equal(w.length, bytes.length);
    }),
    fuzzParams(),
  );
  const valid = eventsArb.map((events) => {
    const body = encodeEventFrames(events);
    const withCount = new Uint8Array(2 + body.length);
    withCount[0] = events.length;
    withCount.set(body, 2);
    return withCount;
  });
  const r = new EventFrameReader();
  fc.assert(
    fc.property(mutatedArb(valid), (input) => {
      if (input.length < 2) return;
      const count = input[0]! | (input[1]! << 8);
      const payload = input.subarray(2);
      const status = checkEventFrames(payload, 0, payload.length, count);
      assertStatus(status);
      assert.equal(r.reset(payload, 0, payload.length, count), status);
      if (status === WireStatus.OK) {
        assert.deepEqual(encodeEventFrames(decodeEventFrames(payload, count)), payload);
      } else {
        assert.throws(() => decodeEventFrames(payload, count), DecodeError);
      }
    }),
    fuzzParams(),
  );
});
