/**
 * A simulated disk with page-cache semantics and fault injection, for tests that claim crash safety.
 *
 * Every file is an inode with its current (cached) bytes, its durable bytes (as of its last fsync) and the
 * list of writes and truncates made since. Directory entries have a current and a durable view too; `syncDir`
 * makes a directory's entries durable. {@link SimFileIO.powerLoss} rebuilds the disk from durable state only,
 * optionally keeping a prefix of each file's unsynced writes (torn writes, in write order), so unsynced data and
 * unsynced creates, renames and unlinks are gone, as after a real power cut with an ordered page cache.
 *
 * Crashes: {@link SimFileIO.armCrash} kills the simulated process after a number of mutating calls or at a named
 * crash point; from then on every call throws {@link SimulatedCrash}. Faults: {@link SimFileIO.injectFault}
 * makes chosen calls fail with EIO, ENOSPC or an fsync error, optionally after a short write.
 */
import { LogLockedError } from '../errors.js';
import { dirName, type FileHandle, type FileIO, type FileLock } from '../file-io.js';
import { Inode, unsyncedBytes } from './inode.js';
import { SimFile, type SimDisk } from './sim-file.js';

/** Thrown by every call once the simulated process has crashed. */
export class SimulatedCrash extends Error {
  constructor(readonly where: string) {
    super(`simulated crash at ${where}`);
    this.name = 'SimulatedCrash';
  }
}

const DIR = 'dir' as const;
type Entry = Inode | typeof DIR;

export type FaultOp = 'write' | 'sync' | 'truncate' | 'syncDir' | 'rename' | 'open' | 'unlink' | 'mkdir';

export interface Fault {
  op: FaultOp;
  /** Only calls whose path contains this string. */
  path?: string;
  /** The errno the call fails with (default EIO). */
  errno?: string;
  /** For writes: bytes written before the failure (a short write). Default 0. */
  afterBytes?: number;
  /** How many matching calls fail (default 1; Infinity for a persistent fault). */
  times?: number;
}

export interface PowerLossOptions {
  /** Unsynced bytes kept per file path (writes applied in order, the last one possibly torn). Default 0. */
  keepUnsyncedBytes?: (path: string, unsyncedBytes: number) => number;
}

/**
 * The source line in the log plane (outside the simulator) that asked for an fsync, e.g.
 * `disk-writer.ts:212`: the unit a mutation test removes one at a time.
 */
export function syncSite(): string {
  for (const line of (new Error().stack ?? '').split('\n').slice(1)) {
    const m = /src\/log\/(?!sim\/)([\w/-]+\.[jt]s):(\d+)/.exec(line);
    if (m) return `${m[1]}:${m[2]}`;
  }
  return 'unknown';
}

function errnoError(code: string, what: string): Error {
  return Object.assign(new Error(`${code}: ${what}`), { code });
}

export class SimFileIO implements FileIO, SimDisk {
  private current = new Map<string, Entry>();
  private durable = new Map<string, Entry>();
  private locks = new Set<string>();
  private faults: (Fault & { left: number })[] = [];
  private crashAfterOps = -1;
  private crashAtPoint: { name: string; hit: number } | undefined;
  private dead: string | undefined;
  private epoch = 0;
  /**
   * Mutation testing: fsyncs (of files, or of directories) whose path this returns true for do nothing, so a
   * test can prove that removing that fsync breaks a durability guarantee.
   */
  skipSync: ((path: string, kind: 'file' | 'dir', site: string) => boolean) | undefined;
  /** When set, every fsync records its call site (see {@link syncSite}) here, for enumerating fsyncs. */
  syncSites: Set<string> | undefined;
  /** Mutating calls made so far (the crash-enumeration clock). */
  ops = 0;
  /** Named crash points passed, in order (for enumerating them). */
  readonly pointsPassed: string[] = [];

  /** @param capacityBytes total file bytes the disk holds; writes past it fail with ENOSPC. */
  constructor(private readonly capacityBytes = Infinity) {}

  /** Crash the simulated process after `afterOps` more mutating calls, or at the `hit`-th pass of a named point. */
  armCrash(at: { afterOps: number } | { point: string; hit?: number }): void {
    if ('afterOps' in at) this.crashAfterOps = this.ops + at.afterOps;
    else this.crashAtPoint = { name: at.point, hit: at.hit ?? 1 };
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  get crashed(): boolean {
    return this.dead !== undefined;
  }

  /** The process dies but the machine stays up: the page cache survives, locks and handles do not. */
  processCrash(): void {
    this.restart();
  }

  /** Power cut: only durable data and durable directory entries survive (plus any torn prefix asked for). */
  powerLoss(options: PowerLossOptions = {}): void {
    const next = new Map<string, Entry>();
    const rebuilt = new Map<Inode, Inode>();
    const paths = [...this.durable.keys()].sort();
    for (const path of paths) {
      const parent = dirName(path);
      if (!this.isRoot(parent) && next.get(parent) !== DIR) continue; // its directory entry did not survive
      const e = this.durable.get(path)!;
      if (e === DIR) {
        next.set(path, DIR);
        continue;
      }
      let inode = rebuilt.get(e);
      if (!inode) {
        inode = new Inode();
        inode.write(0, e.durable);
        let budget = options.keepUnsyncedBytes?.(path, unsyncedBytes(e)) ?? 0;
        for (const op of e.unsynced) {
          if (op.kind === 'truncate') inode.truncate(op.len);
          else {
            const n = Math.min(budget, op.bytes.length);
            inode.write(op.pos, op.bytes.subarray(0, n));
            budget -= n;
            if (n < op.bytes.length) break;
          }
        }
        inode.sync();
        rebuilt.set(e, inode);
      }
      next.set(path, inode);
    }
    this.current = next;
    this.durable = new Map(next);
    this.restart();
  }

  /** An independent copy of the disk (current and durable state), for enumerating crashes of one workload. */
  clone(): SimFileIO {
    const copy = new SimFileIO(this.capacityBytes);
    const inodes = new Map<Inode, Inode>();
    const map = (e: Entry): Entry => {
      if (e === DIR) return DIR;
      let c = inodes.get(e);
      if (!c) {
        c = new Inode();
        c.data = e.content().slice();
        c.len = e.len;
        c.durable = e.durable;
        c.unsynced = [...e.unsynced];
        inodes.set(e, c);
      }
      return c;
    };
    for (const [p, e] of this.current) copy.current.set(p, map(e));
    for (const [p, e] of this.durable) copy.durable.set(p, map(e));
    copy.ops = this.ops;
    return copy;
  }

  /** Unsynced bytes written to `path` since its last fsync. */
  unsyncedBytes(path: string): number {
    const e = this.current.get(path);
    return e instanceof Inode ? unsyncedBytes(e) : 0;
  }

  /** Current bytes of a file (a copy), for tests that inspect or corrupt files. */
  fileBytes(path: string): Uint8Array | undefined {
    const e = this.current.get(path);
    return e instanceof Inode ? e.content().slice() : undefined;
  }

  /** Replaces a file's bytes, durably (simulates damage at rest). */
  setFileBytes(path: string, bytes: Uint8Array): void {
    const e = this.current.get(path);
    if (!(e instanceof Inode)) throw new Error(`no file ${path}`);
    e.len = 0;
    e.write(0, bytes);
    e.sync();
  }

  /** Every file path, sorted. */
  listFiles(): string[] {
    return [...this.current.entries()].filter(([, e]) => e !== DIR).map(([p]) => p).sort();
  }

  private skipped(path: string, kind: 'file' | 'dir'): boolean {
    if (!this.skipSync && !this.syncSites) return false;
    const site = syncSite();
    this.syncSites?.add(site);
    return this.skipSync?.(path, kind, site) ?? false;
  }

  private restart(): void {
    this.dead = undefined;
    this.crashAfterOps = -1;
    this.crashAtPoint = undefined;
    this.locks.clear();
    this.faults = [];
    this.epoch++;
  }

  private isRoot(dir: string): boolean {
    return dir === '/' || dir === '.';
  }

  private live(): void {
    if (this.dead !== undefined) throw new SimulatedCrash(this.dead);
  }

  /** Counts a mutating call and crashes when armed for it. */
  private step(what: string): void {
    this.live();
    this.ops++;
    if (this.crashAfterOps >= 0 && this.ops > this.crashAfterOps) {
      this.dead = `op ${this.ops} (${what})`;
      throw new SimulatedCrash(this.dead);
    }
  }

  private fault(op: FaultOp, path: string): (Fault & { left: number }) | undefined {
    for (const f of this.faults) {
      if (f.left > 0 && f.op === op && (f.path === undefined || path.includes(f.path))) {
        f.left--;
        return f;
      }
    }
    return undefined;
  }

  private usedBytes(): number {
    let n = 0;
    const seen = new Set<Inode>();
    for (const e of this.current.values()) {
      if (e instanceof Inode && !seen.has(e)) {
        seen.add(e);
        n += e.len;
      }
    }
    return n;
  }

  private inode(path: string): Inode {
    const e = this.current.get(path);
    if (!(e instanceof Inode)) throw errnoError('ENOENT', path);
    return e;
  }

  private requireDir(path: string): void {
    const parent = dirName(path);
    if (!this.isRoot(parent) && this.current.get(parent) !== DIR) throw errnoError('ENOENT', parent);
  }

  crashPoint(name: string): void {
    this.live();
    this.pointsPassed.push(name);
    const at = this.crashAtPoint;
    if (at && at.name === name && --at.hit === 0) {
      this.dead = `crash point ${name}`;
      throw new SimulatedCrash(this.dead);
    }
  }

  async open(path: string, options: { create?: boolean } = {}): Promise<FileHandle> {
    this.live();
    if (!this.current.has(path)) {
      if (!options.create) throw errnoError('ENOENT', path);
      this.step(`create ${path}`);
      const f = this.fault('open', path);
      if (f) throw errnoError(f.errno ?? 'EIO', `create ${path}`);
      this.requireDir(path);
      this.current.set(path, new Inode());
    }
    return new SimFile(this, path, this.inode(path), this.epoch);
  }

  async readFile(path: string, maxBytes: number): Promise<Uint8Array> {
    this.live();
    const inode = this.inode(path);
    if (inode.len > maxBytes) throw errnoError('EFBIG', path);
    return inode.content().slice();
  }

  async exists(path: string): Promise<boolean> {
    this.live();
    return this.current.has(path) || this.isRoot(path);
  }

  async mkdir(path: string): Promise<void> {
    this.live();
    if (this.isRoot(path) || this.current.get(path) === DIR) return;
    if (this.current.has(path)) throw errnoError('EEXIST', path);
    await this.mkdir(dirName(path));
    this.step(`mkdir ${path}`);
    const f = this.fault('mkdir', path);
    if (f) throw errnoError(f.errno ?? 'EIO', `mkdir ${path}`);
    this.current.set(path, DIR);
  }

  async readdir(path: string): Promise<string[]> {
    this.live();
    if (!this.isRoot(path) && this.current.get(path) !== DIR) throw errnoError('ENOENT', path);
    const out: string[] = [];
    for (const p of this.current.keys()) if (dirName(p) === path) out.push(p.slice(path.length + 1));
    return out.sort();
  }

  async rename(from: string, to: string): Promise<void> {
    this.step(`rename ${from}`);
    const f = this.fault('rename', from);
    if (f) throw errnoError(f.errno ?? 'EIO', `rename ${from}`);
    const e = this.current.get(from);
    if (e === undefined) throw errnoError('ENOENT', from);
    this.requireDir(to);
    this.current.delete(from);
    this.current.set(to, e);
  }

  async unlink(path: string): Promise<void> {
    this.step(`unlink ${path}`);
    const f = this.fault('unlink', path);
    if (f) throw errnoError(f.errno ?? 'EIO', `unlink ${path}`);
    this.inode(path);
    this.current.delete(path);
  }

  async rmdir(path: string): Promise<void> {
    this.step(`rmdir ${path}`);
    if (this.current.get(path) !== DIR) throw errnoError('ENOENT', path);
    for (const p of this.current.keys()) if (dirName(p) === path) throw errnoError('ENOTEMPTY', path);
    this.current.delete(path);
  }

  async syncDir(path: string): Promise<void> {
    this.step(`syncDir ${path}`);
    const f = this.fault('syncDir', path);
    if (f) throw errnoError(f.errno ?? 'EIO', `fsync dir ${path}`);
    if (this.skipped(path, 'dir')) return;
    for (const p of new Set([...this.current.keys(), ...this.durable.keys()])) {
      if (dirName(p) !== path) continue;
      const e = this.current.get(p);
      if (e === undefined) this.durable.delete(p);
      else this.durable.set(p, e);
    }
  }

  async lock(path: string): Promise<FileLock> {
    this.step(`lock ${path}`);
    if (this.locks.has(path)) throw new LogLockedError(`${path} is held by another writer`);
    this.locks.add(path);
    const epoch = this.epoch;
    return {
      release: async () => {
        if (this.epoch === epoch) this.locks.delete(path);
      },
    };
  }

  /** @internal used by SimFile */
  fileWrite(h: SimFile, data: Uint8Array, position: number): void {
    this.step(`write ${h.path}`);
    const f = this.fault('write', h.path);
    let n = data.length;
    let err: Error | undefined;
    if (f) {
      n = Math.min(f.afterBytes ?? 0, n);
      err = errnoError(f.errno ?? 'EIO', `write ${h.path}`);
    }
    const room = this.capacityBytes - this.usedBytes() + Math.max(0, h.inode.len - position);
    if (n > room) {
      n = Math.max(0, room);
      err = errnoError('ENOSPC', `write ${h.path}`);
    }
    if (n > 0) {
      const bytes = data.slice(0, n);
      h.inode.write(position, bytes);
      h.inode.unsynced.push({ kind: 'write', pos: position, bytes });
    }
    if (err) throw err;
  }

  /** @internal */
  fileTruncate(h: SimFile, len: number): void {
    this.step(`truncate ${h.path}`);
    const f = this.fault('truncate', h.path);
    if (f) throw errnoError(f.errno ?? 'EIO', `truncate ${h.path}`);
    h.inode.truncate(len);
    h.inode.unsynced.push({ kind: 'truncate', len });
  }

  /** @internal */
  fileSync(h: SimFile): void {
    this.step(`fsync ${h.path}`);
    const f = this.fault('sync', h.path);
    if (f) {
      // fsyncgate: a failed fsync may drop the dirty pages it could not write; model the worst case.
      throw errnoError(f.errno ?? 'EIO', `fsync ${h.path}`);
    }
    if (this.skipped(h.path, 'file')) return;
    h.inode.sync();
  }

  /** @internal */
  checkHandle(h: SimFile): void {
    this.live();
    if (h.epoch !== this.epoch) throw errnoError('EBADF', `${h.path}: handle from before a restart`);
  }
}

