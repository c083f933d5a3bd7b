// docs/CLI.md must match the code: its exit-code table equals EXIT_CODES, and the error-code mapping it describes
// is the one exitCodeFor applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ErrorCode, NetError } from '../../src/core/index.js';
import { EXIT_CODES, exitCodeFor } from '../../src/cli/exit-codes.js';

const doc = readFileSync(new URL('../../docs/CLI.md', import.meta.url), 'utf8');

function tableAfter(heading: string): string[][] {
  const start = doc.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `CLI.md has "${heading}"`);
  const lines = doc.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(first + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

test('the exit-code table in docs/CLI.md equals src/cli/exit-codes.ts', () => {
  const rows = tableAfter('## Exit codes');
  assert.deepEqual(rows, EXIT_CODES.map((e) => [String(e.code), e.name, e.meaning]));
});

test('the error-code mapping described under the table is the one exitCodeFor applies', () => {
  const text = doc.slice(doc.indexOf('## Exit codes'));
  const mentioned = new Map<string, number>();
  for (const sentence of text.split(/;|\.\s/)) {
    const give = /give (\d)/.exec(sentence);
    if (give === null) continue;
    for (const m of sentence.matchAll(/`(ERR_[A-Z_]+)`/g)) mentioned.set(m[1]!, Number(give[1]));
  }
  assert.ok(mentioned.size >= 10);
  for (const [code, exit] of mentioned) {
    assert.ok((Object.values(ErrorCode) as string[]).includes(code), `${code} is an ErrorCode`);
    assert.equal(exitCodeFor(new NetError(code as ErrorCode, 'x')), exit, code);
  }
  // "anything else gives 1"
  for (const code of Object.values(ErrorCode)) {
    if (!mentioned.has(code)) assert.equal(exitCodeFor(new NetError(code, 'x')), 1, code);
  }
  assert.equal(exitCodeFor(new Error('plain')), 1);
});
