// Real processes and a real disk (test plan §5.9 L1, L6): a writer appending with everyN durability is killed
// with SIGKILL at random moments (10 kills; 50 with NET_MESH_SOAK=1); after every kill the log reopens (taking
// over the dead writer's lock) to a contiguous prefix with the right payloads that holds every record the writer
// had reported durable. And a 1 MiB tmpfs filling up gives a typed ENOSPC error while the log stays readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, isNetError, SeededRandom, SystemClock } from '../../src/core/index.js';
import { NodeFileIO, RedexFile } from '../../src/log/index.js';
import { payloadFor } from './redex-payload.js';

const TSX = import.meta.resolve('tsx');
const WRITER = new URL('./redex-writer.ts', import.meta.url).pathname;
const KILLS = process.env.NET_MESH_SOAK === '1' ? 50 : 10;

function open(dir: string): Promise<RedexFile> {
  return RedexFile.open({ clock: new SystemClock(), fileIO: new NodeFileIO() }, { channel: 'soak/log', dir, durability: { mode: 'never' } });
}

/** Runs the writer until it has reported some durable records, kills it `delayMs` later; returns the last report. */
function runAndKill(dir: string, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, WRITER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let durable = 0;
    let armed = false;
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const m = /^durable (\d+)$/.exec(line);
        if (m) durable = Number(m[1]);
      }
      if (!armed && durable > 0) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(durable) : reject(new Error(`writer exited with ${code}`))));
  });
}

test(`a writer killed with SIGKILL ${KILLS} times always reopens to a prefix holding everything it reported durable`, { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'redex-kill-'));
  const rnd = new SeededRandom(0x5eed);
  try {
    let floor = 0;
    for (let k = 0; k < KILLS; k++) {
      const durable = await runAndKill(dir, 5 + (rnd.nextU32() % 120));
      floor = Math.max(floor, durable);
      const log = await open(dir);
      assert.equal(log.recovery.corruption, null, `kill ${k}: a killed process leaves no corruption`);
      assert.equal(log.firstSeq, 0);
      assert.ok(log.nextSeq >= floor, `kill ${k}: ${log.nextSeq} records, ${floor} were reported durable`);
      for (let s = 0; s < log.nextSeq; s++) assert.deepEqual(log.read(s)?.payload, payloadFor(s), `kill ${k}: seq ${s}`);
      floor = log.nextSeq; // what the reopen found is durable now (recovery fsyncs it)
      await log.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a full 1 MiB tmpfs: a typed ENOSPC error, and the log stays readable and reopens', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'redex-full-'));
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { encoding: 'utf8' });
  if (mount.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs (needs root): ${(mount.stderr || mount.error?.message || '').trim()}`);
    return;
  }
  try {
    const log = await open(mnt);
    const payload = new Uint8Array(16 * 1024).fill(9);
    let err: unknown;
    for (let i = 0; i < 200 && err === undefined; i++) {
      log.append(payload);
      err = await log.sync().then(() => undefined, (e: unknown) => e);
    }
    assert.ok(isNetError(err, ErrorCode.StorageFull), `got ${String(err)}`);
    const durable = log.durableSeq;
    assert.ok(durable > 10);
    assert.deepEqual(log.read(0)?.payload, payload, 'still readable');
    await assert.rejects(log.close(), (e: unknown) => isNetError(e, ErrorCode.StorageFull));
    const again = await open(mnt);
    assert.equal(again.nextSeq, durable);
    assert.equal(again.recovery.corruption, null);
    for (let s = 0; s < again.nextSeq; s++) assert.deepEqual(again.read(s)?.payload, payload);
    await again.close();
  } finally {
    spawnSync('umount', [mnt]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on the real disk a second writer is refused while the first lives; a dead writer\'s lock is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'redex-lock-'));
  try {
    const first = await open(dir);
    await assert.rejects(open(dir), (e: unknown) => isNetError(e, ErrorCode.StorageLocked));
    await first.close();
    // A lock file naming a pid that no longer runs (a killed writer) is stale.
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'soak%log', 'LOCK'), `${child.stdout}\n`);
    const again = await open(dir);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
