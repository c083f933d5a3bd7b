// The CLI as a real child process (`node --import tsx src/cli/main.ts …`), for what only a process shows: exit
// codes, stdout/stderr separation, one-line errors without stacks, the environment. Each start costs about 0.7 s
// of CPU, so the detailed cases run in-process (identity, config-check and config-matrix tests).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toHex } from '../../src/core/index.js';
import { saveIdentity } from '../../src/crypto/index.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { cli, oneLine, tempDir } from './harness.js';
import { hexId, makeConfigFixture } from './fixtures.js';

const { dir, cleanup } = await tempDir('process');
after(cleanup);
const fx = await makeConfigFixture(dir);

interface Summary { path: string; node_id: string; public_key: string; static_key: string }

describe('net-mesh as a child process', { concurrency: true }, () => {
  test('identity generate then show: same values, 0600 file; again without --force exits 3; --force replaces', async () => {
    const path = join(dir, 'a.id');
    const gen = await cli(['identity', 'generate', '--out', path, '--json']);
    assert.equal(gen.code, ExitCode.Ok, gen.stderr);
    assert.equal(gen.stderr, '');
    const g = JSON.parse(gen.stdout) as Summary;
    assert.match(g.node_id, /^[0-9a-f]{16}$/);
    assert.match(g.static_key, /^[0-9a-f]{64}$/);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const [show, again] = await Promise.all([
      cli(['identity', 'show', path, '--json']),
      cli(['identity', 'generate', '--out', path]),
    ]);
    assert.equal(show.code, ExitCode.Ok, show.stderr);
    assert.deepEqual(JSON.parse(show.stdout), g);
    assert.equal(again.code, ExitCode.KeyFile);
    assert.equal(again.stdout, '');
    assert.match(oneLine(again.stderr), /already exists; pass --force to replace it/);
    const forced = await cli(['identity', 'generate', '--out', path, '--force', '--json']);
    assert.equal(forced.code, ExitCode.Ok, forced.stderr);
    assert.notEqual((JSON.parse(forced.stdout) as Summary).node_id, g.node_id);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  test('a world-readable identity: exit 3, one line with the chmod fix; NET_MESH_DEBUG=1 adds the stack', async () => {
    const path = join(dir, 'loose.id');
    await saveIdentity(path, fx.identity);
    await chmod(path, 0o644);
    const [r, debug] = await Promise.all([
      cli(['identity', 'show', path]),
      cli(['identity', 'show', path], { env: { NET_MESH_DEBUG: '1' } }),
    ]);
    assert.equal(r.code, ExitCode.KeyFile);
    assert.equal(r.stdout, '');
    assert.equal(oneLine(r.stderr), `net-mesh: error: identity file ${path} is accessible by group or others (mode 0644); fix it with: chmod 600 ${path}`);
    assert.equal(debug.code, ExitCode.KeyFile);
    assert.match(debug.stderr, /\n\s+at /);
  });

  test('config check: valid file exits 0 with the PSK redacted; a bad key exits 2; a loose PSK file exits 3', async () => {
    const good = join(dir, 'good.toml');
    await writeFile(good, fx.valid);
    const bad = join(dir, 'bad.toml');
    await writeFile(bad, fx.valid.replace(hexId(fx.peer), 'nothex'));
    const loose = join(dir, 'loose.psk');
    await writeFile(loose, `${'5a'.repeat(32)}\n`, { mode: 0o600 });
    await chmod(loose, 0o604);
    const [ok, invalid, perm] = await Promise.all([
      cli(['config', 'check', good, '--json']),
      cli(['config', 'check', bad]),
      cli(['config', 'check', good, '--psk-file', loose]),
    ]);
    assert.equal(ok.code, ExitCode.Ok, ok.stderr);
    const report = JSON.parse(ok.stdout) as { identity: Summary; psk_file: { psk: string } };
    assert.equal(report.identity.static_key, toHex(fx.identity.staticPublicKey));
    assert.equal(report.psk_file.psk, '<redacted: 32 bytes>');
    assert.ok(!ok.stdout.includes('5a'.repeat(32)));
    assert.equal(invalid.code, ExitCode.Usage);
    assert.equal(oneLine(invalid.stderr), `net-mesh: error: ${bad}:10: peers[0].node_id: expected 16 hex digits (the peer's node_id), got "nothex"`);
    assert.equal(perm.code, ExitCode.KeyFile);
    assert.match(oneLine(perm.stderr), /\(mode 0604\); fix it with: chmod 600 /);
  });

  test('usage errors exit 2 on stderr only; --version prints the version', async () => {
    const [unknown, version] = await Promise.all([cli(['identity', 'show', '--jsn']), cli(['--version'])]);
    assert.equal(unknown.code, ExitCode.Usage);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /^net-mesh: error: unknown option '--jsn'/);
    assert.equal(version.code, ExitCode.Ok);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
