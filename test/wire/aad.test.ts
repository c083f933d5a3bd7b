import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  AAD_BYTES, AAD_LAYOUT, HEADER_BYTES, HOP_COUNT_OFFSET, NONCE_BYTES, NONCE_OFFSET, PAYLOAD_LEN_OFFSET, TAG_BYTES,
  layoutBytes, writeAad,
} from '../../src/wire/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { hex } from './harness.js';
import { SAMPLE_BYTES } from './samples.js';

test('constants the crypto plane codes against', () => {
  assert.equal(HEADER_BYTES, 68);
  assert.equal(AAD_BYTES, 56);
  assert.equal(NONCE_OFFSET, 12);
  assert.equal(NONCE_BYTES, 12);
  assert.equal(PAYLOAD_LEN_OFFSET, 64);
  assert.equal(TAG_BYTES, 16);
  assert.equal(layoutBytes(AAD_LAYOUT), AAD_BYTES);
});

test('hand-computed AAD of the sample header: nonce dropped, hop_count zeroed', () => {
  const aad = new Uint8Array(AAD_BYTES).fill(0xaa);
  writeAad(SAMPLE_BYTES, 0, aad);
  const want = hex(`
    454e 01 25 07 20 00 01 010b cdab
    efcdab9078563412 2143658709badcfe 0807060504030201 bebafecaefbeadde
    78563412 0100 0002 0004 0a00`);
  assert.deepEqual(aad, want);
});

test('AAD at a header offset, and hop_count/nonce do not change it', () => {
  const packet = new Uint8Array(7 + HEADER_BYTES + 20);
  packet.set(SAMPLE_BYTES, 7);
  const a = new Uint8Array(AAD_BYTES);
  const b = new Uint8Array(AAD_BYTES);
  writeAad(packet, 7, a);
  packet[7 + HOP_COUNT_OFFSET] = 0xff;
  packet.fill(0x99, 7 + NONCE_OFFSET, 7 + NONCE_OFFSET + NONCE_BYTES);
  writeAad(packet, 7, b);
  assert.deepEqual(a, b);
});

test('property: AAD = header[0..12] with byte 6 zeroed ‖ header[24..68]', () => {
  const aad = new Uint8Array(AAD_BYTES);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: HEADER_BYTES, maxLength: HEADER_BYTES }), (h) => {
      writeAad(h, 0, aad);
      const want = new Uint8Array([...h.subarray(0, 12), ...h.subarray(24, 68)]);
      want[6] = 0;
      assert.deepEqual(aad, want);
    }),
    fuzzParams(),
  );
});
