/**
 * The memories model (the reference's `cortex/memories`): rows with content, tags, a source and a pin.
 *
 * Event payloads (after the EventMeta; as in task-model.ts, content with a u32 length):
 *   0x21 STORED    id ‖ now_ns ‖ content ‖ tags ‖ source   (an upsert: a live id keeps its pin and creation time)
 *   0x22 RETAGGED  id ‖ now_ns ‖ tags
 *   0x23 PINNED / 0x24 UNPINNED  id ‖ now_ns
 *   0x25 DELETED   id ‖ now_ns
 *   0x2E RESTORED  a whole row (bundle import)      0x2F TOMBSTONE id (bundle import)
 * STORED → DELETED → STORED does not bring the memory back: tombstones are final. New ids start unpinned.
 */
import type { CortexEvent, CortexFold } from '../cortex/index.js';
import { NETDB_MAX_CONTENT_BYTES, NETDB_MAX_TAG_BYTES } from '../limits.js';
import { ByteReader, ByteWriter } from './codec.js';
import { RowTable, type Row } from './table.js';
import { decodeRows, encodeRows, insertUnique } from './task-model.js';

export interface Memory extends Row {
  readonly content: string;
  readonly source: string;
}

export const MemoryDispatch = {
  STORED: 0x21,
  RETAGGED: 0x22,
  PINNED: 0x23,
  UNPINNED: 0x24,
  DELETED: 0x25,
  RESTORED: 0x2e,
  TOMBSTONE: 0x2f,
} as const;

export interface MemoriesState {
  table: RowTable<Memory>;
  ignored: number;
}

export function writeMemoryRow(w: ByteWriter, m: Memory): void {
  w.u64(m.id);
  w.str(m.content, true);
  w.tags(m.tags);
  w.str(m.source);
  w.u8(m.pinned ? 1 : 0);
  w.u64(m.createdNs);
  w.u64(m.updatedNs);
}

/** An upper bound of `writeMemoryRow`'s output (3 bytes per UTF-16 unit). */
export function memoryRowMaxBytes(m: Memory): number {
  let n = 8 + 4 + m.content.length * 3 + 1 + 2 + m.source.length * 3 + 1 + 16;
  for (const x of m.tags) n += 1 + x.length * 3;
  return n;
}

export function readMemoryRow(r: ByteReader, createdSeq: number): Memory {
  const id = r.u64();
  const content = r.str(NETDB_MAX_CONTENT_BYTES, true);
  const tags = r.tags();
  const source = r.str(NETDB_MAX_TAG_BYTES);
  const pinned = r.bool();
  const createdNs = r.u64();
  const updatedNs = r.u64();
  return { id, content, tags, source, pinned, createdNs, updatedNs, createdSeq };
}

export const memoriesFold: CortexFold<MemoriesState> = {
  model: 'memories',
  initial: () => ({ table: new RowTable<Memory>(), ignored: 0 }),
  apply(s, e: CortexEvent) {
    const d = e.dispatch;
    if (d < MemoryDispatch.STORED || d > MemoryDispatch.TOMBSTONE || (d > MemoryDispatch.DELETED && d < MemoryDispatch.RESTORED)) return;
    const r = new ByteReader(e.payload, `memory event ${e.seq}`);
    const t = s.table;
    if (d === MemoryDispatch.RESTORED) {
      const m = readMemoryRow(r, e.seq);
      r.end();
      if (t.isDeleted(m.id) || t.has(m.id)) s.ignored++;
      else t.insert(m);
      return;
    }
    const id = r.u64();
    if (d === MemoryDispatch.TOMBSTONE) {
      r.end();
      t.remove(id);
      return;
    }
    const now = r.u64();
    const prev = t.get(id);
    switch (d) {
      case MemoryDispatch.STORED: {
        const content = r.str(NETDB_MAX_CONTENT_BYTES, true);
        const tags = r.tags();
        const source = r.str(NETDB_MAX_TAG_BYTES);
        r.end();
        if (t.isDeleted(id)) s.ignored++;
        else if (prev) t.replace(prev, { ...prev, content, tags, source, updatedNs: now });
        else t.insert({ id, content, tags, source, pinned: false, createdNs: now, updatedNs: now, createdSeq: e.seq });
        return;
      }
      case MemoryDispatch.RETAGGED: {
        const tags = r.tags();
        r.end();
        if (prev) t.replace(prev, { ...prev, tags, updatedNs: now });
        else s.ignored++;
        return;
      }
      case MemoryDispatch.DELETED:
        r.end();
        if (!prev) s.ignored++;
        t.remove(id);
        return;
      default:
        r.end();
        if (prev) t.replace(prev, { ...prev, pinned: d === MemoryDispatch.PINNED, updatedNs: now });
        else s.ignored++;
    }
  },
  encodeState(s) {
    return encodeRows(s.table, writeMemoryRow, memoryRowMaxBytes);
  },
  decodeState(bytes) {
    const s: MemoriesState = { table: new RowTable<Memory>(), ignored: 0 };
    decodeRows(bytes, 'memories state', (r, i) => insertUnique(s.table, readMemoryRow(r, i)), (id) => s.table.remove(id));
    return s;
  },
};
