// docs/LIMITS.md must match the code: each row's constant exists in the named plane with the stated default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as core from '../../src/core/index.js';
import * as wire from '../../src/wire/index.js';
import * as crypto from '../../src/crypto/index.js';
import * as transport from '../../src/transport/index.js';
import * as mesh from '../../src/mesh/index.js';
import * as trust from '../../src/trust/index.js';
import * as bus from '../../src/bus/index.js';
import * as log from '../../src/log/index.js';
import * as views from '../../src/views/index.js';
import * as node from '../../src/node/index.js';
import * as cli from '../../src/cli/index.js';

const planes: Record<string, Record<string, unknown>> = { core, wire, crypto, transport, mesh, trust, bus, log, views, node, cli };

function parseValue(text: string): number {
  const pow = /^(\d+)\^(\d+)$/.exec(text);
  return pow ? Number(pow[1]) ** Number(pow[2]) : Number(text);
}

test('every LIMITS.md row names an exported constant with the documented default', () => {
  const doc = readFileSync(new URL('../../docs/LIMITS.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((l) => /^\| [^-|]/.test(l) && !l.startsWith('| limit |'));
  assert.ok(rows.length >= 10, 'LIMITS.md has its table');
  for (const row of rows) {
    const cells = row.split('|').slice(1, -1).map((c) => c.trim());
    const [limit, constant, plane, value] = cells as [string, string, string, string];
    const name = constant.replace(/`/g, '');
    const mod = planes[plane];
    assert.ok(mod, `${limit}: unknown plane ${plane}`);
    const [head, field] = name.split('.') as [string, string | undefined];
    assert.ok(head in mod, `${limit}: ${plane} does not export ${head}`);
    const actual = field === undefined ? mod[head] : (mod[head] as Record<string, unknown>)[field];
    assert.equal(actual, parseValue(value), `${limit}: ${name} is ${String(actual)}, LIMITS.md says ${value}`);
  }
});
