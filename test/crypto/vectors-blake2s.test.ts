// BLAKE2s against the BLAKE2 reference KAT (JSON and .txt) and RFC 7693 App. B / App. E (test/vectors/PROVENANCE.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, toHex, utf8 } from '../../src/core/index.js';
import { blake2s, blake2sMac, blake2sN } from '../../src/crypto/index.js';

function read(path: string): string {
  return readFileSync(new URL(`../vectors/${path}`, import.meta.url), 'utf8');
}

interface Kat { hash: string; in: string; key: string; out: string }
interface Rfc7693 {
  vectors: { name: string; input: string; key: string; outlen: number; out: string }[];
  selftest: { md_len: number[]; in_len: number[]; out: string };
}

test('BLAKE2 KAT JSON: all 512 blake2s entries (256 unkeyed, 256 with a 32-byte key)', () => {
  const kat = JSON.parse(read('blake2s/blake2s-kat.json')) as Kat[];
  assert.equal(kat.length, 512);
  let keyed = 0;
  for (const [i, k] of kat.entries()) {
    assert.equal(k.hash, 'blake2s');
    const input = fromHex(k.in);
    const out = k.key === '' ? blake2s(input) : blake2sMac(fromHex(k.key), input);
    assert.equal(toHex(out), k.out, `entry ${i}`);
    if (k.key !== '') keyed++;
  }
  assert.equal(keyed, 256);
});

test('BLAKE2 KAT .txt: all 256 keyed records, hashing the input in parts', () => {
  const records = read('blake2s/blake2s-kat.txt').trim().split(/\n\s*\n/);
  assert.equal(records.length, 256);
  for (const r of records) {
    const field = (name: string): string => new RegExp(`^${name}:\\s*([0-9a-f]*)$`, 'm').exec(r)?.[1] ?? assert.fail(`no ${name}`);
    const input = fromHex(field('in'));
    const half = input.length >>> 1;
    assert.equal(toHex(blake2sMac(fromHex(field('key')), input.subarray(0, half), input.subarray(half))), field('hash'));
  }
});

test('RFC 7693 App. B: BLAKE2s-256("abc")', () => {
  const rfc = JSON.parse(read('rfc/rfc7693_blake2s.json')) as Rfc7693;
  const v = rfc.vectors[0]!;
  assert.equal(toHex(blake2s(utf8('abc'))), v.out);
  assert.equal(toHex(blake2s(fromHex(v.input))), v.out);
});

test('RFC 7693 App. E: self-test grand hash (output lengths 16/20/28/32, key lengths 16/20/28/32)', async () => {
  const rfc = JSON.parse(read('rfc/rfc7693_blake2s.json')) as Rfc7693;
  const seq = (len: number, seed: number): Uint8Array => {
    const out = new Uint8Array(len);
    let a = Math.imul(0xdead4bad, seed) >>> 0;
    let b = 1;
    for (let i = 0; i < len; i++) {
      const t = (a + b) >>> 0;
      a = b;
      b = t;
      out[i] = (t >>> 24) & 0xff;
    }
    return out;
  };
  const parts: Uint8Array[] = [];
  for (const outlen of rfc.selftest.md_len) {
    for (const inlen of rfc.selftest.in_len) {
      const input = seq(inlen, inlen);
      const md = await blake2sN(outlen, null, input);
      assert.equal(md.length, outlen);
      parts.push(md);
      parts.push(await blake2sN(outlen, seq(outlen, outlen), input));
    }
  }
  assert.equal(toHex(blake2s(...parts)), rfc.selftest.out);
});

test('blake2sN at 32 bytes agrees with the hot-path functions and refuses bad lengths', async () => {
  const data = utf8('net-mesh');
  const key = new Uint8Array(32).fill(7);
  assert.deepEqual(await blake2sN(32, null, data), blake2s(data));
  assert.deepEqual(await blake2sN(32, key, data), blake2sMac(key, data));
  await assert.rejects(blake2sN(0, null, data), { code: 'ERR_INVALID_ARGUMENT' });
  await assert.rejects(blake2sN(33, null, data), { code: 'ERR_INVALID_ARGUMENT' });
  await assert.rejects(blake2sN(32, new Uint8Array(33), data), { code: 'ERR_INVALID_ARGUMENT' });
});
