/**
 * Whole-database snapshot bundles: every model's CortEX snapshot in one checksummed, versioned blob.
 *
 *   "NDBB" ‖ version:u16 (1) ‖ 0:u16 ‖ models:u8 ‖ 0:u8 ×3 ‖ (model_id:u8 ‖ 0:u8 ×3 ‖ len:u32 ‖ CortEX snapshot)*
 *     ‖ check:u32
 *
 * model_id 1 = tasks, 2 = memories, each at most once. `check` is the low 32 bits of xxh3-64 over everything
 * before it, and each inner snapshot has its own check. Decoding refuses (NetDbError `bundle-invalid`,
 * `ERR_SNAPSHOT_INVALID`) a short or long bundle, a wrong magic or version, a length that overruns, a duplicate
 * or unknown model and a checksum mismatch, before looking at any state.
 */
import { readU16LE, readU32LE, writeU16LE, writeU32LE } from '../../core/index.js';
import { xxh3_64Lo } from '../../crypto/index.js';
import { decodeCortexSnapshot, encodeCortexSnapshot, type CortexSnapshot } from '../cortex/index.js';
import { NetDbError } from '../errors.js';
import { NETDB_BUNDLE_VERSION } from '../limits.js';

export interface NetDbBundle {
  version: number;
  tasks?: CortexSnapshot;
  memories?: CortexSnapshot;
}

const MAGIC = [0x4e, 0x44, 0x42, 0x42]; // "NDBB"
const HEADER = 12;
const ENTRY = 8;
const IDS = { tasks: 1, memories: 2 } as const;

export function encodeNetDbBundle(b: NetDbBundle): Uint8Array {
  const parts: [number, Uint8Array][] = [];
  if (b.tasks) parts.push([IDS.tasks, encodeCortexSnapshot(b.tasks)]);
  if (b.memories) parts.push([IDS.memories, encodeCortexSnapshot(b.memories)]);
  let size = HEADER + 4;
  for (const [, p] of parts) size += ENTRY + p.length;
  const out = new Uint8Array(size);
  out.set(MAGIC, 0);
  writeU16LE(out, 4, b.version);
  out[8] = parts.length;
  let o = HEADER;
  for (const [id, p] of parts) {
    out[o] = id;
    writeU32LE(out, o + 4, p.length);
    out.set(p, o + ENTRY);
    o += ENTRY + p.length;
  }
  writeU32LE(out, o, xxh3_64Lo(out.subarray(0, o)));
  return out;
}

function bad(what: string, cause?: unknown): NetDbError {
  return new NetDbError('bundle-invalid', `NetDB bundle: ${what}`, { cause });
}

export function decodeNetDbBundle(b: Uint8Array): NetDbBundle {
  if (!(b instanceof Uint8Array)) throw bad('not bytes');
  if (b.length < HEADER + 4) throw bad(`${b.length} bytes is shorter than the smallest bundle`);
  for (let i = 0; i < 4; i++) if (b[i] !== MAGIC[i]) throw bad('bad magic (not a NetDB bundle)');
  const version = readU16LE(b, 4);
  if (version !== NETDB_BUNDLE_VERSION) throw bad(`version ${version} (this build reads ${NETDB_BUNDLE_VERSION})`);
  if (readU16LE(b, 6) !== 0 || b[9] !== 0 || b[10] !== 0 || b[11] !== 0) throw bad('reserved bytes are not zero');
  const end = b.length - 4;
  if (xxh3_64Lo(b.subarray(0, end)) !== readU32LE(b, end)) throw bad('checksum mismatch');
  const count = b[8]!;
  if (count > 2) throw bad(`${count} models (at most 2)`);
  const out: NetDbBundle = { version };
  let o = HEADER;
  for (let i = 0; i < count; i++) {
    if (o + ENTRY > end) throw bad(`model entry ${i} overruns the bundle`);
    const id = b[o]!;
    if (b[o + 1] !== 0 || b[o + 2] !== 0 || b[o + 3] !== 0) throw bad('reserved bytes are not zero');
    const len = readU32LE(b, o + 4);
    if (len > end - o - ENTRY) throw bad(`model entry ${i} claims ${len} bytes, ${end - o - ENTRY} are left`);
    const key = id === IDS.tasks ? 'tasks' : id === IDS.memories ? 'memories' : undefined;
    if (key === undefined) throw bad(`unknown model id ${id}`);
    if (out[key] !== undefined) throw bad(`model ${key} appears twice`);
    let snap: CortexSnapshot;
    try {
      snap = decodeCortexSnapshot(b.subarray(o + ENTRY, o + ENTRY + len));
    } catch (e) {
      throw bad(`${key}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
    if (snap.model !== key) throw bad(`entry ${key} holds a snapshot of model ${snap.model}`);
    out[key] = snap;
    o += ENTRY + len;
  }
  if (o !== end) throw bad(`${end - o} bytes after the last model`);
  return out;
}
