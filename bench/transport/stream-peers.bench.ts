// transport.events_64 and transport.bulk: net-mesh reliable streams against js-libp2p (TCP + Noise + yamux),
// @hyperswarm/secret-stream over TCP and (events) NATS core publish through a local nats-server, all measured in
// this run at the receiver. The published value is net-mesh across two OS processes (sender here, receiver in a
// child); `net_mesh_in_process` has both nodes in this process, as every baseline does. net-mesh: 8192-byte
// datagrams, one reliable stream, 2 MiB window, 4 MiB socket buffers, sendBlocking in batches.
import type { BenchCase } from '../harness.js';
import { libp2pRun, natsRun, secretStreamRun } from './stream/baselines.js';
import { BENCH_DATAGRAM, BENCH_STREAM_WINDOW, BULK, EVENTS_64 } from './stream/mesh-config.js';
import { meshCrossProcess, meshInProcess } from './stream/mesh-run.js';
import type { SinkResult } from './stream/mesh-side.js';

const perSecond = (r: SinkResult): number => r.events / r.seconds;
const mbPerSecond = (r: SinkResult): number => r.bytes / r.seconds / 1e6;
const setup = `${BENCH_DATAGRAM}-byte datagrams, ${BENCH_STREAM_WINDOW / 1048576} MiB window, one reliable stream`;

const cases: BenchCase[] = [
  {
    name: 'transport.events_64',
    async run() {
      const cross = await meshCrossProcess({ ...EVENTS_64, total: 3_000_000 });
      const inProcess = await meshInProcess({ ...EVENTS_64, total: 2_000_000 });
      const libp2p = await libp2pRun({ total: 100_000, size: 64 });
      const secret = await secretStreamRun({ total: 300_000, size: 64 });
      const nats = await natsRun({ total: 1_000_000, size: 64 });
      return {
        value: perSecond(cross),
        unit: 'per_s',
        baseline: {
          libp2p: perSecond(libp2p), secret_stream: perSecond(secret), nats: perSecond(nats), net_mesh_in_process: perSecond(inProcess),
        },
        notes: `64-byte events; value = net-mesh across two processes; ${setup}, 1024 events per sendBlocking; baselines in one process, one message per write/publish`,
      };
    },
  },
  {
    name: 'transport.bulk',
    async run() {
      const run = BULK;
      const cross = await meshCrossProcess(run);
      const inProcess = await meshInProcess(run);
      const libp2p = await libp2pRun({ total: 1000, size: BULK.size });
      const secret = await secretStreamRun({ total: 2048, size: BULK.size });
      return {
        value: mbPerSecond(cross),
        unit: 'MB_per_s',
        baseline: { libp2p: mbPerSecond(libp2p), secret_stream: mbPerSecond(secret), net_mesh_in_process: mbPerSecond(inProcess) },
        notes: `64 KiB writes (net-mesh fragments each into 9 packets), 128 MiB; value = net-mesh across two processes; ${setup}`,
      };
    },
  },
];
export default cases;
