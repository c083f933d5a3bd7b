// The README's example must run as printed: extract the ```ts block, run it against the built package and
// compare its output with the `// →` line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('README example runs and prints what it says', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has a ts example');
  const expected = /\/\/ → (.*)/.exec(block)?.[1];
  assert.ok(expected, 'the example states its output');
  // Inside the repository so that `net-mesh/...` resolves to this package by self-reference.
  const dir = mkdtempSync(join(process.cwd(), 'test', '.readme-'));
  try {
    const file = join(dir, 'example.ts');
    writeFileSync(file, block);
    const out = execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' });
    assert.equal(out.trim(), expected.trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
