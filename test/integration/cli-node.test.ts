// `net-mesh node` and `net-mesh ping` as real OS processes over UDP on 127.0.0.1: a node runs from flags, a
// second process (this one, through the CLI's run()) pings it with its own identity, a wrong PSK fails with the network exit code and a clear
// message, and Ctrl-C (SIGINT) shuts the node down cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MAIN, runCli, tempDir } from '../cli/harness.js';

const TSX = import.meta.resolve('tsx');

async function identity(dir: string, name: string): Promise<{ path: string; nodeId: string; staticKey: string }> {
  const path = join(dir, name);
  const r = await runCli(['identity', 'generate', '--out', path, '--json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { node_id: string; static_key: string };
  return { path, nodeId: j.node_id, staticKey: j.static_key };
}

async function pskFile(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  return path;
}

test('node runs until SIGINT; ping reaches it; a wrong PSK is reported as unreachable with exit 4', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = await tempDir('node');
  try {
    const a = await identity(dir, 'a.id');
    const b = await identity(dir, 'b.id');
    const psk = await pskFile(dir, 'psk');
    const wrongPsk = await pskFile(dir, 'psk2');

    const child = spawn(process.execPath, [
      '--import', TSX, MAIN, 'node', '--bind', '127.0.0.1:0', '--identity', b.path, '--psk-file', psk,
      '--peer', `127.0.0.1:9,${a.staticKey},${a.nodeId}`,
    ], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', () => reject(new Error(`node exited early: ${out}${err}`)));
      });
      const peer = `${address},${b.staticKey},${b.nodeId}`;
      const ping = await runCli(['ping', b.nodeId, '--bind', '127.0.0.1:0', '--identity', a.path, '--psk-file', psk,
        '--peer', peer, '-c', '3', '-i', '0'], { cwd: dir });
      assert.equal(ping.code, 0, ping.stderr);
      assert.match(ping.stdout, /3 sent, 3 received; min\/avg\/max = /);

      const bad = await runCli(['ping', b.nodeId, '--bind', '127.0.0.1:0', '--identity', a.path, '--psk-file', wrongPsk,
        '--peer', peer, '-c', '1', '--timeout', '1500'], { cwd: dir });
      assert.equal(bad.code, 4, bad.stdout + bad.stderr);
      assert.match(bad.stderr, /net-mesh: error: .*(no answer|timed out|within)/);
      assert.equal(bad.stderr.trim().split('\n').length, 1);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, err);
    assert.match(out, /peer .* up at 127\.0\.0\.1:/);
    assert.match(out, /SIGINT: shutting down/);
  } finally {
    await cleanup();
  }
});
