/**
 * NetDb: one handle over the typed collections (`db.tasks`, `db.memories`), each a CortEX view over its own RedEX
 * log (`netdb/tasks`, `netdb/memories` under `dir`, or in memory). The logs are the truth: opening folds them,
 * and a bundle import writes one event per row and per tombstone into empty logs, so the logs alone rebuild
 * the state afterwards.
 */
import { type Clock, type Timers } from '../../core/index.js';
import { RedexFile, type DurabilityPolicy, type FileIO } from '../../log/index.js';
import { CortexAdapter, type FoldErrorPolicy } from '../cortex/index.js';
import { NetDbError } from '../errors.js';
import { NETDB_BUNDLE_VERSION } from '../limits.js';
import { decodeNetDbBundle, encodeNetDbBundle, type NetDbBundle } from './bundle.js';
import { ByteWriter } from './codec.js';
import { MemoriesCollection } from './memories.js';
import { MemoryDispatch, memoriesFold, memoryRowMaxBytes, writeMemoryRow, type MemoriesState } from './memory-model.js';
import { TaskDispatch, taskRowMaxBytes, tasksFold, writeTaskRow, type TasksState } from './task-model.js';
import { TasksCollection } from './tasks.js';
import type { Row } from './table.js';

export interface NetDbOpenConfig {
  /** Store directory (the logs live in `<dir>/netdb%tasks/`, `<dir>/netdb%memories/`). Omit for memory only. */
  dir?: string;
  /** Default true. */
  withTasks?: boolean;
  /** Default true. */
  withMemories?: boolean;
  /** Origin hash of this writer, in every event's EventMeta and write token (default 0). */
  originHash?: bigint;
  /** The logs' durability (default `interval` 100 ms, which needs `components.timers`). */
  durability?: DurabilityPolicy;
  /** Default `stop`. */
  errorPolicy?: FoldErrorPolicy;
}

export interface NetDbComponents {
  clock: Clock;
  timers?: Timers;
  /** Needed with `dir`. */
  fileIO?: FileIO;
}

/** Progress of long work (bundle import): `done` of `total` rows written. */
export type ProgressFn = (done: number, total: number) => void;

export const NETDB_CHANNELS = { tasks: 'netdb/tasks', memories: 'netdb/memories' } as const;

export class NetDb {
  private closed = false;

  private constructor(
    readonly tasks: TasksCollection | null,
    readonly memories: MemoriesCollection | null,
    private readonly logs: RedexFile[],
  ) {}

  static async open(components: NetDbComponents, config: NetDbOpenConfig = {}): Promise<NetDb> {
    const wantTasks = config.withTasks ?? true;
    const wantMemories = config.withMemories ?? true;
    if (!wantTasks && !wantMemories) throw new NetDbError('no-models', 'NetDb needs at least one of tasks and memories');
    const logs: RedexFile[] = [];
    try {
      const open = async (channel: string): Promise<RedexFile> => {
        const log = await RedexFile.open({ clock: components.clock, timers: components.timers, fileIO: components.fileIO },
          { channel, dir: config.dir, durability: config.durability });
        logs.push(log);
        return log;
      };
      const origin = config.originHash ?? 0n;
      const policy = config.errorPolicy;
      const cx = { timers: components.timers };
      const tasks = wantTasks
        ? new TasksCollection(await CortexAdapter.open(await open(NETDB_CHANNELS.tasks), { fold: tasksFold, errorPolicy: policy, originHash: origin }, cx), components.clock, origin)
        : null;
      const memories = wantMemories
        ? new MemoriesCollection(await CortexAdapter.open(await open(NETDB_CHANNELS.memories), { fold: memoriesFold, errorPolicy: policy, originHash: origin }, cx), components.clock, origin)
        : null;
      return new NetDb(tasks, memories, logs);
    } catch (e) {
      for (const l of logs) await l.close().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Opens a store from a bundle: checks the whole bundle first, then writes its rows and tombstones into the
   * store, whose logs must be empty (`store-not-empty`, `ERR_ALREADY_EXISTS`, otherwise).
   */
  static async openFromSnapshot(components: NetDbComponents, config: NetDbOpenConfig, bundle: Uint8Array,
    options: { onProgress?: ProgressFn } = {}): Promise<NetDb> {
    const b = decodeNetDbBundle(bundle);
    let tasksState: TasksState | undefined;
    let memState: MemoriesState | undefined;
    try {
      if (b.tasks) tasksState = tasksFold.decodeState(b.tasks.state);
      if (b.memories) memState = memoriesFold.decodeState(b.memories.state);
    } catch (e) {
      throw new NetDbError('bundle-invalid', `NetDB bundle: state does not decode: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const db = await NetDb.open(components, config);
    try {
      for (const l of db.logs) {
        if (l.nextSeq !== 0) throw new NetDbError('store-not-empty', `log ${l.channel} already holds ${l.nextSeq} records; restore needs an empty store`);
      }
      const total = (tasksState ? tasksState.table.size + tasksState.table.tombstones.size : 0)
        + (memState ? memState.table.size + memState.table.tombstones.size : 0);
      let done = 0;
      const step = (): void => {
        done++;
        if (options.onProgress && (done % 1024 === 0 || done === total)) options.onProgress(done, total);
      };
      if (tasksState && db.tasks) {
        replay(db.tasks.view, tasksState.table.order, tasksState.table.tombstoneIds, TaskDispatch.RESTORED, TaskDispatch.TOMBSTONE, taskRowMaxBytes, writeTaskRow, step);
      }
      if (memState && db.memories) {
        replay(db.memories.view, memState.table.order, memState.table.tombstoneIds, MemoryDispatch.RESTORED, MemoryDispatch.TOMBSTONE, memoryRowMaxBytes, writeMemoryRow, step);
      }
      if (total === 0) options.onProgress?.(0, 0);
      return db;
    } catch (e) {
      await db.close().catch(() => undefined);
      throw e;
    }
  }

  /** Every model's state as one bundle (taken at once: nothing runs between the models' captures). */
  snapshot(): Uint8Array {
    const b: NetDbBundle = { version: NETDB_BUNDLE_VERSION };
    if (this.tasks) b.tasks = this.tasks.view.snapshot();
    if (this.memories) b.memories = this.memories.view.snapshot();
    return encodeNetDbBundle(b);
  }

  /** The RedEX logs under the collections (for stats, tails, compaction). */
  get redexFiles(): readonly RedexFile[] {
    return this.logs;
  }

  /** Resolves once every write so far is durable. */
  async sync(): Promise<void> {
    for (const l of this.logs) await l.sync();
  }

  /** Stops the views and closes the logs (a final sync for disk logs). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tasks?.view.close();
    this.memories?.view.close();
    let failure: unknown;
    for (const l of this.logs) {
      try {
        await l.close();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== undefined) throw failure;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function replay<T extends Row>(view: CortexAdapter<unknown>, rows: readonly T[], tombstones: readonly bigint[], restored: number,
  tombstone: number, maxBytes: (r: T) => number, write: (w: ByteWriter, r: T) => void, step: () => void): void {
  for (const r of rows) {
    view.ingestWith(restored, maxBytes(r), (b, o) => {
      const w = new ByteWriter(b, o);
      write(w, r);
      return w.pos - o;
    });
    step();
  }
  for (const id of tombstones) {
    view.ingestWith(tombstone, 8, (b, o) => {
      const w = new ByteWriter(b, o);
      w.u64(id);
      return 8;
    });
    step();
  }
}
