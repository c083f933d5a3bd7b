// A handshake flood over real UDP from 49 loopback addresses (127.0.0.2 … 127.0.0.50), each sending well-formed
// msg1 packets under a wrong PSK, while the legitimate peer on 127.0.0.1 connects: it must still get its session
// within 1 s, the flood must be rate-limited and counted, and every received datagram must land in one counter.
// The flood runs in its own process (an attacker does not share the victim's CPU) at 4,900 msg1/s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Identity } from '../../src/crypto/index.js';
import { MeshNode } from '../../src/node/index.js';

const TSX = import.meta.resolve('tsx');
const PEER = new URL('./flood-peer.ts', import.meta.url).pathname;

test('a legitimate peer connects within 1 s through a 49-source handshake flood', { timeout: 30_000 }, async () => {
  const psk = randomBytes(32);
  const aId = Identity.generate();
  const b = await MeshNode.create({ psk, expectedPeers: [{ nodeId: aId.nodeId }] });
  const a = await MeshNode.create({ psk, identity: aId });
  const bPort = b.localAddress().split(':')[1]!;
  // The flood names A as the initiator, so B must try every packet against A's prologue (a DH each).
  const flooder = spawn(process.execPath, ['--import', TSX, PEER, bPort, String(aId.routingId),
    String(Number(b.nodeId() & 0xffffffffn)), b.publicKey()], { stdio: ['ignore', 'pipe', 'inherit'] });
  let sent = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      flooder.stdout.on('data', (d: Buffer) => {
        sent = Number(d.toString().trim().split('\n').pop());
        if (sent >= 2000) resolve(); // the flood is well under way before A starts
      });
      flooder.on('exit', (code) => reject(new Error(`flooder exited with ${code}`)));
    });
    const t0 = performance.now();
    await a.connect(b.localAddress(), b.publicKey(), b.nodeId(), { timeoutMs: 1000 });
    const elapsed = performance.now() - t0;
    assert.ok(elapsed < 1000, `connected after ${elapsed.toFixed(0)} ms`);
    assert.ok((await a.ping(b.nodeId(), { timeoutMs: 1000 })) < 1000);
    assert.equal(b.peerCount(), 1);
  } finally {
    flooder.kill('SIGKILL');
  }
  const m = b.metrics().sessions;
  const drops = Object.entries(m).filter(([k]) => k.startsWith('drop_')).reduce((s, [, v]) => s + v, 0);
  await Promise.all([a.shutdown(), b.shutdown()]);
  assert.equal(m.received, m.accepted! + drops, 'every datagram counted once');
  assert.ok(m.drop_handshake_rate_limited! > 1000, `the flood was rate-limited (${m.drop_handshake_rate_limited})`);
  assert.ok(m.drop_handshake_invalid! > 0, 'some flood packets were tried and failed the MAC');
  assert.ok(sent >= 2000, `flood sent ${sent}`);
});
