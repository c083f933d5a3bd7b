// Reliable streams between two OS processes over real UDP (routed-framed session): 1,000,000 64-byte events each
// way at once, every one delivered once and in order on both sides, then a clean shutdown of both (the child
// exits 0 on disconnect). About 10 s here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { MeshNode } from '../../src/node/index.js';

const TSX = import.meta.resolve('tsx');
const PEER = new URL('./stream-peer.ts', import.meta.url).pathname;
const N = 1_000_000;

test(`${N.toLocaleString('en-US')} events each way on reliable streams between two processes, in order, then clean shutdown`, { timeout: 180_000 }, async () => {
  const child = spawn(process.execPath, ['--import', TSX, PEER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const node = await MeshNode.create({ psk: new Uint8Array(32).fill(0x33) });
  try {
    const peer = await new Promise<{ addr: string; key: string; id: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { addr: string; key: string; id: string }));
      child.once('exit', (code) => reject(new Error(`peer exited with ${code}`)));
    });
    const peerId = BigInt(peer.id);
    const done = new Promise<{ sent: number; received: number; error?: string }>((resolve) => child.once('message', (m) => resolve(m as never)));
    child.send({ parent: node.nodeId().toString(), n: N });
    await node.connect(peer.addr, peer.key, peerId, { routed: true, timeoutMs: 5000 });
    const out = node.openStream(peerId, { streamId: 1n });
    const inbox = node.receiveStream({ peerNodeId: peerId, streamId: 2n });
    const t0 = performance.now();
    const receiving = (async () => {
      let next = 0;
      for await (const batch of inbox) {
        for (const e of batch) {
          assert.equal(new DataView(e.buffer, e.byteOffset, e.length).getUint32(0, true), next);
          next++;
        }
        if (next === N) break;
      }
      return next;
    })();
    const batch = Array.from({ length: 500 }, () => new Uint8Array(64));
    for (let i = 0; i < N; i += batch.length) {
      for (let k = 0; k < batch.length; k++) new DataView(batch[k]!.buffer).setUint32(0, i + k, true);
      await node.sendBlocking(out, batch, { timeoutMs: 30_000 });
    }
    assert.equal(await receiving, N);
    const r = await done;
    assert.equal(r.error, undefined);
    assert.deepEqual(r, { sent: N, received: N });
    const s = (performance.now() - t0) / 1000;
    const st = node.streamStats(peerId, 1n)!;
    console.log(`# ${N} events each way in ${s.toFixed(2)} s (${Math.round((2 * N) / s).toLocaleString('en-US')} events/s both ways); ` +
      `stream 1: ${st.retransmits} retransmits, cwnd ${st.cwnd}, rto ${st.rtoMs} ms`);
  } finally {
    await node.shutdown();
    child.disconnect();
  }
  assert.equal(await exited, 0);
});
