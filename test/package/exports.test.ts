// The published entry points resolve from the built package (npm test builds dist/ first): the package
// imports itself by name through its `exports` map, as a user's code would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, { types: string; default: string } | string>;
};

test('every subpath export points at built files that exist, with declarations', () => {
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    for (const file of [target.default, target.types]) {
      assert.ok(existsSync(new URL(`../../${file}`, import.meta.url)), `${subpath} -> ${file} (run npm run build)`);
    }
  }
});

test('net-mesh and its plane subpaths import by name', async () => {
  const root = await import('net-mesh');
  const core = await import('net-mesh/core');
  const wire = await import('net-mesh/wire');
  const crypto = await import('net-mesh/crypto');
  const transport = await import('net-mesh/transport');
  const log = await import('net-mesh/log');
  assert.equal(typeof log.RedexFile, 'function');
  assert.equal(log.REDEX_ENTRY_BYTES, 20);
  const cortex = await import('net-mesh/cortex');
  assert.equal(typeof cortex.NetDb, 'function');
  assert.equal(typeof cortex.CortexAdapter, 'function');
  assert.equal(typeof root.NetDb, 'function');
  assert.equal(typeof transport.UdpPort, 'function');
  assert.equal(typeof transport.SimNetwork, 'function');
  assert.equal(typeof core.NetError, 'function');
  assert.equal(wire.HEADER_BYTES, 68);
  assert.equal(typeof crypto.NoiseInitiator, 'function');
  assert.equal(root.HEADER_BYTES, 68);
  assert.equal(typeof root.Identity, 'function');
});
