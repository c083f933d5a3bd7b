/** One simulated file: its cached bytes, its durable bytes (as of its last fsync) and the writes since. */

export type Op = { kind: 'write'; pos: number; bytes: Uint8Array } | { kind: 'truncate'; len: number };

export class Inode {
  data = new Uint8Array(0);
  len = 0;
  durable = new Uint8Array(0);
  unsynced: Op[] = [];

  content(): Uint8Array {
    return this.data.subarray(0, this.len);
  }
  write(pos: number, bytes: Uint8Array): void {
    const end = pos + bytes.length;
    if (end > this.data.length) {
      const grown = new Uint8Array(Math.max(end, this.data.length * 2, 64));
      grown.set(this.content());
      this.data = grown;
    }
    if (pos > this.len) this.data.fill(0, this.len, pos);
    this.data.set(bytes, pos);
    this.len = Math.max(this.len, end);
  }
  truncate(len: number): void {
    if (len > this.len) {
      this.write(this.len, new Uint8Array(len - this.len));
      return;
    }
    this.len = len;
  }
  sync(): void {
    this.durable = this.content().slice();
    this.unsynced = [];
  }
}

/** Unsynced bytes written to `inode` since its last fsync. */
export function unsyncedBytes(inode: Inode): number {
  let n = 0;
  for (const op of inode.unsynced) if (op.kind === 'write') n += op.bytes.length;
  return n;
}
