/**
 * On-disk names and the two small control files (docs/STORAGE.md):
 *
 *   <dir>/<channel with '/' as '%'>/LOCK               one writer per log
 *   <dir>/<channel ...>/MANIFEST                     16 B: names the live generation
 *   <dir>/<channel ...>/v0000000001/GEN              32 B: generation number and first seq
 *   <dir>/<channel ...>/v0000000001/{dat,idx,ts}.000000   segment 0; further segments count up
 *
 * MANIFEST = magic "RXMF" ‖ version:u16 (1) ‖ reserved:u16 (0) ‖ generation:u32 ‖ check:u32
 * GEN      = magic "RXGN" ‖ version:u16 (1) ‖ reserved:u16 (0) ‖ generation:u32 ‖ reserved:u32 (0) ‖
 *            first_seq:u64 ‖ reserved:u32 (0) ‖ check:u32
 * All little-endian; `check` is the low 32 bits of xxh3_64 over the bytes before it.
 */
import { DecodeError, ErrorCode, readSafeU64LE, readU16LE, readU32LE, writeSafeU64LE, writeU16LE, writeU32LE } from '../core/index.js';
import { parseChannelName, xxh3_64Lo } from '../crypto/index.js';

export const MANIFEST_BYTES = 16;
export const GEN_HEADER_BYTES = 32;
const MANIFEST_MAGIC = 0x464d_5852; // "RXMF" read as a little-endian u32
const GEN_MAGIC = 0x4e47_5852; // "RXGN"
const FORMAT_VERSION = 1;
/** Largest generation number (10 decimal digits in the directory name, and a u32 in the manifest). */
export const MAX_GENERATION = 0xffff_ffff;

export const MANIFEST_NAME = 'MANIFEST';
export const MANIFEST_TMP_NAME = 'MANIFEST.tmp';
export const LOCK_NAME = 'LOCK';
export const GEN_HEADER_NAME = 'GEN';

/**
 * The directory name of a channel's log: the validated name with `/` replaced by `%`. Channel names allow only
 * `[a-z0-9-_./]` with no empty, `.` or `..` segment, so the result is one safe path component, distinct per name.
 */
export function channelDirName(channel: string): string {
  return parseChannelName(channel).name.replaceAll('/', '%');
}

export function generationDirName(gen: number): string {
  return `v${String(gen).padStart(10, '0')}`;
}

/** The generation of a directory name, or -1 when the name is not one. */
export function parseGenerationDirName(name: string): number {
  if (!/^v\d{10}$/.test(name)) return -1;
  const n = Number(name.slice(1));
  return n >= 1 && n <= MAX_GENERATION ? n : -1;
}

export type SegmentFile = 'dat' | 'idx' | 'ts';

export function segmentFileName(kind: SegmentFile, segment: number): string {
  return `${kind}.${String(segment).padStart(6, '0')}`;
}

function check(b: Uint8Array, len: number): number {
  return xxh3_64Lo(b.subarray(0, len));
}

export function encodeManifest(generation: number): Uint8Array {
  const b = new Uint8Array(MANIFEST_BYTES);
  writeU32LE(b, 0, MANIFEST_MAGIC);
  writeU16LE(b, 4, FORMAT_VERSION);
  writeU32LE(b, 8, generation);
  writeU32LE(b, 12, check(b, 12));
  return b;
}

/** The generation a manifest names. Throws `DecodeError` unless it is exactly 16 bytes with a good check. */
export function decodeManifest(b: Uint8Array): number {
  if (b.length !== MANIFEST_BYTES) throw new DecodeError(ErrorCode.DecodeLength, `manifest is ${b.length} bytes, not ${MANIFEST_BYTES}`);
  if (readU32LE(b, 0) !== MANIFEST_MAGIC) throw new DecodeError(ErrorCode.DecodeBadMagic, 'manifest magic');
  if (readU32LE(b, 12) !== check(b, 12)) throw new DecodeError(ErrorCode.DecodeValue, 'manifest check');
  if (readU16LE(b, 4) !== FORMAT_VERSION) throw new DecodeError(ErrorCode.DecodeBadVersion, 'manifest version');
  if (readU16LE(b, 6) !== 0) throw new DecodeError(ErrorCode.DecodeReserved, 'manifest reserved bits');
  const gen = readU32LE(b, 8);
  if (gen === 0) throw new DecodeError(ErrorCode.DecodeValue, 'manifest names generation 0');
  return gen;
}

export interface GenHeader {
  generation: number;
  firstSeq: number;
}

export function encodeGenHeader(h: GenHeader): Uint8Array {
  const b = new Uint8Array(GEN_HEADER_BYTES);
  writeU32LE(b, 0, GEN_MAGIC);
  writeU16LE(b, 4, FORMAT_VERSION);
  writeU32LE(b, 8, h.generation);
  writeSafeU64LE(b, 16, h.firstSeq);
  writeU32LE(b, 28, check(b, 28));
  return b;
}

/** Decodes a GEN file. Throws `DecodeError` unless it is exactly 32 bytes with a good check. */
export function decodeGenHeader(b: Uint8Array): GenHeader {
  if (b.length !== GEN_HEADER_BYTES) throw new DecodeError(ErrorCode.DecodeLength, `GEN is ${b.length} bytes, not ${GEN_HEADER_BYTES}`);
  if (readU32LE(b, 0) !== GEN_MAGIC) throw new DecodeError(ErrorCode.DecodeBadMagic, 'GEN magic');
  if (readU32LE(b, 28) !== check(b, 28)) throw new DecodeError(ErrorCode.DecodeValue, 'GEN check');
  if (readU16LE(b, 4) !== FORMAT_VERSION) throw new DecodeError(ErrorCode.DecodeBadVersion, 'GEN version');
  if (readU16LE(b, 6) !== 0 || readU32LE(b, 12) !== 0 || readU32LE(b, 24) !== 0) throw new DecodeError(ErrorCode.DecodeReserved, 'GEN reserved bits');
  const generation = readU32LE(b, 8);
  const firstSeq = readSafeU64LE(b, 16);
  if (generation === 0 || firstSeq < 0) throw new DecodeError(ErrorCode.DecodeValue, 'GEN generation or first seq');
  return { generation, firstSeq };
}
