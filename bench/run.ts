/**
 * `npm run bench [prefix]`: runs every bench/**\/*.bench.ts case whose name starts with `prefix`, prints a table
 * and writes bench/results/latest.json as { results: { <name>: { value, unit, baseline } } }.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchCase, BenchResult } from './harness.js';

const prefix = process.argv[2] ?? '';
const files: string[] = [];
(function walk(dir: string) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.bench.ts')) files.push(path);
  }
})('bench');

const cases: BenchCase[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(process.cwd(), file)).href)) as { default: BenchCase[] };
  cases.push(...mod.default.filter((c) => c.name.startsWith(prefix)));
}
if (cases.length === 0) {
  console.error(`no benchmark starts with "${prefix}"`);
  process.exit(1);
}

const results: Record<string, BenchResult> = {};
console.log(`node ${process.version} · ${cases.length} benchmark(s)\n`);
console.log(pad('name', 34) + pad('value', 14) + pad('unit', 8) + 'baselines (same run)');
for (const c of cases) {
  const r = await c.run();
  results[c.name] = r;
  const base = Object.entries(r.baseline).map(([k, v]) => `${k}=${fmt(v)}`).join('  ');
  console.log(pad(c.name, 34) + pad(fmt(r.value), 14) + pad(r.unit, 8) + base + (r.notes ? `  (${r.notes})` : ''));
}

mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2) + '\n');
console.log('\nwrote bench/results/latest.json');

function pad(s: string, n: number): string {
  return s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length);
}
function fmt(n: number): string {
  return n >= 1000 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 100) / 100);
}
