/**
 * Consumer groups on Redis Streams: `XGROUP CREATE .. 0 MKSTREAM` once per (shard, group), then each read first
 * takes over entries another consumer left unacknowledged for `claimIdleMs` (XAUTOCLAIM, walking the pending
 * list with a cursor kept per group), then reads new entries (XREADGROUP `>`). `ack` is XACK. Entries a consumer
 * took stay in the group's pending list until acknowledged, so a consumer that dies loses nothing: the next
 * read of any consumer of the group claims them once they have been idle long enough.
 */
import type { Redis } from 'ioredis';
import { GROUP_NAME_RE, GROUP_READ_MAX, type ConsumerGroups, type GroupEvent } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { classifyRedisError } from './redis-errors.js';
import { decodeEntry, type RawEntry } from './redis-entry.js';

const ID_RE = /^[0-9]{1,20}-[0-9]{1,20}$/;
const CONSUMER_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

export interface RedisGroupHooks {
  key(shardId: number): string;
  check(): void;
}

export class RedisGroups implements ConsumerGroups {
  private readonly created = new Set<string>();
  /** XAUTOCLAIM cursor per (shard key, group): where the last scan of the pending list stopped. */
  private readonly claimCursor = new Map<string, string>();
  /** Entries without a payload field met by group reads (acknowledged at once, never delivered). */
  skipped = 0;

  constructor(private readonly client: Redis, private readonly hooks: RedisGroupHooks, private readonly claimIdleMs: number) {}

  async read(shardId: number, group: string, consumer: string, limit: number, _signal?: AbortSignal): Promise<GroupEvent[]> {
    this.hooks.check();
    checkNames(group, consumer);
    if (!Number.isInteger(limit) || limit < 1 || limit > GROUP_READ_MAX) throw new AdapterError(`group read limit must be in [1, ${GROUP_READ_MAX}], got ${limit}`, false);
    const key = this.hooks.key(shardId);
    await this.ensureGroup(key, group);
    const out: GroupEvent[] = [];
    const ck = `${key}\n${group}`;
    try {
      const start = this.claimCursor.get(ck) ?? '0-0';
      const claimed = (await this.client.callBuffer('XAUTOCLAIM', key, group, consumer, this.claimIdleMs, start, 'COUNT', limit)) as [Buffer, RawEntry[], Buffer[]?];
      this.claimCursor.set(ck, claimed[0].toString());
      const entries = claimed[1].filter((e): e is RawEntry => Array.isArray(e) && e[1] !== null);
      const junk: string[] = [];
      if (entries.length > 0) {
        const deliveries = await this.deliveryCounts(key, group, consumer, entries[0]![0].toString(), entries[entries.length - 1]![0].toString(), entries.length);
        for (const raw of entries) this.push(out, junk, raw, shardId, deliveries.get(raw[0].toString()) ?? 2);
      }
      if (out.length < limit) {
        const res = (await this.client.callBuffer('XREADGROUP', 'GROUP', group, consumer, 'COUNT', limit - out.length, 'STREAMS', key, '>')) as unknown[] | null;
        for (const raw of streamEntries(res)) this.push(out, junk, raw, shardId, 1);
      }
      // Entries without a payload would otherwise be claimed again every idle period, forever.
      if (junk.length > 0) {
        await this.client.xack(key, group, ...junk);
        this.skipped += junk.length;
      }
    } catch (e) {
      throw classifyRedisError(e, 'group read');
    }
    return out;
  }

  async ack(shardId: number, group: string, ackIds: readonly string[], _signal?: AbortSignal): Promise<number> {
    this.hooks.check();
    checkNames(group, 'x');
    for (const id of ackIds) if (typeof id !== 'string' || !ID_RE.test(id)) throw new AdapterError(`not a redis stream id: ${JSON.stringify(String(id).slice(0, 40))}`, false);
    if (ackIds.length === 0) return 0;
    try {
      return await this.client.xack(this.hooks.key(shardId), group, ...ackIds);
    } catch (e) {
      throw classifyRedisError(e, 'XACK');
    }
  }

  private push(out: GroupEvent[], junk: string[], raw: RawEntry, shardId: number, deliveries: number): void {
    const e = decodeEntry(raw, shardId);
    if (e === undefined) junk.push(raw[0].toString());
    else out.push({ ...e, ackId: e.id, deliveries });
  }

  private async deliveryCounts(key: string, group: string, consumer: string, from: string, to: string, n: number): Promise<Map<string, number>> {
    const rows = (await this.client.call('XPENDING', key, group, from, to, n, consumer)) as [string, string, number, number][];
    return new Map(rows.map((r) => [r[0], Number(r[3])]));
  }

  private async ensureGroup(key: string, group: string): Promise<void> {
    const ck = `${key}\n${group}`;
    if (this.created.has(ck)) return;
    try {
      await this.client.xgroup('CREATE', key, group, '0', 'MKSTREAM');
    } catch (e) {
      if (!/BUSYGROUP/.test(e instanceof Error ? e.message : '')) throw classifyRedisError(e, 'XGROUP CREATE');
    }
    this.created.add(ck);
  }
}

function checkNames(group: string, consumer: string): void {
  if (typeof group !== 'string' || !GROUP_NAME_RE.test(group)) throw new AdapterError(`group name must match ${GROUP_NAME_RE.source}`, false);
  if (typeof consumer !== 'string' || !CONSUMER_RE.test(consumer)) throw new AdapterError(`consumer name must match ${CONSUMER_RE.source}`, false);
}

/** The entries of a one-stream XREADGROUP reply: `[[key, entries]]`, or `[key, entries]` as ioredis may unwrap it. */
function streamEntries(res: unknown[] | null): RawEntry[] {
  if (!Array.isArray(res) || res.length === 0) return [];
  const one = Buffer.isBuffer(res[0]) ? res : res[0];
  const entries = Array.isArray(one) ? one[1] : undefined;
  return Array.isArray(entries) ? (entries as RawEntry[]) : [];
}
