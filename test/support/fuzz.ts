/**
 * Shared fuzz depth and seed for property tests: 10,000 runs per property by default, 1,000,000 when
 * `NET_MESH_FUZZ=long`. Every property uses {@link FUZZ_SEED} so a failure reproduces.
 */

/** The fixed fast-check seed. */
export const FUZZ_SEED = 0x6e65_7431;

/** True when the long (nightly) fuzz depth was asked for. */
export function isLongFuzz(): boolean {
  return process.env.NET_MESH_FUZZ === 'long';
}

/** Runs per property: `defaultRuns` (10,000 unless given) normally, 1,000,000 with `NET_MESH_FUZZ=long`. */
export function fuzzRuns(defaultRuns = 10_000): number {
  return isLongFuzz() ? 1_000_000 : defaultRuns;
}

/** `{ seed, numRuns }` for `fc.assert(property, fuzzParams())`. */
export function fuzzParams(defaultRuns?: number): { seed: number; numRuns: number } {
  return { seed: FUZZ_SEED, numRuns: fuzzRuns(defaultRuns) };
}
