// The fault layer bites (issue 9): disabling any one class of fsync in the simulator (each file kind, each
// directory level) lets the crash enumeration find a lost durable record or an unopenable log. If an fsync could
// be removed without any test failing, either the fsync or the tests would be wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimFileIO } from '../../src/log/index.js';
import { checkReopen, runWorkload } from './crash-workload.js';

const CLASSES: Record<string, (path: string, kind: 'file' | 'dir') => boolean> = {
  'fsync of dat': (p, k) => k === 'file' && /\/dat\.\d+$/.test(p),
  'fsync of idx': (p, k) => k === 'file' && /\/idx\.\d+$/.test(p),
  'fsync of ts': (p, k) => k === 'file' && /\/ts\.\d+$/.test(p),
  'fsync of GEN': (p, k) => k === 'file' && p.endsWith('/GEN'),
  'fsync of a generation directory': (p, k) => k === 'dir' && /\/v\d{10}$/.test(p),
  'fsync of the channel directory': (p, k) => k === 'dir' && p.endsWith('/app%events'),
  'fsync of the base directory': (p, k) => k === 'dir' && p === '/data',
  'fsync of the root directory': (p, k) => k === 'dir' && p === '/',
};

async function findsViolation(skip: (path: string, kind: 'file' | 'dir') => boolean): Promise<string | undefined> {
  const dry = new SimFileIO();
  await runWorkload(dry);
  for (let k = 0; k <= dry.ops; k++) {
    const io = new SimFileIO();
    io.skipSync = skip;
    if (k < dry.ops) io.armCrash({ afterOps: k });
    const r = await runWorkload(io);
    io.powerLoss();
    io.skipSync = skip;
    try {
      await checkReopen(io, r.durable, `crash after op ${k}`);
    } catch (e) {
      return (e as Error).message;
    }
  }
  return undefined;
}

for (const [name, skip] of Object.entries(CLASSES)) {
  test(`without the ${name}, the crash enumeration finds a violation`, async () => {
    const found = await findsViolation(skip);
    assert.ok(found, `removing the ${name} went unnoticed`);
  });
}
