/**
 * findMany over a RowTable: filter, order, skip, take. Creation order is indexed: the query walks `order` (from
 * either end) and stops after `skip + take` matches, so a limit-50 query reads about 50 / selectivity rows. When a
 * tag filter names a tag held by few rows, it starts from that tag's ids instead and sorts only those. Other
 * orders filter everything and sort.
 */
import { InvalidArgumentError } from '../../core/index.js';
import { NETDB_DEFAULT_TAKE } from '../limits.js';
import type { IdKey, Row, RowTable } from './table.js';

export type OrderKey = 'createdAsc' | 'createdDesc' | 'updatedAsc' | 'updatedDesc' | 'idAsc' | 'idDesc';

export interface QueryPlan<T extends Row> {
  matches: (row: T) => boolean;
  /** Tags every match must carry (the index may start from the rarest). */
  requiredTags: readonly string[];
  orderBy: OrderKey;
  /** Extra orders a model supports (titleAsc, …). */
  compare?: (a: T, b: T) => number;
  skip: number;
  take: number;
}

/** The filters every collection's `where` shares (fields of {@link Row}). */
export interface RowWhere {
  tag?: string;
  tagsAll?: readonly string[];
  tagsAny?: readonly string[];
  pinned?: boolean;
  createdAfterNs?: bigint;
  createdBeforeNs?: bigint;
  updatedAfterNs?: bigint;
}

/** The shared part of a plan: the tags every match must carry and a predicate over the common row fields. */
export function rowFilter(f: RowWhere): { requiredTags: readonly string[]; matches: (r: Row) => boolean } {
  const all = [...(f.tag !== undefined ? [f.tag] : []), ...(f.tagsAll ?? [])];
  const any = f.tagsAny !== undefined && f.tagsAny.length > 0 ? f.tagsAny : undefined;
  const matches = (r: Row): boolean => {
    if (f.pinned !== undefined && r.pinned !== f.pinned) return false;
    for (let i = 0; i < all.length; i++) if (!r.tags.includes(all[i]!)) return false;
    if (any !== undefined && !any.some((x) => r.tags.includes(x))) return false;
    if (f.createdAfterNs !== undefined && !(r.createdNs > f.createdAfterNs)) return false;
    if (f.createdBeforeNs !== undefined && !(r.createdNs < f.createdBeforeNs)) return false;
    if (f.updatedAfterNs !== undefined && !(r.updatedNs > f.updatedAfterNs)) return false;
    return true;
  };
  return { requiredTags: all, matches };
}

export function checkPaging(skip: number | undefined, take: number | undefined): { skip: number; take: number } {
  const s = skip ?? 0;
  const t = take ?? NETDB_DEFAULT_TAKE;
  if (!Number.isSafeInteger(s) || s < 0) throw new InvalidArgumentError(`skip must be a non-negative integer, got ${s}`);
  if (!Number.isSafeInteger(t) || t < 0) throw new InvalidArgumentError(`take must be a non-negative integer, got ${t}`);
  return { skip: s, take: t };
}

const cmpBig = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const created = (a: Row, b: Row): number => cmpBig(a.createdNs, b.createdNs) || a.createdSeq - b.createdSeq;
const COMPARE: Record<OrderKey, (a: Row, b: Row) => number> = {
  createdAsc: created,
  createdDesc: (a, b) => created(b, a),
  updatedAsc: (a, b) => cmpBig(a.updatedNs, b.updatedNs) || created(a, b),
  updatedDesc: (a, b) => cmpBig(b.updatedNs, a.updatedNs) || created(b, a),
  idAsc: (a, b) => cmpBig(a.id, b.id),
  idDesc: (a, b) => cmpBig(b.id, a.id),
};

export function runQuery<T extends Row>(table: RowTable<T>, plan: QueryPlan<T>): T[] {
  const out: T[] = [];
  const want = plan.skip + plan.take;
  if (plan.take === 0) return out;
  const byCreation = plan.compare === undefined && (plan.orderBy === 'createdAsc' || plan.orderBy === 'createdDesc');
  const rare = rarestTag(table, plan.requiredTags);
  const order = table.order;
  if (byCreation && (rare === undefined || rare.size * 16 > order.length)) {
    let seen = 0;
    const m = plan.matches;
    if (plan.orderBy === 'createdAsc') {
      for (let i = 0; i < order.length && out.length < plan.take; i++) {
        const r = order[i]!;
        if (m(r) && seen++ >= plan.skip) out.push(r);
      }
    } else {
      for (let i = order.length - 1; i >= 0 && out.length < plan.take; i--) {
        const r = order[i]!;
        if (m(r) && seen++ >= plan.skip) out.push(r);
      }
    }
    return out;
  }
  let all: T[] = [];
  if (rare !== undefined) {
    for (const id of rare) {
      const r = table.byId.get(id)!;
      if (plan.matches(r)) all.push(r);
    }
  } else {
    for (const r of order) if (plan.matches(r)) all.push(r);
  }
  all.sort(plan.compare ?? COMPARE[plan.orderBy]);
  if (all.length > want) all = all.slice(0, want);
  return plan.skip > 0 ? all.slice(plan.skip) : all;
}

function rarestTag<T extends Row>(table: RowTable<T>, tags: readonly string[]): ReadonlySet<IdKey> | undefined {
  let best: ReadonlySet<IdKey> | undefined;
  for (const t of tags) {
    const s = table.byTag.get(t) ?? EMPTY;
    if (best === undefined || s.size < best.size) best = s;
  }
  return best;
}
const EMPTY: ReadonlySet<IdKey> = new Set();

/** Case-insensitive substring test; ASCII needles avoid lowercasing the haystack (the reference's needle). */
export function containsIgnoreCase(haystack: string, needleLower: string): boolean {
  if (needleLower.length === 0) return true;
  return haystack.toLowerCase().includes(needleLower);
}
