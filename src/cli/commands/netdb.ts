/**
 * `net-mesh netdb tasks|memories|snapshot|restore`: the local NetDB store (two RedEX logs under `--dir`).
 * Every command opens the store, does its work, and closes it (a final fsync), so a command that exits 0 left
 * its write durable. Long work (restore) reports progress on stderr.
 */
import { open as openFile, mkdir, rename, rm, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, SystemClock } from '../../core/index.js';
import { channelDirName, NodeFileIO } from '../../log/index.js';
import { NETDB_CHANNELS, NetDb, NetDbError, type Memory, type NetDbComponents, type Task, type TaskStatus } from '../../views/index.js';
import { formatJson, type CliIO } from '../output.js';
import { dataDir } from '../paths.js';

const components = (): NetDbComponents => ({ clock: new SystemClock(), fileIO: new NodeFileIO() });

function storeDir(io: CliIO, dir: string | undefined): string {
  return resolve(dir ?? join(dataDir(io.env), 'netdb'));
}

async function withDb<T>(dir: string, fn: (db: NetDb) => T | Promise<T>): Promise<T> {
  const db = await NetDb.open(components(), { dir, durability: { mode: 'never' } });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function parseId(v: string): bigint {
  if (!/^\d{1,20}$/.test(v) || BigInt(v) > 0xffff_ffff_ffff_ffffn) throw new InvalidArgumentError(`an id is a u64 in decimal, got ${v}`);
  return BigInt(v);
}

function parseTake(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`--take must be a non-negative integer, got ${v}`);
  return Number(v);
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const iso = (ns: bigint): string => new Date(Number(ns / 1_000_000n)).toISOString();

function taskJson(t: Task) {
  return { id: t.id.toString(), title: t.title, status: t.status, tags: t.tags, pinned: t.pinned, created: iso(t.createdNs), updated: iso(t.updatedNs),
    completed: t.completedNs === null ? null : iso(t.completedNs) };
}

function memoryJson(m: Memory) {
  return { id: m.id.toString(), content: m.content, tags: m.tags, source: m.source, pinned: m.pinned, created: iso(m.createdNs), updated: iso(m.updatedNs) };
}

function printRows<R>(io: CliIO, rows: R[], json: boolean, text: (r: R) => string): void {
  if (json) io.stdout(formatJson(rows));
  else for (const r of rows) io.stdout(`${text(r)}\n`);
}

export function registerNetDbCommands(program: Command, io: CliIO): void {
  const netdb = program.command('netdb').description('the local NetDB store: tasks, memories, snapshots');
  const dirHelp = 'store directory (default: $XDG_DATA_HOME/net-mesh/netdb)';

  const tasks = netdb.command('tasks').description('tasks in the store');
  tasks.command('ls').description('list tasks, oldest first')
    .option('--dir <path>', dirHelp).option('--status <s>', 'pending or completed').option('--tag <t>', 'only tasks with this tag (repeatable)', collect)
    .option('--take <n>', 'at most this many').option('--json', 'print JSON', false)
    .action(async (o: { dir?: string; status?: string; tag?: string[]; take?: string; json: boolean }) => {
      if (o.status !== undefined && o.status !== 'pending' && o.status !== 'completed') throw new InvalidArgumentError(`--status is pending or completed, got ${o.status}`);
      const rows = await withDb(storeDir(io, o.dir), (db) => db.tasks!.findMany({ where: { status: o.status as TaskStatus | undefined, tagsAll: o.tag }, take: parseTake(o.take) }));
      printRows(io, rows.map(taskJson), o.json, (t) => `${t.id}  ${t.status === 'completed' ? '[x]' : '[ ]'}  ${t.title}${t.tags.length ? `  #${t.tags.join(' #')}` : ''}`);
    });
  tasks.command('create').description('create a task and print its id').argument('<title>')
    .option('--dir <path>', dirHelp).option('--id <id>', 'the id (default: the next unused)').option('--tag <t>', 'a tag (repeatable)', collect)
    .option('--pinned', 'pin it', false).option('--json', 'print JSON', false)
    .action(async (title: string, o: { dir?: string; id?: string; tag?: string[]; pinned: boolean; json: boolean }) => {
      const t = await withDb(storeDir(io, o.dir), (db) => {
        const { id } = db.tasks!.create({ id: o.id === undefined ? undefined : parseId(o.id), title, tags: o.tag, pinned: o.pinned });
        return db.tasks!.findUnique({ where: { id } })!;
      });
      if (o.json) io.stdout(formatJson(taskJson(t)));
      else io.stdout(`${t.id}\n`);
    });
  for (const verb of ['complete', 'delete'] as const) {
    tasks.command(verb).description(verb === 'complete' ? 'mark a task completed' : 'delete a task (its id is never reused)').argument('<id>')
      .option('--dir <path>', dirHelp)
      .action(async (id: string, o: { dir?: string }) => {
        await withDb(storeDir(io, o.dir), (db) => void db.tasks![verb](parseId(id)));
      });
  }

  const memories = netdb.command('memories').description('memories in the store');
  memories.command('ls').description('list memories, oldest first')
    .option('--dir <path>', dirHelp).option('--tag <t>', 'only memories with this tag (repeatable)', collect).option('--pinned', 'only pinned ones')
    .option('--take <n>', 'at most this many').option('--json', 'print JSON', false)
    .action(async (o: { dir?: string; tag?: string[]; pinned?: boolean; take?: string; json: boolean }) => {
      const rows = await withDb(storeDir(io, o.dir), (db) => db.memories!.findMany({ where: { tagsAll: o.tag, pinned: o.pinned }, take: parseTake(o.take) }));
      printRows(io, rows.map(memoryJson), o.json, (m) => `${m.id}  ${m.pinned ? '*' : ' '} ${JSON.stringify(m.content)}${m.tags.length ? `  #${m.tags.join(' #')}` : ''}`);
    });
  memories.command('store').description('store a memory (or replace a live one with --id) and print its id').argument('<content>')
    .option('--dir <path>', dirHelp).option('--id <id>', 'the id (default: the next unused)').option('--tag <t>', 'a tag (repeatable)', collect)
    .option('--source <s>', 'where it came from').option('--json', 'print JSON', false)
    .action(async (content: string, o: { dir?: string; id?: string; tag?: string[]; source?: string; json: boolean }) => {
      const m = await withDb(storeDir(io, o.dir), (db) => {
        const { id } = db.memories!.store({ id: o.id === undefined ? undefined : parseId(o.id), content, tags: o.tag, source: o.source });
        return db.memories!.findUnique({ where: { id } })!;
      });
      if (o.json) io.stdout(formatJson(memoryJson(m)));
      else io.stdout(`${m.id}\n`);
    });
  memories.command('delete').description('delete a memory (it never comes back)').argument('<id>').option('--dir <path>', dirHelp)
    .action(async (id: string, o: { dir?: string }) => {
      await withDb(storeDir(io, o.dir), (db) => void db.memories!.delete(parseId(id)));
    });

  netdb.command('snapshot').description('write the whole store as one checksummed bundle file (atomically)')
    .requiredOption('--out <file>', 'bundle file to write').option('--dir <path>', dirHelp).option('--json', 'print JSON', false)
    .action(async (o: { out: string; dir?: string; json: boolean }) => {
      const dir = storeDir(io, o.dir);
      if (!(await storeExists(dir))) throw new NetDbError('not-found', `no NetDB store in ${dir}`);
      const { bundle, tasks: t, memories: m } = await withDb(dir, (db) => ({ bundle: db.snapshot(), tasks: db.tasks!.count(), memories: db.memories!.count() }));
      const out = resolve(o.out);
      await writeAtomic(out, bundle);
      if (o.json) io.stdout(formatJson({ path: out, bytes: bundle.length, tasks: t, memories: m }));
      else io.stdout(`wrote ${out}: ${bundle.length} bytes, ${t} tasks, ${m} memories\n`);
    });

  netdb.command('restore').description('load a bundle into an empty store (--force replaces an existing one)').argument('<file>')
    .option('--dir <path>', dirHelp).option('--force', 'delete the existing store first', false).option('--json', 'print JSON', false)
    .action(async (file: string, o: { dir?: string; force: boolean; json: boolean }) => {
      const dir = storeDir(io, o.dir);
      const bytes = new Uint8Array(await readFile(resolve(file)));
      if (await storeExists(dir)) {
        if (!o.force) throw new NetDbError('store-not-empty', `${dir} already holds a NetDB store; pass --force to replace it`);
        for (const ch of Object.values(NETDB_CHANNELS)) await rm(join(dir, channelDirName(ch)), { recursive: true, force: true });
      }
      const db = await NetDb.openFromSnapshot(components(), { dir, durability: { mode: 'never' } }, bytes, {
        onProgress: (done, total) => io.stderr(`restored ${done}/${total} rows\n`),
      });
      const counts = { tasks: db.tasks!.count(), memories: db.memories!.count() };
      await db.close();
      if (o.json) io.stdout(formatJson({ dir, ...counts }));
      else io.stdout(`restored ${dir}: ${counts.tasks} tasks, ${counts.memories} memories\n`);
    });
}

async function storeExists(dir: string): Promise<boolean> {
  for (const ch of Object.values(NETDB_CHANNELS)) {
    try {
      await stat(join(dir, channelDirName(ch)));
      return true;
    } catch {
      // not there
    }
  }
  return false;
}

/** tmp file → fsync → rename → fsync the directory: a crash leaves the old file or the new one, never half. */
async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp.${process.pid}`;
  const fh = await openFile(tmp, 'w', 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const d = await openFile(dirname(path), 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
