// `net-mesh identity generate|show` through the CLI's `run()` in-process, in temporary directories: the round
// trip, file mode, --force, the default location, the permission refusal and its exit code, --json, usage
// errors. process.test.ts repeats the main flows as real child processes.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli as cli, oneLine, tempDir } from './harness.js';

const { dir, cleanup } = await tempDir('identity');
after(cleanup);

const HEX64 = /^[0-9a-f]{64}$/;
const HEX16 = /^[0-9a-f]{16}$/;

interface Summary { path: string; node_id: string; public_key: string; static_key: string }

function parseSummary(stdout: string): Summary {
  const s = JSON.parse(stdout) as Summary;
  assert.deepEqual(Object.keys(s).sort(), ['node_id', 'path', 'public_key', 'static_key']);
  assert.match(s.node_id, HEX16);
  assert.match(s.public_key, HEX64);
  assert.match(s.static_key, HEX64);
  return s;
}

describe('net-mesh identity', { concurrency: true }, () => {
  test('generate --json then show --json print the same identity; the file is 0600', async () => {
    const path = join(dir, 'a.id');
    const gen = await cli(['identity', 'generate', '--out', path, '--json']);
    assert.equal(gen.code, ExitCode.Ok, gen.stderr);
    assert.equal(gen.stderr, '');
    const g = parseSummary(gen.stdout);
    assert.equal(g.path, path);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.match(await readFile(path, 'utf8'), /^net-mesh-identity-v1\n[0-9a-f]{64}\n$/);
    const show = await cli(['identity', 'show', path, '--json']);
    assert.equal(show.code, ExitCode.Ok, show.stderr);
    assert.deepEqual(parseSummary(show.stdout), g);
  });

  test('human output names node_id, public_key and static_key, and the --peer value peers need', async () => {
    const path = join(dir, 'b.id');
    const r = await cli(['identity', 'generate', '--out', path]);
    assert.equal(r.code, ExitCode.Ok, r.stderr);
    const nodeId = /^node_id\s+([0-9a-f]{16})$/m.exec(r.stdout)?.[1];
    const staticKey = /^static_key\s+([0-9a-f]{64})$/m.exec(r.stdout)?.[1];
    assert.ok(nodeId !== undefined && staticKey !== undefined, r.stdout);
    assert.match(r.stdout, /^public_key\s+[0-9a-f]{64}$/m);
    assert.ok(r.stdout.includes(`--peer <address>,${staticKey},${nodeId}`), r.stdout);
  });

  test('an existing file is refused (exit 3, left untouched) unless --force, which replaces it', async () => {
    const path = join(dir, 'c.id');
    const first = parseSummary((await cli(['identity', 'generate', '--out', path, '--json'])).stdout);
    const before = await readFile(path);
    const again = await cli(['identity', 'generate', '--out', path]);
    assert.equal(again.code, ExitCode.KeyFile);
    assert.equal(again.stdout, '');
    assert.match(oneLine(again.stderr), /^net-mesh: error: .*c\.id already exists; pass --force/);
    assert.deepEqual(await readFile(path), before);
    const forced = await cli(['identity', 'generate', '--out', path, '--force', '--json']);
    assert.equal(forced.code, ExitCode.Ok, forced.stderr);
    assert.notEqual(parseSummary(forced.stdout).node_id, first.node_id);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  test('a group- or world-readable identity is refused with exit 3 and the chmod that fixes it', async () => {
    const path = join(dir, 'd.id');
    assert.equal((await cli(['identity', 'generate', '--out', path])).code, ExitCode.Ok);
    await chmod(path, 0o644);
    const r = await cli(['identity', 'show', path]);
    assert.equal(r.code, ExitCode.KeyFile);
    assert.equal(r.stdout, '');
    const line = oneLine(r.stderr);
    assert.ok(line.includes(`fix it with: chmod 600 ${path}`), line);
    assert.ok(line.includes('mode 0644'), line);
    await chmod(path, 0o600);
    assert.equal((await cli(['identity', 'show', path])).code, ExitCode.Ok);
  });

  test('without a path, generate and show use $XDG_CONFIG_HOME/net-mesh/identity', async () => {
    const { dir: home, cleanup: done } = await tempDir('xdg');
    try {
      const g = await cli(['identity', 'generate', '--json'], { cwd: home });
      assert.equal(g.code, ExitCode.Ok, g.stderr);
      const expected = join(home, 'xdg', 'net-mesh', 'identity');
      assert.equal(parseSummary(g.stdout).path, expected);
      assert.equal((await stat(join(home, 'xdg', 'net-mesh'))).mode & 0o777, 0o700);
      const s = await cli(['identity', 'show', '--json'], { cwd: home });
      assert.equal(s.code, ExitCode.Ok, s.stderr);
      assert.equal(parseSummary(s.stdout).node_id, parseSummary(g.stdout).node_id);
    } finally {
      await done();
    }
  });

  test('missing and malformed files exit 3 with one line; NET_MESH_DEBUG=1 adds the stack', async () => {
    const bad = join(dir, 'bad.id');
    await writeFile(bad, 'not an identity\n', { mode: 0o600 });
    const [missing, r, debug] = await Promise.all([
      cli(['identity', 'show', join(dir, 'nope')]),
      cli(['identity', 'show', bad]),
      cli(['identity', 'show', bad], { env: { NET_MESH_DEBUG: '1' } }),
    ]);
    assert.equal(missing.code, ExitCode.KeyFile);
    assert.match(oneLine(missing.stderr), /cannot open identity file .*nope: ENOENT/);
    assert.equal(r.code, ExitCode.KeyFile);
    assert.match(oneLine(r.stderr), /malformed identity file/);
    assert.equal(debug.code, ExitCode.KeyFile);
    assert.match(debug.stderr, /\n\s+at /);
  });

  test('usage errors exit 2 (unknown command, unknown option, no subcommand); --version exits 0', async () => {
    const cases = [['frobnicate'], ['identity', 'show', '--jsn'], ['identity']];
    const [version, ...results] = await Promise.all([cli(['--version']), ...cases.map((a) => cli(a))]);
    results.forEach((r, i) => {
      assert.equal(r!.code, ExitCode.Usage, `${cases[i]!.join(' ')}: ${r!.stderr}`);
      assert.equal(r!.stdout, '');
    });
    assert.match(results[0]!.stderr, /^net-mesh: error: unknown command 'frobnicate'/);
    assert.equal(version!.code, ExitCode.Ok);
    assert.match(version!.stdout, /^\d+\.\d+\.\d+/);
  });
});
