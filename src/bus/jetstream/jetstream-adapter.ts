/**
 * NATS JetStream adapter (`@nats-io/transport-node` + `@nats-io/jetstream`): one stream per shard
 * (`<prefix>_<shard>`, subject `<prefix>.<shard>`, file storage, `allow_direct`), created on the shard's first
 * batch. A batch is one pipelined burst of publishes with `Nats-Msg-Id` = the bus's dedup id, so a batch the bus
 * retries after a lost reply is stored once as long as the retry lands within the stream's duplicate window
 * (default 2 min); consumers drop repeats outside it (`DedupWindow`). Reads use direct get: batched on servers
 * >= 2.11, pipelined single gets on older ones (detected at open, `batchDirectGet`).
 *
 * While the connection is down, calls fail at once with a transient error and in-flight batches are failed
 * (their PubAcks cannot arrive): the bus owns retries and backoff, the client reconnects by itself.
 */
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import type { BusAdapter, ShardPage, ShardStats } from '../adapter.js';
import type { EventBatch } from '../batch.js';
import { AdapterError } from '../errors.js';
import { BUS_MAX_SHARD_ID, int, refuseUnknown } from '../options.js';
import { raceAbort } from '../abort.js';
import { classifyJetStreamError, jetStreamError, scrub } from './jetstream-errors.js';
import { ReplyMux } from './reply-mux.js';
import { publishBatch, type PublishCounters } from './publisher.js';
import { parseSeq, readBatch, readPipelined, type ReadContext } from './direct-reader.js';
import { JetStreamGroups } from './jetstream-groups.js';

export interface JetStreamTlsOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  ca?: string;
  cert?: string;
  key?: string;
  /** TLS before the NATS INFO exchange (server option `handshake_first`). */
  handshakeFirst?: boolean;
}

export interface JetStreamAdapterOptions {
  /** `host:port` or `nats://host:port` (default `127.0.0.1:4222`); several for a cluster. */
  servers?: string | string[];
  user?: string;
  password?: string;
  /** Token auth (server `--auth`). */
  token?: string;
  /** TLS (`{}` for TLS with the system CAs); omitted for plain TCP. */
  tls?: JetStreamTlsOptions;
  /** Stream name prefix (`[A-Za-z0-9_-]`, default `net_mesh_bus`). */
  prefix?: string;
  /** Deadline of one batch's PubAcks and of one API request, ms (default 5,000). */
  requestTimeoutMs?: number;
  /** `open` fails after this, ms (default 5,000). */
  connectTimeoutMs?: number;
  /** Server-side dedup window of created streams, ms (default 120,000, the server's default). */
  duplicateWindowMs?: number;
  /** Replicas of created streams (default 1). */
  replicas?: number;
  /** `'auto'` (default) uses batch direct get when the server has it; `'off'` always uses the fallback. */
  directBatch?: 'auto' | 'off';
  /** Ack wait of durable group consumers before an unacknowledged event is redelivered, ms (default 30,000). */
  groupAckWaitMs?: number;
}

const KEYS = new Set(['servers', 'user', 'password', 'token', 'tls', 'prefix', 'requestTimeoutMs', 'connectTimeoutMs', 'duplicateWindowMs',
  'replicas', 'directBatch', 'groupAckWaitMs']);
const TLS_KEYS = new Set(['caFile', 'certFile', 'keyFile', 'ca', 'cert', 'key', 'handshakeFirst']);
const PREFIX_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** Server-side dedup window of the streams the adapter creates, ms (the server's own default). */
export const JETSTREAM_DUPLICATE_WINDOW_MS = 120_000;
/** First server version with batch direct get. */
export const JETSTREAM_BATCH_DIRECT_GET_VERSION = '2.11.0';

export class JetStreamAdapter implements BusAdapter {
  readonly backend = 'jetstream';
  /** The server's version as it announced at connect. */
  readonly serverVersion: string;
  /** True when pages are read with one batch direct get (server >= 2.11 and `directBatch` not `'off'`). */
  readonly batchDirectGet: boolean;
  /** Consumer groups: durable pull consumers per (group, shard). */
  readonly groups: JetStreamGroups;
  private readonly streams = new Map<number, Promise<void>>();
  private readonly counters: PublishCounters = { duplicates: 0 };
  private readonly read: ReadContext;
  private connected = true;
  private closed = false;
  /** Aborted (and replaced) when the connection drops: fails what waits for replies that cannot come. */
  private link = new AbortController();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly mux: ReplyMux,
    private readonly prefix: string,
    private readonly timeoutMs: number,
    private readonly streamConfig: Partial<StreamConfig>,
    directBatch: boolean,
    groupAckWaitMs: number,
  ) {
    this.serverVersion = nc.info?.version ?? 'unknown';
    this.batchDirectGet = directBatch && versionAtLeast(this.serverVersion, JETSTREAM_BATCH_DIRECT_GET_VERSION);
    this.read = { nc, jsm, mux, apiPrefix: '$JS.API', timeoutMs };
    this.groups = new JetStreamGroups(nc, jsm, mux, {
      stream: (s) => this.streamName(s), ensure: (s) => this.ensureStream(s), check: () => this.check(),
    }, timeoutMs, groupAckWaitMs);
    void this.watchStatus();
  }

  /** Connects (bounded by `connectTimeoutMs`), checks JetStream is enabled, detects batch direct get. */
  static async open(options: JetStreamAdapterOptions = {}): Promise<JetStreamAdapter> {
    refuseUnknown('jetstream options', options, KEYS);
    if (options.tls !== undefined) refuseUnknown('jetstream tls options', options.tls, TLS_KEYS);
    const timeoutMs = int('requestTimeoutMs', options.requestTimeoutMs ?? 5_000, 1, 600_000);
    const connectTimeout = int('connectTimeoutMs', options.connectTimeoutMs ?? 5_000, 1, 600_000);
    const dupMs = int('duplicateWindowMs', options.duplicateWindowMs ?? JETSTREAM_DUPLICATE_WINDOW_MS, 100, 86_400_000);
    const replicas = int('replicas', options.replicas ?? 1, 1, 5);
    const groupAckWaitMs = int('groupAckWaitMs', options.groupAckWaitMs ?? 30_000, 100, 86_400_000);
    const prefix = options.prefix ?? 'net_mesh_bus';
    if (!PREFIX_RE.test(prefix)) throw new AdapterError(`jetstream prefix must match ${PREFIX_RE.source}, got ${JSON.stringify(prefix)}`, false);
    const directBatch = options.directBatch ?? 'auto';
    if (directBatch !== 'auto' && directBatch !== 'off') throw new AdapterError(`jetstream directBatch must be 'auto' or 'off', got ${JSON.stringify(directBatch)}`, false);
    const co: ConnectionOptions = {
      servers: options.servers ?? '127.0.0.1:4222',
      timeout: connectTimeout,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
      reconnectJitter: 50,
      waitOnFirstConnect: false,
      name: 'net-mesh-bus',
    };
    if (options.user !== undefined) co.user = options.user;
    if (options.password !== undefined) co.pass = options.password;
    if (options.token !== undefined) co.token = options.token;
    if (options.tls !== undefined) co.tls = options.tls;
    const where = scrub(String(co.servers));
    const ac = new AbortController();
    const t = setTimeout(() => ac.abort(jetStreamError('timed_out', `open ${where}`, `not connected within ${connectTimeout} ms`)), connectTimeout);
    let nc: NatsConnection | undefined;
    const pending = connect(co);
    try {
      nc = await raceAbort(pending, ac.signal);
      const jsm = await raceAbort(jetstreamManager(nc, { timeout: timeoutMs }), ac.signal);
      const streamConfig: Partial<StreamConfig> = {
        storage: 'file' as StreamConfig['storage'], num_replicas: replicas, duplicate_window: dupMs * 1_000_000, allow_direct: true,
        discard: 'old' as StreamConfig['discard'], retention: 'limits' as StreamConfig['retention'],
      };
      return new JetStreamAdapter(nc, jsm, new ReplyMux(nc), prefix, timeoutMs, streamConfig, directBatch === 'auto', groupAckWaitMs);
    } catch (e) {
      // a connect that finishes after the deadline must not leave a connection behind
      if (nc === undefined) pending.then((late) => late.close(), () => {});
      else void nc.close().catch(() => {});
      throw classifyJetStreamError(e, `open ${where}`);
    } finally {
      clearTimeout(t);
    }
  }

  /** PubAcks marked duplicate so far (the server dropped a retried id within its window). */
  get serverDuplicates(): number {
    return this.counters.duplicates;
  }

  /** The server's largest message (payload plus headers), bytes. */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1_048_576;
  }

  streamName(shardId: number): string {
    return `${this.prefix}_${shardId}`;
  }

  private subject(shardId: number): string {
    return `${this.prefix}.${shardId}`;
  }

  async onBatch(batch: EventBatch, signal: AbortSignal): Promise<void> {
    this.check();
    await this.ensureStream(batch.shardId);
    this.check();
    await publishBatch(this.nc, this.mux, this.subject(batch.shardId), batch, this.maxPayload, this.timeoutMs, AbortSignal.any([signal, this.link.signal]), this.counters);
  }

  async pollShard(shardId: number, afterId: string | undefined, limit: number, signal: AbortSignal): Promise<ShardPage> {
    this.check();
    if (!Number.isInteger(shardId) || shardId < 0 || shardId > BUS_MAX_SHARD_ID) throw jetStreamError('other', 'poll', `shard id ${shardId} is not a u16`);
    const after = parseSeq(afterId);
    const stream = this.streamName(shardId);
    const sig = AbortSignal.any([signal, this.link.signal]);
    if (this.batchDirectGet) return raceAbort(readBatch(this.read, stream, shardId, after, limit), sig);
    return readPipelined(this.read, stream, shardId, after, limit, sig);
  }

  async listShards(signal: AbortSignal): Promise<number[]> {
    this.check();
    const re = new RegExp(`^${this.prefix}_([0-9]{1,5})$`);
    const out: number[] = [];
    try {
      await raceAbort((async () => {
        for await (const name of this.jsm.streams.names(`${this.prefix}.*`)) {
          const m = re.exec(name);
          if (m && Number(m[1]) <= BUS_MAX_SHARD_ID) out.push(Number(m[1]));
        }
      })(), AbortSignal.any([signal, this.link.signal]));
    } catch (e) {
      throw classifyJetStreamError(e, 'stream names');
    }
    return out;
  }

  async shardStats(shardId: number, signal: AbortSignal): Promise<ShardStats> {
    this.check();
    try {
      const info = await raceAbort(this.jsm.streams.info(this.streamName(shardId)), AbortSignal.any([signal, this.link.signal]));
      const st = info.state;
      return st.messages === 0
        ? { shardId, events: 0, firstId: undefined, lastId: undefined }
        : { shardId, events: st.messages, firstId: String(st.first_seq), lastId: String(st.last_seq) };
    } catch (e) {
      if (/stream not found/i.test(e instanceof Error ? e.message : '')) return { shardId, events: 0, firstId: undefined, lastId: undefined };
      throw classifyJetStreamError(e, `stream info ${this.streamName(shardId)}`);
    }
  }

  /** True while connected and JetStream answers an account info request. */
  async isHealthy(): Promise<boolean> {
    if (this.closed || !this.connected) return false;
    return this.jsm.getAccountInfo().then(() => true, () => false);
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.link.abort(new AdapterError('jetstream adapter is shut down', false));
    this.mux.close();
    this.groups.close();
    // close() flushes what is queued; bounded so a dead server cannot hold shutdown
    await Promise.race([this.nc.close().catch(() => {}), new Promise((r) => setTimeout(r, 2_000).unref())]);
  }

  private check(): void {
    if (this.closed) throw new AdapterError('jetstream adapter is shut down', false);
    if (!this.connected) throw jetStreamError('broken_pipe', 'call', 'not connected to the server (reconnecting)');
  }

  /** Creates the shard's stream once (idempotent on the server); a failure is retried by the next batch. */
  private ensureStream(shardId: number): Promise<void> {
    let p = this.streams.get(shardId);
    if (p === undefined) {
      p = this.createStream(shardId);
      this.streams.set(shardId, p);
      p.catch(() => this.streams.delete(shardId));
    }
    return p;
  }

  private async createStream(shardId: number): Promise<void> {
    const name = this.streamName(shardId);
    try {
      await this.jsm.streams.add({ ...this.streamConfig, name, subjects: [this.subject(shardId)] });
    } catch (e) {
      // An existing stream with other settings (say another duplicate window) is used if it can serve us.
      if (!/already in use/i.test(e instanceof Error ? e.message : '')) throw classifyJetStreamError(e, `create stream ${name}`);
      const info = await this.jsm.streams.info(name).catch((e2: unknown) => {
        throw classifyJetStreamError(e2, `stream info ${name}`);
      });
      if (!info.config.allow_direct || !info.config.subjects.includes(this.subject(shardId))) {
        throw jetStreamError('other', `stream ${name}`, `exists without allow_direct or subject ${this.subject(shardId)}`);
      }
    }
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') {
        this.connected = false;
        const old = this.link;
        this.link = new AbortController();
        old.abort(jetStreamError('broken_pipe', 'connection', 'disconnected from the server; replies in flight are lost'));
      } else if (s.type === 'reconnect') {
        this.connected = true;
      }
    }
  }
}

/** `a >= b` for dotted versions (`2.9.10`, `2.11.0-beta.1`). */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split(/[.-]/).slice(0, 3).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).slice(0, 3).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! > pb[i]!;
  return true;
}
