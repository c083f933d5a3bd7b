/**
 * Identity files: the 32-byte ed25519 seed on disk, treated like an ssh private key.
 *
 * Format (version 1), ASCII, 86 bytes:
 *
 *     net-mesh-identity-v1\n
 *     <seed as 64 hex digits>\n
 *
 * A text header makes the file self-describing and versioned (a raw 32-byte file cannot be told apart from any
 * other 32 bytes, nor truncation from a different format). The final newline may be missing; hex may be either
 * case; nothing else is accepted. The seed never becomes a JS string (strings cannot be wiped): it is encoded and
 * decoded byte by byte, and every intermediate buffer is zeroed.
 *
 * Writing creates the file exclusively (`wx`) with mode 0600 and refuses an existing file unless
 * `{ overwrite: true }`, which writes a temporary file, fsyncs it, renames it over the target and fsyncs the
 * directory, so a crash leaves either the old or the new identity, never a torn one. Loading refuses files that
 * group or others may read or write (`mode & 0o077`), as ssh does, before reading a byte of them.
 *
 * File access goes through the small `IdentityFileIO` interface (node:fs/promises by default) so fault-injection
 * layers can wrap it.
 */
import * as fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import { AbortedError, CryptoRandom, ErrorCode, IdentityError, NetError, toHex } from '../core/index.js';
import { wipe } from './constant-time.js';
import { ED25519_SEED_BYTES } from './ed25519.js';
import { Identity } from './identity.js';

export const IDENTITY_FILE_HEADER = 'net-mesh-identity-v1\n';
const HEADER = new TextEncoder().encode(IDENTITY_FILE_HEADER);
const HEX_CHARS = ED25519_SEED_BYTES * 2;
/** Size of a version-1 file with its final newline. */
export const IDENTITY_FILE_BYTES = HEADER.length + HEX_CHARS + 1;
/** Anything larger is refused before it is read. */
/** Largest identity file read (bytes): a seed file is 86; anything bigger is refused before reading on. */
export const IDENTITY_FILE_MAX_BYTES = 4096;
const MAX_READ = IDENTITY_FILE_MAX_BYTES;

/** The subset of a node:fs/promises FileHandle used here. */
export interface IdentityFileHandle {
  stat(): Promise<{ mode: number; size: number; isFile(): boolean }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  writeFile(data: Uint8Array): Promise<void>;
  chmod(mode: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The subset of node:fs/promises used here. */
export interface IdentityFileIO {
  open(path: string, flags: string, mode?: number): Promise<IdentityFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export const nodeIdentityFileIO: IdentityFileIO = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
};

export interface SaveIdentityOptions {
  /** Replace an existing file atomically instead of refusing it. Default false. */
  overwrite?: boolean;
  io?: IdentityFileIO;
  /** Checked before the file is created and before it replaces an old one. */
  signal?: AbortSignal;
}

export interface LoadIdentityOptions {
  io?: IdentityFileIO;
  signal?: AbortSignal;
}

/** The version-1 file content for a seed. The caller wipes the result. */
export function encodeIdentityFile(seed: Uint8Array): Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_BYTES) {
    throw new IdentityError(ErrorCode.IdentityFile, `identity seed must be ${ED25519_SEED_BYTES} bytes`);
  }
  const out = new Uint8Array(IDENTITY_FILE_BYTES);
  out.set(HEADER);
  let o = HEADER.length;
  for (const b of seed) {
    out[o++] = hexDigit(b >>> 4);
    out[o++] = hexDigit(b & 15);
  }
  out[o] = 0x0a;
  return out;
}

/** The seed in a file's content; throws `IdentityError` (`ERR_IDENTITY_FILE`) unless it is a version-1 file. */
export function decodeIdentityFile(content: Uint8Array): Uint8Array {
  const n = content.length;
  if (n !== IDENTITY_FILE_BYTES && n !== IDENTITY_FILE_BYTES - 1) {
    throw malformed(`expected ${IDENTITY_FILE_BYTES} bytes, got ${n}`);
  }
  for (let i = 0; i < HEADER.length; i++) {
    if (content[i] !== HEADER[i]) throw malformed(`missing the "${IDENTITY_FILE_HEADER.trim()}" header`);
  }
  if (n === IDENTITY_FILE_BYTES && content[n - 1] !== 0x0a) throw malformed('trailing bytes after the seed');
  const seed = new Uint8Array(ED25519_SEED_BYTES);
  for (let i = 0; i < ED25519_SEED_BYTES; i++) {
    const hi = hexValue(content[HEADER.length + 2 * i]!);
    const lo = hexValue(content[HEADER.length + 2 * i + 1]!);
    if (hi < 0 || lo < 0) {
      wipe(seed);
      throw malformed('the seed is not 64 hex digits');
    }
    seed[i] = (hi << 4) | lo;
  }
  return seed;
}

/** Writes `identity`'s seed to `path` (mode 0600). Refuses an existing file unless `overwrite`. */
export async function saveIdentity(path: string, identity: Identity, options: SaveIdentityOptions = {}): Promise<void> {
  const io = options.io ?? nodeIdentityFileIO;
  checkAborted(options.signal);
  const seed = identity.exportSeed();
  const content = encodeIdentityFile(seed);
  wipe(seed);
  try {
    if (options.overwrite === true) {
      const suffix = new Uint8Array(6);
      new CryptoRandom().fill(suffix);
      const tmp = `${path}.${toHex(suffix)}.tmp`;
      await writeExclusive(io, tmp, content);
      try {
        checkAborted(options.signal);
        await io.rename(tmp, path);
      } catch (cause) {
        await io.unlink(tmp).catch(() => undefined);
        if (cause instanceof AbortedError) throw cause;
        throw ioError(`cannot replace identity file ${path}`, cause);
      }
    } else {
      await writeExclusive(io, path, content);
    }
    await syncDirectory(io, dirname(path));
  } finally {
    wipe(content);
  }
}

/** Reads the identity at `path`, refusing files accessible by group or others and malformed content. */
export async function loadIdentity(path: string, options: LoadIdentityOptions = {}): Promise<Identity> {
  const io = options.io ?? nodeIdentityFileIO;
  checkAborted(options.signal);
  let handle: IdentityFileHandle;
  try {
    handle = await io.open(path, 'r');
  } catch (cause) {
    throw ioError(`cannot open identity file ${path}`, cause);
  }
  const buf = new Uint8Array(MAX_READ + 1);
  try {
    // Check the open file itself (fstat), not the path, so a swap between check and read cannot pass.
    const st = await handle.stat();
    if (!st.isFile()) throw new IdentityError(ErrorCode.IdentityFile, `identity file ${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new IdentityError(
        ErrorCode.IdentityPermissions,
        `identity file ${path} is accessible by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); run chmod 600 on it`,
      );
    }
    if (st.size > MAX_READ) throw malformed(`identity file ${path} is too large (${st.size} bytes)`);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > MAX_READ) throw malformed(`identity file ${path} is too large`);
    let seed: Uint8Array;
    try {
      seed = decodeIdentityFile(buf.subarray(0, n));
    } catch (e) {
      throw new IdentityError(ErrorCode.IdentityFile, `identity file ${path}: ${(e as Error).message}`);
    }
    try {
      return Identity.fromSeed(seed);
    } finally {
      wipe(seed);
    }
  } catch (e) {
    if (e instanceof NetError) throw e;
    throw ioError(`cannot read identity file ${path}`, e);
  } finally {
    wipe(buf);
    await handle.close().catch(() => undefined);
  }
}

async function writeExclusive(io: IdentityFileIO, path: string, content: Uint8Array): Promise<void> {
  let handle: IdentityFileHandle;
  try {
    handle = await io.open(path, 'wx', 0o600);
  } catch (cause) {
    if (errno(cause) === 'EEXIST') {
      throw new IdentityError(ErrorCode.IdentityFile, `identity file ${path} already exists (pass { overwrite: true } to replace it)`, { cause });
    }
    throw ioError(`cannot create identity file ${path}`, cause);
  }
  try {
    await handle.chmod(0o600); // the umask can only remove bits; this also undoes an unusual umask's removals
    await handle.writeFile(content);
    await handle.sync();
  } catch (cause) {
    await handle.close().catch(() => undefined);
    await io.unlink(path).catch(() => undefined); // never leave a torn identity behind
    throw ioError(`cannot write identity file ${path}`, cause);
  }
  try {
    await handle.close();
  } catch (cause) {
    await io.unlink(path).catch(() => undefined);
    throw ioError(`cannot write identity file ${path}`, cause);
  }
}

/** Makes a new or renamed directory entry durable. Platforms that cannot fsync a directory (Windows) skip it. */
async function syncDirectory(io: IdentityFileIO, dir: string): Promise<void> {
  let handle: IdentityFileHandle;
  try {
    handle = await io.open(dir, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch (cause) {
    const code = errno(cause);
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw ioError(`cannot sync directory ${dir}`, cause);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortedError('identity file operation aborted', { cause: signal.reason });
}

function malformed(detail: string): IdentityError {
  return new IdentityError(ErrorCode.IdentityFile, `malformed identity file: ${detail}`);
}

function ioError(message: string, cause: unknown): IdentityError {
  if (cause instanceof IdentityError) return cause;
  const code = errno(cause);
  return new IdentityError(ErrorCode.IdentityFile, code === undefined ? message : `${message}: ${code}`, { cause });
}

function errno(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function hexDigit(v: number): number {
  return v < 10 ? 0x30 + v : 0x57 + v; // '0'..'9', 'a'..'f'
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
