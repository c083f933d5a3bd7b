// The fault layer bites (issue 9): the simulator can skip the fsync made at one source line of the log plane.
// For every fsync call site in the code (found by scanning the source, and each one must be reached by the
// workload), skipping just that one lets the crash enumeration find a lost durable record, a lost append after
// recovery or an unopenable log. An fsync whose removal no test notices is either redundant (and removed from
// the code: see the comments where one was) or a hole in the tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SimFileIO } from '../../src/log/index.js';
import { checkReopen, runWorkload } from './crash-workload.js';

type Skip = (path: string, kind: 'file' | 'dir', site: string) => boolean;

/** Every `.sync(` / `.syncDir(` call in the files that write the log, as `file:line`. */
function fsyncCallSites(): string[] {
  const out: string[] = [];
  for (const file of ['control-files.ts', 'disk-writer.ts', 'recovery.ts']) {
    const lines = readFileSync(new URL(`../../src/log/${file}`, import.meta.url), 'utf8').split('\n');
    lines.forEach((l, i) => {
      if (/\.(sync|syncDir)\(/.test(l)) out.push(`${file}:${i + 1}`);
    });
  }
  return out.sort();
}

async function findsViolation(skip: Skip, sites?: Set<string>): Promise<string | undefined> {
  const dry = new SimFileIO();
  await runWorkload(dry);
  for (let k = 0; k <= dry.ops; k++) {
    for (const mode of ['power', 'process'] as const) {
      const io = new SimFileIO();
      io.skipSync = skip;
      io.syncSites = sites;
      if (k < dry.ops) io.armCrash({ afterOps: k });
      const r = await runWorkload(io);
      if (mode === 'power') io.powerLoss();
      else io.processCrash();
      io.skipSync = skip;
      io.syncSites = sites;
      try {
        await checkReopen(io, r.durable, `${mode} loss after op ${k}`);
      } catch (e) {
        return (e as Error).message;
      }
    }
  }
  return undefined;
}

test('every fsync call site in the log is reached by the crash workload', async () => {
  const reached = new Set<string>();
  assert.equal(await findsViolation(() => false, reached), undefined, 'with every fsync in place nothing is lost');
  assert.deepEqual([...reached].sort(), fsyncCallSites());
});

for (const site of fsyncCallSites()) {
  test(`without the fsync at ${site}, the crash enumeration finds a violation`, async () => {
    const found = await findsViolation((_p, _k, s) => s === site);
    assert.ok(found, `removing the fsync at ${site} went unnoticed`);
  });
}
