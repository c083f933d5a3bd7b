// Child process for streams-process.test.ts: a MeshNode that accepts the parent, then both sends N 64-byte events
// on reliable stream 2 and checks the N events the parent sends on stream 1 arrive once, in order. IPC protocol:
// child → `{ addr, key, id }` when ready; parent → `{ parent: <node id string>, n }`; child → `{ sent, received }`
// when both directions are done; parent disconnect → clean shutdown, exit 0.
import { MeshNode } from '../../src/node/index.js';

const psk = new Uint8Array(32).fill(0x33);
const node = await MeshNode.create({ psk });
await node.start();
process.send!({ addr: node.localAddress(), key: node.publicKey(), id: node.nodeId().toString() });

process.on('message', (m: { parent: string; n: number }) => {
  void run(BigInt(m.parent), m.n).then(
    (r) => process.send!(r),
    (e: unknown) => process.send!({ error: String(e) }),
  );
});
process.on('disconnect', () => void node.shutdown().then(() => process.exit(0)));

async function run(parent: bigint, n: number): Promise<{ sent: number; received: number }> {
  await node.accept(parent, { timeoutMs: 5000 });
  const out = node.openStream(parent, { streamId: 2n });
  const inbox = node.receiveStream({ peerNodeId: parent, streamId: 1n });
  const receiving = (async () => {
    let next = 0;
    for await (const batch of inbox) {
      for (const e of batch) {
        const v = new DataView(e.buffer, e.byteOffset, e.length).getUint32(0, true);
        if (v !== next) throw new Error(`stream 1: expected ${next}, got ${v}`);
        next++;
      }
      if (next === n) break;
    }
    return next;
  })();
  const batch = Array.from({ length: 500 }, () => new Uint8Array(64));
  for (let i = 0; i < n; i += batch.length) {
    for (let k = 0; k < batch.length; k++) new DataView(batch[k]!.buffer).setUint32(0, i + k, true);
    await node.sendBlocking(out, batch, { timeoutMs: 30_000 });
  }
  return { sent: n, received: await receiving };
}
