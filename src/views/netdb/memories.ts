/** `db.memories`: store (upsert), retag, pin, unpin, delete; findUnique / findMany / watch. */
import { InvalidArgumentError } from '../../core/index.js';
import { NetDbError } from '../errors.js';
import { NETDB_MAX_CONTENT_BYTES, NETDB_MAX_TAG_BYTES } from '../limits.js';
import { ByteWriter, tagsLength } from './codec.js';
import { checkTags, checkText, Collection, type WriteToken } from './collection.js';
import { MemoryDispatch, type MemoriesState, type Memory } from './memory-model.js';
import { checkPaging, containsIgnoreCase, rowFilter, type OrderKey, type QueryPlan } from './query.js';

export const MemoriesOrderBy = {
  CreatedAsc: 'createdAsc',
  CreatedDesc: 'createdDesc',
  UpdatedAsc: 'updatedAsc',
  UpdatedDesc: 'updatedDesc',
  IdAsc: 'idAsc',
  IdDesc: 'idDesc',
} as const;
export type MemoriesOrderBy = (typeof MemoriesOrderBy)[keyof typeof MemoriesOrderBy];

/** Every field given must match. Empty tag lists filter nothing (as in the reference); time bounds are strict. */
export interface MemoryFilter {
  tag?: string;
  tagsAll?: readonly string[];
  tagsAny?: readonly string[];
  pinned?: boolean;
  source?: string;
  /** Case-insensitive substring of the content. */
  contentContains?: string;
  createdAfterNs?: bigint;
  createdBeforeNs?: bigint;
  updatedAfterNs?: bigint;
}

export interface MemoryQuery {
  where?: MemoryFilter;
  orderBy?: MemoriesOrderBy;
  skip?: number;
  take?: number;
}

export interface MemoryStore {
  id?: bigint;
  content: string;
  tags?: readonly string[];
  source?: string;
  nowNs?: bigint;
}

export class MemoriesCollection extends Collection<Memory, MemoriesState, MemoryQuery> {
  protected readonly kind = 'memory';

  protected plan(query: MemoryQuery): QueryPlan<Memory> {
    return plan(query);
  }

  /**
   * Stores a memory: creates it, or replaces the content, tags and source of a live one (its pin and creation
   * time stay). `ERR_ALREADY_EXISTS` for a deleted id: deleted memories never come back.
   */
  store(input: MemoryStore): WriteToken & { id: bigint } {
    const id = this.newId(input.id);
    checkText(input.content, NETDB_MAX_CONTENT_BYTES, 'content');
    const source = input.source ?? '';
    checkText(source, NETDB_MAX_TAG_BYTES, 'source');
    const tags = checkTags(input.tags);
    if (this.table.isDeleted(id)) throw new NetDbError('exists', `memory ${id} was deleted; ids are not reused`);
    const now = this.now(input.nowNs);
    const max = 16 + 4 + input.content.length * 3 + tagsLength(tags) + 2 + source.length * 3;
    const seq = this.view.ingestWith(MemoryDispatch.STORED, max, (b, o) => {
      const w = new ByteWriter(b, o);
      w.u64(id);
      w.u64(now);
      w.str(input.content, true);
      w.tags(tags);
      w.str(source);
      return w.pos - o;
    });
    return { ...this.token(seq), id };
  }

  retag(id: bigint, tags: readonly string[], nowNs?: bigint): WriteToken {
    this.live(id);
    const t = checkTags(tags);
    return this.write(MemoryDispatch.RETAGGED, id, this.now(nowNs), tagsLength(t), (w) => w.tags(t));
  }

  pin(id: bigint, nowNs?: bigint): WriteToken {
    this.live(id);
    return this.write(MemoryDispatch.PINNED, id, this.now(nowNs));
  }

  unpin(id: bigint, nowNs?: bigint): WriteToken {
    this.live(id);
    return this.write(MemoryDispatch.UNPINNED, id, this.now(nowNs));
  }

  delete(id: bigint, nowNs?: bigint): WriteToken {
    this.live(id);
    return this.write(MemoryDispatch.DELETED, id, this.now(nowNs));
  }
}

function plan(q: MemoryQuery) {
  const { skip, take } = checkPaging(q.skip, q.take);
  const f = q.where ?? {};
  const orderBy = q.orderBy ?? 'createdAsc';
  if (!Object.values(MemoriesOrderBy).includes(orderBy)) throw new InvalidArgumentError(`unknown orderBy ${String(orderBy)}`);
  const common = rowFilter(f);
  const needle = f.contentContains?.toLowerCase();
  const matches = (m: Memory): boolean => {
    if (f.source !== undefined && m.source !== f.source) return false;
    if (!common.matches(m)) return false;
    if (needle !== undefined && !containsIgnoreCase(m.content, needle)) return false;
    return true;
  };
  return { matches, requiredTags: common.requiredTags, orderBy: orderBy as OrderKey, skip, take };
}
