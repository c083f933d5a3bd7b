/**
 * The tasks model: rows, their events and the fold that applies them (the reference's `cortex/tasks`).
 *
 * Event payloads (after the 24-byte EventMeta; ids and times u64 LE, strings u16-length UTF-8, tags a u8 count
 * of u8-length strings):
 *   0x01 CREATED   id ‖ now_ns ‖ title ‖ tags ‖ pinned:u8
 *   0x02 RENAMED   id ‖ now_ns ‖ title
 *   0x03 COMPLETED id ‖ now_ns
 *   0x04 DELETED   id ‖ now_ns
 *   0x05 RETAGGED  id ‖ now_ns ‖ tags
 *   0x06 PINNED / 0x07 UNPINNED  id ‖ now_ns
 *   0x08 REOPENED  id ‖ now_ns
 *   0x0E RESTORED  a whole row (bundle import)      0x0F TOMBSTONE id (bundle import)
 * The fold ignores events for ids it does not hold, a second create of a live id, and anything for a deleted
 * id: tombstones never resurrect. Unknown dispatch values are ignored (newer writers).
 */
import { FoldDecodeError } from '../errors.js';
import type { CortexEvent, CortexFold } from '../cortex/index.js';
import { NETDB_MAX_TITLE_BYTES } from '../limits.js';
import { ByteReader, ByteWriter } from './codec.js';
import { RowTable, type Row } from './table.js';

export const TaskStatus = { Pending: 'pending', Completed: 'completed' } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export interface Task extends Row {
  readonly title: string;
  readonly status: TaskStatus;
  /** When it was completed (null while pending). */
  readonly completedNs: bigint | null;
}

export const TaskDispatch = {
  CREATED: 0x01,
  RENAMED: 0x02,
  COMPLETED: 0x03,
  DELETED: 0x04,
  RETAGGED: 0x05,
  PINNED: 0x06,
  UNPINNED: 0x07,
  REOPENED: 0x08,
  RESTORED: 0x0e,
  TOMBSTONE: 0x0f,
} as const;

export interface TasksState {
  table: RowTable<Task>;
  /** Events the fold ignored (unknown id, duplicate create, deleted id). */
  ignored: number;
}

export function writeTaskRow(w: ByteWriter, t: Task): void {
  w.u64(t.id);
  w.str(t.title);
  w.tags(t.tags);
  w.u8(t.pinned ? 1 : 0);
  w.u8(t.status === 'completed' ? 1 : 0);
  w.u64(t.createdNs);
  w.u64(t.updatedNs);
  w.u64(t.completedNs ?? 0n);
}

/** An upper bound of `writeTaskRow`'s output (3 bytes per UTF-16 unit). */
export function taskRowMaxBytes(t: Task): number {
  let n = 8 + 2 + t.title.length * 3 + 1 + 2 + 24;
  for (const x of t.tags) n += 1 + x.length * 3;
  return n;
}

export function readTaskRow(r: ByteReader, createdSeq: number): Task {
  const id = r.u64();
  const title = r.str(NETDB_MAX_TITLE_BYTES);
  const tags = r.tags();
  const pinned = r.bool();
  const done = r.bool();
  const createdNs = r.u64();
  const updatedNs = r.u64();
  const completedNs = r.u64();
  return { id, title, tags, pinned, status: done ? 'completed' : 'pending', createdNs, updatedNs, completedNs: done ? completedNs : null, createdSeq };
}

function update(s: TasksState, id: bigint, fn: (t: Task) => Task): void {
  const prev = s.table.get(id);
  if (!prev) {
    s.ignored++;
    return;
  }
  s.table.replace(prev, fn(prev));
}

export const tasksFold: CortexFold<TasksState> = {
  model: 'tasks',
  initial: () => ({ table: new RowTable<Task>(), ignored: 0 }),
  apply(s, e: CortexEvent) {
    const d = e.dispatch;
    if (d === 0 || d > TaskDispatch.TOMBSTONE || (d > TaskDispatch.REOPENED && d < TaskDispatch.RESTORED)) return;
    const r = new ByteReader(e.payload, `task event ${e.seq}`);
    if (d === TaskDispatch.RESTORED) {
      const t = readTaskRow(r, e.seq);
      r.end();
      if (s.table.isDeleted(t.id) || s.table.has(t.id)) s.ignored++;
      else s.table.insert(t);
      return;
    }
    const id = r.u64();
    if (d === TaskDispatch.TOMBSTONE) {
      r.end();
      s.table.remove(id);
      return;
    }
    const now = r.u64();
    switch (d) {
      case TaskDispatch.CREATED: {
        const title = r.str(NETDB_MAX_TITLE_BYTES);
        const tags = r.tags();
        const pinned = r.bool();
        r.end();
        if (s.table.isDeleted(id) || s.table.has(id)) s.ignored++;
        else s.table.insert({ id, title, tags, pinned, status: 'pending', createdNs: now, updatedNs: now, completedNs: null, createdSeq: e.seq });
        return;
      }
      case TaskDispatch.RENAMED: {
        const title = r.str(NETDB_MAX_TITLE_BYTES);
        r.end();
        return update(s, id, (t) => ({ ...t, title, updatedNs: now }));
      }
      case TaskDispatch.RETAGGED: {
        const tags = r.tags();
        r.end();
        return update(s, id, (t) => ({ ...t, tags, updatedNs: now }));
      }
      case TaskDispatch.DELETED:
        r.end();
        if (!s.table.has(id)) s.ignored++;
        s.table.remove(id);
        return;
      default:
        r.end();
        return update(s, id, (t) => {
          switch (d) {
            case TaskDispatch.COMPLETED:
              return { ...t, status: 'completed', completedNs: t.completedNs ?? now, updatedNs: now };
            case TaskDispatch.REOPENED:
              return { ...t, status: 'pending', completedNs: null, updatedNs: now };
            case TaskDispatch.PINNED:
              return { ...t, pinned: true, updatedNs: now };
            default:
              return { ...t, pinned: false, updatedNs: now };
          }
        });
    }
  },
  encodeState(s) {
    return encodeRows(s.table, writeTaskRow, taskRowMaxBytes);
  },
  decodeState(bytes) {
    const s: TasksState = { table: new RowTable<Task>(), ignored: 0 };
    decodeRows(bytes, 'tasks state', (r, i) => insertUnique(s.table, readTaskRow(r, i)), (id) => s.table.remove(id));
    return s;
  },
};

/**
 * State bytes shared by both models: `rows:u32 ‖ row* ‖ tombstones:u32 ‖ id:u64*`, rows in creation order
 * (their position becomes their creation tie-break on decode).
 */
export function encodeRows<T extends Row>(table: RowTable<T>, write: (w: ByteWriter, row: T) => void, maxLen: (row: T) => number): Uint8Array {
  let size = 8 + table.tombstones.size * 8;
  for (const row of table.order) size += maxLen(row);
  const w = new ByteWriter(new Uint8Array(size), 0);
  w.u32(table.order.length);
  for (const row of table.order) write(w, row);
  w.u32(table.tombstones.size);
  for (const id of table.tombstoneIds) w.u64(id);
  return w.buf.slice(0, w.pos);
}

/** Inserts a decoded row, refusing a second row with the same id (a hostile or broken snapshot). */
export function insertUnique<T extends Row>(table: RowTable<T>, row: T): void {
  if (table.has(row.id) || table.isDeleted(row.id)) throw new FoldDecodeError(`row ${row.id} appears twice`);
  table.insert(row);
}

export function decodeRows(bytes: Uint8Array, what: string, onRow: (r: ByteReader, index: number) => void, onTombstone: (id: bigint) => void): void {
  const r = new ByteReader(bytes, what);
  const rows = r.u32();
  // Each row takes at least 8 bytes: a count larger than the bytes present is a lie, refused before looping.
  if (rows > r.remaining / 8) throw new FoldDecodeError(`${what}: ${rows} rows cannot fit in ${r.remaining} bytes`);
  for (let i = 0; i < rows; i++) onRow(r, i);
  const tombs = r.u32();
  if (tombs * 8 !== r.remaining) throw new FoldDecodeError(`${what}: ${tombs} tombstones do not match the ${r.remaining} bytes left`);
  for (let i = 0; i < tombs; i++) onTombstone(r.u64());
  r.end();
}
