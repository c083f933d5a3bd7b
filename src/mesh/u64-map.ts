/**
 * A map keyed by a u64 given as two u32 words, so hot paths that read ids out of headers as words look them up
 * without building a bigint: a `Map` on the low word with a short chain on the high word.
 */
interface Slot<V> {
  hi: number;
  value: V;
  next: Slot<V> | null;
}

export class U64Map<V> {
  private readonly byLo = new Map<number, Slot<V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(lo: number, hi: number): V | undefined {
    for (let s = this.byLo.get(lo) ?? null; s !== null; s = s.next) if (s.hi === hi) return s.value;
    return undefined;
  }

  set(lo: number, hi: number, value: V): void {
    const head = this.byLo.get(lo) ?? null;
    for (let s = head; s !== null; s = s.next) {
      if (s.hi === hi) {
        s.value = value;
        return;
      }
    }
    this.byLo.set(lo, { hi, value, next: head });
    this.count++;
  }

  delete(lo: number, hi: number): boolean {
    let prev: Slot<V> | null = null;
    for (let s = this.byLo.get(lo) ?? null; s !== null; prev = s, s = s.next) {
      if (s.hi !== hi) continue;
      if (prev !== null) prev.next = s.next;
      else if (s.next === null) this.byLo.delete(lo);
      else this.byLo.set(lo, s.next);
      this.count--;
      return true;
    }
    return false;
  }

  *values(): IterableIterator<V> {
    for (const head of this.byLo.values()) for (let s: Slot<V> | null = head; s !== null; s = s.next) yield s.value;
  }

  clear(): void {
    this.byLo.clear();
    this.count = 0;
  }
}

/** The two u32 words of a u64 node id. */
export function idWords(id: bigint): [lo: number, hi: number] {
  return [Number(id & 0xffff_ffffn), Number((id >> 32n) & 0xffff_ffffn)];
}

/** The u64 of two u32 words. */
export function idOf(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
