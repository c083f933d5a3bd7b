// bus.redis_publish: events per second through EventBus + RedisStreamsAdapter against a real redis-server
// (started here, appendfsync everysec), against the bare ioredis client doing the same pipelined XADDs
// (`client`, same run, same server). 64-byte payloads, 10,000 events per round, one shard so both sides
// pipeline one stream.
import { Redis } from 'ioredis';
import { compareNs, type BenchCase } from '../harness.js';
import { EventBus, RedisStreamsAdapter } from '../../src/bus/index.js';
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
];
export default cases;
