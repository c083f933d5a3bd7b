#!/usr/bin/env node
// Enforces DESIGN.md §1: src/ is a stack of planes; a module imports from its own plane and from planes listed
// before it, and reaches another plane only through that plane's index.ts. Unknown top-level entries fail, so a
// new plane has to be added here (and to DESIGN.md) on purpose.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export const PLANES = ['core', 'wire', 'crypto', 'transport', 'mesh', 'trust', 'channels', 'bus', 'log', 'views',
  'rpc', 'compute', 'dataforts', 'meshos', 'node', 'cli', 'deck'];
// The package entry and the operator surfaces may import any plane.
const MAY_IMPORT_ANY = new Set(['index.ts', 'cli', 'deck']);
const ROOT_FILES = new Set(['index.ts']);

const src = resolve(process.argv[2] ?? 'src');
const problems = [];
const files = [];

for (const entry of readdirSync(src)) {
  const path = join(src, entry);
  const isDir = statSync(path).isDirectory();
  if (isDir ? !PLANES.includes(entry) : !ROOT_FILES.has(entry)) {
    problems.push(`unknown top-level entry src/${entry}: not a plane of DESIGN.md §1`);
  }
}

(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.[cm]?tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
  }
})(src);

const planeOf = (file) => relative(src, file).split(sep)[0];
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

for (const file of files) {
  const from = planeOf(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    const where = `${relative(process.cwd(), file)} -> ${spec}`;
    if (!target.startsWith(src + sep)) {
      problems.push(`import leaves src/: ${where}`);
      continue;
    }
    const to = planeOf(target);
    if (to === from) continue;
    if (!MAY_IMPORT_ANY.has(from) && PLANES.indexOf(to) > PLANES.indexOf(from)) {
      problems.push(`upward import: ${where} (${from} sits below ${to})`);
    }
    const inside = relative(join(src, to), target).replace(/\.[cm]?[jt]sx?$/, '');
    if (inside !== '' && inside !== 'index') {
      problems.push(`reaches into ${to}'s internals: ${where} (import src/${to}/index.ts instead)`);
    }
  }
}

for (const p of problems) console.error(p);
console.log(problems.length ? `${problems.length} layering problem(s) in ${files.length} files`
  : `layering holds in ${files.length} files`);
process.exit(problems.length ? 1 : 0);
