/**
 * PSK files: the 32-byte mesh-wide pre-shared key mixed into every handshake (Noise psk0). Accepted content:
 * exactly 32 raw bytes, or 64 hex digits (either case) with an optional final newline. Like identity files, a
 * PSK file readable or writable by group or others is refused before it is read (check on the open file, so a
 * swap between check and read cannot pass), and every buffer that held key bytes is zeroed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { NOISE_PSK_BYTES, wipe } from '../crypto/index.js';
import { KeyFileError } from './errors.js';

export const PSK_BYTES = NOISE_PSK_BYTES;
/** Largest file considered: 64 hex digits plus `\r\n`. */
const MAX_READ = PSK_BYTES * 2 + 2;

/** Reads and validates the PSK at `path`. The caller owns (and should wipe) the returned 32 bytes. */
export async function loadPskFile(path: string): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new KeyFileError(`cannot open PSK file ${path}: ${errno(cause)}`, { cause });
  }
  const buf = new Uint8Array(MAX_READ + 1);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new KeyFileError(`PSK file ${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new KeyFileError(`PSK file ${path} is accessible by group or others (mode ${mode}); fix it with: chmod 600 ${path}`);
    }
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return decodePsk(buf.subarray(0, n), path);
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
    throw new KeyFileError(`cannot read PSK file ${path}: ${errno(e)}`, { cause: e });
  } finally {
    wipe(buf);
    await handle.close().catch(() => undefined);
  }
}

/** The key in a PSK file's content (see the module comment); throws `KeyFileError` otherwise. */
export function decodePsk(content: Uint8Array, path = 'PSK file'): Uint8Array {
  let psk: Uint8Array;
  if (content.length === PSK_BYTES) {
    psk = Uint8Array.from(content);
  } else {
    let end = content.length;
    if (end > 0 && content[end - 1] === 0x0a) end--;
    if (end > 0 && content[end - 1] === 0x0d) end--;
    if (end !== PSK_BYTES * 2) {
      throw new KeyFileError(
        `${path} must hold exactly ${PSK_BYTES} raw bytes or ${PSK_BYTES * 2} hex digits, got ${content.length} bytes`,
      );
    }
    psk = new Uint8Array(PSK_BYTES);
    for (let i = 0; i < PSK_BYTES; i++) {
      const hi = hexValue(content[2 * i]!);
      const lo = hexValue(content[2 * i + 1]!);
      if (hi < 0 || lo < 0) {
        wipe(psk);
        throw new KeyFileError(`${path} is ${PSK_BYTES * 2} bytes long but not ${PSK_BYTES * 2} hex digits`);
      }
      psk[i] = (hi << 4) | lo;
    }
  }
  if (psk.every((b) => b === 0)) throw new KeyFileError(`${path} holds an all-zero key; generate a random one`);
  return psk;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function errno(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String((e as Error)?.message ?? e);
}
