/** Stream entries as the adapter writes them (`d <dedupId> p <bytes>`), decoded from raw RESP buffers. */
import type { StoredEvent } from '../adapter.js';

export type RawEntry = [Buffer, Buffer[] | null];

/** The event of an entry, or undefined when it has no payload field (counted as skipped, never delivered). */
export function decodeEntry(raw: RawEntry, shardId: number): StoredEvent | undefined {
  const fields = raw[1] ?? [];
  let data: Buffer | undefined;
  let dedupId = '';
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const f = fields[i]!;
    if (f.length !== 1) continue;
    if (f[0] === 0x70) data = fields[i + 1];
    else if (f[0] === 0x64) dedupId = fields[i + 1]!.toString();
  }
  if (data === undefined) return undefined;
  return { id: raw[0].toString(), shardId, data, dedupId };
}
