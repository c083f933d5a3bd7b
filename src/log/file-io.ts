/**
 * The storage port. Every byte the log puts on disk goes through a {@link FileIO}: the node:fs driver in
 * production ({@link NodeFileIO}) and a page-cache simulator with fault injection in tests ({@link SimFileIO}).
 * Calls are asynchronous but made per batch, never per append. Paths are `/`-separated strings.
 */

/** An open file. Positions are absolute byte offsets. */
export interface FileHandle {
  readonly path: string;
  /** Writes all of `data` at `position`; on failure some prefix of it may have reached the file. */
  write(data: Uint8Array, position: number): Promise<void>;
  /** Reads up to `into.length` bytes at `position`; returns the count read (0 at end of file). */
  read(into: Uint8Array, position: number): Promise<number>;
  size(): Promise<number>;
  truncate(length: number): Promise<void>;
  /** Makes the file's data durable (fsync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** A held lock file; `release` removes it. */
export interface FileLock {
  release(): Promise<void>;
}

export interface FileIO {
  /** Opens `path` for reading and writing, creating it empty when `create` is set and it does not exist. */
  open(path: string, options?: { create?: boolean }): Promise<FileHandle>;
  /** Reads a whole file, refusing files larger than `maxBytes`. */
  readFile(path: string, maxBytes: number): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
  /** Creates a directory (and missing parents); an existing directory is fine. */
  mkdir(path: string): Promise<void>;
  /** Names in a directory, sorted. */
  readdir(path: string): Promise<string[]>;
  /** Atomically replaces `to` with `from` (both in one directory for the log's uses). */
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Removes an empty directory. */
  rmdir(path: string): Promise<void>;
  /** Makes the directory's entries (creates, renames, unlinks) durable (fsync of the directory). */
  syncDir(path: string): Promise<void>;
  /**
   * Takes an exclusive lock file at `path` for this process. A lock left by a process that no longer runs is
   * taken over; one held by a live process fails with `LogLockedError`.
   */
  lock(path: string): Promise<FileLock>;
  /** A named step in a durable sequence: a no-op in production, a place to crash or fail in tests. */
  crashPoint(name: string): void;
}

/** Joins path parts with `/`. */
export function joinPath(...parts: string[]): string {
  return parts.join('/').replace(/\/{2,}/g, '/');
}

/** The directory part of `path`. */
export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : path.slice(0, i);
}
