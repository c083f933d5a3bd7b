// ChaCha20-Poly1305 (IETF) against RFC 8439 §2.8.2 / A.5 and every Wycheproof case (test/vectors/PROVENANCE.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CryptoError, ErrorCode, concatBytes, fromHex, toHex } from '../../src/core/index.js';
import { AEAD_TAG_BYTES, aeadOpen, aeadOpenInPlace, aeadSeal } from '../../src/crypto/index.js';

function load<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../vectors/${path}`, import.meta.url), 'utf8')) as T;
}

interface RfcAead {
  name: string;
  operation: 'encrypt' | 'decrypt';
  key: string;
  nonce: string;
  aad: string;
  plaintext: string;
  ciphertext: string;
  tag: string;
}

interface WycheproofAead {
  numberOfTests: number;
  testGroups: {
    ivSize: number;
    keySize: number;
    tagSize: number;
    tests: { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string; flags: string[] }[];
  }[];
}

const isBadKey = (e: unknown): boolean => e instanceof CryptoError && e.code === ErrorCode.BadKey;
const isAuthFailed = (e: unknown): boolean => e instanceof CryptoError && e.code === ErrorCode.AuthFailed;

test('RFC 8439 §2.8.2 and A.5: seal gives ciphertext ‖ tag, open gives the plaintext', () => {
  const { vectors } = load<{ vectors: RfcAead[] }>('rfc/rfc8439_chacha20poly1305_aead.json');
  assert.equal(vectors.length, 2);
  for (const v of vectors) {
    const key = fromHex(v.key);
    const nonce = fromHex(v.nonce);
    const aad = fromHex(v.aad);
    const sealed = aeadSeal(key, nonce, aad, fromHex(v.plaintext));
    assert.equal(toHex(sealed), v.ciphertext + v.tag, v.name);
    assert.equal(toHex(aeadOpen(key, nonce, aad, fromHex(v.ciphertext + v.tag))), v.plaintext, v.name);
    // Any flipped bit of the sealed data or the AAD fails authentication.
    const bad = sealed.slice();
    bad[bad.length - 1]! ^= 1;
    assert.throws(() => aeadOpen(key, nonce, aad, bad), isAuthFailed);
    const badAad = concatBytes(aad, new Uint8Array([0]));
    assert.throws(() => aeadOpen(key, nonce, badAad, sealed), isAuthFailed);
  }
});

test('Wycheproof ChaCha20-Poly1305: all 325 cases', () => {
  const file = load<WycheproofAead>('wycheproof/chacha20_poly1305_test.json');
  let valid = 0;
  let modifiedTag = 0;
  let badNonce = 0;
  for (const g of file.testGroups) {
    for (const t of g.tests) {
      const key = fromHex(t.key);
      const iv = fromHex(t.iv);
      const aad = fromHex(t.aad);
      const sealed = fromHex(t.ct + t.tag);
      const label = `tcId ${t.tcId}`;
      if (g.ivSize !== 96) {
        // An IETF-only API refuses other nonce sizes outright, with a typed error, in both directions.
        assert.equal(t.result, 'invalid', label);
        assert.throws(() => aeadSeal(key, iv, aad, fromHex(t.msg)), isBadKey, label);
        assert.throws(() => aeadOpen(key, iv, aad, sealed), isBadKey, label);
        // The hot-path form never throws: it reports failure.
        if (sealed.length >= AEAD_TAG_BYTES) {
          const data = sealed.slice(0, sealed.length - AEAD_TAG_BYTES);
          assert.equal(aeadOpenInPlace(key, iv, aad, data, sealed.subarray(sealed.length - AEAD_TAG_BYTES)), false, label);
        }
        badNonce++;
      } else if (t.result === 'valid') {
        assert.equal(toHex(aeadSeal(key, iv, aad, fromHex(t.msg))), t.ct + t.tag, label);
        assert.equal(toHex(aeadOpen(key, iv, aad, sealed)), t.msg, label);
        valid++;
      } else {
        assert.equal(t.result, 'invalid', label);
        assert.throws(() => aeadOpen(key, iv, aad, sealed), isAuthFailed, label);
        modifiedTag++;
      }
    }
  }
  assert.equal(valid + modifiedTag + badNonce, file.numberOfTests);
  assert.deepEqual([valid, modifiedTag, badNonce], [256, 60, 9]);
});
