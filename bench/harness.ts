/**
 * Benchmark plumbing: every benchmark publishes one stable name with a value, a unit and baselines measured in
 * the same run (ratios within one run are what count on this noisy VM; absolute numbers drift ±30 %).
 */
import { measure } from 'mitata';

export type Unit = 'ns' | 'us' | 'per_s' | 'MB_per_s' | 'ratio';

export interface BenchResult {
  value: number;
  unit: Unit;
  baseline: Record<string, number>;
  /** Free-form facts a reader needs to compare (datagram size, window, payload size). */
  notes?: string;
}

export interface BenchCase {
  /** Stable published name, e.g. `crypto.packet_seal_open_1k`. */
  name: string;
  run(): Promise<BenchResult>;
}

/** Median nanoseconds per call of `fn`, by mitata (warm-up and batching included). */
export async function nsPerOp(fn: () => unknown): Promise<number> {
  const stats = await measure(fn, { min_cpu_time: 200 * 1e6 });
  return stats.p50;
}

/**
 * Nanoseconds per call for each candidate, measured in interleaved rounds; each gets its best round. The VM's
 * speed drifts by tens of percent within seconds, so side-by-side numbers must come from alternating runs.
 */
export async function compareNs<K extends string>(fns: Record<K, () => unknown>, rounds = 3): Promise<Record<K, number>> {
  const best = {} as Record<K, number>;
  for (let r = 0; r < rounds; r++) {
    for (const k of Object.keys(fns) as K[]) {
      const ns = await nsPerOp(fns[k]);
      best[k] = r === 0 ? ns : Math.min(best[k], ns);
    }
  }
  return best;
}

/** {@link compareNs} as operations per second. */
export async function compareOpsPerSecond<K extends string>(fns: Record<K, () => unknown>, rounds = 3): Promise<Record<K, number>> {
  const ns = await compareNs(fns, rounds);
  const out = {} as Record<K, number>;
  for (const k of Object.keys(ns) as K[]) out[k] = 1e9 / ns[k];
  return out;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
