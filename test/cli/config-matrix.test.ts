// Every configuration validation error, through the CLI's own `run()` in-process (the same code the executable
// runs, minus the process start, which config-check.test.ts covers): exit code 2, one stderr line naming the
// file, the line and the key. Plus the parser's own API: types, path resolution, flags, addresses, PSK content.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fromHex, toHex } from '../../src/core/index.js';
import {
  ConfigError, ExitCode, KeyFileError, decodePsk, parseNodeConfigToml, parsePeerSpec, resolveNodeConfig,
} from '../../src/cli/index.js';
import { parseSocketAddress } from '../../src/transport/index.js';
import { runCli, tempDir } from './harness.js';
import { hexId, makeConfigFixture } from './fixtures.js';

const { dir, cleanup } = await tempDir('matrix');
after(cleanup);
const fx = await makeConfigFixture(dir);
const KEY = toHex(fx.peer.staticPublicKey);
const ID = hexId(fx.peer);


const NODE = '[node]\nbind = "127.0.0.1:9000"\nidentity = "id"\npsk_file = "mesh.psk"\n';
const peer = (body: string): string => `${NODE}\n[[peers]]\n${body}`;
const PEER_OK = `address = "127.0.0.1:9001"\nstatic_key = "${KEY}"\nnode_id = "${ID}"\n`;

// [name, file text, extra flags, expected line (or null for none), expected key-and-problem pattern]
const CASES: [string, string, string[], number | null, RegExp][] = [
  ['TOML syntax', '[node\nbind = 1\n', [], 1, /invalid TOML: /],
  ['duplicate key', `${NODE}bind = "127.0.0.1:1"\n`, [], 5, /invalid TOML: .*redefine/],
  ['unknown top-level key', `${NODE}verbose = true\n`, [], 5, /node\.verbose: unknown key/],
  ['unknown top-level table', `${NODE}\n[logging]\nlevel = "x"\n`, [], 6, /logging: unknown key \(allowed: node, peers\)/],
  ['unknown top-level key before tables', `debug = 1\n${NODE}`, [], 1, /debug: unknown key \(allowed: node, peers\)/],
  ['node not a table', 'node = 5\n', [], 1, /node: expected a table/],
  ['unknown [node] key', NODE.replace('psk_file', 'pskfile'), [], 4, /node\.pskfile: unknown key \(allowed: bind, identity, psk_file\)/],
  ['bind not a string', NODE.replace('"127.0.0.1:9000"', '9000'), [], 2, /node\.bind: expected a non-empty string/],
  ['empty identity', NODE.replace('"id"', '""'), [], 3, /node\.identity: expected a non-empty string/],
  ['bind without port', NODE.replace('127.0.0.1:9000', '127.0.0.1'), [], 2, /node\.bind: expected "host:port"/],
  ['bind host name', NODE.replace('127.0.0.1:9000', 'localhost:9000'), [], 2, /node\.bind: "localhost" is not an IP address/],
  ['bind port too big', NODE.replace('9000', '70000'), [], 2, /node\.bind: port 70000 is out of range/],
  ['bind bad IPv4', NODE.replace('127.0.0.1', '300.0.0.1'), [], 2, /not an IP address/],
  ['bind bad IPv6', NODE.replace('127.0.0.1:9000', '[::g]:9000'), [], 2, /"::g" is not an IPv6 address/],
  ['missing bind', NODE.replace(/bind = .*\n/, ''), [], null, /node\.bind: missing: set bind in \[node\] or pass --bind/],
  ['missing psk_file', NODE.replace(/psk_file = .*\n/, ''), [], null, /node\.psk_file: missing/],
  ['peers not tables', `peers = ["a"]\n${NODE}`, [], 1, /peers: expected an array of tables/],
  ['peer missing address', peer(`static_key = "${KEY}"\nnode_id = "${ID}"\n`), [], 6, /peers\[0\]\.address: missing/],
  ['peer missing static_key', peer(`address = "127.0.0.1:9001"\nnode_id = "${ID}"\n`), [], 6, /peers\[0\]\.static_key: missing/],
  ['peer missing node_id', peer(`address = "127.0.0.1:9001"\nstatic_key = "${KEY}"\n`), [], 6, /peers\[0\]\.node_id: missing/],
  ['peer unknown key', peer(`${PEER_OK}weight = 3\n`), [], 10, /peers\[0\]\.weight: unknown key \(allowed: address, static_key, node_id\)/],
  ['peer port 0', peer(PEER_OK.replace(':9001', ':0')), [], 7, /peers\[0\]\.address: port 0 is out of range \(1\.\.65535\)/],
  ['peer static_key 63 hex', peer(PEER_OK.replace(KEY, KEY.slice(1))), [], 8, /peers\[0\]\.static_key: expected 64 hex digits/],
  ['peer static_key not hex', peer(PEER_OK.replace(KEY, `z${KEY.slice(1)}`)), [], 8, /expected 64 hex digits/],
  ['peer static_key zero', peer(PEER_OK.replace(KEY, '0'.repeat(64))), [], 8, /peers\[0\]\.static_key: an all-zero key/],
  ['peer static_key number', peer(PEER_OK.replace(`"${KEY}"`, '5')), [], 8, /peers\[0\]\.static_key: expected a string/],
  ['peer node_id 15 hex', peer(PEER_OK.replace(ID, ID.slice(1))), [], 9, /peers\[0\]\.node_id: expected 16 hex digits/],
  ['second peer, duplicate node_id', peer(`${PEER_OK}\n[[peers]]\n${PEER_OK.replace(KEY, toHex(fx.peer2.staticPublicKey))}`), [], 14,
    /peers\[1\]\.node_id: the same node_id as peers\[0\]/],
  ['duplicate static_key', peer(`${PEER_OK}\n[[peers]]\n${PEER_OK.replace(ID, 'ffffffffffffffff')}`), [], 13,
    /peers\[1\]\.static_key: the same static_key as peers\[0\]/],
  ['--bind flag', NODE, ['--bind', 'nope'], null, /--bind: expected "host:port"/],
  ['--peer flag, two parts', NODE, ['--peer', `127.0.0.1:1,${KEY}`], null, /--peer: expected "address,static_key,node_id"/],
  ['--peer flag, bad key', NODE, ['--peer', `127.0.0.1:1,abc,${ID}`], null, /--peer: expected 64 hex digits/],
  ['--peer flags, duplicate', NODE, ['--peer', `127.0.0.1:1,${KEY},${ID}`, '--peer', `127.0.0.1:2,${KEY},${ID}`], null,
    /--peer: the same node_id as peers\[0\]/],
];

test('every validation error exits 2 with one line: file:line: key: problem', async () => {
  let i = 0;
  for (const [name, text, flags, line, re] of CASES) {
    const path = join(dir, `m${i++}.toml`);
    await writeFile(path, text);
    const r = await runCli(['config', 'check', path, ...flags], { cwd: dir });
    assert.equal(r.code, ExitCode.Usage, `${name}: ${r.stderr}`);
    assert.equal(r.stdout, '', name);
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, `${name}: ${r.stderr}`);
    const msg = lines[0]!;
    assert.match(msg, re, name);
    if (line !== null) assert.ok(msg.startsWith(`net-mesh: error: ${path}:${line}: `), `${name}: ${msg}`);
    else if (!flags.length) assert.ok(msg.startsWith(`net-mesh: error: ${path}: `), `${name}: ${msg}`);
  }
});

test('ConfigError carries file, key and line; TOML syntax errors their column', () => {
  assert.throws(() => parseNodeConfigToml(peer(PEER_OK.replace(ID, 'xx')), 'a.toml'), (x: unknown) => {
    assert.ok(x instanceof ConfigError);
    assert.equal(x.code, 'ERR_CONFIG');
    assert.equal(x.file, 'a.toml');
    assert.equal(x.key, 'peers[0].node_id');
    assert.equal(x.line, 9);
    assert.match(x.detail, /^expected 16 hex digits/);
    return true;
  });
  assert.throws(() => parseNodeConfigToml('a = "\n'), (x: unknown) => x instanceof ConfigError && x.line === 1 && x.column !== undefined);
});

test('paths: relative to the file, ~ to the home directory, flags relative to cwd', () => {
  const file = parseNodeConfigToml('[node]\nidentity = "~/id"\npsk_file = "keys/p"\n', 'x.toml', '/etc/mesh');
  assert.equal(file.identity, join(homedir(), 'id'));
  assert.equal(file.pskFile, '/etc/mesh/keys/p');
  const c = resolveNodeConfig(file, { bind: '0.0.0.0:0', identity: 'me' }, { cwd: '/w' });
  assert.equal(c.identity, '/w/me');
  assert.deepEqual(c.bind, { host: '0.0.0.0', port: 0, family: 'IPv4' });
  assert.deepEqual(c.peers, []);
  const d = resolveNodeConfig(undefined, { bind: '[::1]:5', pskFile: '/p' }, { defaultIdentity: '/default/identity' });
  assert.equal(d.identity, '/default/identity');
  assert.equal(d.source, undefined);
});

test('a full file parses into typed values; keys in either case; --peer specs', () => {
  const c = resolveNodeConfig(parseNodeConfigToml(fx.valid, join(dir, 'v.toml'), dir));
  assert.deepEqual(c.bind, { host: '127.0.0.1', port: 9000, family: 'IPv4' });
  assert.equal(c.peers.length, 2);
  assert.equal(c.peers[0]!.nodeId, fx.peer.nodeId);
  assert.deepEqual(c.peers[1]!.staticKey, fx.peer2.staticPublicKey);
  assert.deepEqual(c.peers[1]!.address, { host: '::1', port: 9002, family: 'IPv6' });
  const p = parsePeerSpec(` [fe80::1]:9 , ${KEY.toUpperCase()} , ${ID.toUpperCase()} `);
  assert.deepEqual(p, { address: { host: 'fe80::1', port: 9, family: 'IPv6' }, staticKey: fx.peer.staticPublicKey, nodeId: fx.peer.nodeId });
});

test('socket addresses: IPv4 and bracketed IPv6 literals only', () => {
  assert.deepEqual(parseSocketAddress('10.1.2.3:65535'), { host: '10.1.2.3', port: 65535, family: 'IPv4' });
  assert.deepEqual(parseSocketAddress('[::]:0', true), { host: '::', port: 0, family: 'IPv6' });
  for (const bad of ['::1:9000', '[127.0.0.1]:1', 'host:1', '1.2.3.4:', ':9', '1.2.3.4:0', '1.2.3.4:123456', '[::1]']) {
    assert.equal(typeof parseSocketAddress(bad), 'string', bad);
  }
});

test('PSK content: 32 raw bytes, or 64 hex digits with an optional newline; anything else refused', () => {
  const hex = 'Ab'.repeat(32);
  assert.deepEqual(decodePsk(new TextEncoder().encode(hex)), fromHex('ab'.repeat(32)));
  assert.deepEqual(decodePsk(new TextEncoder().encode(`${hex}\n`)), fromHex('ab'.repeat(32)));
  assert.deepEqual(decodePsk(new TextEncoder().encode(`${hex}\r\n`)), fromHex('ab'.repeat(32)));
  const raw = new Uint8Array(32).map((_, i) => i + 1);
  assert.deepEqual(decodePsk(raw), raw);
  const bad = [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0), new TextEncoder().encode(`${hex}\n\n`),
    new TextEncoder().encode(`${'g'.repeat(64)}`), new Uint8Array(32), new TextEncoder().encode('0'.repeat(64))];
  for (const b of bad) assert.throws(() => decodePsk(b), (e: unknown) => e instanceof KeyFileError && e.code === 'ERR_KEY_FILE');
});
