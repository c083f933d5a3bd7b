/**
 * The in-memory rows of one NetDB collection and their indexes, kept by the collection's fold:
 * - `byId`: id → row. Rows are never mutated once stored: an update stores a new object, so a row a query
 *   returned stays a consistent snapshot (the reference's `Arc<Memory>` copy-on-write).
 * - `order`: live rows sorted by (createdNs, createdSeq): queries ordered by creation walk it and stop at `take`.
 * - `byTag`: tag → ids, for selective tag filters.
 * - `tombstones`: deleted ids. A deleted id is never brought back (a later create or store of it is ignored).
 */

export interface Row {
  readonly id: bigint;
  readonly tags: readonly string[];
  readonly pinned: boolean;
  readonly createdNs: bigint;
  readonly updatedNs: bigint;
  /** Log seq of the event that created the row (the tie-break of the creation order). */
  readonly createdSeq: number;
}

/**
 * Map key of an id. V8 hashes BigInt map keys poorly (a lookup among 10,000 small bigints took ~480 ns here),
 * so ids below 2^53 are keyed by their number value and larger ones by their decimal string.
 */
export type IdKey = number | string;
export function idKey(id: bigint): IdKey {
  const n = Number(id);
  // Rounding maps every id above 2^53 - 1 to 2^53 or more, so a safe result is exact.
  return Number.isSafeInteger(n) ? n : id.toString();
}

function before(a: Row, b: Row): boolean {
  return a.createdNs < b.createdNs || (a.createdNs === b.createdNs && a.createdSeq < b.createdSeq);
}

export class RowTable<T extends Row> {
  /** Rows by {@link idKey}. */
  readonly byId = new Map<IdKey, T>();
  readonly order: T[] = [];
  readonly byTag = new Map<string, Set<IdKey>>();
  /** Deleted ids by {@link idKey}; `tombstoneIds` holds them as bigints. */
  readonly tombstones = new Set<IdKey>();
  readonly tombstoneIds: bigint[] = [];
  /** Highest id ever stored or deleted, so generated ids are never reused. */
  maxId = -1n;

  get size(): number {
    return this.byId.size;
  }

  private position(row: Row): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.order[mid]!, row)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private noteId(id: bigint): void {
    if (id > this.maxId) this.maxId = id;
  }

  get(id: bigint): T | undefined {
    return this.byId.get(idKey(id));
  }

  has(id: bigint): boolean {
    return this.byId.has(idKey(id));
  }

  isDeleted(id: bigint): boolean {
    return this.tombstones.has(idKey(id));
  }

  insert(row: T): void {
    const k = idKey(row.id);
    this.byId.set(k, row);
    this.noteId(row.id);
    const o = this.order;
    if (o.length === 0 || !before(row, o[o.length - 1]!)) o.push(row);
    else o.splice(this.position(row), 0, row);
    for (const t of row.tags) this.tagSet(t).add(k);
  }

  /** Stores `next` in place of `prev` (same id, same creation key). */
  replace(prev: T, next: T): void {
    const k = idKey(next.id);
    this.byId.set(k, next);
    const i = this.position(prev);
    if (this.order[i] === prev) this.order[i] = next;
    if (prev.tags !== next.tags) {
      for (const t of prev.tags) this.untag(t, k);
      for (const t of next.tags) this.tagSet(t).add(k);
    }
  }

  /** Deletes the row and leaves a tombstone. */
  remove(id: bigint): void {
    const k = idKey(id);
    const row = this.byId.get(k);
    if (!this.tombstones.has(k)) {
      this.tombstones.add(k);
      this.tombstoneIds.push(id);
    }
    this.noteId(id);
    if (!row) return;
    this.byId.delete(k);
    const i = this.position(row);
    if (this.order[i] === row) this.order.splice(i, 1);
    for (const t of row.tags) this.untag(t, k);
  }

  private tagSet(t: string): Set<IdKey> {
    let s = this.byTag.get(t);
    if (!s) {
      s = new Set();
      this.byTag.set(t, s);
    }
    return s;
  }

  private untag(t: string, id: IdKey): void {
    const s = this.byTag.get(t);
    if (!s) return;
    s.delete(id);
    if (s.size === 0) this.byTag.delete(t);
  }
}
