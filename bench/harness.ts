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

/** Average nanoseconds per call of `fn`, by mitata (warm-up, batching and outlier handling included). */
export async function nsPerOp(fn: () => unknown): Promise<number> {
  const stats = await measure(fn, { min_cpu_time: 300 * 1e6 });
  return stats.avg;
}

/** Operations per second of `fn` measured by mitata. */
export async function opsPerSecond(fn: () => unknown): Promise<number> {
  return 1e9 / (await nsPerOp(fn));
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
