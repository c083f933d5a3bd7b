// bus.push / bus.push_batch: events per second through the real EventBus (routing, ring copy, accounting,
// adaptive batching, flush barrier) with an adapter that acknowledges at once, so the bus itself is measured.
// Baselines from the same run: `objects` (one JS object per event into an array, what a naive port keeps) and
// `ring_only` (the bare ByteRing copy, the floor). 64-byte payloads, 4 shards, one core.
// bus.redis_publish / bus.jetstream_publish live in adapters.bench.ts.
import { compareNs, type BenchCase } from '../harness.js';
import { ByteRing, EventBus, type BusAdapter } from '../../src/bus/index.js';

const CHUNK = 10_000;
const PAYLOAD = 64;

const ack: BusAdapter = {
  backend: 'memory',
  onBatch: () => Promise.resolve(),
  pollShard: () => Promise.resolve({ events: [], nextId: undefined, hasMore: false, skipped: 0 }),
  listShards: () => Promise.resolve([]),
  shardStats: (shardId) => Promise.resolve({ shardId, events: 0, firstId: undefined, lastId: undefined }),
  shutdown: () => Promise.resolve(),
};

function baselines(): { objects: () => unknown; ring_only: () => unknown } {
  const ev = new Uint8Array(PAYLOAD);
  const ring = new ByteRing(4 * 1024 * 1024);
  let sink: { shard: number; data: Uint8Array; ts: number }[] = [];
  return {
    objects: () => {
      sink = [];
      for (let i = 0; i < CHUNK; i++) sink.push({ shard: i & 3, data: ev.slice(), ts: i });
      return sink.length;
    },
    ring_only: () => {
      ring.clear();
      for (let i = 0; i < CHUNK; i++) ring.push(ev, 0, PAYLOAD);
      return ring.count;
    },
  };
}

async function runBus(kind: 'single' | 'batch'): Promise<{ value: number; baseline: Record<string, number> }> {
  const bus = new EventBus({ adapter: ack }, { shards: 4, scaling: { auto: false } });
  const ev = new Uint8Array(PAYLOAD);
  const events = Array.from({ length: CHUNK }, () => new Uint8Array(PAYLOAD));
  const b = baselines();
  const ns = await compareNs({
    bus: kind === 'single'
      ? async () => {
          for (let i = 0; i < CHUNK; i++) bus.emitBuffer(ev);
          await bus.flush();
        }
      : async () => {
          bus.emitBatch(events);
          await bus.flush();
        },
    objects: b.objects,
    ring_only: b.ring_only,
  });
  const s = bus.stats();
  await bus.shutdown();
  if (s.eventsDropped !== 0 || s.eventsIngested !== s.eventsDispatched) throw new Error(`bench bus dropped events: ${JSON.stringify(s)}`);
  const perS = (x: number): number => (CHUNK * 1e9) / x;
  return { value: perS(ns.bus), baseline: { objects: perS(ns.objects), ring_only: perS(ns.ring_only) } };
}

const cases: BenchCase[] = [
  {
    name: 'bus.push',
    async run() {
      const r = await runBus('single');
      return { ...r, unit: 'per_s', notes: `emitBuffer, ${PAYLOAD} B, 4 shards, flush every ${CHUNK}` };
    },
  },
  {
    name: 'bus.push_batch',
    async run() {
      const r = await runBus('batch');
      return { ...r, unit: 'per_s', notes: `emitBatch of ${CHUNK}, ${PAYLOAD} B, 4 shards` };
    },
  },
];
export default cases;
