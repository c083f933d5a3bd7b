/** {@link FileIO} over node:fs. Directory fsync opens the directory read-only and fsyncs it (POSIX). */
import { constants, promises as fsp } from 'node:fs';
import type { FileHandle as NodeHandle } from 'node:fs/promises';
import { LogLockedError, toStorageError } from './errors.js';
import type { FileHandle, FileIO, FileLock } from './file-io.js';

class NodeFile implements FileHandle {
  constructor(readonly path: string, private readonly fh: NodeHandle) {}

  async write(data: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, position + done);
      if (bytesWritten <= 0) throw Object.assign(new Error(`write to ${this.path} made no progress`), { code: 'EIO' });
      done += bytesWritten;
    }
  }
  async read(into: Uint8Array, position: number): Promise<number> {
    const { bytesRead } = await this.fh.read(into, 0, into.length, position);
    return bytesRead;
  }
  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }
  truncate(length: number): Promise<void> {
    return this.fh.truncate(length);
  }
  sync(): Promise<void> {
    return this.fh.sync();
  }
  close(): Promise<void> {
    return this.fh.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class NodeFileIO implements FileIO {
  async open(path: string, options: { create?: boolean } = {}): Promise<FileHandle> {
    const flags = constants.O_RDWR | (options.create ? constants.O_CREAT : 0);
    return new NodeFile(path, await fsp.open(path, flags, 0o600));
  }
  async readFile(path: string, maxBytes: number): Promise<Uint8Array> {
    const fh = await fsp.open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      if (size > maxBytes) throw toStorageError(Object.assign(new Error(`${path} is ${size} bytes, over ${maxBytes}`), { code: 'EFBIG' }), 'readFile');
      const buf = new Uint8Array(size);
      let done = 0;
      while (done < size) {
        const { bytesRead } = await fh.read(buf, done, size - done, done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === size ? buf : buf.subarray(0, done);
    } finally {
      await fh.close();
    }
  }
  async exists(path: string): Promise<boolean> {
    try {
      await fsp.stat(path);
      return true;
    } catch {
      return false;
    }
  }
  async mkdir(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true, mode: 0o700 });
  }
  async readdir(path: string): Promise<string[]> {
    return (await fsp.readdir(path)).sort();
  }
  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  }
  unlink(path: string): Promise<void> {
    return fsp.unlink(path);
  }
  rmdir(path: string): Promise<void> {
    return fsp.rmdir(path);
  }
  async syncDir(path: string): Promise<void> {
    const fh = await fsp.open(path, constants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
  async lock(path: string): Promise<FileLock> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await fsp.open(path, 'wx', 0o600);
        await fh.writeFile(`${process.pid}\n`);
        await fh.sync();
        await fh.close();
        return { release: () => fsp.unlink(path).catch(() => undefined) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw toStorageError(e, `lock ${path}`);
      }
      const owner = Number.parseInt(await fsp.readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || isAlive(owner))) {
        throw new LogLockedError(`${path} is held by process ${owner}`);
      }
      // The holder is gone (killed, or crashed before writing its pid): the lock is stale.
      await fsp.unlink(path).catch(() => undefined);
    }
    throw new LogLockedError(`${path}: could not take the lock`);
  }
  crashPoint(): void {}
}
