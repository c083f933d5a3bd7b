/** Durable creation of a generation directory and the manifest switch: the only places the log renames. */
import { decodeGenHeader, encodeGenHeader, encodeManifest, GEN_HEADER_BYTES, GEN_HEADER_NAME, generationDirName,
  MANIFEST_NAME, MANIFEST_TMP_NAME } from './layout.js';
import { joinPath, type FileIO } from './file-io.js';

/** Writes a file from scratch, fsyncing it unless `sync` is false (the caller fsyncs its directory). */
export async function writeFileDurably(io: FileIO, path: string, bytes: Uint8Array, sync = true): Promise<void> {
  const h = await io.open(path, { create: true });
  try {
    await h.truncate(0);
    await h.write(bytes, 0);
    if (sync) await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * Points MANIFEST at `generation`: write MANIFEST.tmp, rename it over MANIFEST, fsync the directory. The rename
 * is the linearization point. MANIFEST.tmp is deliberately not fsynced: if a power loss keeps the rename but not
 * the bytes, the manifest fails its check and opening falls back to the highest generation with an intact GEN,
 * and a generation's directory entry is made durable only after all of its files are, so that fallback lands on
 * the generation being switched to (or an equally complete later one), never on a half-written one. The
 * mutation test proves every fsync the log does make is needed; this one would not be.
 */
export async function switchManifest(io: FileIO, channelDir: string, generation: number): Promise<void> {
  const tmp = joinPath(channelDir, MANIFEST_TMP_NAME);
  await writeFileDurably(io, tmp, encodeManifest(generation), false);
  io.crashPoint('manifest.tmp-written');
  await io.rename(tmp, joinPath(channelDir, MANIFEST_NAME));
  io.crashPoint('manifest.renamed');
  await io.syncDir(channelDir);
  io.crashPoint('manifest.durable');
}

/** Creates `v<generation>/` with its GEN file, durable inside it (the caller fsyncs the channel directory). Removes a leftover directory of that name first. */
export async function createGeneration(io: FileIO, channelDir: string, generation: number, firstSeq: number): Promise<string> {
  const dir = joinPath(channelDir, generationDirName(generation));
  if (await io.exists(dir)) await removeDir(io, dir);
  await io.mkdir(dir);
  io.crashPoint('generation.mkdir');
  await writeFileDurably(io, joinPath(dir, GEN_HEADER_NAME), encodeGenHeader({ generation, firstSeq }));
  await io.syncDir(dir);
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
