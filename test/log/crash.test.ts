// Crash enumeration (test plan §5.9 L2, L3, L7): a crash before every mutating call and at every named crash
// point of append, sync, rollover, retention and two compactions, then power loss (unsynced data and directory
// entries gone) or a process crash (page cache kept). Reopening must give a valid prefix holding every record
// the durability policy had promised, and the log must take appends again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimFileIO } from '../../src/log/index.js';
import { assertValidPrefix, openLog } from './harness.js';
import { checkReopen, EXPECTED, RECORDS, runWorkload } from './crash-workload.js';

test('the workload runs clean and ends with every record durable and compacted twice', async () => {
  const io = new SimFileIO();
  const r = await runWorkload(io);
  assert.equal(r.crashed, false);
  assert.equal(r.durable, RECORDS);
  io.powerLoss();
  const log = await openLog(io);
  assert.equal(log.recovery.generation, 3);
  assert.equal(log.firstSeq, 24);
  assert.equal(log.nextSeq, RECORDS);
  await log.close();
});

test('a crash before any mutating call, then power loss or process crash, recovers a valid prefix', async () => {
  const dry = new SimFileIO();
  await runWorkload(dry);
  const total = dry.ops;
  assert.ok(total > 100, `the workload makes ${total} calls`);
  for (let k = 0; k <= total; k++) {
    for (const mode of ['power', 'process'] as const) {
      const io = new SimFileIO();
      io.armCrash({ afterOps: k });
      const r = await runWorkload(io);
      assert.equal(r.crashed, k < total, `crash at op ${k}`);
      if (mode === 'power') io.powerLoss();
      else io.processCrash();
      await checkReopen(io, r.durable, `${mode} loss after op ${k}`);
    }
  }
});

test('a crash at every named crash point recovers a valid prefix', async () => {
  const dry = new SimFileIO();
  await runWorkload(dry);
  const hits = new Map<string, number>();
  for (const p of dry.pointsPassed) hits.set(p, (hits.get(p) ?? 0) + 1);
  for (const name of ['append.dat-written', 'append.idx-written', 'append.ts-written', 'sync.dat', 'sync.idx', 'sync.ts',
    'sync.dir', 'rollover.created', 'compact.generation-durable', 'manifest.tmp-written', 'manifest.renamed',
    'manifest.durable', 'compact.old-removed', 'generation.mkdir', 'generation.header-synced']) {
    assert.ok(hits.has(name), `the workload passes ${name}`);
  }
  for (const [name, n] of hits) {
    for (let hit = 1; hit <= n; hit++) {
      const io = new SimFileIO();
      io.armCrash({ point: name, hit });
      const r = await runWorkload(io);
      assert.equal(r.crashed, true);
      io.powerLoss();
      await checkReopen(io, r.durable, `${name} #${hit}`);
    }
  }
});

test('every prefix of the last 4 KiB of unsynced writes to each file (torn writes) recovers a valid prefix', async () => {
  // 64 records, synced only at 32: the second half is unsynced in dat, idx and ts.
  const base = new SimFileIO();
  const log = await openLog(base, { durability: { mode: 'never' } });
  for (let i = 0; i < RECORDS; i++) {
    if (i % 7 === 3) log.appendInline(EXPECTED[i]!);
    else log.append(EXPECTED[i]!);
    if (i === 31) await log.sync();
  }
  await log.flush();
  const files = base.listFiles().filter((f) => /\/(dat|idx|ts)\.\d+$/.test(f));
  assert.equal(files.length, 3);
  let cases = 0;
  for (const file of files) {
    const unsynced = base.unsyncedBytes(file);
    assert.ok(unsynced > 0 && unsynced <= 4096, `${file} has ${unsynced} unsynced bytes`);
    for (const others of ['none', 'all'] as const) {
      for (let k = 0; k <= unsynced; k++) {
        const io = base.clone();
        io.powerLoss({ keepUnsyncedBytes: (p, n) => (p === file ? k : others === 'all' ? n : 0) });
        const r = await openLog(io);
        assertValidPrefix(r, EXPECTED, 32);
        assert.equal(r.recovery.corruption, null, `${file} k=${k}: a torn tail is not corruption`);
        await r.close();
        cases++;
      }
    }
  }
  assert.ok(cases > 1000, `${cases} torn cases`);
});
