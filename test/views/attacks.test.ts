// Hostile input to the views plane: snapshot bundles that lie (lengths, counts, versions, flipped bytes) and
// events in the log with bad checksums or crafted payloads. Every one must end in a typed error or a counted
// skip: no crash, no huge allocation, no half-restored store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, isNetError, NetError, writeU16LE, writeU32LE } from '../../src/core/index.js';
import { xxh3_64Lo } from '../../src/crypto/index.js';
import { encodeEvent } from '../../src/log/index.js';
import { decodeCortexSnapshot, decodeNetDbBundle, encodeCortexSnapshot, encodeNetDbBundle, memoriesFold, NetDb, NetDbError,
  tasksFold, TaskDispatch } from '../../src/views/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { clock, timers } from './harness.js';

async function sampleBundle(): Promise<Uint8Array> {
  const db = await NetDb.open({ clock, timers });
  for (let i = 0; i < 5; i++) db.tasks!.create({ title: `t${i}`, tags: ['a', 'b'], nowNs: BigInt(i) });
  db.tasks!.delete(2n, 9n);
  db.memories!.store({ content: 'hi', tags: ['x'], source: 'me', nowNs: 1n });
  const b = db.snapshot();
  await db.close();
  return b;
}

/** Recomputes the outer checksum, as an attacker who knows the format would. */
function reseal(b: Uint8Array): Uint8Array {
  const out = b.slice();
  writeU32LE(out, out.length - 4, xxh3_64Lo(out.subarray(0, out.length - 4)));
  return out;
}

const invalid = (e: unknown) => isNetError(e, ErrorCode.SnapshotInvalid);

test('every single flipped bit and every truncation of a bundle is refused with ERR_SNAPSHOT_INVALID', async () => {
  const b = await sampleBundle();
  decodeNetDbBundle(b);
  for (let i = 0; i < b.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const x = b.slice();
      x[i]! ^= bit;
      assert.throws(() => decodeNetDbBundle(x), invalid, `byte ${i} bit ${bit}`);
    }
  }
  for (let n = 0; n < b.length; n++) assert.throws(() => decodeNetDbBundle(b.subarray(0, n)), invalid, `truncated to ${n}`);
  assert.throws(() => decodeNetDbBundle(new Uint8Array([...b, 0])), invalid, 'a byte appended');
  await assert.rejects(NetDb.openFromSnapshot({ clock, timers }, {}, b.subarray(0, 20)), (e) => e instanceof NetDbError && e.kind === 'bundle-invalid');
});

test('resealed lies are refused too: wrong version, entry length past the end, duplicate model, row counts', async () => {
  const b = await sampleBundle();
  const v = b.slice();
  writeU16LE(v, 4, 2);
  assert.throws(() => decodeNetDbBundle(reseal(v)), /version 2/);
  const long = b.slice();
  writeU32LE(long, 12 + 4, 0xffff_ff00);
  assert.throws(() => decodeNetDbBundle(reseal(long)), /claims/);
  const dup = b.slice();
  const firstLen = new DataView(b.buffer, b.byteOffset).getUint32(16, true);
  dup[12 + 8 + firstLen] = 1; // second entry says "tasks" again
  assert.throws(() => decodeNetDbBundle(reseal(dup)), /twice/);
  const three = b.slice();
  three[8] = 3;
  assert.throws(() => decodeNetDbBundle(reseal(three)), /models/);
  // A snapshot whose state claims 2^32 - 1 rows, with every checksum valid: refused before any row is read.
  const liar = encodeCortexSnapshot({ version: 2, model: 'tasks', throughSeq: 0, appliedThroughSeq: 0, state: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]) });
  const bundle = encodeNetDbBundle({ version: 1, tasks: decodeCortexSnapshot(liar) });
  await assert.rejects(NetDb.openFromSnapshot({ clock, timers }, {}, bundle), (e) => invalid(e) && /cannot fit/.test((e as Error).message));
  // an inner snapshot of another version, resealed inside and out
  const inner = encodeCortexSnapshot({ version: 3, model: 'tasks', throughSeq: 0, appliedThroughSeq: 0, state: new Uint8Array(8) });
  assert.throws(() => decodeCortexSnapshot(inner), invalid);
});

test('fuzz: random bytes and resealed mutations of a bundle end in a typed error or a consistent store', async () => {
  const b = await sampleBundle();
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (x) => {
    try {
      decodeNetDbBundle(x);
    } catch (e) {
      assert.ok(e instanceof NetDbError, String(e));
    }
  }), fuzzParams(2000));
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), async (edits) => {
    const x = b.slice();
    for (const [pos, val] of edits) x[pos % (x.length - 4)] = val;
    // reseal inner snapshots and the bundle so the decoders behind the checksums run
    const view = new DataView(x.buffer);
    let o = 12;
    for (let i = 0; i < 2 && o + 8 <= x.length - 4; i++) {
      const len = view.getUint32(o + 4, true);
      if (o + 8 + len > x.length - 4 || len < 4) break;
      const inner = x.subarray(o + 8, o + 8 + len);
      writeU32LE(inner, len - 4, xxh3_64Lo(inner.subarray(0, len - 4)));
      o += 8 + len;
    }
    try {
      const db = await NetDb.openFromSnapshot({ clock, timers }, {}, reseal(x));
      for (const c of [db.tasks!, db.memories!]) {
        const t = c.view.state.table;
        assert.equal(t.order.length, t.byId.size);
      }
      await db.close();
    } catch (e) {
      assert.ok(e instanceof NetError, String(e));
    }
  }), fuzzParams(300));
});

test('fold decoders: random payloads under every dispatch are a FoldDecodeError or a consistent state', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0x30 }), fc.uint8Array({ maxLength: 80 }), (dispatch, payload) => {
    for (const fold of [tasksFold, memoriesFold] as const) {
      const s = fold.initial();
      const record = encodeEvent({ dispatch, flags: 0, originHash: 0n, seqOrTs: 0n }, payload);
      try {
        (fold.apply as (s: unknown, e: unknown) => void)(s, { seq: 0, dispatch, flags: 0, record, payload });
      } catch (e) {
        assert.ok(isNetError(e, ErrorCode.DecodeValue), String(e));
      }
      assert.equal(s.table.order.length, s.table.byId.size);
    }
  }), fuzzParams(5000));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
    for (const fold of [tasksFold, memoriesFold]) {
      try {
        fold.decodeState(bytes);
      } catch (e) {
        assert.ok(isNetError(e, ErrorCode.DecodeValue), String(e));
      }
    }
  }), fuzzParams(5000));
});

test('events in the log with bad checksums or lying lengths: skip counts them and keeps serving; stop halts', async () => {
  for (const policy of ['skip', 'stop'] as const) {
    const db = await NetDb.open({ clock, timers }, { withMemories: false, errorPolicy: policy });
    const tasks = db.tasks!;
    const log = db.redexFiles[0]!;
    tasks.create({ title: 'ok', nowNs: 1n });
    const good = log.read(0)!.payload;
    const flipped = good.slice();
    flipped[30]! ^= 1;
    log.append(flipped);
    // a create whose title length says 60,000 bytes, with a valid checksum
    const lying = new Uint8Array(20);
    lying.set([1, 0, 0, 0, 0, 0, 0, 0], 0);
    writeU16LE(lying, 16, 60_000);
    log.append(encodeEvent({ dispatch: TaskDispatch.CREATED, flags: 0, originHash: 0n, seqOrTs: 0n }, lying));
    log.append(new Uint8Array(3));
    await Promise.resolve();
    if (policy === 'skip') {
      assert.equal(tasks.view.isRunning, true);
      assert.equal(tasks.view.counters.get('skipped'), 3);
      assert.equal(tasks.view.counters.get('checksum_failures'), 2);
      tasks.create({ title: 'still works' });
      assert.equal(tasks.count(), 2);
    } else {
      assert.equal(tasks.view.isRunning, false);
      assert.equal(tasks.view.appliedThroughSeq, 0);
      assert.throws(() => tasks.create({ title: 'x' }), (e) => isNetError(e, ErrorCode.FoldStopped));
    }
    await db.close();
  }
});
