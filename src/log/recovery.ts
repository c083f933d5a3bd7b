/**
 * Opening a log directory: take the lock, find the live generation, sweep orphans, and load the longest valid
 * prefix of records. A record counts only when its index entry and ts record are whole, its seq and offset
 * continue the previous record, its record check matches and its payload checksum matches. Everything after
 * the first record that fails is cut (files truncated, later segments removed) and reported; nothing is guessed.
 */
import { readU32LE, readSafeU64LE } from '../core/index.js';
import { payloadChecksum, REDEX_CHECKSUM_MASK, REDEX_FLAG_MASK, RedexFlags } from './entry.js';
import { CorruptionError, toStorageError } from './errors.js';
import { dirName, joinPath, type FileIO, type FileLock } from './file-io.js';
import { createGeneration, readGenHeader, removeDir, switchManifest } from './control-files.js';
import { decodeManifest, generationDirName, LOCK_NAME, MANIFEST_BYTES, MANIFEST_NAME, MANIFEST_TMP_NAME,
  parseGenerationDirName, segmentFileName } from './layout.js';
import { REDEX_ENTRY_BYTES as E, REDEX_MAX_PAYLOAD_BYTES, REDEX_MAX_SEGMENT_BYTES, REDEX_TS_RECORD_BYTES as T } from './limits.js';
import { recordCheck } from './record-check.js';
import { RecordStore } from './store.js';

/** What opening found and what it cut. */
export interface RecoveryReport {
  generation: number;
  /** Records loaded. */
  records: number;
  /** True when MANIFEST was missing or damaged and the highest intact generation was used instead. */
  manifestFallback: boolean;
  /** Generation directories (and a MANIFEST.tmp) left by an interrupted compaction, removed. */
  orphansRemoved: number;
  /** Bytes cut from the files of the segment where loading stopped, and later segments removed. */
  truncated: { segment: number; datBytes: number; idxBytes: number; tsBytes: number; segmentsRemoved: number } | null;
  /** The first whole record that failed a check (a torn tail is not corruption and leaves this null). */
  corruption: { seq: number; segment: number; reason: string } | null;
}

/** Where the writer resumes: the last segment of the live generation and its valid lengths. */
export interface WriterStart {
  generation: number;
  genDir: string;
  segment: number;
  datLen: number;
  idxLen: number;
  tsLen: number;
  /** Seq of the first record on disk (may be below the store's first seq after retention). */
  diskFirstSeq: number;
}

export interface Recovered {
  store: RecordStore;
  report: RecoveryReport;
  start: WriterStart;
  lock: FileLock;
}

/**
 * The live generation: the one MANIFEST names, or when MANIFEST is missing or damaged the highest generation
 * with an intact GEN header. Undefined only when the log was never created (no MANIFEST, no intact GEN).
 * Damage that leaves no trustworthy generation is refused with CorruptionError instead of starting over.
 */
async function chooseGeneration(io: FileIO, channelDir: string): Promise<{ gen: number; firstSeq: number; fallback: boolean } | undefined> {
  const manifestPath = joinPath(channelDir, MANIFEST_NAME);
  const hasManifest = await io.exists(manifestPath);
  let manifestGen = 0;
  if (hasManifest) {
    try {
      manifestGen = decodeManifest(await io.readFile(manifestPath, MANIFEST_BYTES + 1));
    } catch {
      // damaged manifest: fall back to the scan below
    }
  }
  if (manifestGen > 0) {
    const h = await readGenHeader(io, joinPath(channelDir, generationDirName(manifestGen)));
    if (h && h.generation === manifestGen) return { gen: manifestGen, firstSeq: h.firstSeq, fallback: false };
    throw new CorruptionError(`${channelDir}: MANIFEST names generation ${manifestGen}, whose GEN header is missing or damaged`);
  }
  const gens = (await io.readdir(channelDir)).map(parseGenerationDirName).filter((g) => g > 0).sort((a, b) => b - a);
  for (const gen of gens) {
    const h = await readGenHeader(io, joinPath(channelDir, generationDirName(gen)));
    if (h && h.generation === gen) return { gen, firstSeq: h.firstSeq, fallback: true };
  }
  if (hasManifest) throw new CorruptionError(`${channelDir}: MANIFEST is damaged and no generation has an intact GEN header`);
  return undefined;
}

/**
 * Creates `dir` and any missing parents, then fsyncs every parent on the path: an entry that exists may still
 * be undurable (created by a process that crashed before its fsync), and a log is only as durable as its path.
 */
async function makeDirDurably(io: FileIO, dir: string): Promise<void> {
  const chain: string[] = [];
  for (let d = dir; dirName(d) !== d; d = dirName(d)) chain.push(d);
  for (const d of chain.reverse()) {
    if (!(await io.exists(d))) await io.mkdir(d);
    await io.syncDir(dirName(d));
  }
}

/** Opens (creating when needed) the log directory `channelDir` and loads it. */
export async function recover(io: FileIO, channelDir: string): Promise<Recovered> {
  await makeDirDurably(io, channelDir);
  const lock = await io.lock(joinPath(channelDir, LOCK_NAME));
  try {
    return await load(io, channelDir, lock);
  } catch (e) {
    await lock.release().catch(() => undefined);
    throw toStorageError(e, `open ${channelDir}`);
  }
}

async function load(io: FileIO, channelDir: string, lock: FileLock): Promise<Recovered> {
  let chosen = await chooseGeneration(io, channelDir);
  let manifestFallback = false;
  if (!chosen) {
    // No fsync of the channel directory between the two: the manifest switch's own fsync makes the new
    // generation's entry durable together with the manifest.
    await createGeneration(io, channelDir, 1, 0);
    await switchManifest(io, channelDir, 1);
    chosen = { gen: 1, firstSeq: 0, fallback: false };
  } else if (chosen.fallback) {
    manifestFallback = true;
    await switchManifest(io, channelDir, chosen.gen);
  }
  const live = generationDirName(chosen.gen);
  let orphansRemoved = 0;
  for (const name of await io.readdir(channelDir)) {
    if (name === MANIFEST_TMP_NAME) {
      await io.unlink(joinPath(channelDir, name));
      orphansRemoved++;
    } else if (name !== live && parseGenerationDirName(name) > 0) {
      await removeDir(io, joinPath(channelDir, name));
      orphansRemoved++;
    }
  }
  // Removals need no fsync of their own: an orphan that comes back after a power loss is removed again, and
  // the channel directory is fsynced below anyway.

  const genDir = joinPath(channelDir, live);
  const store = new RecordStore(chosen.firstSeq);
  const files = new Set(await io.readdir(genDir));
  const report: RecoveryReport = { generation: chosen.gen, records: 0, manifestFallback, orphansRemoved, truncated: null, corruption: null };
  const start: WriterStart = { generation: chosen.gen, genDir, segment: 0, datLen: 0, idxLen: 0, tsLen: 0, diskFirstSeq: chosen.firstSeq };
  let segment = 0;
  for (; ; segment++) {
    const names = (['dat', 'idx', 'ts'] as const).map((k) => segmentFileName(k, segment));
    if (!names.every((n) => files.has(n))) break;
    const [dat, idx, ts] = await Promise.all(names.map((n) => io.readFile(joinPath(genDir, n), REDEX_MAX_SEGMENT_BYTES)));
    const r = loadSegment(store, dat!, idx!, ts!, segment);
    start.segment = segment;
    start.datLen = r.datLen;
    start.idxLen = r.records * E;
    start.tsLen = r.records * T;
    const cut = { segment, datBytes: dat!.length - r.datLen, idxBytes: idx!.length - start.idxLen, tsBytes: ts!.length - start.tsLen };
    if (r.corruption) report.corruption = r.corruption;
    if (cut.datBytes + cut.idxBytes + cut.tsBytes > 0 || r.corruption) {
      for (const [name, len] of [[names[0]!, r.datLen], [names[1]!, start.idxLen], [names[2]!, start.tsLen]] as const) {
        // No fsync here: if the cut is undone by a power loss, the same bytes fail the same checks next time,
        // and the writer's next sync makes the cut durable together with what it appends.
        const h = await io.open(joinPath(genDir, name));
        await h.truncate(len);
        await h.close();
      }
      io.crashPoint('recovery.truncated');
      report.truncated = { ...cut, segmentsRemoved: 0 };
      segment++;
      break;
    }
  }
  // Segments after the one where loading stopped cannot continue the sequence: remove them.
  let removed = 0;
  for (const name of files) {
    const m = /^(dat|idx|ts)\.(\d{6})$/.exec(name);
    if (m && Number(m[2]) >= segment && Number(m[2]) !== start.segment) {
      await io.unlink(joinPath(genDir, name));
      removed++;
    }
  }
  if (removed > 0) {
    // Made durable by the fsync of the generation directory below, before anything is appended after the cut
    // (a removed segment that came back could otherwise continue the new sequence with stale records).
    report.truncated ??= { segment: start.segment, datBytes: 0, idxBytes: 0, tsBytes: 0, segmentsRemoved: 0 };
    report.truncated.segmentsRemoved = Math.ceil(removed / 3);
  }
  // What was loaded may sit only in the page cache of a process that crashed before its fsync: make the live
  // generation durable before anything is reported durable.
  for (const name of await io.readdir(genDir)) {
    const h = await io.open(joinPath(genDir, name));
    await h.sync();
    await h.close();
  }
  await io.syncDir(genDir);
  // Also makes durable a manifest switch whose own fsync a crashed process never reached.
  await io.syncDir(channelDir);
  io.crashPoint('recovery.durable');
  report.records = store.count;
  return { store, report, start, lock };
}

/** Loads the valid prefix of one segment into `store`; returns how far it got and why it stopped. */
function loadSegment(store: RecordStore, dat: Uint8Array, idx: Uint8Array, ts: Uint8Array, segment: number):
  { records: number; datLen: number; corruption: RecoveryReport['corruption'] } {
  const whole = Math.min(Math.floor(idx.length / E), Math.floor(ts.length / T));
  let datPos = 0;
  for (let j = 0; j < whole; j++) {
    const io = j * E;
    const to = j * T;
    const seq = store.nextSeq;
    const fail = (reason: string) => ({ records: j, datLen: datPos, corruption: { seq, segment, reason } });
    if (readU32LE(ts, to + 8) !== recordCheck(idx, io, ts, to) || readU32LE(ts, to + 12) !== 0) {
      // A record whose bytes are all zero past what the writer flushed is a torn tail, not damage.
      if (isTornTail(idx, io, ts, to)) return { records: j, datLen: datPos, corruption: null };
      return fail('record check mismatch');
    }
    if (readSafeU64LE(idx, io) !== seq) return fail(`seq ${readSafeU64LE(idx, io)} does not continue ${seq}`);
    const fc = readU32LE(idx, io + 16);
    const flags = (fc & REDEX_FLAG_MASK) >>> 0;
    if ((flags & ~RedexFlags.INLINE) !== 0) return fail('reserved flag set');
    let payload: Uint8Array | null = null;
    let checked: Uint8Array;
    if (flags === RedexFlags.INLINE) checked = idx.subarray(io + 8, io + 16);
    else {
      const off = readU32LE(idx, io + 8);
      const len = readU32LE(idx, io + 12);
      if (off !== datPos) return fail(`offset ${off} does not continue ${datPos}`);
      if (len > REDEX_MAX_PAYLOAD_BYTES) return fail(`length ${len} over the payload cap`);
      if (datPos + len > dat.length) return { records: j, datLen: datPos, corruption: null }; // payload not on disk: torn
      payload = dat.subarray(datPos, datPos + len);
      checked = payload;
    }
    if (payloadChecksum(checked) !== (fc & REDEX_CHECKSUM_MASK)) return fail('payload checksum mismatch');
    store.pushRaw(idx.subarray(io, io + E), ts.subarray(to, to + T), payload);
    if (payload) datPos += payload.length;
  }
  return { records: whole, datLen: datPos, corruption: null };
}

function isTornTail(idx: Uint8Array, io: number, ts: Uint8Array, to: number): boolean {
  let z = 0;
  for (let i = 0; i < T; i++) z |= ts[to + i]!;
  if (z === 0) return true;
  for (let i = 0; i < E; i++) z |= idx[io + i]!;
  return z === 0;
}
