// Property: over random operation sequences, the state a view held live equals the state folded again from its
// log, and the state restored from a snapshot taken midway plus the log's tail. Seeded; NET_MESH_FUZZ=long
// runs 20,000 sequences instead of 300.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isNetError } from '../../src/core/index.js';
import { CortexAdapter, decodeCortexSnapshot, encodeCortexSnapshot, memoriesFold, NetDb, tasksFold, type CortexSnapshot,
  type Row, type RowTable } from '../../src/views/index.js';
import type { RedexFile } from '../../src/log/index.js';
import { FUZZ_SEED, isLongFuzz } from '../support/fuzz.js';
import { clock, timers } from './harness.js';

const RUNS = isLongFuzz() ? 20_000 : 300;
const id = fc.bigInt({ min: 0n, max: 12n });
const tags = fc.array(fc.constantFrom('a', 'b', 'c', 'ü'), { maxLength: 3 });
const now = fc.bigInt({ min: 0n, max: 50n });
const op = fc.oneof(
  fc.record({ k: fc.constant('create'), id, title: fc.string({ maxLength: 8 }), tags, now, pinned: fc.boolean() }),
  fc.record({ k: fc.constantFrom('rename', 'retag', 'pin', 'unpin', 'complete', 'reopen', 'delete'), id, title: fc.string({ maxLength: 8 }), tags, now }),
  fc.record({ k: fc.constant('store'), id, title: fc.string({ maxLength: 8 }), tags, now }),
  fc.record({ k: fc.constantFrom('mretag', 'mpin', 'munpin', 'mdelete'), id, tags, now }),
);
type Op = { k: string; id: bigint; title?: string; tags: string[]; now: bigint; pinned?: boolean };

function apply(db: NetDb, o: Op): void {
  const t = db.tasks!;
  const m = db.memories!;
  try {
    switch (o.k) {
      case 'create': return void t.create({ id: o.id, title: o.title!, tags: o.tags, pinned: o.pinned, nowNs: o.now });
      case 'rename': return void t.rename(o.id, o.title!, o.now);
      case 'retag': return void t.retag(o.id, o.tags, o.now);
      case 'pin': return void t.pin(o.id, o.now);
      case 'unpin': return void t.unpin(o.id, o.now);
      case 'complete': return void t.complete(o.id, o.now);
      case 'reopen': return void t.reopen(o.id, o.now);
      case 'delete': return void t.delete(o.id, o.now);
      case 'store': return void m.store({ id: o.id, content: o.title!, tags: o.tags, nowNs: o.now });
      case 'mretag': return void m.retag(o.id, o.tags, o.now);
      case 'mpin': return void m.pin(o.id, o.now);
      case 'munpin': return void m.unpin(o.id, o.now);
      default: return void m.delete(o.id, o.now);
    }
  } catch (e) {
    if (!isNetError(e)) throw e; // refused at the API edge (not found, exists): nothing was written
  }
}

function shape<T extends Row>(table: RowTable<T>) {
  return {
    rows: [...table.byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    order: table.order.map((r) => r.id),
    tags: [...table.byTag.entries()].map(([k, v]) => [k, [...v].sort()] as const).sort(),
    tombstones: [...table.tombstones].sort(),
  };
}

test('folds rebuild from the log (and from a snapshot plus the tail) exactly the state they held live', async () => {
  await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 60 }), fc.nat(), async (ops, cut) => {
    const db = await NetDb.open({ clock, timers });
    const at = ops.length === 0 ? 0 : cut % (ops.length + 1);
    let tSnap: CortexSnapshot | undefined;
    let mSnap: CortexSnapshot | undefined;
    for (let i = 0; i <= ops.length; i++) {
      if (i === at) {
        tSnap = decodeCortexSnapshot(encodeCortexSnapshot(db.tasks!.view.snapshot()));
        mSnap = decodeCortexSnapshot(encodeCortexSnapshot(db.memories!.view.snapshot()));
      }
      if (i < ops.length) apply(db, ops[i] as Op);
    }
    const [tLog, mLog] = db.redexFiles as [RedexFile, RedexFile];
    const tasks = await CortexAdapter.open(tLog, { fold: tasksFold });
    const mems = await CortexAdapter.open(mLog, { fold: memoriesFold });
    const tasks2 = await CortexAdapter.openFromSnapshot(tLog, tSnap!, { fold: tasksFold });
    const mems2 = await CortexAdapter.openFromSnapshot(mLog, mSnap!, { fold: memoriesFold });
    const liveT = shape(db.tasks!.view.state.table);
    const liveM = shape(db.memories!.view.state.table);
    assert.deepEqual(shape(tasks.state.table), liveT);
    assert.deepEqual(shape(mems.state.table), liveM);
    const noSeq = <T extends Row>(s: ReturnType<typeof shape<T>>) => ({ ...s, rows: s.rows.map(({ createdSeq: _, ...r }) => r) });
    assert.deepEqual(noSeq(shape(tasks2.state.table)), noSeq(liveT));
    assert.deepEqual(noSeq(shape(mems2.state.table)), noSeq(liveM));
    assert.deepEqual(tasks2.state.table.order.map((r) => r.id), liveT.order);
    assert.equal(tasks.state.ignored, db.tasks!.view.state.ignored);
    assert.equal(db.tasks!.view.appliedThroughSeq, tLog.nextSeq - 1);
    // and the whole-database bundle imports to the same rows
    const copy = await NetDb.openFromSnapshot({ clock, timers }, {}, db.snapshot());
    assert.deepEqual(noSeq(shape(copy.tasks!.view.state.table)), noSeq(liveT));
    assert.deepEqual(noSeq(shape(copy.memories!.view.state.table)), noSeq(liveM));
    for (const v of [tasks, mems, tasks2, mems2]) v.close();
    await copy.close();
    await db.close();
  }), { seed: FUZZ_SEED, numRuns: RUNS });
});
