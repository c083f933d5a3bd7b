/**
 * `net-mesh bus stats` and `net-mesh bus tail <topic>`: look at what a bus stored in Redis Streams or NATS
 * JetStream. A topic is the bus's stream prefix (`prefix` of the adapter). Events go to stdout, one per line;
 * progress and the closing summary go to stderr, so `tail | tool` pipes only events. The broker's password is
 * read from the environment variable `NET_MESH_BUS_PASSWORD`, never from the command line (where `ps` shows it).
 * The bus plane (and with it the Redis and NATS clients) is loaded only when a bus command runs, so the other
 * commands do not pay for loading them.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/index.js';
import type { BusAdapter, ShardStats, StoredEvent } from '../../bus/index.js';
import { formatJson, formatRows, type CliIO } from '../output.js';

interface BackendFlags {
  redis?: string;
  nats?: string;
  user?: string;
  timeout: string;
}

function addBackendFlags(cmd: Command): Command {
  return cmd
    .option('--redis <host:port>', 'read from Redis Streams at this address')
    .option('--nats <host:port>', 'read from NATS JetStream at this address')
    .option('--user <name>', 'user name for the broker (password from $NET_MESH_BUS_PASSWORD)')
    .option('--timeout <ms>', 'connect and request timeout', '5000');
}

function hostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new InvalidArgumentError(`${flag} must be HOST:PORT, got ${JSON.stringify(text)}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

async function openAdapter(flags: BackendFlags, prefix: string | undefined, io: CliIO): Promise<BusAdapter> {
  if ((flags.redis === undefined) === (flags.nats === undefined)) throw new InvalidArgumentError('give exactly one of --redis HOST:PORT or --nats HOST:PORT');
  const timeoutMs = Number(flags.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new InvalidArgumentError(`--timeout must be a positive integer, got ${JSON.stringify(flags.timeout)}`);
  const password = io.env.NET_MESH_BUS_PASSWORD || undefined;
  const { JetStreamAdapter, RedisStreamsAdapter } = await import('../../bus/index.js');
  if (flags.redis !== undefined) {
    const { host, port } = hostPort(flags.redis, '--redis');
    return RedisStreamsAdapter.open({
      host, port, commandTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs,
      ...(prefix !== undefined ? { prefix } : {}), ...(password !== undefined ? { password } : {}), ...(flags.user !== undefined ? { username: flags.user } : {}),
    });
  }
  const { host, port } = hostPort(flags.nats!, '--nats');
  return JetStreamAdapter.open({
    servers: `${host.includes(':') ? `[${host}]` : host}:${port}`, requestTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs,
    ...(prefix !== undefined ? { prefix } : {}), ...(password !== undefined ? { password } : {}), ...(flags.user !== undefined ? { user: flags.user } : {}),
  });
}

/** Resolves on the first SIGINT or SIGTERM; `off()` removes the handlers. */
function signals(): { until: Promise<string>; off(): void } {
  let on: (sig: string) => void = () => {};
  const until = new Promise<string>((resolve) => {
    on = (sig: string): void => resolve(sig);
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  return { until, off: () => (process.off('SIGINT', on), process.off('SIGTERM', on)) };
}

async function allShardStats(adapter: BusAdapter, signal: AbortSignal): Promise<ShardStats[]> {
  const ids = (await adapter.listShards(signal)).sort((a, b) => a - b);
  return Promise.all(ids.map((id) => adapter.shardStats(id, signal)));
}

function formatEvent(e: StoredEvent, hex: boolean): string {
  const text = Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length);
  const body = hex ? text.toString('hex') : JSON.stringify(text.toString('utf8'));
  return `${e.shardId}\t${e.id}\t${e.dedupId}\t${body}\n`;
}

export function registerBusCommands(program: Command, io: CliIO): void {
  const bus = program.command('bus').description('inspect a bus stored in Redis Streams or NATS JetStream');

  addBackendFlags(bus.command('stats').description('shards, stored events and first/last ids of a topic'))
    .option('--topic <prefix>', 'the bus stream prefix (default: the adapter default)')
    .option('--json', 'print one JSON document')
    .action(async (opts: BackendFlags & { topic?: string; json?: boolean }) => {
      const adapter = await openAdapter(opts, opts.topic, io);
      try {
        const shards = await allShardStats(adapter, AbortSignal.timeout(Number(opts.timeout)));
        const total = shards.reduce((s, x) => s + x.events, 0);
        if (opts.json) {
          io.stdout(formatJson({ backend: adapter.backend, shards, events: total }));
          return;
        }
        io.stdout(formatRows([['backend', adapter.backend], ['shards', String(shards.length)], ['events', String(total)]]));
        for (const s of shards) io.stdout(`shard ${s.shardId}\t${s.events} events\t${s.firstId ?? '-'} .. ${s.lastId ?? '-'}\n`);
      } finally {
        await adapter.shutdown();
      }
    });

  addBackendFlags(bus.command('tail').description('print events of a topic as they are stored, until Ctrl-C').argument('<topic>', 'the bus stream prefix'))
    .option('--from-start', 'print stored events first (default: only events stored from now on)')
    .option('-n, --count <n>', 'exit 0 after this many events')
    .option('--hex', 'print payloads as hex (default: a JSON string of the UTF-8 text)')
    .option('--progress-ms <ms>', 'progress line on stderr at most this often (0: never)', '1000')
    .action(async (topic: string, opts: BackendFlags & { fromStart?: boolean; count?: string; hex?: boolean; progressMs: string }) => {
      const limit = opts.count === undefined ? Infinity : Number(opts.count);
      if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 1))) throw new InvalidArgumentError(`--count must be a positive integer, got ${JSON.stringify(opts.count)}`);
      const progressMs = Number(opts.progressMs);
      if (!Number.isInteger(progressMs) || progressMs < 0) throw new InvalidArgumentError(`--progress-ms must be a non-negative integer, got ${JSON.stringify(opts.progressMs)}`);
      const adapter = await openAdapter(opts, topic, io);
      const { EventBus, encodeCursor } = await import('../../bus/index.js');
      const sig = signals();
      const eb = new EventBus({ adapter }, { shards: 1, scaling: { auto: false }, adapterTimeoutMs: Number(opts.timeout) });
      let printed = 0;
      let reason = 'done';
      try {
        let cursor: string | undefined;
        if (!opts.fromStart) {
          const ends = new Map<number, string>();
          for (const s of await allShardStats(adapter, AbortSignal.timeout(Number(opts.timeout)))) if (s.lastId !== undefined) ends.set(s.shardId, s.lastId);
          cursor = encodeCursor(adapter.backend, ends);
        }
        const stream = eb.subscribe({ ...(cursor !== undefined ? { cursor } : {}), limit: 1000, maxBackoffMs: 200 });
        void sig.until.then((s) => {
          reason = s;
          stream.close();
        });
        io.stderr(`tailing ${adapter.backend} topic ${topic}${opts.fromStart ? ' from the start' : ''}; Ctrl-C to stop\n`);
        let lastProgress = Date.now();
        let reported = 0;
        for await (const e of stream) {
          io.stdout(formatEvent(e, opts.hex === true));
          if (++printed >= limit) break;
          if (progressMs > 0 && printed !== reported && Date.now() - lastProgress >= progressMs) {
            io.stderr(`${printed} events\n`);
            lastProgress = Date.now();
            reported = printed;
          }
        }
      } finally {
        sig.off();
        await eb.shutdown({ deadlineMs: 1000 });
      }
      io.stderr(`${reason === 'done' ? 'stopped' : `${reason}: stopped`} after ${printed} events\n`);
    });
}
