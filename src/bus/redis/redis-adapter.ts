/**
 * Redis Streams adapter: one stream per shard (`<prefix>:<shardId>`), each event an entry `d <dedupId> p <bytes>`.
 * A batch is one pipelined round trip of XADDs; the bus retries it on transient errors with the same dedup ids,
 * so a batch whose reply was lost may appear twice and consumers drop the repeat (`DedupWindow`). Redis
 * acknowledges an XADD after appending it to the AOF; with `appendfsync always` that write is fsynced first, with
 * `everysec` up to about a second of acknowledged writes can vanish at power loss (docs/BUS.md).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { AdapterError } from '../errors.js';
import type { BusAdapter, ShardPage, ShardStats, StoredEvent } from '../adapter.js';
import type { EventBatch } from '../batch.js';
import { int, refuseUnknown } from '../options.js';
import { raceAbort } from '../abort.js';
import { classifyRedisError } from './redis-errors.js';
import { recordBytesFor } from '../options.js';
import { decodeEntry } from './redis-entry.js';
import { RedisGroups } from './redis-groups.js';

export interface RedisAdapterOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  /** TLS options (`{}` for TLS with the system CAs); omitted for plain TCP. */
  tls?: ConnectionOptions;
  db?: number;
  /** Stream key prefix (default `net-mesh:bus`). */
  prefix?: string;
  /** Per-command timeout, ms (default 5,000). */
  commandTimeoutMs?: number;
  /** Connect timeout, ms (default 5,000); `open` fails after it. */
  connectTimeoutMs?: number;
  /** Refuse to open unless the server runs with `appendonly yes` (default false: report only). */
  requireAof?: boolean;
  /** Consumer groups: how long an entry a consumer took stays unacknowledged before another may claim it, ms
   * (default 30,000). */
  claimIdleMs?: number;
}

const KEYS = new Set(['host', 'port', 'username', 'password', 'tls', 'db', 'prefix', 'commandTimeoutMs', 'connectTimeoutMs', 'requireAof', 'claimIdleMs']);

/** The server's persistence settings as read at open (`unknown` when CONFIG is disabled). */
export interface RedisDurability {
  appendonly: string;
  appendfsync: string;
}

export class RedisStreamsAdapter implements BusAdapter {
  readonly backend = 'redis';
  private closed = false;
  /** Consumer groups (XREADGROUP / XACK / XAUTOCLAIM). */
  readonly groups: RedisGroups;

  private constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    readonly durability: RedisDurability,
    claimIdleMs: number,
  ) {
    this.groups = new RedisGroups(client, {
      key: (s) => this.key(s),
      check: () => {
        if (this.closed) throw new AdapterError('redis adapter is shut down', false);
      },
    }, claimIdleMs);
  }

  /** Connects (bounded by `connectTimeoutMs`), reads the server's persistence settings, and returns the adapter. */
  static async open(options: RedisAdapterOptions = {}): Promise<RedisStreamsAdapter> {
    refuseUnknown('redis options', options, KEYS);
    const commandTimeout = int('commandTimeoutMs', options.commandTimeoutMs ?? 5_000, 1, 600_000);
    const connectTimeout = int('connectTimeoutMs', options.connectTimeoutMs ?? 5_000, 1, 600_000);
    const claimIdleMs = int('claimIdleMs', options.claimIdleMs ?? 30_000, 0, 86_400_000);
    const ro: RedisOptions = {
      host: options.host ?? '127.0.0.1',
      port: int('port', options.port ?? 6379, 1, 65535),
      db: int('db', options.db ?? 0, 0, 1 << 16),
      lazyConnect: true,
      // Commands fail at once while disconnected; the bus owns retries and backoff.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout,
      connectTimeout,
      retryStrategy: (times: number) => Math.min(50 * times, 1_000),
    };
    if (options.username !== undefined) ro.username = options.username;
    if (options.password !== undefined) ro.password = options.password;
    if (options.tls !== undefined) ro.tls = options.tls;
    const client = new Redis(ro);
    let lastError = '';
    client.on('error', (e: Error) => (lastError = e.message));
    const where = `${ro.host}:${ro.port}`;
    const ac = new AbortController();
    const t = setTimeout(() => ac.abort(new AdapterError(`redis ${where}: not connected within ${connectTimeout} ms ${lastError}`.trim(), true)), connectTimeout);
    try {
      await raceAbort(client.connect(), ac.signal);
      const durability = await readDurability(client);
      if (options.requireAof && durability.appendonly !== 'yes') {
        throw new AdapterError(`redis ${where}: appendonly is ${durability.appendonly}; acknowledged events would not survive a restart`, false);
      }
      return new RedisStreamsAdapter(client, options.prefix ?? 'net-mesh:bus', durability, claimIdleMs);
    } catch (e) {
      client.disconnect();
      // ioredis reports a refused AUTH as a closed connection; the reason is in its 'error' event.
      if (/WRONGPASS|NOAUTH|NOPERM|invalid password/i.test(lastError)) {
        throw new AdapterError(`redis ${where}: authentication failed (${lastError.split(' ')[0]})`, false, { cause: e });
      }
      throw classifyRedisError(e, `open ${where}`);
    } finally {
      clearTimeout(t);
    }
  }

  private key(shardId: number): string {
    return `${this.prefix}:${shardId}`;
  }

  async onBatch(batch: EventBatch): Promise<void> {
    if (this.closed) throw new AdapterError('redis adapter is shut down', false);
    // One copy per attempt: ioredis may still hold the buffers after a timeout, when the bus reuses the batch.
    const bytes = Buffer.from(batch.bytes.subarray(0, batch.byteLength));
    const key = this.key(batch.shardId);
    const p = this.client.pipeline();
    p.sadd(`${this.prefix}:shards`, batch.shardId);
    let pos = 0;
    for (let i = 0; i < batch.count; i++) {
      const len = bytes.readUInt32LE(pos);
      p.xadd(key, '*', 'd', batch.dedupId(i), 'p', bytes.subarray(pos + 4, pos + 4 + len));
      pos += recordBytesFor(len);
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await p.exec();
    } catch (e) {
      throw classifyRedisError(e, 'XADD pipeline');
    }
    if (results === null) throw new AdapterError('redis XADD pipeline: no reply', true);
    for (const [err] of results) if (err) throw classifyRedisError(err, 'XADD');
  }

  async pollShard(shardId: number, afterId: string | undefined, limit: number, _signal?: AbortSignal): Promise<ShardPage> {
    if (this.closed) throw new AdapterError('redis adapter is shut down', false);
    let rows: [Buffer, Buffer[]][];
    try {
      rows = (await this.client.xrangeBuffer(this.key(shardId), afterId === undefined ? '-' : `(${afterId}`, '+', 'COUNT', limit + 1)) as [Buffer, Buffer[]][];
    } catch (e) {
      throw classifyRedisError(e, 'XRANGE');
    }
    const hasMore = rows.length > limit;
    if (hasMore) rows.length = limit;
    const events: StoredEvent[] = [];
    let skipped = 0;
    let nextId = afterId;
    for (const raw of rows) {
      nextId = raw[0].toString();
      const e = decodeEntry(raw, shardId);
      if (e === undefined) skipped++;
      else events.push(e);
    }
    return { events, nextId, hasMore, skipped };
  }

  async listShards(): Promise<number[]> {
    if (this.closed) throw new AdapterError('redis adapter is shut down', false);
    try {
      const members = await this.client.smembers(`${this.prefix}:shards`);
      return members.map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n <= 65535);
    } catch (e) {
      throw classifyRedisError(e, 'SMEMBERS');
    }
  }

  async shardStats(shardId: number): Promise<ShardStats> {
    if (this.closed) throw new AdapterError('redis adapter is shut down', false);
    const key = this.key(shardId);
    try {
      const r = await this.client.pipeline().xlen(key).xrange(key, '-', '+', 'COUNT', 1).xrevrange(key, '+', '-', 'COUNT', 1).exec();
      if (r === null) throw new AdapterError('redis shard stats: no reply', true);
      for (const [err] of r) if (err) throw err;
      const first = (r[1]![1] as [string, string[]][])[0];
      const last = (r[2]![1] as [string, string[]][])[0];
      return { shardId, events: Number(r[0]![1]), firstId: first?.[0], lastId: last?.[0] };
    } catch (e) {
      throw classifyRedisError(e, 'shard stats');
    }
  }

  /** PING under the command timeout: true when the server answers. */
  async isHealthy(): Promise<boolean> {
    if (this.closed) return false;
    return this.client.ping().then((r) => r === 'PONG', () => false);
  }

  shutdown(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.client.disconnect();
    }
    return Promise.resolve();
  }
}

async function readDurability(client: Redis): Promise<RedisDurability> {
  try {
    const a = (await client.config('GET', 'appendonly')) as string[];
    const f = (await client.config('GET', 'appendfsync')) as string[];
    return { appendonly: a[1] ?? 'unknown', appendfsync: f[1] ?? 'unknown' };
  } catch {
    return { appendonly: 'unknown', appendfsync: 'unknown' };
  }
}
