/**
 * CortEX snapshots: a model's state as of a log seq, so a view can be rebuilt from the snapshot plus the log's
 * tail instead of from the whole log. Byte form (little-endian):
 *
 *   "CXSN" ‖ version:u16 (2) ‖ 0:u16 ‖ through_seq+1:u64 ‖ applied_seq+1:u64 ‖ model_len:u8 ‖ model (UTF-8)
 *     ‖ state_len:u32 ‖ state ‖ check:u32
 *
 * Seqs are stored plus one so 0 means "nothing folded yet" (no sentinel near 2^64 to wrap into); `check` is the
 * low 32 bits of xxh3-64 over everything before it. Decoding checks every length against the bytes present and
 * allocates nothing sized by a field.
 */
import { readSafeU64LE, readU16LE, readU32LE, writeSafeU64LE, writeU16LE, writeU32LE } from '../../core/index.js';
import { xxh3_64Lo } from '../../crypto/index.js';
import { CortexError } from '../errors.js';
import { CORTEX_MAX_MODEL_NAME_BYTES, CORTEX_SNAPSHOT_VERSION } from '../limits.js';

export interface CortexSnapshot {
  version: number;
  /** The fold's model name. */
  model: string;
  /** The state reflects exactly the events with seq <= this (-1: none). Replay resumes at `throughSeq + 1`. */
  throughSeq: number;
  /** The strict applied prefix when the snapshot was taken (equals `throughSeq` unless events were skipped). */
  appliedThroughSeq: number;
  /** The fold's `encodeState` output. */
  state: Uint8Array;
}

const MAGIC = [0x43, 0x58, 0x53, 0x4e]; // "CXSN"
const FIXED = 4 + 2 + 2 + 8 + 8 + 1;

export function encodeCortexSnapshot(s: CortexSnapshot): Uint8Array {
  const name = new TextEncoder().encode(s.model);
  if (name.length > CORTEX_MAX_MODEL_NAME_BYTES) throw new CortexError('snapshot-invalid', `model name longer than ${CORTEX_MAX_MODEL_NAME_BYTES} bytes`);
  const out = new Uint8Array(FIXED + name.length + 4 + s.state.length + 4);
  out.set(MAGIC, 0);
  writeU16LE(out, 4, s.version);
  writeSafeU64LE(out, 8, s.throughSeq + 1);
  writeSafeU64LE(out, 16, s.appliedThroughSeq + 1);
  out[24] = name.length;
  out.set(name, FIXED);
  let o = FIXED + name.length;
  writeU32LE(out, o, s.state.length);
  o += 4;
  out.set(s.state, o);
  o += s.state.length;
  writeU32LE(out, o, xxh3_64Lo(out.subarray(0, o)));
  return out;
}

function bad(what: string): CortexError {
  return new CortexError('snapshot-invalid', `CortEX snapshot: ${what}`);
}

/** Decodes and checks a snapshot; any defect is a `CortexError` (`ERR_SNAPSHOT_INVALID`). `state` is a view. */
export function decodeCortexSnapshot(b: Uint8Array): CortexSnapshot {
  if (b.length < FIXED + 8) throw bad(`${b.length} bytes is shorter than the smallest snapshot`);
  for (let i = 0; i < 4; i++) if (b[i] !== MAGIC[i]) throw bad('bad magic');
  const version = readU16LE(b, 4);
  if (version !== CORTEX_SNAPSHOT_VERSION) throw bad(`version ${version} (this build reads ${CORTEX_SNAPSHOT_VERSION})`);
  if (readU16LE(b, 6) !== 0) throw bad('reserved field is not zero');
  const end = b.length - 4;
  if (xxh3_64Lo(b.subarray(0, end)) !== readU32LE(b, end)) throw bad('checksum mismatch');
  const through = readSafeU64LE(b, 8);
  const applied = readSafeU64LE(b, 16);
  if (through < 0 || applied < 0 || applied > through) throw bad('seq fields out of range');
  const nameLen = b[24]!;
  if (nameLen > CORTEX_MAX_MODEL_NAME_BYTES || FIXED + nameLen + 4 > end) throw bad('model name length exceeds the snapshot');
  let model: string;
  try {
    model = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(FIXED, FIXED + nameLen));
  } catch {
    throw bad('model name is not UTF-8');
  }
  const o = FIXED + nameLen;
  const stateLen = readU32LE(b, o);
  if (o + 4 + stateLen !== end) throw bad(`state length ${stateLen} does not match the ${end - o - 4} bytes present`);
  return { version, model, throughSeq: through - 1, appliedThroughSeq: applied - 1, state: b.subarray(o + 4, end) };
}
