// NetDB: CRUD, tombstones, queries, watches, write tokens, bundles, persistence on a real disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, isNetError, RealTimers } from '../../src/core/index.js';
import { NodeFileIO } from '../../src/log/index.js';
import { NetDb, NetDbError, type Task } from '../../src/views/index.js';
import { clock, timers } from './harness.js';

const open = (config = {}) => NetDb.open({ clock, timers }, config);

test('tasks: create, rename, retag, pin, complete, reopen, delete; deleted ids never come back', async () => {
  const db = await open();
  const tasks = db.tasks!;
  const { id } = tasks.create({ title: 'write docs', tags: ['docs', 'p1'], nowNs: 10n });
  assert.equal(id, 0n);
  const t0 = tasks.findUnique({ where: { id } })!;
  assert.deepEqual({ ...t0 }, { id: 0n, title: 'write docs', tags: ['docs', 'p1'], pinned: false, status: 'pending', createdNs: 10n, updatedNs: 10n, completedNs: null, createdSeq: 0 });
  tasks.rename(id, 'write the docs', 11n);
  tasks.retag(id, ['docs'], 12n);
  tasks.pin(id, 13n);
  tasks.complete(id, 14n);
  const t1 = tasks.findUnique({ where: { id } })!;
  assert.equal(t1.title, 'write the docs');
  assert.deepEqual(t1.tags, ['docs']);
  assert.equal(t1.pinned, true);
  assert.equal(t1.status, 'completed');
  assert.equal(t1.completedNs, 14n);
  assert.equal(t0.title, 'write docs', 'a row handed out earlier is not changed under the reader');
  tasks.reopen(id, 15n);
  assert.equal(tasks.findUnique({ where: { id } })!.completedNs, null);
  tasks.delete(id, 16n);
  assert.equal(tasks.findUnique({ where: { id } }), undefined);
  assert.equal(tasks.isDeleted(id), true);
  assert.throws(() => tasks.create({ id, title: 'again' }), (e) => isNetError(e, ErrorCode.AlreadyExists));
  assert.throws(() => tasks.rename(id, 'x'), (e) => isNetError(e, ErrorCode.NotFound));
  assert.throws(() => tasks.complete(99n), (e) => e instanceof NetDbError && e.kind === 'not-found');
  assert.equal(tasks.create({ title: 'next' }).id, 1n, 'generated ids skip deleted ones');
  assert.throws(() => tasks.create({ title: 'x'.repeat(5000) }), (e) => isNetError(e, ErrorCode.InvalidArgument));
  assert.throws(() => tasks.create({ title: 'x', tags: ['t'.repeat(256)] }), (e) => isNetError(e, ErrorCode.InvalidArgument));
  await db.close();
});

test('a create event for a tombstoned id reaching the fold (another writer) does not resurrect it', async () => {
  const db = await open({ withMemories: false });
  const tasks = db.tasks!;
  tasks.create({ id: 5n, title: 'a', nowNs: 1n });
  tasks.delete(5n, 2n);
  // Write the create directly through the view, as a replica or an older writer could.
  const other = await open({ withMemories: false });
  other.tasks!.create({ id: 5n, title: 'zombie', nowNs: 3n });
  const rec = other.redexFiles[0]!.read(0)!.payload;
  db.redexFiles[0]!.append(rec);
  await Promise.resolve();
  assert.equal(tasks.findUnique({ where: { id: 5n } }), undefined);
  assert.equal(tasks.view.state.ignored, 1);
  await db.close();
  await other.close();
});

test('memories: store is an upsert that keeps pin and creation time; STORED→DELETED→STORED stays deleted', async () => {
  const db = await open({ withTasks: false });
  assert.equal(db.tasks, null);
  const mem = db.memories!;
  const { id } = mem.store({ content: 'the sky is blue', tags: ['fact'], source: 'obs', nowNs: 1n });
  mem.pin(id, 2n);
  mem.store({ id, content: 'the sky is grey', tags: ['fact', 'weather'], source: 'obs', nowNs: 3n });
  const m = mem.findUnique({ where: { id } })!;
  assert.equal(m.content, 'the sky is grey');
  assert.equal(m.pinned, true);
  assert.equal(m.createdNs, 1n);
  assert.equal(m.updatedNs, 3n);
  mem.retag(id, ['x'], 4n);
  mem.unpin(id, 5n);
  assert.equal(mem.findUnique({ where: { id } })!.pinned, false);
  mem.delete(id, 6n);
  assert.throws(() => mem.store({ id, content: 'back?' }), (e) => isNetError(e, ErrorCode.AlreadyExists));
  assert.equal(mem.count(), 0);
  await db.close();
});

test('NetDb with no models is refused', async () => {
  await assert.rejects(open({ withTasks: false, withMemories: false }), (e) => e instanceof NetDbError && e.kind === 'no-models');
});

test('findMany: filters, creation order both ways, other orders, skip and take, empty tag lists filter nothing', async () => {
  const db = await open({ withMemories: false });
  const tasks = db.tasks!;
  const tagsOf = (i: number) => [`t${i % 3}`, ...(i % 4 === 0 ? ['four'] : [])];
  for (let i = 0; i < 40; i++) tasks.create({ title: `Task ${i} ${i % 5 === 0 ? 'URGENT' : ''}`, tags: tagsOf(i), nowNs: BigInt(1000 - i * 10), pinned: i % 7 === 0 });
  for (let i = 0; i < 40; i += 2) tasks.complete(BigInt(i), 2000n + BigInt(i));
  const all = tasks.findMany();
  assert.equal(all.length, 40);
  assert.deepEqual(all.map((t) => t.id), [...Array(40).keys()].reverse().map(BigInt), 'created ascending by createdNs');
  const ids = (ts: Task[]) => ts.map((t) => Number(t.id));
  const model = [...Array(40).keys()].sort((a, b) => b - a);
  const want = (f: (i: number) => boolean) => model.filter(f);
  assert.deepEqual(ids(tasks.findMany({ where: { status: 'pending', tag: 't1' }, take: 3 })), want((i) => i % 2 === 1 && i % 3 === 1).slice(0, 3));
  assert.deepEqual(ids(tasks.findMany({ where: { status: 'completed', tag: 'four' }, orderBy: 'createdDesc' })), want((i) => i % 2 === 0 && i % 4 === 0).reverse());
  assert.deepEqual(ids(tasks.findMany({ where: { tagsAll: ['t0', 'four'] } })), want((i) => i % 3 === 0 && i % 4 === 0));
  assert.deepEqual(ids(tasks.findMany({ where: { tagsAny: ['t0', 't2'] }, skip: 2, take: 4 })), want((i) => i % 3 !== 1).slice(2, 6));
  assert.equal(tasks.findMany({ where: { tagsAny: [], tagsAll: [] } }).length, 40);
  assert.deepEqual(ids(tasks.findMany({ where: { titleContains: 'urgent' } })), want((i) => i % 5 === 0));
  assert.deepEqual(ids(tasks.findMany({ where: { pinned: true }, orderBy: 'idAsc' })), [0, 7, 14, 21, 28, 35]);
  assert.deepEqual(ids(tasks.findMany({ where: { createdAfterNs: 900n, createdBeforeNs: 950n } })), [9, 8, 7, 6]);
  assert.deepEqual(ids(tasks.findMany({ where: { status: 'completed' }, orderBy: 'updatedDesc', take: 2 })), [38, 36]);
  assert.deepEqual(ids(tasks.findMany({ orderBy: 'titleAsc', take: 3 })), [0, 1, 10]);
  assert.deepEqual(ids(tasks.findMany({ where: { tag: 'nope' } })), []);
  assert.throws(() => tasks.findMany({ take: -1 }), (e) => isNetError(e, ErrorCode.InvalidArgument));
  assert.throws(() => tasks.findMany({ orderBy: 'bogus' as never }), (e) => isNetError(e, ErrorCode.InvalidArgument));
  await db.close();
});

test('watch yields the current rows, then rows after each change that alters them; close ends it', async () => {
  const db = await open({ withMemories: false });
  const tasks = db.tasks!;
  tasks.create({ title: 'a', tags: ['x'], nowNs: 1n });
  const w = tasks.watch({ where: { tag: 'x', status: 'pending' } });
  assert.deepEqual((await w.next()).value!.map((t: Task) => t.title), ['a']);
  tasks.create({ title: 'b', tags: ['y'], nowNs: 2n }); // not in the result: no yield for it
  tasks.create({ title: 'c', tags: ['x'], nowNs: 3n });
  tasks.complete(0n, 4n);
  assert.deepEqual((await w.next()).value!.map((t: Task) => t.title), ['c'], 'a slow reader gets the latest rows');
  const pending = w.next();
  tasks.rename(2n, 'c2', 5n);
  assert.deepEqual((await pending).value!.map((t: Task) => t.title), ['c2']);
  w.close();
  assert.equal((await w.next()).done, true);
  const sw = tasks.snapshotAndWatch({ where: { tag: 'x' } });
  assert.equal(sw.snapshot.length, 2);
  const next = sw.updates.next();
  tasks.delete(0n, 6n);
  assert.equal((await next).value!.length, 1);
  sw.updates.close();
  await db.close();
});

test('write tokens: resolved at once for own writes; foreign origin refused; a stopped fold rejects', async () => {
  const db = await open({ withMemories: false, originHash: 42n });
  const tok = db.tasks!.create({ title: 'a' });
  assert.equal(tok.originHash, 42n);
  await db.tasks!.waitForToken(tok, { timeoutMs: 0 });
  await assert.rejects(db.tasks!.waitForToken({ ...tok, originHash: 1n }), (e) => isNetError(e, ErrorCode.InvalidArgument));
  await assert.rejects(db.tasks!.waitForToken({ ...tok, seq: 10 }, { timeoutMs: 0 }), (e) => isNetError(e, ErrorCode.Timeout));
  const w = db.tasks!.waitForToken({ ...tok, seq: 1 });
  db.redexFiles[0]!.append(new Uint8Array(30)); // garbage: bad EventMeta, the stop policy halts the fold
  await assert.rejects(w, (e) => isNetError(e, ErrorCode.FoldStopped));
  await db.close();
});

test('bundle: export, import into an empty store, same rows and tombstones; a non-empty store is refused', async () => {
  const db = await open();
  for (let i = 0; i < 30; i++) db.tasks!.create({ title: `t${i}`, tags: [`g${i % 4}`], nowNs: BigInt(i) });
  for (let i = 0; i < 30; i += 3) db.tasks!.complete(BigInt(i), 100n);
  for (let i = 1; i < 30; i += 5) db.tasks!.delete(BigInt(i), 101n);
  for (let i = 0; i < 10; i++) db.memories!.store({ content: `m${i} ✓`, tags: ['k'], source: 's', nowNs: BigInt(i) });
  db.memories!.pin(3n, 50n);
  db.memories!.delete(4n, 51n);
  const bundle = db.snapshot();
  const progress: number[][] = [];
  const copy = await NetDb.openFromSnapshot({ clock, timers }, {}, bundle, { onProgress: (d, t) => progress.push([d, t]) });
  assert.deepEqual(progress.at(-1), [40, 40], "30 task rows and tombstones, 10 memory rows and tombstones");
  const strip = <T extends { createdSeq: number }>(rows: T[]) => rows.map(({ createdSeq: _, ...r }) => r);
  assert.deepEqual(strip(copy.tasks!.findMany()), strip(db.tasks!.findMany()));
  assert.deepEqual(strip(copy.memories!.findMany()), strip(db.memories!.findMany()));
  assert.equal(copy.tasks!.isDeleted(1n), true);
  assert.throws(() => copy.tasks!.create({ id: 6n, title: 'x' }), (e) => isNetError(e, ErrorCode.AlreadyExists));
  assert.equal(copy.tasks!.create({ title: 'new' }).id, 30n);
  // the copy's logs alone rebuild it
  const again = await NetDb.openFromSnapshot({ clock, timers }, {}, copy.snapshot());
  assert.deepEqual(strip(again.tasks!.findMany()), strip(copy.tasks!.findMany()));
  await Promise.all([db.close(), copy.close(), again.close()]);
});

test('on a real disk: writes survive close and reopen; restore refuses a store that has data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'log-netdb-'));
  try {
    const components = { clock, timers: new RealTimers(), fileIO: new NodeFileIO() };
    const db = await NetDb.open(components, { dir, durability: { mode: 'everyN', n: 16 } });
    for (let i = 0; i < 100; i++) db.tasks!.create({ title: `t${i}`, tags: ['a'] });
    db.tasks!.delete(7n);
    db.memories!.store({ content: 'hello' });
    const before = db.tasks!.findMany();
    const bundle = db.snapshot();
    await db.close();
    const re = await NetDb.open(components, { dir });
    assert.deepEqual(re.tasks!.findMany(), before);
    assert.equal(re.tasks!.isDeleted(7n), true);
    assert.equal(re.memories!.findUnique({ where: { id: 0n } })!.content, 'hello');
    await re.close();
    await assert.rejects(NetDb.openFromSnapshot(components, { dir }, bundle), (e) => e instanceof NetDbError && e.kind === 'store-not-empty');
    const dir2 = join(dir, 'restored');
    const restored = await NetDb.openFromSnapshot(components, { dir: dir2 }, bundle);
    await restored.close();
    const re2 = await NetDb.open(components, { dir: dir2 });
    assert.equal(re2.tasks!.count(), 99);
    await re2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ids across 2^53 and up to 2^64 - 1 stay distinct; non-ASCII titles round-trip through the fold', async () => {
  const db = await open({ withMemories: false });
  const ids = [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n];
  ids.forEach((id, i) => db.tasks!.create({ id, title: `t${i} ü ✓ 😀`, nowNs: BigInt(i) }));
  ids.forEach((id, i) => assert.equal(db.tasks!.findUnique({ where: { id } })!.title, `t${i} ü ✓ 😀`));
  db.tasks!.delete(2n ** 53n);
  assert.equal(db.tasks!.findUnique({ where: { id: 2n ** 53n + 1n } })!.id, 2n ** 53n + 1n);
  assert.throws(() => db.tasks!.create({ id: 2n ** 64n, title: 'x' }), (e) => isNetError(e, ErrorCode.InvalidArgument));
  await db.close();
});
