// `net-mesh/trust` resolves from the built package by name (npm test builds dist/ first).
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('net-mesh/trust imports by name and matches the root entry', async () => {
  const trust = await import('net-mesh/trust');
  const root = await import('net-mesh');
  assert.equal(typeof trust.CapabilityIndex, 'function');
  assert.equal(trust.MAX_ALLOW_LIST_LEN, 64);
  assert.equal(root.TokenCache, trust.TokenCache);
});
