import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { blake2s as nobleBlake2s } from '@noble/hashes/blake2.js';
import { ErrorCode, toHex, utf8 } from '../../src/core/index.js';
import { deriveKey, deriveSessionKeys } from '../../src/crypto/index.js';

const h = Uint8Array.from({ length: 32 }, (_, i) => i);

// Fixture computed with Python's hashlib.blake2s (keyed mode), independent of both hash-wasm and @noble:
//   prk = blake2s(b"net-kdf-v1", key=h); okm = blake2s(info, key=prk)
const TX = '142ba956d51f54d48c5889b0f92bbd4bb294a9f2706a7a63d0a4f104f47f5821';
const RX = 'b00e152f0ee739f744bf170f4d0a14f3dbe9b19564c573352e7d6875c48b650e';

test('deriveKey matches the hashlib fixture for both labels', () => {
  assert.equal(toHex(deriveKey(h, utf8('initiator-tx'))), TX);
  assert.equal(toHex(deriveKey(h, utf8('initiator-rx'))), RX);
});

test('deriveKey agrees with @noble BLAKE2s keyed mode on random inputs', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 80 }), (ikm, info) => {
    const prk = nobleBlake2s(utf8('net-kdf-v1'), { key: ikm });
    assert.deepEqual(deriveKey(ikm, info), nobleBlake2s(info, { key: prk }));
  }), { numRuns: 500 });
});

test('deriveSessionKeys: session id, nonce prefix and role-swapped keys', () => {
  const i = deriveSessionKeys(h, 'initiator');
  const r = deriveSessionKeys(h, 'responder');
  assert.equal(i.sessionId, 0x0706050403020100n);
  assert.equal(i.sessionIdLo, 0x03020100);
  assert.equal(i.sessionIdHi, 0x07060504);
  assert.equal(i.noncePrefix, 0x04040404);
  assert.equal(toHex(i.txKey), TX);
  assert.equal(toHex(i.rxKey), RX);
  assert.equal(toHex(r.txKey), RX);
  assert.equal(toHex(r.rxKey), TX);
  assert.equal(r.sessionId, i.sessionId);
  i.dispose();
  assert.deepEqual(i.txKey, new Uint8Array(32));
  assert.deepEqual(i.rxKey, new Uint8Array(32));
  assert.equal(toHex(r.txKey), RX, 'keys are independent copies per side');
});

test('noncePrefix is an unsigned u32 when lo ^ hi has the top bit set', () => {
  const hh = new Uint8Array(32);
  hh[3] = 0x80;
  const k = deriveSessionKeys(hh, 'initiator');
  assert.equal(k.noncePrefix, 0x8000_0000);
  assert.equal(k.sessionId, 0x8000_0000n);
});

test('deriveSessionKeys refuses a hash that is not 32 bytes, and unknown roles', () => {
  const isArg = (e: unknown): boolean => (e as { code?: string }).code === ErrorCode.InvalidArgument;
  assert.throws(() => deriveSessionKeys(new Uint8Array(31), 'initiator'), isArg);
  assert.throws(() => deriveSessionKeys(h, 'relay' as 'initiator'), isArg);
});
