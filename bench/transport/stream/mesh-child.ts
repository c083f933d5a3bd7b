// Child process of the cross-process stream benchmarks: a MeshNode that accepts the parent and sinks one run.
// IPC: child → `{ addr, key, id }`; parent → `{ parent, run }`; child → SinkResult; parent disconnect → exit.
import { MeshNode } from '../../../src/node/index.js';
import { benchNodeConfig, type StreamRun } from './mesh-config.js';
import { sinkRun } from './mesh-side.js';

const node = await MeshNode.create(benchNodeConfig());
await node.start();
process.on('message', (m: { parent: string; run: StreamRun }) => {
  const parent = BigInt(m.parent);
  void node.accept(parent, { timeoutMs: 5000 })
    .then(() => sinkRun(node, parent, m.run))
    .then((r) => process.send!(r), (e: unknown) => process.send!({ error: String(e) }));
});
process.on('disconnect', () => void node.shutdown().then(() => process.exit(0)));
process.send!({ addr: node.localAddress(), key: node.publicKey(), id: node.nodeId().toString() });
