/**
 * Helpers shared by the wire codec tests: arbitraries for u64 edges and for mutated valid encodings, and the
 * generic decoder properties every codec must satisfy (total: a status or a DecodeError, never another throw).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError } from '../../src/core/index.js';
import { WIRE_STATUS_COUNT, WireStatus } from '../../src/wire/index.js';

/** The u64 values W10 names, plus the neighbours of every word boundary. */
export const U64_EDGES: readonly bigint[] = [
  0n, 1n, 0xffff_ffffn, 0x1_0000_0000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n,
];

/** A u64 biased toward the edges. */
export const u64Arb = (): fc.Arbitrary<bigint> =>
  fc.oneof(fc.constantFrom(...U64_EDGES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));

export const u8 = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 0xff });
export const u16 = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 0xffff });
export const u32 = (): fc.Arbitrary<number> => fc.oneof(fc.constantFrom(0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff), fc.nat({ max: 0xffff_ffff }));

/** The lying length values W2 names. */
export const LYING_LENGTHS: readonly number[] = [0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 31 - 1, 0xffff, 0x8000];

/**
 * Valid encodings mutated the ways attackers do: a few random byte writes, then a truncation or an extension
 * with random bytes (each sometimes skipped, so unmodified encodings appear too).
 */
export function mutatedArb(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      valid,
      fc.array(fc.tuple(fc.nat(), u8()), { maxLength: 4 }),
      fc.oneof(fc.constant(0), fc.integer({ min: -200, max: -1 }), fc.integer({ min: 1, max: 64 })),
      fc.uint8Array({ maxLength: 64 }),
    )
    .map(([bytes, writes, resize, extra]) => {
      let b = bytes.slice();
      for (const [at, v] of writes) if (b.length > 0) b[at % b.length] = v;
      if (resize < 0) b = b.subarray(0, Math.max(0, b.length + resize));
      else if (resize > 0) {
        const grown = new Uint8Array(b.length + resize);
        grown.set(b);
        grown.set(extra.subarray(0, resize), b.length);
        b = grown;
      }
      return b;
    });
}

/** Arbitrary input for a decoder: random bytes or a mutated valid encoding. */
export function decoderInputArb(valid: fc.Arbitrary<Uint8Array>, maxRandom = 256): fc.Arbitrary<Uint8Array> {
  return fc.oneof(fc.uint8Array({ maxLength: maxRandom }), mutatedArb(valid));
}

/** Asserts `status` is a known WireStatus. */
export function assertStatus(status: number): void {
  assert.ok(Number.isInteger(status) && status >= 0 && status < WIRE_STATUS_COUNT, `unknown status ${status}`);
}

/** Runs `fn`; it may return anything or throw a DecodeError, nothing else. Returns whether it threw. */
export function throwsOnlyDecodeError(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    assert.ok(e instanceof DecodeError, `non-DecodeError thrown: ${String(e)}`);
    return true;
  }
}

/**
 * Every proper prefix of `valid` makes `decode(bytes, length)` return SHORT, both as an exact view and as the
 * first `length` bytes of a larger buffer that still holds the rest of the encoding (the decoder must not read
 * past `length`).
 */
export function assertPrefixesShort(valid: Uint8Array, decode: (bytes: Uint8Array, length: number) => number): void {
  for (let n = 0; n < valid.length; n++) {
    assert.equal(decode(valid.subarray(0, n), n), WireStatus.SHORT, `prefix of ${n} bytes`);
    assert.equal(decode(valid, n), WireStatus.SHORT, `prefix of ${n} bytes inside the full buffer`);
  }
}

/** Bytes of `a` that differ from `b` (same length). */
export function changedOffsets(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

export function hex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}
