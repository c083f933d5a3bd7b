// Garbage at full rate over real UDP from 49 loopback sources in another process (random bytes, truncated and
// bit-flipped handshakes, forged data packets) while two nodes keep a session: nothing throws, pings that get
// through are answered, the session stays up and carries everything afterwards, and every datagram B's session
// layer saw lands in exactly one counter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Identity } from '../../src/crypto/index.js';
import { MeshNode } from '../../src/node/index.js';

const TSX = import.meta.resolve('tsx');
const PEER = new URL('./flood-peer.ts', import.meta.url).pathname;

test('a live session survives a full-rate garbage flood; every datagram is counted once', { timeout: 30_000 }, async () => {
  const psk = randomBytes(32);
  const aId = Identity.generate();
  const b = await MeshNode.create({ psk, expectedPeers: [{ nodeId: aId.nodeId }] });
  const a = await MeshNode.create({ psk, identity: aId });
  const up = b.accept(aId.nodeId, { timeoutMs: 3000 });
  await a.connect(b.localAddress(), b.publicKey(), b.nodeId(), { timeoutMs: 3000 });
  await up;
  const flooder = spawn(process.execPath, ['--import', TSX, PEER, b.localAddress().split(':')[1]!, String(aId.routingId),
    String(Number(b.nodeId() & 0xffffffffn)), b.publicKey(), 'garbage'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let sent = 0;
  const inbox = b.receive();
  try {
    await new Promise<void>((resolve, reject) => {
      flooder.stdout.on('data', (d: Buffer) => {
        sent = Number(d.toString().trim().split('\n').pop());
        if (sent >= 20_000) resolve();
      });
      flooder.on('exit', (code) => reject(new Error(`flooder exited with ${code}`)));
    });
    // Under the flood the kernel drops most datagrams to B (overload is answered by dropping), pings included:
    // some get through and are answered.
    let answered = 0;
    for (let i = 0; i < 30 && answered < 3; i++) {
      try {
        await a.ping(b.nodeId(), { timeoutMs: 200 });
        answered++;
      } catch (e) {
        assert.equal((e as { code?: string }).code, 'ERR_TIMEOUT');
      }
    }
    assert.ok(answered > 0, 'some pings were answered during the flood');
  } finally {
    flooder.kill('SIGKILL');
    await new Promise((r) => flooder.on('exit', r));
  }
  // After the flood the same session carries everything, in order.
  assert.ok((await a.ping(b.nodeId(), { timeoutMs: 2000 })) < 2000);
  for (let i = 0; i < 100; i++) a.send(b.nodeId(), Uint8Array.of(i));
  const got: number[] = [];
  for await (const msg of inbox) {
    got.push(msg.payload[0]!);
    if (got.length === 100) break;
  }
  const m = b.metrics();
  const drops = Object.entries(m.sessions).filter(([k]) => k.startsWith('drop_')).reduce((s, [, v]) => s + v, 0);
  await Promise.all([a.shutdown(), b.shutdown()]);
  assert.equal(m.sessions.received, m.sessions.accepted! + drops, 'every datagram counted once');
  assert.ok(m.sessions.received! > 10_000, `B's session layer saw ${m.sessions.received} datagrams`);
  assert.equal(m.port.recv_handler_error, 0, 'nothing threw on the receive path');
  assert.ok(m.sessions.drop_short! + m.sessions.drop_bad_header! + m.sessions.drop_unknown_session! > 0);
  assert.equal(m.sessions.sessions_down ?? 0, 0, 'the session stayed up');
  assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i), 'delivered whole and in order');
});
