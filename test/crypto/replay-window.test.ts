import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode } from '../../src/core/index.js';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from '../../src/crypto/index.js';
import { FUZZ_SEED, fuzzRuns } from '../support/fuzz.js';

const LIMIT = 2 ** 53;

/**
 * wireguard-go `replay/replay_test.go` (TestReplay, itself ported from the Linux kernel selftest), with
 * `windowSize` = our `size`, `T_LIM = size + 1` and `RejectAfterMessages` = 2^53 (our counter limit). Tests 30
 * and 31 use 2^53 + 1 and 2^53 + 2; 2^53 + 1 is not a JS number and rounds to 2^53, still refused.
 */
function wireguardScript(size: number): void {
  let w = new ReplayWindow({ size });
  const T_LIM = size + 1;
  let n = 0;
  const T = (c: number, expected: boolean): void => {
    n++;
    assert.equal(w.commit(c), expected, `size ${size}: test ${n}: counter ${c} should be ${expected ? 'accepted' : 'refused'}`);
  };
  T(0, true); /*  1 */
  T(1, true); /*  2 */
  T(1, false); /*  3 */
  T(9, true); /*  4 */
  T(8, true); /*  5 */
  T(7, true); /*  6 */
  T(7, false); /*  7 */
  T(T_LIM, true); /*  8 */
  T(T_LIM - 1, true); /*  9 */
  T(T_LIM - 1, false); /* 10 */
  T(T_LIM - 2, true); /* 11 */
  T(2, true); /* 12 */
  T(2, false); /* 13 */
  T(T_LIM + 16, true); /* 14 */
  T(3, false); /* 15 */
  T(T_LIM + 16, false); /* 16 */
  T(T_LIM * 4, true); /* 17 */
  T(T_LIM * 4 - (T_LIM - 1), true); /* 18 */
  T(10, false); /* 19 */
  T(T_LIM * 4 - T_LIM, false); /* 20 */
  T(T_LIM * 4 - (T_LIM + 1), false); /* 21 */
  T(T_LIM * 4 - (T_LIM - 2), true); /* 22 */
  T(T_LIM * 4 + 1 - T_LIM, false); /* 23 */
  T(0, false); /* 24 */
  T(LIMIT, false); /* 25 */
  T(LIMIT - 1, true); /* 26 */
  T(LIMIT, false); /* 27 */
  T(LIMIT - 1, false); /* 28 */
  T(LIMIT - 2, true); /* 29 */
  T(LIMIT + 1, false); /* 30 */
  T(LIMIT + 2, false); /* 31 */
  T(LIMIT - 2, false); /* 32 */
  T(LIMIT - 3, true); /* 33 */
  T(0, false); /* 34 */

  const bulk = (fn: () => void): void => {
    w = new ReplayWindow({ size });
    n = 0;
    fn();
  };
  bulk(() => { // bulk test 1
    for (let i = 1; i <= size; i++) T(i, true);
    T(0, true);
    T(0, false);
  });
  bulk(() => { // bulk test 2
    for (let i = 2; i <= size + 1; i++) T(i, true);
    T(1, true);
    T(0, false);
  });
  bulk(() => { // bulk test 3
    for (let i = size + 1; i > 0; i--) T(i, true);
  });
  bulk(() => { // bulk test 4
    for (let i = size + 2; i > 1; i--) T(i, true);
    T(0, false);
  });
  bulk(() => { // bulk test 5
    for (let i = size; i > 0; i--) T(i, true);
    T(size + 1, true);
    T(0, false);
  });
  bulk(() => { // bulk test 6
    for (let i = size; i > 0; i--) T(i, true);
    T(0, true);
    T(size + 1, true);
  });
}

test('wireguard-go replay_test.go, ported with T_LIM = W + 1 (R1)', () => {
  assert.equal(DEFAULT_REPLAY_WINDOW, 2048);
  for (const size of [32, 64, 96, 2048, 8128]) wireguardScript(size);
});

test('counters that are not integers in [0, 2^53) are refused by check and commit', () => {
  const w = new ReplayWindow();
  for (const c of [-1, 0.5, NaN, Infinity, -Infinity, LIMIT, LIMIT + 2, 2 ** 64]) {
    assert.equal(w.check(c), false, String(c));
    assert.equal(w.commit(c), false, String(c));
  }
  assert.equal(w.highest, 0);
  assert.equal(w.commit(LIMIT - 1), true);
  assert.equal(w.highest, LIMIT - 1);
});

test('window sizes are validated', () => {
  const isArg = (e: unknown): boolean => (e as { code?: string }).code === ErrorCode.InvalidArgument;
  for (const size of [0, 16, 33, 100, 2048.5, -32]) assert.throws(() => new ReplayWindow({ size }), isArg, String(size));
  assert.equal(new ReplayWindow({ size: 4096 }).size, 4096);
});

test('a 5,000-packet loss burst: the session continues, no old counter becomes acceptable (R3)', () => {
  const w = new ReplayWindow();
  for (let i = 0; i < 100; i++) assert.ok(w.commit(i));
  assert.ok(w.commit(5100));
  for (let i = 0; i < 100; i++) assert.ok(!w.check(i));
  for (let i = 100; i < 5100 - 2048; i++) assert.ok(!w.check(i), `${i} is older than the window`);
  for (let i = 5100 - 2048; i < 5100; i++) assert.ok(w.check(i), `${i} was lost, still inside the window`);
  for (let i = 5101; i < 6000; i++) assert.ok(w.commit(i));
});

test('check is pure: an AEAD failure (check, no commit) leaves the window as it was', () => {
  const w = new ReplayWindow({ size: 64 });
  w.commit(10);
  assert.ok(w.check(1_000_000));
  assert.equal(w.highest, 10);
  assert.ok(w.check(9));
  assert.ok(w.commit(9));
  assert.ok(!w.check(9));
});

// ---- model-based test against a Set oracle (R2) ----

type Step =
  | { kind: 'next' } | { kind: 'behind'; k: number } | { kind: 'dup'; i: number } | { kind: 'jump'; d: number }
  | { kind: 'burst' } | { kind: 'old'; d: number } | { kind: 'nearLimit'; d: number } | { kind: 'raw'; c: number }
  | { kind: 'forged'; d: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'next' as const }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('behind' as const), k: fc.nat(8200) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('dup' as const), i: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('jump' as const), d: fc.integer({ min: 1, max: 1_000_000 }) }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'burst' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('old' as const), d: fc.integer({ min: 1, max: 100 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('nearLimit' as const), d: fc.integer({ min: -3, max: 10_000 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('raw' as const), c: fc.oneof(fc.maxSafeNat(), fc.double(), fc.integer({ min: -5, max: 5 })) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('forged' as const), d: fc.integer({ min: 1, max: 1_000_000 }) }), weight: 1 },
);

test('replay window agrees with a Set oracle; never accepts twice; never wedges (R2)', () => {
  fc.assert(
    fc.property(fc.constantFrom(32, 64, 2048), fc.array(stepArb, { maxLength: 120 }), (size, steps) => {
      const w = new ReplayWindow({ size });
      const seen = new Set<number>();
      const history: number[] = [];
      let highest = 0;
      const oracle = (c: number): boolean =>
        Number.isInteger(c) && c >= 0 && c < LIMIT && !seen.has(c) && (c > highest || highest - c <= size);
      for (const s of steps) {
        let c: number;
        let commit = true;
        switch (s.kind) {
          case 'next': c = highest + 1; break;
          case 'behind': c = highest - (s.k % (size + 1)); break;
          case 'dup': c = history.length ? history[s.i % history.length]! : 0; break;
          case 'jump': c = highest + s.d; break;
          case 'burst': c = highest + 5001; break;
          case 'old': c = highest - size - s.d; break;
          case 'nearLimit': c = LIMIT - 1 - s.d; break;
          case 'raw': c = s.c; break;
          case 'forged': c = highest + s.d; commit = false; break; // AEAD failed: only check runs
        }
        const expected = oracle(c);
        assert.equal(w.check(c), expected, `check(${c}) highest ${highest}`);
        if (!commit) continue;
        assert.equal(w.commit(c), expected, `commit(${c}) highest ${highest}`);
        if (expected) {
          seen.add(c);
          history.push(c);
          if (c > highest) highest = c;
        }
        assert.equal(w.highest, highest);
      }
      for (const c of history) assert.equal(w.check(c), false, `${c} accepted twice`);
      if (highest + 1 < LIMIT) assert.ok(w.commit(highest + 1), 'highest + 1 is always accepted');
      if (highest >= 1 && !seen.has(highest - 1)) assert.ok(w.check(highest - 1), 'a fresh counter inside the window is accepted');
    }),
    { numRuns: fuzzRuns(), seed: FUZZ_SEED },
  );
});
