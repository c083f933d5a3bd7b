// ByteRing against a plain array model under random push / shift / drain sequences (fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteRing, EventBatch, recordBytesFor } from '../../src/bus/index.js';
import { fuzzParams } from '../support/fuzz.js';

const op = fc.oneof(
  fc.record({ k: fc.constant('push' as const), len: fc.integer({ min: 0, max: 120 }) }),
  fc.record({ k: fc.constant('shift' as const) }),
  fc.record({ k: fc.constant('drain' as const), max: fc.integer({ min: 1, max: 20 }) }),
);

test('ring holds exactly the pushed records in FIFO order, whatever the interleaving', () => {
  fc.assert(
    fc.property(fc.integer({ min: 256, max: 1024 }), fc.array(op, { maxLength: 300 }), (cap, ops) => {
      const ring = new ByteRing(cap);
      const batch = new EventBatch(cap, 'p');
      const model: Uint8Array[] = [];
      let n = 0;
      for (const o of ops) {
        if (o.k === 'push') {
          const ev = new Uint8Array(o.len).fill(n++ & 0xff);
          if (ring.push(ev, 0, ev.length)) model.push(ev);
          // refusal only when neither free region (after the tail, before the head) holds the record
          else assert.ok(model.length > 0 && ring.usedBytes > ring.capacity - 2 * recordBytesFor(ev.length), 'refused with room to spare');
        } else if (o.k === 'shift') {
          const len = ring.shift();
          const m = model.shift();
          assert.equal(len, m === undefined ? -1 : m.length);
        } else {
          const got = ring.drainTo(batch, o.max);
          const want = model.splice(0, o.max);
          assert.equal(got, want.length);
          const seen: number[][] = [];
          batch.forEach((b, s, l) => seen.push([...b.subarray(s, s + l)]));
          assert.deepEqual(seen, want.map((w) => [...w]));
        }
        assert.equal(ring.count, model.length);
      }
      // an empty ring always accepts a record of up to half its capacity
      ring.drainTo(batch, 1 << 30);
      assert.equal(ring.count, 0);
      assert.ok(ring.push(new Uint8Array((cap >> 1) - 8), 0, (cap >> 1) - 8));
    }),
    fuzzParams(2_000),
  );
});

test('a full ring refuses, and frees space as it drains', () => {
  const ring = new ByteRing(64);
  const ev = new Uint8Array(12);
  let n = 0;
  while (ring.push(ev, 0, 12)) n++;
  assert.equal(n, 4);
  assert.equal(ring.shift(), 12);
  assert.ok(ring.push(ev, 0, 12));
  assert.equal(ring.usedBytes, 64);
});
