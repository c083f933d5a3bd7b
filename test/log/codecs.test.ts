// Byte layouts of the log: the 20-byte index record (golden fixtures and fast-check properties), MANIFEST and
// GEN (every decoder either returns a value that re-encodes to the same bytes or throws DecodeError), and the
// record check (any single changed byte changes it).
//
// Golden fixtures: there are no reference vectors for the RedEX entry (upstream-architecture.md §6.3), so these
// bytes were written by hand from the layout documented in ai-2070/net `net/crates/net/src/adapter/net/redex/
// entry.rs` (commit 51641125d; seq:u64 ‖ offset:u32 ‖ len:u32 ‖ flags_and_checksum:u32, little-endian, INLINE =
// 0x8000_0000, checksum = xxh3_64(payload) & 0x0FFF_FFFF). The checksum of "abc" uses xxh3_64("abc") =
// 78af5f94892f3950 as asserted by hash-wasm's own tests (see test/vectors/PROVENANCE.md), an independent source;
// the inline fixture's xxh3_64("abcdefgh") = 6f45a76842a96483 was computed with hash-wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError } from '../../src/core/index.js';
import { decodeEntry, decodeGenHeader, decodeManifest, encodeEntry, encodeGenHeader, encodeManifest, inlinePayload,
  isInline, payloadChecksum, recordCheck, RedexFlags, REDEX_ENTRY_BYTES, type RedexEntry } from '../../src/log/index.js';
import { fuzzParams } from '../support/fuzz.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const abc = new TextEncoder().encode('abc');

test('golden: a heap entry for "abc" is seq ‖ offset ‖ len ‖ checksum, little-endian', () => {
  const e: RedexEntry = { seq: 0x0010_2030_4050_6070, offset: 0x1122_3344, length: 3, flags: 0, checksum: payloadChecksum(abc) };
  assert.equal(e.checksum, 0x092f_3950);
  const b = new Uint8Array(REDEX_ENTRY_BYTES);
  encodeEntry(b, 0, e);
  assert.equal(hex(b), '7060504030201000' + '44332211' + '03000000' + '50392f09');
  assert.deepEqual(decodeEntry(b), e);
});

test('golden: an inline entry carries its 8 payload bytes verbatim in offset ‖ len with the INLINE bit', () => {
  const payload = new TextEncoder().encode('abcdefgh');
  assert.equal(payloadChecksum(payload), 0x02a9_6483);
  const b = Buffer.from('0500000000000000' + '6162636465666768' + '8364a982', 'hex');
  const e = decodeEntry(b);
  assert.ok(isInline(e));
  assert.equal(e.seq, 5);
  assert.equal(e.checksum, payloadChecksum(payload));
  assert.deepEqual(inlinePayload(e), new Uint8Array(payload));
});

test('entry decode refuses short input, seqs at or above 2^53 and the reserved flags', () => {
  assert.throws(() => decodeEntry(new Uint8Array(19)), DecodeError);
  const b = new Uint8Array(20);
  b[6] = 0x20; // seq = 2^53
  assert.throws(() => decodeEntry(b), DecodeError);
  for (const flag of [RedexFlags.TOMBSTONE, RedexFlags.COMPACTED, 0x1000_0000]) {
    const c = new Uint8Array(20);
    new DataView(c.buffer).setUint32(16, flag, true);
    assert.throws(() => decodeEntry(c), DecodeError);
  }
});

test('property: entries round-trip, and any 20 bytes decode to an entry that re-encodes identically or throw DecodeError', () => {
  const entry = fc.record({
    seq: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    offset: fc.nat({ max: 0xffff_ffff }),
    length: fc.nat({ max: 0xffff_ffff }),
    flags: fc.constantFrom(0, RedexFlags.INLINE),
    checksum: fc.nat({ max: 0x0fff_ffff }),
  });
  fc.assert(fc.property(entry, (e) => {
    const b = new Uint8Array(20);
    encodeEntry(b, 0, e);
    assert.deepEqual({ ...decodeEntry(b) }, { ...e });
  }), fuzzParams());
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 24 }), (bytes) => {
    let e: RedexEntry;
    try {
      e = decodeEntry(bytes);
    } catch (err) {
      assert.ok(err instanceof DecodeError);
      return;
    }
    const b = new Uint8Array(20);
    encodeEntry(b, 0, e);
    assert.deepEqual(b, bytes.subarray(0, 20));
  }), fuzzParams());
});

test('property: MANIFEST and GEN decode only what they encode; every other input is a DecodeError', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 0xffff_ffff }), (g) => assert.equal(decodeManifest(encodeManifest(g)), g)), fuzzParams());
  fc.assert(fc.property(fc.integer({ min: 1, max: 0xffff_ffff }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (generation, firstSeq) =>
    assert.deepEqual(decodeGenHeader(encodeGenHeader({ generation, firstSeq })), { generation, firstSeq })), fuzzParams());
  for (const [decode, encodeFrom] of [
    [decodeManifest, (b: Uint8Array) => encodeManifest(decodeManifest(b))],
    [decodeGenHeader, (b: Uint8Array) => encodeGenHeader(decodeGenHeader(b))],
  ] as const) {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (bytes) => {
      try {
        decode(bytes);
      } catch (err) {
        assert.ok(err instanceof DecodeError);
        return;
      }
      assert.deepEqual(encodeFrom(bytes), bytes);
    }), fuzzParams());
  }
  // A one-bit change anywhere in a valid MANIFEST or GEN is caught.
  const m = encodeManifest(7);
  const g = encodeGenHeader({ generation: 3, firstSeq: 99 });
  for (const [bytes, decode] of [[m, decodeManifest], [g, decodeGenHeader]] as const) {
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const c = bytes.slice();
      c[bit >> 3]! ^= 1 << (bit & 7);
      assert.throws(() => decode(c), DecodeError);
    }
  }
});

test('property: changing any one byte of a record (20 index + 8 timestamp bytes) changes its check', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 28, maxLength: 28 }), fc.nat({ max: 27 }), fc.integer({ min: 1, max: 255 }), (rec, pos, delta) => {
    const before = recordCheck(rec, 0, rec, 20);
    const c = rec.slice();
    c[pos] = (c[pos]! + delta) & 0xff;
    assert.notEqual(recordCheck(c, 0, c, 20), before);
  }), fuzzParams());
});
