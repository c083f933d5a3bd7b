// bus.jetstream_publish: the same through JetStreamAdapter against a real nats-server -js (file storage), against
// the bare @nats-io/jetstream client publishing the same 10,000 events pipelined (every `js.publish` started,
// then all PubAcks awaited) with a Nats-Msg-Id each, to its own stream on the same server.
// bus.redis_publish: events per second through EventBus + RedisStreamsAdapter against a real redis-server
// (started here, appendfsync everysec), against the bare ioredis client doing the same pipelined XADDs
// (`client`, same run, same server). 64-byte payloads, 10,000 events per round, one shard so both sides
// pipeline one stream.
import { Redis } from 'ioredis';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { compareNs, type BenchCase } from '../harness.js';
import { EventBus, JetStreamAdapter, RedisStreamsAdapter } from '../../src/bus/index.js';
import { TestServer } from '../../test/support/servers.js';

const CHUNK = 10_000;
const PAYLOAD = 64;

const cases: BenchCase[] = [
  {
    name: 'bus.redis_publish',
    async run() {
      const server = await TestServer.redis({ appendfsync: 'everysec' });
      try {
        const adapter = await RedisStreamsAdapter.open({ port: server.port, prefix: 'bench' });
        const bus = new EventBus({ adapter }, { shards: 1, scaling: { auto: false }, adapterTimeoutMs: 30_000 });
        const client = new Redis({ port: server.port, host: '127.0.0.1' });
        const ev = new Uint8Array(PAYLOAD);
        const buf = Buffer.alloc(PAYLOAD);
        let seq = 0;
        const ns = await compareNs({
          bus: async () => {
            for (let i = 0; i < CHUNK; i++) bus.emitBuffer(ev);
            await bus.flush();
          },
          client: async () => {
            const p = client.pipeline();
            for (let i = 0; i < CHUNK; i++) p.xadd('bare', '*', 'd', `p-${seq++}`, 'p', buf);
            await p.exec();
          },
        }, 2);
        const s = bus.stats();
        await bus.shutdown();
        client.disconnect();
        if (s.eventsDropped !== 0) throw new Error(`bench bus dropped events: ${JSON.stringify(s)}`);
        const perS = (x: number): number => (CHUNK * 1e9) / x;
        return { value: perS(ns.bus), unit: 'per_s', baseline: { client: perS(ns.client) }, notes: `${PAYLOAD} B, pipelines of ${CHUNK}, appendfsync everysec` };
      } finally {
        await server.close();
      }
    },
  },
  {
    name: 'bus.jetstream_publish',
    async run() {
      const server = await TestServer.nats();
      try {
        const servers = `127.0.0.1:${server.port}`;
        const adapter = await JetStreamAdapter.open({ servers, prefix: 'bench', requestTimeoutMs: 30_000 });
        const bus = new EventBus({ adapter }, { shards: 1, scaling: { auto: false }, adapterTimeoutMs: 30_000 });
        const nc = await connect({ servers });
        const js = jetstream(nc, { timeout: 30_000 });
        const jsm = await js.jetstreamManager();
        await jsm.streams.add({ name: 'bare', subjects: ['bare.0'] });
        const ev = new Uint8Array(PAYLOAD);
        let seq = 0;
        const pending: Promise<unknown>[] = new Array(CHUNK);
        const ns = await compareNs({
          bus: async () => {
            for (let i = 0; i < CHUNK; i++) bus.emitBuffer(ev);
            await bus.flush();
          },
          client: async () => {
            for (let i = 0; i < CHUNK; i++) pending[i] = js.publish('bare.0', ev, { msgID: `p-${seq++}` });
            await Promise.all(pending);
          },
        }, 2);
        const s = bus.stats();
        await bus.shutdown();
        await nc.close();
        if (s.eventsDropped !== 0) throw new Error(`bench bus dropped events: ${JSON.stringify(s)}`);
        const perS = (x: number): number => (CHUNK * 1e9) / x;
        return { value: perS(ns.bus), unit: 'per_s', baseline: { client: perS(ns.client) }, notes: `${PAYLOAD} B, pipelines of ${CHUNK}, nats-server ${adapter.serverVersion} file storage` };
      } finally {
        await server.close();
      }
    },
  },
];
export default cases;
