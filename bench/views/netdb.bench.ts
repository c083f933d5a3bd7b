// NetDB tasks, in memory, against lmdb (lmdb-js, LMDB on the OS temp dir) doing the same work as `embedded_store`.
// - netdb.tasks_create: ns per tasks.create (title of 16 chars, 2 tags): encode the event with its EventMeta
//   checksum, append to the in-memory RedEX log, fold into the rows and indexes. 100,000 creates per round,
//   best of 3. Baseline: lmdb put of the same row (msgpack) plus one index key, async batched commits, timed to
//   the last commit.
// - netdb.find_unique: ns per findUnique by id over 10,000 tasks. Baseline: lmdb get (sync, from the page cache).
// - netdb.find_many_10k: us per findMany over 10,000 tasks, where status = pending and tag = t3, ordered by
//   creation time, take 50. Baseline: lmdb range over an index keyed [status, tag, createdNs, id], take 50, then
//   a get per id.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open as openLmdb, type Database, type RootDatabase } from 'lmdb';
import { SystemClock } from '../../src/core/index.js';
import { NetDb } from '../../src/views/index.js';
import { compareNs, round, type BenchCase } from '../harness.js';

const clock = new SystemClock();
const TAGS = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7'];
const N = 10_000;

interface Row {
  id: number;
  title: string;
  status: string;
  tags: string[];
  createdNs: number;
}

function row(i: number): Row {
  return { id: i, title: `task number ${String(i).padStart(5, '0')}`, status: i % 2 === 0 ? 'pending' : 'completed', tags: [TAGS[i % 8]!, TAGS[(i * 7 + 3) % 8]!], createdNs: 1_000_000 + i };
}

async function fill(n: number): Promise<NetDb> {
  const db = await NetDb.open({ clock }, { withMemories: false });
  for (let i = 0; i < n; i++) {
    const r = row(i);
    db.tasks!.create({ id: BigInt(i), title: r.title, tags: r.tags, nowNs: BigInt(r.createdNs) });
    if (r.status === 'completed') db.tasks!.complete(BigInt(i), BigInt(r.createdNs));
  }
  return db;
}

async function lmdbStore(base: string, n: number): Promise<{ rows: Database; index: Database; root: RootDatabase }> {
  const root = openLmdb({ path: join(base, 'lmdb') });
  const rows = root.openDB({ name: 'rows' });
  const index = root.openDB({ name: 'index' });
  let last: Promise<boolean> | undefined;
  for (let i = 0; i < n; i++) {
    const r = row(i);
    last = rows.put(i, r);
    for (const t of r.tags) index.put([r.status, t, r.createdNs, i], i);
  }
  await last;
  await root.flushed;
  return { rows, index, root };
}

async function bestOf(rounds: number, fn: () => Promise<void>): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  return best;
}

const cases: BenchCase[] = [
  {
    name: 'netdb.tasks_create',
    async run() {
      const M = 100_000;
      const ours = await bestOf(3, async () => {
        const db = await NetDb.open({ clock }, { withMemories: false });
        const t = db.tasks!;
        for (let i = 0; i < M; i++) t.create({ id: BigInt(i), title: 'a task to create', tags: ['t1', 't2'], nowNs: 1n });
        await db.close();
      });
      const base = mkdtempSync(join(tmpdir(), 'log-netdb-bench-'));
      try {
        const root = openLmdb({ path: join(base, 'lmdb') });
        const rows = root.openDB({ name: 'rows' });
        const index = root.openDB({ name: 'index' });
        let k = 0;
        const lmdb = await bestOf(3, async () => {
          let last: Promise<boolean> | undefined;
          for (let i = 0; i < M; i++, k++) {
            last = rows.put(k, { id: k, title: 'a task to create', status: 'pending', tags: ['t1', 't2'], createdNs: 1 });
            index.put(['pending', 't1', 1, k], k);
          }
          await last;
          await root.flushed;
        });
        await root.close();
        return { value: ours / M, unit: 'ns', baseline: { embedded_store: lmdb / M }, notes: 'in-memory log; lmdb on disk with async batched commits' };
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'netdb.find_unique',
    async run() {
      const db = await fill(N);
      const base = mkdtempSync(join(tmpdir(), 'log-netdb-bench-'));
      try {
        const store = await lmdbStore(base, N);
        const ids = Array.from({ length: 1024 }, (_, i) => BigInt((i * 7919) % N));
        const nids = ids.map(Number);
        let i = 0;
        let j = 0;
        const t = db.tasks!;
        // One call does 1,024 lookups (the result is consumed, so none can be optimized away): ns per lookup.
        let sink = 0;
        const ns = await compareNs({
          netdb: () => {
            for (let k = 0; k < 1024; k++) if (t.findUnique({ where: { id: ids[i++ & 1023]! } }) !== undefined) sink++;
          },
          lmdb: () => {
            for (let k = 0; k < 1024; k++) if (store.rows.get(nids[j++ & 1023]!) !== undefined) sink++;
          },
        });
        await store.root.close();
        if (sink === 0) throw new Error('no lookup found a row');
        return { value: round(ns.netdb / 1024, 1), unit: 'ns', baseline: { embedded_store: round(ns.lmdb / 1024, 1) }, notes: '10,000 tasks, ids as bigint' };
      } finally {
        await db.close();
        rmSync(base, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'netdb.find_many_10k',
    async run() {
      const db = await fill(N);
      const base = mkdtempSync(join(tmpdir(), 'log-netdb-bench-'));
      try {
        const store = await lmdbStore(base, N);
        const t = db.tasks!;
        const q = { where: { status: 'pending' as const, tag: 't3' }, orderBy: 'createdAsc' as const, take: 50 };
        const got = t.findMany(q);
        const viaLmdb = (): Row[] => {
          const out: Row[] = [];
          for (const { value } of store.index.getRange({ start: ['pending', 't3'], end: ['pending', 't3', Number.MAX_SAFE_INTEGER], limit: 50 })) {
            out.push(store.rows.get(value as number) as Row);
          }
          return out;
        };
        const theirs = viaLmdb();
        if (got.length !== 50 || theirs.length !== 50 || got.some((r, k) => Number(r.id) !== theirs[k]!.id)) throw new Error('netdb and lmdb disagree on the result');
        const ns = await compareNs({ netdb: () => t.findMany(q), lmdb: viaLmdb });
        await store.root.close();
        return { value: round(ns.netdb / 1000, 2), unit: 'us', baseline: { embedded_store: round(ns.lmdb / 1000, 2) },
          notes: '10,000 tasks, status=pending AND tag=t3, created asc, take 50' };
      } finally {
        await db.close();
        rmSync(base, { recursive: true, force: true });
      }
    },
  },
];

export default cases;
