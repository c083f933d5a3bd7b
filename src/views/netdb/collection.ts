/**
 * What the tasks and memories collections share: a CortEX view over their own log, write tokens (read your
 * writes), unique and many-row reads, and live watches.
 */
import { InvalidArgumentError, type Clock } from '../../core/index.js';
import type { CortexAdapter, WaitOptions } from '../cortex/index.js';
import { CortexError, NetDbError } from '../errors.js';
import { NETDB_MAX_TAG_BYTES, NETDB_MAX_TAGS } from '../limits.js';
import { ByteWriter, utf8Length } from './codec.js';
import { runQuery, type QueryPlan } from './query.js';
import type { Row, RowTable } from './table.js';
import { QueryWatch } from './watch.js';

/**
 * Names one write: the writer's origin and the event's log seq. `waitForToken` resolves once that event is in
 * the state. Tokens are meaningful only to the collection that issued them.
 */
export interface WriteToken {
  readonly version: 1;
  readonly originHash: bigint;
  readonly seq: number;
}

export interface SnapshotAndWatch<T> {
  readonly snapshot: readonly T[];
  readonly updates: AsyncIterableIterator<readonly T[]> & { close(): void };
}

export abstract class Collection<T extends Row, S extends { table: RowTable<T> }, Q> {
  constructor(
    /** The CortEX view this collection reads (its log, watermarks, counters, change events). */
    readonly view: CortexAdapter<S>,
    protected readonly clock: Clock,
    protected readonly originHash: bigint,
  ) {}

  protected get table(): RowTable<T> {
    return this.view.state.table;
  }

  /** Live rows. */
  count(): number {
    return this.table.size;
  }

  /** Whether `id` was deleted (its tombstone). */
  isDeleted(id: bigint): boolean {
    return this.table.isDeleted(id);
  }

  /** The row with this id, or undefined (never for a deleted id). */
  findUnique(args: { where: { id: bigint } }): T | undefined {
    return this.table.get(args.where.id);
  }

  protected token(seq: number): WriteToken {
    return { version: 1, originHash: this.originHash, seq };
  }

  protected now(nowNs: bigint | undefined): bigint {
    return nowNs ?? BigInt(Math.floor(this.clock.wallMs())) * 1_000_000n;
  }

  protected live(id: bigint): T {
    const row = this.table.get(id);
    if (!row) throw new NetDbError('not-found', `${this.kind} ${id} ${this.table.isDeleted(id) ? 'was deleted' : 'does not exist'}`);
    return row;
  }

  protected abstract readonly kind: string;

  /** Checks a query and turns it into a plan over the table (filters, order, paging). */
  protected abstract plan(query: Q): QueryPlan<T>;

  /** The rows of `query` now. */
  findMany(query = {} as Q): T[] {
    return runQuery(this.table, this.plan(query));
  }

  /** The rows of `query` now, then again after each change to them (see QueryWatch). */
  watch(query = {} as Q, options: { signal?: AbortSignal } = {}): QueryWatch<T> {
    const p = this.plan(query);
    return this.watchWith(() => runQuery(this.table, p), options.signal);
  }

  /** The rows now and a watch that yields only later changes. */
  snapshotAndWatch(query = {} as Q, options: { signal?: AbortSignal } = {}): SnapshotAndWatch<T> {
    const p = this.plan(query);
    const snapshot = runQuery(this.table, p);
    return { snapshot, updates: this.watchWith(() => runQuery(this.table, p), options.signal, snapshot) };
  }

  /** Appends one event `id ‖ now ‖ body` (body of `extra` bytes) and returns its write token. */
  protected write(dispatch: number, id: bigint, now: bigint, extra = 0, body?: (w: ByteWriter) => void): WriteToken {
    const seq = this.view.ingestWith(dispatch, 16 + extra, (b, o) => {
      const w = new ByteWriter(b, o);
      w.u64(id);
      w.u64(now);
      body?.(w);
      return w.pos - o;
    });
    return this.token(seq);
  }

  protected newId(id: bigint | undefined): bigint {
    if (id === undefined) return this.table.maxId + 1n;
    if (id < 0n || id > 0xffff_ffff_ffff_ffffn) throw new InvalidArgumentError(`${this.kind} id must be a u64, got ${id}`);
    return id;
  }

  /**
   * Resolves once the write is in the state (at once for this process's own writes). Rejects with
   * `ERR_FOLD_SKIPPED` if the fold skipped it, `ERR_FOLD_STOPPED` if the fold stopped before it, `ERR_TIMEOUT`
   * after `timeoutMs` (0 polls once).
   */
  waitForToken(token: WriteToken, options: WaitOptions = {}): Promise<void> {
    if (token.version !== 1) return Promise.reject(new InvalidArgumentError(`write token version ${String(token.version)}`));
    if (token.originHash !== this.originHash) return Promise.reject(new InvalidArgumentError('write token from another origin'));
    return this.view.waitForEvent(token.seq, options);
  }

  /** Live results of `run`: the current rows, then the rows again after each change to them. */
  protected watchWith(run: () => readonly T[], signal?: AbortSignal, initial?: readonly T[]): QueryWatch<T> {
    const w = new QueryWatch(run, (fn) => this.view.onChange(fn), signal, initial);
    const err = this.view.stopError;
    if (err) w.end(new CortexError('stopped', err.message, { cause: err }));
    return w;
  }
}

export function checkTags(tags: readonly string[] | undefined): readonly string[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags) || tags.length > NETDB_MAX_TAGS) throw new InvalidArgumentError(`at most ${NETDB_MAX_TAGS} tags`);
  for (const t of tags) {
    if (typeof t !== 'string' || utf8Length(t) > NETDB_MAX_TAG_BYTES) throw new InvalidArgumentError(`a tag must be a string of at most ${NETDB_MAX_TAG_BYTES} bytes`);
  }
  return [...new Set(tags)];
}

export function checkText(s: string, max: number, what: string): number {
  if (typeof s !== 'string') throw new InvalidArgumentError(`${what} must be a string`);
  const n = utf8Length(s);
  if (n > max) throw new InvalidArgumentError(`${what} of ${n} bytes exceeds ${max}`);
  return n;
}
