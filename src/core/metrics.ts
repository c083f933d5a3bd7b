/**
 * Counters. Every component counts what it accepts and what it drops, by reason, so that
 * `received = accepted + sum(drops)` can be checked and read through the node API, the CLI and the dashboard.
 * A counter set is a preallocated Float64Array indexed by a fixed list of names: incrementing is one array write.
 */

export class CounterSet<Name extends string> {
  private readonly values: Float64Array;
  private readonly index = new Map<Name, number>();

  constructor(readonly names: readonly Name[]) {
    this.values = new Float64Array(names.length);
    names.forEach((n, i) => this.index.set(n, i));
  }

  /** Index of `name`, for hot paths that increment by position. */
  slot(name: Name): number {
    const i = this.index.get(name);
    if (i === undefined) throw new RangeError(`unknown counter ${name}`);
    return i;
  }

  inc(name: Name, by = 1): void {
    this.values[this.slot(name)]! += by;
  }

  incSlot(slot: number, by = 1): void {
    this.values[slot]! += by;
  }

  get(name: Name): number {
    return this.values[this.slot(name)]!;
  }

  /** Sum of every counter whose name is in `names` (all when omitted). */
  sum(names: readonly Name[] = this.names): number {
    let s = 0;
    for (const n of names) s += this.get(n);
    return s;
  }

  snapshot(): Record<Name, number> {
    const out = {} as Record<Name, number>;
    this.names.forEach((n, i) => (out[n] = this.values[i]!));
    return out;
  }

  reset(): void {
    this.values.fill(0);
  }
}
