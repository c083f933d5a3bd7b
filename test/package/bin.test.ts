// The installed command: package.json's bin entry runs the built CLI (npm test builds dist/ first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { bin: Record<string, string>; files: string[]; version: string };

test('bin net-mesh is an executable shim that runs the built CLI', () => {
  assert.deepEqual(pkg.bin, { 'net-mesh': 'bin/net-mesh.js' });
  assert.ok(pkg.files.includes('bin'));
  const shim = fileURLToPath(new URL(pkg.bin['net-mesh']!, root));
  assert.ok(readFileSync(shim, 'utf8').startsWith('#!/usr/bin/env node\n'));
  assert.ok((statSync(shim).mode & 0o111) !== 0, 'executable bit');
  const out = execFileSync(process.execPath, [shim, '--version'], { encoding: 'utf8' });
  assert.equal(out.trim(), pkg.version);
});
