/** An open file on the simulated disk; every call goes through the disk so crashes and faults apply. */
import type { FileHandle } from '../file-io.js';
import type { Inode } from './inode.js';

/** What a SimFile needs from its disk. */
export interface SimDisk {
  fileWrite(h: SimFile, data: Uint8Array, position: number): void;
  fileTruncate(h: SimFile, len: number): void;
  fileSync(h: SimFile): void;
  checkHandle(h: SimFile): void;
}

function ebadf(what: string): Error {
  return Object.assign(new Error(`EBADF: ${what}`), { code: 'EBADF' });
}

export class SimFile implements FileHandle {
  private closed = false;

  constructor(
    private readonly io: SimDisk,
    readonly path: string,
    readonly inode: Inode,
    readonly epoch: number,
  ) {}

  private check(): void {
    this.io.checkHandle(this);
    if (this.closed) throw ebadf(`${this.path} is closed`);
  }

  async write(data: Uint8Array, position: number): Promise<void> {
    this.check();
    this.io.fileWrite(this, data, position);
  }
  async read(into: Uint8Array, position: number): Promise<number> {
    this.check();
    const src = this.inode.content();
    if (position >= src.length) return 0;
    const n = Math.min(into.length, src.length - position);
    into.set(src.subarray(position, position + n));
    return n;
  }
  async size(): Promise<number> {
    this.check();
    return this.inode.len;
  }
  async truncate(length: number): Promise<void> {
    this.check();
    this.io.fileTruncate(this, length);
  }
  async sync(): Promise<void> {
    this.check();
    this.io.fileSync(this);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
