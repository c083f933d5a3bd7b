// Channel names and hashes: the reference's rules at v0.27.2 (channel/name.rs) and its own unit-test cases,
// plus property tests of the parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChannelNameError, ErrorCode, utf8 } from '../../src/core/index.js';
import {
  CHANNEL_NAME_MAX_BYTES, ChannelName, channelHash, channelHashWords, channelHint, isValidChannelName,
  parseChannelName, validateChannelName, xxh3_64,
} from '../../src/crypto/index.js';

// Seeded and sized like the rest of the suite (test/support/fuzz.ts was not there yet when this was written).
const FUZZ = { seed: 0x5eed, numRuns: 10_000 };

const isChannelNameError = (e: unknown): boolean => e instanceof ChannelNameError && e.code === ErrorCode.ChannelName;

test('accepts the reference valid names', () => {
  const valid = [
    'sensors', 'sensors/lidar', 'sensors/lidar/front', 'control.v2', 'my-channel_1', 'foo', 'foo/bar', 'prod.deploy',
    'a-b_c.d', 'v2/0', 'a.b/c.d', 'a'.repeat(255), '...', 'a/.../b', 'foo..bar', '.hidden', 'trailing.', '_', '-',
    'svc.replies.00000000deadbeef',
  ];
  for (const n of valid) {
    const c = parseChannelName(n);
    assert.equal(c.name, n);
    assert.equal(String(c), n);
    assert.ok(isValidChannelName(n), n);
  }
});

test('rejects the reference invalid names with ERR_CHANNEL_NAME', () => {
  const invalid = [
    '', '/leading', 'trailing/', 'double//slash', 'has space', 'has@symbol', 'Foo', 'foo/Bar', 'FOO', 'prod.Deploy',
    'Prod.deploy', 'a/B/c', 'a/../etc', '..', '.', 'sensors/./front', 'a/..', './a', '/', '//', 'a'.repeat(256),
    'nul\0byte', 'tab\there', 'é', 'caf\u00e9', '\u0430bc' /* Cyrillic a */, 'emoji😀', 'back\\slash', 'colon:x',
    'a/b/', 'a\n',
  ];
  for (const n of invalid) {
    assert.throws(() => parseChannelName(n), isChannelNameError, JSON.stringify(n));
    assert.throws(() => validateChannelName(n), isChannelNameError, JSON.stringify(n));
    assert.throws(() => channelHash(n), isChannelNameError, JSON.stringify(n));
    assert.equal(isValidChannelName(n), false, JSON.stringify(n));
  }
  // Non-strings from untyped callers are refused the same way.
  for (const x of [null, undefined, 42, {}, ['a']]) assert.throws(() => parseChannelName(x as string), isChannelNameError);
});

test('uppercase is rejected, not folded', () => {
  assert.throws(() => parseChannelName('Prod.deploy'), /uppercase/);
  assert.ok(isValidChannelName('prod.deploy'));
});

test('error messages bound and escape untrusted input', () => {
  const long = `${'A'.repeat(10_000)}\n`;
  try {
    parseChannelName(long);
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof ChannelNameError);
    assert.ok(e.message.length < 200, e.message);
    assert.ok(!e.message.includes('\n'));
  }
});

test('hash is xxh3_64 of the UTF-8 name; hint is its low 16 bits; words agree', () => {
  for (const n of ['sensors/lidar', 'control/estop', 'a', 'a'.repeat(255)]) {
    const c = ChannelName.parse(n);
    const expected = xxh3_64(utf8(n));
    assert.equal(c.hash, expected);
    assert.equal(channelHash(n), expected);
    assert.equal(channelHash(c), expected);
    assert.equal(c.hint, Number(expected & 0xffffn));
    assert.equal(channelHint(n), c.hint);
    assert.equal(channelHint(c), c.hint);
    assert.deepEqual([...channelHashWords(n)], [Number(expected & 0xffffffffn), Number(expected >> 32n)]);
    assert.deepEqual([...channelHashWords(c)], [c.hashLo, c.hashHi]);
  }
  assert.notEqual(channelHash('sensors/lidar'), channelHash('control/estop'));
});

test('depth and isPrefixOf follow segment boundaries', () => {
  const p = (s: string): ChannelName => ChannelName.parse(s);
  assert.equal(p('a').depth, 1);
  assert.equal(p('a/b').depth, 2);
  assert.equal(p('a/b/c/d').depth, 4);
  const parent = p('sensors');
  const child = p('sensors/lidar');
  const grandchild = p('sensors/lidar/front');
  assert.ok(parent.isPrefixOf(child));
  assert.ok(parent.isPrefixOf(grandchild));
  assert.ok(child.isPrefixOf(grandchild));
  assert.ok(!child.isPrefixOf(parent));
  assert.ok(!parent.isPrefixOf(p('control/estop')));
  assert.ok(!parent.isPrefixOf(p('sensorsx/a')));
  assert.ok(parent.isPrefixOf(parent));
  assert.ok(parent.equals(p('sensors')));
  assert.equal(JSON.stringify({ c: child }), '{"c":"sensors/lidar"}');
});

/** An independent statement of the rules, as a regular expression plus the segment and length rules. */
function model(s: string): boolean {
  if (!/^[a-z0-9._-]+(\/[a-z0-9._-]+)*$/.test(s)) return false;
  if (Buffer.byteLength(s, 'utf8') > CHANNEL_NAME_MAX_BYTES) return false;
  return s.split('/').every((seg) => seg !== '.' && seg !== '..');
}

function checkOne(s: string): void {
  let parsed: ChannelName | undefined;
  try {
    parsed = parseChannelName(s);
  } catch (e) {
    assert.ok(isChannelNameError(e), `unexpected error type for ${JSON.stringify(s)}: ${String(e)}`);
  }
  assert.equal(parsed !== undefined, model(s), JSON.stringify(s));
  if (parsed !== undefined) {
    assert.ok(!s.split('/').includes('..'));
    assert.ok(!/[A-Z\0]/.test(s));
    assert.ok(Buffer.byteLength(s, 'utf8') <= CHANNEL_NAME_MAX_BYTES);
    assert.equal(parsed.hash, xxh3_64(utf8(s)));
  }
}

test('property: any string parses or throws ChannelNameError, exactly as the model says', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), checkOne), FUZZ);
});

test('property: strings over the edge-case alphabet (dots, slashes, case, NUL, non-ASCII) agree with the model', () => {
  const unit = fc.constantFrom('a', 'z', '0', '9', '-', '_', '.', '.', '/', '/', 'A', 'Z', '\0', ' ', 'é', '\\');
  fc.assert(fc.property(fc.string({ unit, maxLength: 24 }), checkOne), FUZZ);
  // Long names around the 255-byte limit.
  const longUnit = fc.constantFrom('a', 'b', '.', '/');
  fc.assert(fc.property(fc.string({ unit: longUnit, minLength: 240, maxLength: 270 }), checkOne), { ...FUZZ, numRuns: 2_000 });
});
