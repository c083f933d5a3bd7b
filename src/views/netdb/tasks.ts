/** `db.tasks`: create, rename, retag, pin, complete, reopen, delete; findUnique / findMany / watch. */
import { InvalidArgumentError } from '../../core/index.js';
import { NetDbError } from '../errors.js';
import { NETDB_MAX_TITLE_BYTES } from '../limits.js';
import { ByteWriter, tagsLength } from './codec.js';
import { checkTags, checkText, Collection, type WriteToken } from './collection.js';
import { checkPaging, containsIgnoreCase, rowFilter, type OrderKey, type QueryPlan } from './query.js';
import { TaskDispatch, type Task, type TaskStatus, type TasksState } from './task-model.js';

export const TasksOrderBy = {
  CreatedAsc: 'createdAsc',
  CreatedDesc: 'createdDesc',
  UpdatedAsc: 'updatedAsc',
  UpdatedDesc: 'updatedDesc',
  IdAsc: 'idAsc',
  IdDesc: 'idDesc',
  TitleAsc: 'titleAsc',
} as const;
export type TasksOrderBy = (typeof TasksOrderBy)[keyof typeof TasksOrderBy];

/** Every field given must match. Tag lists that are empty filter nothing; time bounds are strict. */
export interface TaskFilter {
  status?: TaskStatus;
  /** Has this tag. */
  tag?: string;
  /** Has every one of these tags. */
  tagsAll?: readonly string[];
  /** Has at least one of these tags. */
  tagsAny?: readonly string[];
  pinned?: boolean;
  /** Case-insensitive substring of the title. */
  titleContains?: string;
  createdAfterNs?: bigint;
  createdBeforeNs?: bigint;
  updatedAfterNs?: bigint;
}

export interface TaskQuery {
  where?: TaskFilter;
  /** Default `createdAsc`. */
  orderBy?: TasksOrderBy;
  skip?: number;
  /** Default 1000. */
  take?: number;
}

export interface TaskCreate {
  /** Default: one more than the highest id ever used (deleted ids are never reused). */
  id?: bigint;
  title: string;
  tags?: readonly string[];
  pinned?: boolean;
  /** Event time (default the wall clock). */
  nowNs?: bigint;
}

const STATUSES = new Set<string>(['pending', 'completed']);

export class TasksCollection extends Collection<Task, TasksState, TaskQuery> {
  protected readonly kind = 'task';

  protected plan(query: TaskQuery): QueryPlan<Task> {
    return plan(query);
  }

  /** Creates a task; `ERR_ALREADY_EXISTS` when the id is live or was deleted. Returns the write token. */
  create(input: TaskCreate): WriteToken & { id: bigint } {
    const id = this.newId(input.id);
    checkText(input.title, NETDB_MAX_TITLE_BYTES, 'title');
    const tags = checkTags(input.tags);
    if (this.table.has(id) || this.table.isDeleted(id)) throw new NetDbError('exists', `task ${id} ${this.table.has(id) ? 'exists' : 'was deleted; ids are not reused'}`);
    const now = this.now(input.nowNs);
    const size = 16 + 2 + input.title.length * 3 + tagsLength(tags) * 3 + 1;
    const seq = this.view.ingestWith(TaskDispatch.CREATED, size, (b, o) => {
      const w = new ByteWriter(b, o);
      w.u64(id);
      w.u64(now);
      w.str(input.title);
      w.tags(tags);
      w.u8(input.pinned === true ? 1 : 0);
      return w.pos - o;
    });
    return { ...this.token(seq), id };
  }

  rename(id: bigint, title: string, nowNs?: bigint): WriteToken {
    this.live(id);
    checkText(title, NETDB_MAX_TITLE_BYTES, 'title');
    const now = this.now(nowNs);
    return this.write(TaskDispatch.RENAMED, id, now, 2 + title.length * 3, (w) => w.str(title));
  }

  retag(id: bigint, tags: readonly string[], nowNs?: bigint): WriteToken {
    this.live(id);
    const t = checkTags(tags);
    return this.write(TaskDispatch.RETAGGED, id, this.now(nowNs), tagsLength(t) * 3, (w) => w.tags(t));
  }

  complete(id: bigint, nowNs?: bigint): WriteToken {
    this.live(id);
    return this.write(TaskDispatch.COMPLETED, id, this.now(nowNs));
  }

  reopen(id: bigint, nowNs?: bigint): WriteToken {
    this.live(id);
    return this.write(TaskDispatch.REOPENED, id, this.now(nowNs));
  }

  pin(id: bigint, nowNs?: bigint): WriteToken {
    this.live(id);
    return this.write(TaskDispatch.PINNED, id, this.now(nowNs));
  }

  unpin(id: bigint, nowNs?: bigint): WriteToken {
    this.live(id);
    return this.write(TaskDispatch.UNPINNED, id, this.now(nowNs));
  }

  /** Deletes a task for good: its id stays a tombstone and is never reused or brought back. */
  delete(id: bigint, nowNs?: bigint): WriteToken {
    this.live(id);
    return this.write(TaskDispatch.DELETED, id, this.now(nowNs));
  }

  /** Applies the given changes, one event each; returns the last write's token. */
  update(id: bigint, changes: { title?: string; tags?: readonly string[]; pinned?: boolean; status?: TaskStatus }, nowNs?: bigint): WriteToken {
    const t = this.live(id);
    if (changes.status !== undefined && !STATUSES.has(changes.status)) throw new InvalidArgumentError(`unknown status ${String(changes.status)}`);
    let last: WriteToken | undefined;
    if (changes.title !== undefined && changes.title !== t.title) last = this.rename(id, changes.title, nowNs);
    if (changes.tags !== undefined) last = this.retag(id, changes.tags, nowNs);
    if (changes.pinned !== undefined && changes.pinned !== t.pinned) last = changes.pinned ? this.pin(id, nowNs) : this.unpin(id, nowNs);
    if (changes.status !== undefined && changes.status !== t.status) last = changes.status === 'completed' ? this.complete(id, nowNs) : this.reopen(id, nowNs);
    return last ?? this.token(this.view.appliedThroughSeq);
  }
}

function plan(q: TaskQuery) {
  const { skip, take } = checkPaging(q.skip, q.take);
  const f = q.where ?? {};
  if (f.status !== undefined && !STATUSES.has(f.status)) throw new InvalidArgumentError(`unknown status ${String(f.status)}`);
  const orderBy = q.orderBy ?? 'createdAsc';
  if (!Object.values(TasksOrderBy).includes(orderBy)) throw new InvalidArgumentError(`unknown orderBy ${String(orderBy)}`);
  const common = rowFilter(f);
  const needle = f.titleContains?.toLowerCase();
  const matches = (t: Task): boolean => {
    if (f.status !== undefined && t.status !== f.status) return false;
    if (!common.matches(t)) return false;
    if (needle !== undefined && !containsIgnoreCase(t.title, needle)) return false;
    return true;
  };
  const compare = orderBy === 'titleAsc' ? (a: Task, b: Task) => (a.title < b.title ? -1 : a.title > b.title ? 1 : a.createdSeq - b.createdSeq) : undefined;
  return { matches, requiredTags: common.requiredTags, orderBy: (orderBy === 'titleAsc' ? 'createdAsc' : orderBy) as OrderKey, compare, skip, take };
}
