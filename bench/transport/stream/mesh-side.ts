// Both ends of a net-mesh stream run: `sendRun` pushes `total` events on reliable stream 1 with sendBlocking;
// `sinkRun` reads them from the inbox and reports the time from its first to its last event (the receiver's
// rate is what counts: the sender only proves it could queue them).
import type { MeshNode } from '../../../src/node/index.js';
import type { StreamRun } from './mesh-config.js';

export async function sendRun(node: MeshNode, peer: bigint, run: StreamRun): Promise<void> {
  const s = node.openStream(peer, { streamId: 1n });
  const batch = Array.from({ length: run.batch }, () => new Uint8Array(run.size).fill(0x61));
  for (let sent = 0; sent < run.total; sent += run.batch) {
    await node.sendBlocking(s, batch, { timeoutMs: 30_000 });
  }
  if (process.env.BENCH_STREAM_DEBUG) console.error('sender stats', node.streamStats(peer, 1n), node.metrics().streams);
}

export interface SinkResult { events: number; bytes: number; seconds: number }

export async function sinkRun(node: MeshNode, peer: bigint, run: StreamRun): Promise<SinkResult> {
  const inbox = node.receiveStream({ peerNodeId: peer, streamId: 1n });
  let events = 0;
  let bytes = 0;
  let t0 = 0;
  for await (const batch of inbox) {
    if (events === 0) t0 = performance.now();
    events += batch.length;
    for (let i = 0; i < batch.length; i++) bytes += batch[i]!.length;
    if (events >= run.total) break;
  }
  if (process.env.BENCH_STREAM_DEBUG) {
    const m = node.metrics();
    console.error('sink streams', m.streams, 'sessions', Object.fromEntries(Object.entries(m.sessions).filter(([, v]) => v !== 0)), 'port', Object.fromEntries(Object.entries(m.port).filter(([, v]) => v !== 0)));
  }
  return { events, bytes, seconds: (performance.now() - t0) / 1000 };
}
