// net-mesh stream runs for the benchmarks: both nodes in this process, or the receiver in a child process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MeshNode } from '../../../src/node/index.js';
import { benchNodeConfig, type StreamRun } from './mesh-config.js';
import { sendRun, sinkRun, type SinkResult } from './mesh-side.js';

export async function meshInProcess(run: StreamRun): Promise<SinkResult> {
  const a = await MeshNode.create(benchNodeConfig());
  const b = await MeshNode.create(benchNodeConfig({ expectedPeers: [{ nodeId: a.nodeId() }] }));
  try {
    const up = b.accept(a.nodeId(), { timeoutMs: 5000 });
    await a.connect(b.localAddress(), b.publicKey(), b.nodeId(), { timeoutMs: 5000 });
    await up;
    const sink = sinkRun(b, a.nodeId(), run);
    await sendRun(a, b.nodeId(), run);
    return await sink;
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
}

export async function meshCrossProcess(run: StreamRun): Promise<SinkResult> {
  const script = fileURLToPath(new URL('./mesh-child.ts', import.meta.url));
  const prof = process.env.BENCH_CHILD_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CHILD_PROF] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const node = await MeshNode.create(benchNodeConfig());
  try {
    const peer = await new Promise<{ addr: string; key: string; id: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as never));
      child.once('exit', (code) => reject(new Error(`bench child exited with ${code}`)));
    });
    const peerId = BigInt(peer.id);
    const result = new Promise<SinkResult & { error?: string }>((resolve) => child.once('message', (m) => resolve(m as never)));
    child.send({ parent: node.nodeId().toString(), run });
    await node.connect(peer.addr, peer.key, peerId, { routed: true, timeoutMs: 5000 });
    await sendRun(node, peerId, run);
    const r = await result;
    if (r.error !== undefined) throw new Error(r.error);
    return r;
  } finally {
    await node.shutdown();
    if (child.connected) child.disconnect();
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}
