// MeshNode streams over real UDP on 127.0.0.1: reliable delivery in order, backpressure from a consumer that
// stops reading (no loss), fire-and-forget, raw datagrams beside streams, and resets when a session ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BackpressureError } from '../../src/core/index.js';
import { Identity } from '../../src/crypto/index.js';
import { MeshNode } from '../../src/node/index.js';

const fast = { heartbeatIntervalMs: 200, sessionTimeoutMs: 2000, handshakeTimeoutMs: 300, handshakeRetries: 1 };

async function pair(streams = {}): Promise<[MeshNode, MeshNode]> {
  const psk = randomBytes(32);
  const aId = Identity.generate();
  const b = await MeshNode.create({ psk, ...fast, streams, expectedPeers: [{ nodeId: aId.nodeId }] });
  const a = await MeshNode.create({ psk, identity: aId, ...fast, streams });
  const up = b.accept(aId.nodeId, { timeoutMs: 3000 });
  await a.connect(b.localAddress(), b.publicKey(), b.nodeId(), { timeoutMs: 3000 });
  await up;
  return [a, b];
}

const event = (i: number): Uint8Array => {
  const e = new Uint8Array(64);
  new DataView(e.buffer).setUint32(0, i, true);
  return e;
};
const idOf = (e: Uint8Array): number => new DataView(e.buffer, e.byteOffset, e.length).getUint32(0, true);

test('a reliable stream delivers 20,000 events in order, in batches; stats add up; raw datagrams still work', async () => {
  const [a, b] = await pair();
  try {
    const s = a.openStream(b.nodeId(), { streamId: 7n, reliability: 'reliable' });
    const inbox = b.receiveStream({ peerNodeId: a.nodeId(), streamId: 7n });
    const N = 20_000;
    const sending = (async () => {
      for (let i = 0; i < N; i += 100) {
        await a.sendBlocking(s, Array.from({ length: 100 }, (_, k) => event(i + k)), { timeoutMs: 10_000 });
      }
    })();
    let next = 0;
    let batches = 0;
    for await (const batch of inbox) {
      batches++;
      for (const e of batch) assert.equal(idOf(e), next++);
      if (next === N) break;
    }
    await sending;
    assert.ok(batches < N / 10, `events share packets (${batches} batches)`);
    const st = a.streamStats(b.nodeId(), 7n)!;
    assert.equal(st.txSeq > 0n, true);
    assert.equal(st.txWindow, 65_536);
    const raw = b.receive();
    a.send(b.nodeId(), new TextEncoder().encode('raw beside streams'));
    for await (const m of raw) {
      assert.equal(new TextDecoder().decode(m.payload), 'raw beside streams');
      break;
    }
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});

test('a consumer that stops reading pauses the stream: the sender gets BackpressureError, nothing is lost', async () => {
  const [a, b] = await pair({ windowBytes: 16_384, inboxBatches: 4 });
  try {
    const s = a.openStream(b.nodeId(), { streamId: 1n, windowBytes: 16_384 });
    const inbox = b.receiveStream({ peerNodeId: a.nodeId(), streamId: 1n });
    let sent = 0;
    let refused = false;
    // Nobody reads: send until the window (plus what the paused receiver holds) is full.
    for (let round = 0; round < 400 && !refused; round++) {
      try {
        await a.sendOnStream(s, Array.from({ length: 16 }, (_, k) => event(sent + k)));
        sent += 16;
      } catch (e) {
        assert.ok(e instanceof BackpressureError);
        refused = true;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.ok(refused, 'the sender was refused');
    assert.ok(sent < 16_384, `bounded: ${sent} events admitted before backpressure`);
    let next = 0;
    for await (const batch of inbox) {
      for (const e of batch) assert.equal(idOf(e), next++);
      if (next === sent) break;
    }
    await a.sendWithRetry(s, [event(sent)]);
    for await (const batch of inbox) {
      assert.equal(idOf(batch[0]!), sent);
      break;
    }
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});

test('fire-and-forget never delivers a duplicate or an older event; a session loss resets the streams', async () => {
  const [a, b] = await pair();
  try {
    const s = a.openStream(b.nodeId(), { streamId: 3n, reliability: 'fire_and_forget' });
    const inbox = b.receiveStream({ peerNodeId: a.nodeId(), streamId: 3n });
    for (let i = 0; i < 1000; i += 50) await a.sendWithRetry(s, Array.from({ length: 50 }, (_, k) => event(i + k)));
    let last = -1;
    let got = 0;
    for await (const batch of inbox) {
      for (const e of batch) {
        assert.ok(idOf(e) > last);
        last = idOf(e);
        got++;
      }
      if (last === 999) break;
    }
    assert.ok(got > 0);
    const r = a.openStream(b.nodeId(), { streamId: 4n });
    const ended = (async () => {
      for await (const batch of a.receiveStream(r)) void batch;
    })();
    await b.shutdown(); // a's session times out: its streams are reset and their inboxes end
    await ended;
    await assert.rejects(a.sendOnStream(r, [event(1)]), { code: 'ERR_NOT_CONNECTED' });
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});

test('stream calls naming a peer without a session create no state: stats are null, send is NotConnected', async () => {
  const [a, b] = await pair();
  try {
    assert.equal(a.streamStats(12345n, 1n), null);
    a.closeStream(12345n, 1n);
    await assert.rejects(a.sendOnStream({ peerNodeId: 12345n, streamId: 1n }, [event(0)]), { code: 'ERR_NOT_CONNECTED' });
    assert.throws(() => a.openStream(12345n, { streamId: 1n }), { code: 'ERR_NOT_CONNECTED' });
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});

test('closeStreamGraceful: queued events arrive, then the FIN; the peer\'s inbox ends cleanly after the last event', async () => {
  const [a, b] = await pair();
  try {
    const s = a.openStream(b.nodeId(), { streamId: 9n });
    const inbox = b.receiveStream({ peerNodeId: a.nodeId(), streamId: 9n });
    const N = 5000;
    for (let i = 0; i < N; i += 250) await a.sendBlocking(s, Array.from({ length: 250 }, (_, k) => event(i + k)), { timeoutMs: 10_000 });
    const closing = a.closeStreamGraceful(b.nodeId(), 9n, { timeoutMs: 10_000 });
    await assert.rejects(a.sendOnStream(s, [event(N)]), { code: 'ERR_NOT_CONNECTED' }, 'no sends while closing');
    let next = 0;
    for await (const batch of inbox) for (const e of batch) assert.equal(idOf(e), next++);
    assert.equal(next, N, 'the iteration ended by itself after the last event');
    await closing;
    assert.equal(a.streamStats(b.nodeId(), 9n), null, 'closed and forgotten by the sender');
    await assert.rejects(a.closeStreamGraceful(b.nodeId(), 9n), { code: 'ERR_NOT_CONNECTED' });
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});

test('closeStreamGraceful to a peer that stopped answering: TimeoutError, and the stream is closed at once', async () => {
  const [a, b] = await pair();
  try {
    const s = a.openStream(b.nodeId(), { streamId: 4n });
    await b.shutdown();
    await a.sendOnStream(s, [event(0)]);
    await assert.rejects(a.closeStreamGraceful(b.nodeId(), 4n, { timeoutMs: 100 }), { code: 'ERR_TIMEOUT' });
    assert.equal(a.streamStats(b.nodeId(), 4n), null);
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
});
