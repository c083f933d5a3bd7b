// `net-mesh log …` and `net-mesh netdb …`: in-process for the details, as child processes for exit codes,
// stdout/stderr separation and durability across processes (each command is its own process and store open).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { cli, oneLine, runCli, tempDir } from './harness.js';

const { dir, cleanup } = await tempDir('storage');
after(cleanup);

describe('netdb and log commands', () => {
  test('tasks: create, ls with filters, complete, delete; errors give the documented codes', async () => {
    const d = ['--dir', join(dir, 'a')];
    assert.equal((await runCli(['netdb', 'tasks', 'create', 'write docs', '--tag', 'docs', ...d])).stdout, '0\n');
    assert.equal((await runCli(['netdb', 'tasks', 'create', 'ship it', '--tag', 'rel', '--pinned', ...d])).stdout, '1\n');
    assert.equal((await runCli(['netdb', 'tasks', 'complete', '0', ...d])).code, ExitCode.Ok);
    const ls = JSON.parse((await runCli(['netdb', 'tasks', 'ls', '--json', ...d])).stdout) as { id: string; status: string; pinned: boolean }[];
    assert.deepEqual(ls.map((t) => [t.id, t.status, t.pinned]), [['0', 'completed', false], ['1', 'pending', true]]);
    assert.equal((await runCli(['netdb', 'tasks', 'ls', '--status', 'pending', '--tag', 'rel', ...d])).stdout, '1  [ ]  ship it  #rel\n');
    assert.equal((await runCli(['netdb', 'tasks', 'delete', '0', ...d])).code, ExitCode.Ok);
    const gone = await runCli(['netdb', 'tasks', 'complete', '0', ...d]);
    assert.equal(gone.code, ExitCode.NotFound);
    assert.match(oneLine(gone.stderr), /task 0 was deleted/);
    assert.equal((await runCli(['netdb', 'tasks', 'create', 'again', '--id', '0', ...d])).code, ExitCode.AlreadyExists);
    assert.equal((await runCli(['netdb', 'tasks', 'ls', '--status', 'done', ...d])).code, ExitCode.Usage);
    assert.equal((await runCli(['netdb', 'tasks', 'delete', 'x1', ...d])).code, ExitCode.Usage);
  });

  test('memories: store, upsert with --id, ls, delete', async () => {
    const d = ['--dir', join(dir, 'm')];
    assert.equal((await runCli(['netdb', 'memories', 'store', 'the sky is blue', '--tag', 'fact', '--source', 'eyes', ...d])).stdout, '0\n');
    await runCli(['netdb', 'memories', 'store', 'the sky is grey', '--id', '0', '--tag', 'fact', ...d]);
    const ls = JSON.parse((await runCli(['netdb', 'memories', 'ls', '--json', ...d])).stdout) as { content: string }[];
    assert.deepEqual(ls.map((m) => m.content), ['the sky is grey']);
    assert.equal((await runCli(['netdb', 'memories', 'delete', '0', ...d])).code, ExitCode.Ok);
    assert.equal((await runCli(['netdb', 'memories', 'ls', ...d])).stdout, '');
  });

  test('log stats, tail and compact on the store\'s logs; a missing log exits 6', async () => {
    const store = join(dir, 'l');
    for (let i = 0; i < 5; i++) await runCli(['netdb', 'tasks', 'create', `t${i}`, '--dir', store]);
    const stats = JSON.parse((await runCli(['log', 'stats', 'netdb/tasks', '--dir', store, '--json'])).stdout) as Record<string, unknown>;
    assert.equal(stats.next_seq, 5);
    assert.equal(stats.corruption, null);
    const tail = (await runCli(['log', 'tail', 'netdb/tasks', '--dir', store, '--from', '3', '--json'])).stdout.trim().split('\n');
    assert.deepEqual(tail.map((l) => (JSON.parse(l) as { seq: number }).seq), [3, 4]);
    assert.equal((await runCli(['log', 'tail', 'netdb/tasks', '--dir', store, '-n', '2'])).stdout.split('\n').length, 3);
    const c = await runCli(['log', 'compact', 'netdb/tasks', '--dir', store, '--json']);
    const cj = JSON.parse(c.stdout) as { generation_before: number; generation: number; records: number };
    assert.equal(cj.generation, cj.generation_before + 1);
    assert.equal(cj.records, 5);
    assert.match(c.stderr, /compacting netdb\/tasks: 5 records/);
    assert.equal((await runCli(['netdb', 'tasks', 'ls', '--dir', store])).stdout.split('\n').length, 6, 'the store reads after compaction');
    assert.equal((await runCli(['log', 'stats', 'no/such', '--dir', store])).code, ExitCode.NotFound);
    assert.equal((await runCli(['log', 'stats', 'Bad Name', '--dir', store])).code, ExitCode.Usage);
  });
});

describe('netdb as child processes', { concurrency: true }, () => {
  test('snapshot then restore elsewhere; restore over a store exits 7 unless --force; a damaged bundle exits 8', async () => {
    const src = join(dir, 'p-src');
    const created = await cli(['netdb', 'tasks', 'create', 'persisted', '--tag', 'x', '--dir', src]);
    assert.equal(created.code, ExitCode.Ok, created.stderr);
    const bundle = join(dir, 'p.bundle');
    const snap = await cli(['netdb', 'snapshot', '--out', bundle, '--dir', src, '--json']);
    assert.equal(snap.code, ExitCode.Ok, snap.stderr);
    assert.equal((JSON.parse(snap.stdout) as { tasks: number }).tasks, 1);
    const dst = join(dir, 'p-dst');
    const r = await cli(['netdb', 'restore', bundle, '--dir', dst]);
    assert.equal(r.code, ExitCode.Ok, r.stderr);
    assert.match(r.stderr, /restored 1\/1 rows/);
    const ls = await cli(['netdb', 'tasks', 'ls', '--dir', dst]);
    assert.equal(ls.stdout, '0  [ ]  persisted  #x\n');
    const again = await cli(['netdb', 'restore', bundle, '--dir', dst]);
    assert.equal(again.code, ExitCode.AlreadyExists);
    assert.match(oneLine(again.stderr), /pass --force/);
    await cli(['netdb', 'tasks', 'create', 'extra', '--dir', dst]);
    const forced = await cli(['netdb', 'restore', bundle, '--dir', dst, '--force']);
    assert.equal(forced.code, ExitCode.Ok, forced.stderr);
    assert.equal((await cli(['netdb', 'tasks', 'ls', '--dir', dst])).stdout, '0  [ ]  persisted  #x\n');
    const bytes = await readFile(bundle);
    bytes[bytes.length - 10]! ^= 1;
    await writeFile(join(dir, 'bad.bundle'), bytes);
    const bad = await cli(['netdb', 'restore', join(dir, 'bad.bundle'), '--dir', join(dir, 'p-bad')]);
    assert.equal(bad.code, ExitCode.Data);
    assert.equal(bad.stdout, '');
    assert.match(oneLine(bad.stderr), /NetDB bundle: checksum mismatch/);
  });
});
