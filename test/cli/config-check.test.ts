// `net-mesh config check` through the CLI's `run()` in-process: the happy path (human and --json, secrets
// redacted), flags overriding the file, representative validation errors (exit 2, one line naming file, line and
// key) and key-file problems (exit 3). config-matrix.test.ts has every validation error; process.test.ts runs
// config check as a real child process.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toHex } from '../../src/core/index.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli as cli, oneLine, tempDir } from './harness.js';
import { hexId, makeConfigFixture } from './fixtures.js';

const { dir, cleanup } = await tempDir('config');
after(cleanup);
const fx = await makeConfigFixture(dir);
const PSK_HEX = '5a'.repeat(32);
let n = 0;
async function configFile(text: string): Promise<string> {
  const path = join(dir, `c${n++}.toml`);
  await writeFile(path, text);
  return path;
}

interface Report {
  config: string | null;
  bind: string;
  identity: { path: string; node_id: string; public_key: string; static_key: string };
  psk_file: { path: string; psk: string };
  peers: { address: string; static_key: string; node_id: string }[];
}

describe('net-mesh config check', { concurrency: true }, () => {
  test('a valid file: exit 0, resolved paths, peers normalized, the PSK never printed', async () => {
    const path = await configFile(fx.valid);
    const [human, json] = await Promise.all([cli(['config', 'check', path]), cli(['config', 'check', path, '--json'])]);
    assert.equal(human.code, ExitCode.Ok, human.stderr);
    assert.match(human.stdout, /configuration OK/);
    assert.match(human.stdout, /^bind\s+127\.0\.0\.1:9000$/m);
    assert.equal(json.code, ExitCode.Ok, json.stderr);
    const r = JSON.parse(json.stdout) as Report;
    assert.deepEqual(r, {
      config: path,
      bind: '127.0.0.1:9000',
      identity: {
        path: join(dir, 'id'),
        node_id: hexId(fx.identity),
        public_key: toHex(fx.identity.publicKey),
        static_key: toHex(fx.identity.staticPublicKey),
      },
      psk_file: { path: join(dir, 'mesh.psk'), psk: '<redacted: 32 bytes>' },
      peers: [
        { address: '127.0.0.1:9001', static_key: toHex(fx.peer.staticPublicKey), node_id: hexId(fx.peer) },
        { address: '[::1]:9002', static_key: toHex(fx.peer2.staticPublicKey), node_id: hexId(fx.peer2) },
      ],
    });
    for (const out of [human.stdout, json.stdout]) assert.ok(!out.toLowerCase().includes(PSK_HEX), 'PSK leaked');
  });

  test('flags override the file: --bind, --identity, --psk-file, and --peer replaces [[peers]]', async () => {
    const path = await configFile(fx.valid);
    const other = join(dir, 'other.psk');
    await writeFile(other, new Uint8Array(32).fill(7), { mode: 0o600 });
    const peer = `10.0.0.1:7000,${toHex(fx.peer.staticPublicKey)},${hexId(fx.peer)}`;
    const r = await cli(['config', 'check', path, '--json', '--bind', '[::]:0', '--psk-file', other, '--peer', peer]);
    assert.equal(r.code, ExitCode.Ok, r.stderr);
    const rep = JSON.parse(r.stdout) as Report;
    assert.equal(rep.bind, '[::]:0');
    assert.equal(rep.psk_file.path, other);
    assert.deepEqual(rep.peers.map((p) => p.address), ['10.0.0.1:7000']);
  });

  test('representative validation errors exit 2 with one line: file:line: key: problem', async () => {
    const cases: [string, RegExp][] = [
      ['[node]\nbind = "127.0.0.1:9000\n', /:2: invalid TOML: /],
      [fx.valid.replace('psk_file = "mesh.psk"', 'psk_file = "mesh.psk"\nport = 9'), /:6: node\.port: unknown key \(allowed: bind, identity, psk_file\)/],
      [fx.valid.replace(/static_key = "[0-9a-f]{64}"/, 'static_key = "abcd"'), /:9: peers\[0\].static_key: expected 64 hex digits/],
      [fx.valid.replace('psk_file = "mesh.psk"\n', ''), /: node\.psk_file: missing: set psk_file in \[node\] or pass --psk-file/],
    ];
    const paths = await Promise.all(cases.map(([text]) => configFile(text)));
    const results = await Promise.all([
      ...paths.map((p) => cli(['config', 'check', p])),
      cli(['config', 'check', join(dir, 'absent.toml')]),
      cli(['config', 'check', paths[0]!.replace(/c\d+\.toml$/, 'c0.toml'), '--peer', 'nonsense']),
    ]);
    cases.forEach(([, re], i) => {
      const r = results[i]!;
      assert.equal(r.code, ExitCode.Usage, r.stderr);
      assert.equal(r.stdout, '');
      const line = oneLine(r.stderr);
      assert.ok(line.startsWith(`net-mesh: error: ${paths[i]}`), line);
      assert.match(line, re);
    });
    const absent = results[cases.length]!;
    assert.equal(absent.code, ExitCode.Usage);
    assert.match(oneLine(absent.stderr), /absent\.toml: cannot read configuration file: ENOENT/);
    const flag = results[cases.length + 1]!;
    assert.equal(flag.code, ExitCode.Usage);
    assert.match(oneLine(flag.stderr), /--peer: expected "address,static_key,node_id", got "nonsense"/);
  });

  test('PSK and identity file problems exit 3: permissions (with the chmod fix), length, missing', async () => {
    const loose = join(dir, 'loose.psk');
    await writeFile(loose, `${PSK_HEX}\n`, { mode: 0o600 });
    await chmod(loose, 0o640);
    const short = join(dir, 'short.psk');
    await writeFile(short, 'abcd\n', { mode: 0o600 });
    const path = await configFile(fx.valid);
    const [perm, len, noId] = await Promise.all([
      cli(['config', 'check', path, '--psk-file', loose]),
      cli(['config', 'check', path, '--psk-file', short]),
      cli(['config', 'check', path, '--identity', join(dir, 'no-such-id')]),
    ]);
    assert.equal(perm.code, ExitCode.KeyFile);
    assert.ok(oneLine(perm.stderr).includes(`(mode 0640); fix it with: chmod 600 ${loose}`), perm.stderr);
    assert.equal(len.code, ExitCode.KeyFile);
    assert.match(oneLine(len.stderr), /must hold exactly 32 raw bytes or 64 hex digits, got 5 bytes/);
    assert.equal(noId.code, ExitCode.KeyFile);
    assert.match(oneLine(noId.stderr), /cannot open identity file .*no-such-id: ENOENT/);
  });
});
