/** Durable creation of a generation directory and the manifest switch: the only places the log renames. */
import { decodeGenHeader, encodeGenHeader, encodeManifest, GEN_HEADER_BYTES, GEN_HEADER_NAME, generationDirName,
  MANIFEST_NAME, MANIFEST_TMP_NAME } from './layout.js';
import { joinPath, type FileIO } from './file-io.js';

/** Writes a file from scratch and fsyncs it (the caller fsyncs its directory). */
export async function writeFileDurably(io: FileIO, path: string, bytes: Uint8Array): Promise<void> {
  const h = await io.open(path, { create: true });
  try {
    await h.truncate(0);
    await h.write(bytes, 0);
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * Points MANIFEST at `generation`: write MANIFEST.tmp, fsync it, rename it over MANIFEST, fsync the directory.
 * The rename is the single linearization point; until the directory fsync returns the switch may be undone by
 * a power loss, which leaves the previous manifest, whose generation is still intact.
 */
export async function switchManifest(io: FileIO, channelDir: string, generation: number): Promise<void> {
  const tmp = joinPath(channelDir, MANIFEST_TMP_NAME);
  await writeFileDurably(io, tmp, encodeManifest(generation));
  io.crashPoint('manifest.tmp-synced');
  await io.rename(tmp, joinPath(channelDir, MANIFEST_NAME));
  io.crashPoint('manifest.renamed');
  await io.syncDir(channelDir);
  io.crashPoint('manifest.durable');
}

/** Creates `v<generation>/` with its GEN file, both durable. Removes a leftover directory of that name first. */
export async function createGeneration(io: FileIO, channelDir: string, generation: number, firstSeq: number): Promise<string> {
  const dir = joinPath(channelDir, generationDirName(generation));
  if (await io.exists(dir)) await removeDir(io, dir);
  await io.mkdir(dir);
  io.crashPoint('generation.mkdir');
  await writeFileDurably(io, joinPath(dir, GEN_HEADER_NAME), encodeGenHeader({ generation, firstSeq }));
  io.crashPoint('generation.header-synced');
  return dir;
}

/** The GEN header of a generation directory, or undefined when missing or damaged. */
export async function readGenHeader(io: FileIO, dir: string): Promise<{ generation: number; firstSeq: number } | undefined> {
  try {
    return decodeGenHeader(await io.readFile(joinPath(dir, GEN_HEADER_NAME), GEN_HEADER_BYTES));
  } catch {
    return undefined;
  }
}

/** Removes a flat directory and its files (generation directories hold no subdirectories). */
export async function removeDir(io: FileIO, dir: string): Promise<void> {
  for (const name of await io.readdir(dir)) await io.unlink(joinPath(dir, name));
  await io.rmdir(dir);
}
