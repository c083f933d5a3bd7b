/**
 * Machine-readable byte layouts. Each codec exports its table (built from the same offset constants the codec
 * uses); `docs/WIRE.md` repeats them and a test checks the two agree, so the documentation cannot drift.
 */

/** One field of a byte layout. `size` is `null` for a variable-length tail. */
export interface FieldLayout {
  readonly field: string;
  readonly offset: number;
  readonly size: number | null;
}

export type Layout = readonly FieldLayout[];

/** Builds a layout from `[field, size]` pairs laid out back to back from offset 0. */
export function sequentialLayout(fields: readonly (readonly [string, number | null])[]): Layout {
  const out: FieldLayout[] = [];
  let offset = 0;
  for (const [field, size] of fields) {
    out.push(Object.freeze({ field, offset, size }));
    offset += size ?? 0;
  }
  return Object.freeze(out);
}

/** Total fixed size of a layout (sum of the fixed-size fields). */
export function layoutBytes(layout: Layout): number {
  let n = 0;
  for (const f of layout) n += f.size ?? 0;
  return n;
}

/** The offset of `field` in `layout`; throws if absent (used at module load, never on a hot path). */
export function fieldOffset(layout: Layout, field: string): number {
  for (const f of layout) if (f.field === field) return f.offset;
  throw new Error(`layout has no field ${field}`);
}
