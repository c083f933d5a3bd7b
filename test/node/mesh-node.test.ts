// MeshNode over real UDP on 127.0.0.1: two nodes in this process, real timers and sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { NetError, NotConnectedError } from '../../src/core/index.js';
import { Identity } from '../../src/crypto/index.js';
import { MeshNode } from '../../src/node/index.js';

const fast = { heartbeatIntervalMs: 200, sessionTimeoutMs: 2000, handshakeTimeoutMs: 300, handshakeRetries: 1 };

async function pair(psk = randomBytes(32)): Promise<[MeshNode, MeshNode]> {
  const aId = Identity.generate();
  const b = await MeshNode.create({ psk, ...fast, expectedPeers: [{ nodeId: aId.nodeId }] });
  const a = await MeshNode.create({ psk, identity: aId, ...fast });
  return [a, b];
}

test('connect, accept, send and receive, ping, metrics add up, clean shutdown', async () => {
  const [a, b] = await pair();
  try {
    const accepted = b.accept(a.nodeId(), { timeoutMs: 3000 });
    await a.connect(b.localAddress(), b.publicKey(), b.nodeId(), { timeoutMs: 3000 });
    assert.equal(await accepted, a.localAddress());
    assert.equal(a.peerCount(), 1);
    assert.equal(b.peerCount(), 1);

    const inbox = b.receive();
    for (let i = 0; i < 50; i++) a.send(b.nodeId(), new TextEncoder().encode(`message ${i}`));
    const got: string[] = [];
    for await (const m of inbox) {
      assert.equal(m.from, a.nodeId());
      got.push(new TextDecoder().decode(m.payload));
      if (got.length === 50) break;
    }
    assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => `message ${i}`));

    const rtt = await a.ping(b.nodeId(), { timeoutMs: 1000 });
    assert.ok(rtt > 0 && rtt < 1000, `rtt ${rtt}`);

    const m = b.metrics();
    const drops = Object.entries(m.sessions).filter(([k]) => k.startsWith('drop_')).reduce((s, [, v]) => s + v, 0);
    assert.equal(m.sessions.received, m.sessions.accepted! + drops);
    assert.equal(m.node.messages_received, 50);
    assert.equal(m.node.pings_answered, 1);
    assert.equal(a.metrics().node.pongs_received, 1);
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
  assert.throws(() => a.send(b.nodeId(), new Uint8Array(1)), { code: 'ERR_CLOSED' });
  await a.shutdown(); // idempotent
});

test('a wrong PSK ends in NotConnectedError, not a hang', async () => {
  const aId = Identity.generate();
  const b = await MeshNode.create({ psk: randomBytes(32), ...fast, expectedPeers: [{ nodeId: aId.nodeId }] });
  const a = await MeshNode.create({ psk: randomBytes(32), identity: aId, ...fast });
  try {
    await assert.rejects(a.connect(b.localAddress(), b.publicKey(), b.nodeId()),
      (e: NotConnectedError) => e.code === 'ERR_NOT_CONNECTED' && e.reason === 'no-answer' && /wrong PSK/.test(e.message));
    assert.equal(b.peerCount(), 0);
    assert.ok(b.metrics().sessions.drop_handshake_invalid! > 0);
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});

test('an unexpected peer is refused; timeouts and aborts are typed; shutdown rejects pending calls', async () => {
  const psk = randomBytes(32);
  const b = await MeshNode.create({ psk, ...fast });
  const a = await MeshNode.create({ psk, ...fast });
  try {
    await assert.rejects(a.connect(b.localAddress(), b.publicKey(), b.nodeId()), { code: 'ERR_NOT_CONNECTED' });
    assert.ok(b.metrics().sessions.drop_unexpected_peer! > 0);
    await assert.rejects(b.accept(123n, { timeoutMs: 50 }), { code: 'ERR_TIMEOUT' });
    const ac = new AbortController();
    const p = b.accept(456n, { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, { code: 'ERR_ABORTED' });
    const pending = assert.rejects(b.accept(789n), { code: 'ERR_CLOSED' });
    await b.shutdown();
    await pending;
    assert.throws(() => a.send(999n, new Uint8Array(1)), { code: 'ERR_NOT_CONNECTED' });
    await assert.rejects(MeshNode.create({ psk: 'nothex' }), { code: 'ERR_INVALID_ARGUMENT' });
    await assert.rejects(MeshNode.create({ psk, bindAddr: 'localhost:1' }), { code: 'ERR_INVALID_ARGUMENT' });
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});

test('seed peers connect on start(); a slow consumer loses messages, counted, never blocks', async () => {
  const psk = randomBytes(32);
  const aId = Identity.generate();
  const b = await MeshNode.create({ psk, ...fast, expectedPeers: [{ nodeId: aId.nodeId }], receiveQueueCapacity: 4 });
  const a = await MeshNode.create({
    psk, identity: aId, ...fast, seedPeers: [{ address: b.localAddress(), publicKey: b.publicKey(), nodeId: b.nodeId() }],
  });
  try {
    const up = b.accept(a.nodeId(), { timeoutMs: 3000 });
    await a.start();
    await up;
    const inbox = b.receive();
    for (let i = 0; i < 20; i++) a.send(b.nodeId(), Uint8Array.of(i));
    await a.ping(b.nodeId(), { timeoutMs: 1000 }); // the pong arrives after all 20 messages were handled
    assert.equal(b.metrics().node.drop_receive_queue_full, 16);
    const first: number[] = [];
    for await (const m of inbox) {
      first.push(m.payload[0]!);
      if (first.length === 4) break;
    }
    assert.deepEqual(first, [0, 1, 2, 3]);
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
  assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length, 0);
});

test('a started node answers a routed-framed handshake from a PSK holder it was not told about', async () => {
  const psk = randomBytes(32);
  const b = await MeshNode.create({ psk, ...fast });
  const a = await MeshNode.create({ psk, ...fast });
  try {
    // Before start(): b answers only expected peers.
    await assert.rejects(a.connect(b.localAddress(), b.publicKey(), b.nodeId(), { routed: true }), (e: NetError) => e.code === 'ERR_NOT_CONNECTED');
    assert.ok(b.metrics().sessions.drop_unexpected_peer! > 0);
    await b.start();
    await a.connect(b.localAddress(), b.publicKey(), b.nodeId(), { routed: true, timeoutMs: 3000 });
    // b's side comes up on a's first authenticated packet (key confirmation), a moment after a's.
    assert.equal(await b.accept(a.nodeId(), { timeoutMs: 3000 }), a.localAddress());
    const rtt = await a.ping(b.nodeId(), { timeoutMs: 1000 });
    assert.ok(rtt > 0);
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});

test('nothing listening at the address: NotConnectedError with reason unreachable, told apart by an ICMP probe', async () => {
  const psk = randomBytes(32);
  const gone = await MeshNode.create({ psk, ...fast });
  const where = gone.localAddress();
  const key = gone.publicKey();
  const id = gone.nodeId();
  await gone.shutdown(); // its port is closed now: the kernel answers ICMP port unreachable
  const a = await MeshNode.create({ psk, ...fast });
  try {
    await assert.rejects(a.connect(where, key, id),
      (e: NotConnectedError) => e.reason === 'unreachable' && e.message.includes(`nothing listens at ${where}`));
  } finally {
    await a.shutdown();
  }
});
