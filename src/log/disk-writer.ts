/**
 * Puts records from the {@link RecordStore} on disk: seal (segment offset, payload checksum, record check),
 * write dat → idx → ts, roll segments before u32 offsets overflow, fsync in the same order, and compact into a
 * new generation. The caller serializes every call (one pump), so no two writes to a file overlap.
 *
 * A failed write is rolled back by truncating all three files to their lengths before the batch; if the
 * truncate fails too, or an fsync fails (its dirty pages may be gone: fsyncgate), the writer is poisoned and
 * refuses all further work, so it never writes bytes after a hole.
 */
import { readU32LE, writeU32LE } from '../core/index.js';
import { payloadChecksum, REDEX_CHECKSUM_MASK, REDEX_FLAG_MASK, RedexFlags } from './entry.js';
import { LogPoisonedError, toStorageError } from './errors.js';
import { joinPath, type FileHandle, type FileIO } from './file-io.js';
import { createGeneration, removeDir, switchManifest } from './control-files.js';
import { generationDirName, segmentFileName } from './layout.js';
import { REDEX_ENTRY_BYTES as E, REDEX_TS_RECORD_BYTES as T } from './limits.js';
import { recordCheck } from './record-check.js';
import type { WriterStart } from './recovery.js';
import type { RecordStore } from './store.js';

interface Segment {
  dat: FileHandle;
  idx: FileHandle;
  ts: FileHandle;
  datLen: number;
  idxLen: number;
  tsLen: number;
}

export class DiskWriter {
  private generation: number;
  private genDir: string;
  private segmentNo: number;
  private seg!: Segment;
  /** Earlier segments of this generation written since the last sync: fsynced (then closed) by the next sync. */
  private unsyncedOld: Segment[] = [];
  private dirDirty = false;
  /** Every seq below this has been handed to the OS. */
  flushedSeq: number;
  /** Every seq below this is durable. */
  syncedSeq: number;
  /** Seq of the first record in the live generation's files. */
  diskFirstSeq: number;
  /** Payload checksums are computed once per record: every seq below this has one in the store. */
  private checksummedSeq: number;
  poisoned: LogPoisonedError | undefined;

  private constructor(
    private readonly io: FileIO,
    private readonly store: RecordStore,
    private readonly channelDir: string,
    start: WriterStart,
    private readonly maxSegmentBytes: number,
  ) {
    this.generation = start.generation;
    this.genDir = start.genDir;
    this.segmentNo = start.segment;
    this.flushedSeq = this.syncedSeq = this.checksummedSeq = store.nextSeq;
    this.diskFirstSeq = start.diskFirstSeq;
  }

  static async open(io: FileIO, store: RecordStore, channelDir: string, start: WriterStart, maxSegmentBytes: number): Promise<DiskWriter> {
    const w = new DiskWriter(io, store, channelDir, start, maxSegmentBytes);
    w.seg = await w.openSegment(start.genDir, start.segment, start.datLen, start.idxLen, start.tsLen);
    return w;
  }

  private async openSegment(dir: string, n: number, datLen: number, idxLen: number, tsLen: number): Promise<Segment> {
    const open = async (kind: 'dat' | 'idx' | 'ts', len: number): Promise<FileHandle> => {
      const path = joinPath(dir, segmentFileName(kind, n));
      const created = !(await this.io.exists(path));
      const h = await this.io.open(path, { create: true });
      if (created) this.dirDirty = true;
      else if ((await h.size()) !== len) await h.truncate(len);
      return h;
    };
    return { dat: await open('dat', datLen), idx: await open('idx', idxLen), ts: await open('ts', tsLen), datLen, idxLen, tsLen };
  }

  private check(): void {
    if (this.poisoned) throw this.poisoned;
  }

  private poison(cause: unknown): never {
    this.poisoned ??= new LogPoisonedError(undefined, { cause });
    throw this.poisoned;
  }

  /**
   * Assigns segment offsets to [from, to) starting at `datStart`, computes missing payload checksums and the
   * record checks. Returns the heap bytes the run covers.
   */
  private seal(from: number, to: number, datStart: number): number {
    const s = this.store;
    const base = s.heapPos[s.slot(from)]!;
    let bytes = 0;
    for (let q = from; q < to; q++) {
      const slot = s.slot(q);
      const o = slot * E;
      const fc = readU32LE(s.idx, o + 16);
      const inline = (fc & RedexFlags.INLINE) !== 0;
      if (!inline) {
        writeU32LE(s.idx, o + 8, datStart + (s.heapPos[slot]! - base));
        bytes += readU32LE(s.idx, o + 12);
      }
      if (q >= this.checksummedSeq) {
        const payload = inline ? s.idx.subarray(o + 8, o + 16) : s.heap.subarray(s.heapPos[slot]!, s.heapPos[slot]! + readU32LE(s.idx, o + 12));
        writeU32LE(s.idx, o + 16, ((fc & REDEX_FLAG_MASK) | (payloadChecksum(payload) & REDEX_CHECKSUM_MASK)) >>> 0);
      }
      writeU32LE(s.ts, slot * T + 8, recordCheck(s.idx, o, s.ts, slot * T));
    }
    if (to > this.checksummedSeq) this.checksummedSeq = to;
    return bytes;
  }

  /** The largest run starting at `from` (before `to`) whose payloads fit in `room` bytes. */
  private run(from: number, to: number, room: number): number {
    let end = from;
    let bytes = 0;
    while (end < to) {
      const len = this.store.isInline(end) ? 0 : this.store.payloadLength(end);
      if (bytes + len > room) break;
      bytes += len;
      end++;
    }
    return end;
  }

  /** Writes [flushedSeq, to) to the live generation. */
  async write(to: number): Promise<void> {
    this.check();
    this.store.pin(this.flushedSeq);
    try {
      while (this.flushedSeq < to) {
        const from = this.flushedSeq;
        const end = this.run(from, to, this.maxSegmentBytes - this.seg.datLen);
        if (end === from) {
          await this.rollover();
          continue;
        }
        await this.writeRun(this.seg, from, end, 'append');
        this.flushedSeq = end;
      }
    } finally {
      this.store.unpin();
    }
  }

  private async writeRun(seg: Segment, from: number, end: number, phase: string): Promise<void> {
    const s = this.store;
    const bytes = this.seal(from, end, seg.datLen);
    const a = s.slot(from);
    const b = s.slot(end);
    try {
      if (bytes > 0) await seg.dat.write(s.heapRange(from, end), seg.datLen);
      this.io.crashPoint(`${phase}.dat-written`);
      await seg.idx.write(s.idx.subarray(a * E, b * E), seg.idxLen);
      this.io.crashPoint(`${phase}.idx-written`);
      await seg.ts.write(s.ts.subarray(a * T, b * T), seg.tsLen);
      this.io.crashPoint(`${phase}.ts-written`);
    } catch (e) {
      await this.rollback(seg, e);
      throw toStorageError(e, `${phase} write`);
    }
    seg.datLen += bytes;
    seg.idxLen += (end - from) * E;
    seg.tsLen += (end - from) * T;
  }

  private async rollback(seg: Segment, cause: unknown): Promise<void> {
    try {
      await seg.dat.truncate(seg.datLen);
      await seg.idx.truncate(seg.idxLen);
      await seg.ts.truncate(seg.tsLen);
    } catch {
      this.poison(cause);
    }
  }

  private async rollover(): Promise<void> {
    this.unsyncedOld.push(this.seg);
    this.segmentNo++;
    this.seg = await this.openSegment(this.genDir, this.segmentNo, 0, 0, 0);
    this.io.crashPoint('rollover.created');
  }

  /** fsyncs dat, idx, ts (earlier segments first) and, after a segment was created, the generation directory. */
  async sync(): Promise<void> {
    this.check();
    const target = this.flushedSeq;
    try {
      for (const seg of [...this.unsyncedOld, this.seg]) await this.syncSegment(seg);
      if (this.dirDirty) {
        await this.io.syncDir(this.genDir);
        this.io.crashPoint('sync.dir');
        this.dirDirty = false;
      }
    } catch (e) {
      this.poison(e);
    }
    for (const seg of this.unsyncedOld) await closeSegment(seg);
    this.unsyncedOld = [];
    this.syncedSeq = target;
  }

  private async syncSegment(seg: Segment): Promise<void> {
    await seg.dat.sync();
    this.io.crashPoint('sync.dat');
    await seg.idx.sync();
    this.io.crashPoint('sync.idx');
    await seg.ts.sync();
    this.io.crashPoint('sync.ts');
  }

  /**
   * Rewrites records [store.firstSeq, store.nextSeq) into generation N+1, makes it durable, and switches
   * MANIFEST to it; then removes generation N. On failure before the switch the live generation is untouched
   * and the half-written one is removed; a failure after the rename poisons (the switch may or may not hold).
   */
  async compact(): Promise<void> {
    this.check();
    const first = this.store.firstSeq;
    const to = this.store.nextSeq;
    const next = this.generation + 1;
    const dir = joinPath(this.channelDir, generationDirName(next));
    const segs: Segment[] = [];
    this.store.pin(first);
    try {
      await createGeneration(this.io, this.channelDir, next, first);
      let n = 0;
      let seg = await this.openSegment(dir, n, 0, 0, 0);
      segs.push(seg);
      for (let q = first; q < to;) {
        const end = this.run(q, to, this.maxSegmentBytes - seg.datLen);
        if (end === q) {
          seg = await this.openSegment(dir, ++n, 0, 0, 0);
          segs.push(seg);
          continue;
        }
        await this.writeRun(seg, q, end, 'compact');
        q = end;
      }
      for (const s of segs) await this.syncSegment(s);
      await this.io.syncDir(dir);
      // The new generation's entry in the channel directory becomes durable with the manifest switch, after
      // all its files: a power loss before that leaves no trace of it.
      this.io.crashPoint('compact.generation-durable');
    } catch (e) {
      for (const s of segs) await closeSegment(s).catch(() => undefined);
      if (await this.io.exists(dir).catch(() => false)) await removeDir(this.io, dir).catch(() => undefined);
      // Offsets in the store now describe the new layout; the next write re-seals from the live segment.
      throw toStorageError(e, 'compaction');
    } finally {
      this.store.unpin();
    }
    try {
      await switchManifest(this.io, this.channelDir, next);
    } catch (e) {
      for (const s of segs) await closeSegment(s).catch(() => undefined);
      this.poison(e);
    }
    const oldDir = this.genDir;
    for (const s of [...this.unsyncedOld, this.seg]) await closeSegment(s).catch(() => undefined);
    this.generation = next;
    this.genDir = dir;
    this.segmentNo = segs.length - 1;
    this.seg = segs[segs.length - 1]!;
    for (const s of segs.slice(0, -1)) await closeSegment(s);
    this.unsyncedOld = [];
    this.dirDirty = false;
    this.flushedSeq = this.syncedSeq = to;
    this.diskFirstSeq = first;
    try {
      await removeDir(this.io, oldDir);
    } catch {
      // An old generation left behind (or brought back by a power loss: no fsync here) is an orphan; the next
      // open removes it.
    }
    this.io.crashPoint('compact.old-removed');
  }

  get liveGeneration(): number {
    return this.generation;
  }

  async close(): Promise<void> {
    for (const s of [...this.unsyncedOld, this.seg]) await closeSegment(s).catch(() => undefined);
    this.unsyncedOld = [];
  }
}

async function closeSegment(s: Segment): Promise<void> {
  await s.dat.close();
  await s.idx.close();
  await s.ts.close();
}
