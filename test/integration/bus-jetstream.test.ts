// JetStream adapter against a real nats-server -js (Debian 2.9.10 here: no batch direct get, so the pipelined
// fallback is what runs): conformance, user/password auth, a SIGSTOPped server, a silent listener, payloads over
// the server's max_payload, server-side dedup of a retried batch, and durable consumer groups.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdapterError, EventBatch, EventBus, JetStreamAdapter, versionAtLeast } from '../../src/bus/index.js';
import { conformance, groupConformance } from '../bus/conformance.js';
import { TestServer, silentListener } from '../support/servers.js';

const USER = 'bus';
const PASSWORD = 'nats correct horse';
let server: TestServer | undefined;
let n = 0;
async function shared(): Promise<TestServer> {
  server ??= await TestServer.nats({ user: USER, password: PASSWORD });
  return server;
}
after(async () => {
  await server?.close();
});
const open = async (extra: Record<string, unknown> = {}): Promise<JetStreamAdapter> => {
  const s = await shared();
  return JetStreamAdapter.open({ servers: `127.0.0.1:${s.port}`, user: USER, password: PASSWORD, prefix: `conf${n++}`, requestTimeoutMs: 2000, ...extra });
};
const never = new AbortController().signal;

conformance('jetstream', { open: () => open() });
groupConformance('jetstream', { open: () => open({ groupAckWaitMs: 300 }) });

function batchOf(shardId: number, firstSeq: number, payloads: Uint8Array[]): EventBatch {
  const b = new EventBatch(1 << 21, 'abcdef0123456789');
  b.shardId = shardId;
  b.firstSeq = firstSeq;
  let pos = 0;
  for (const p of payloads) {
    b.words[pos >>> 2] = p.length;
    b.bytes.set(p, pos + 4);
    pos += 4 + ((p.length + 3) & ~3);
  }
  b.count = payloads.length;
  b.byteLength = pos;
  return b;
}

test('jetstream: detects the server version and picks the read path', async () => {
  const a = await open();
  try {
    assert.match(a.serverVersion, /^\d+\.\d+\.\d+/);
    assert.equal(a.batchDirectGet, versionAtLeast(a.serverVersion, '2.11.0'));
    assert.equal(versionAtLeast('2.9.10', '2.11.0'), false);
    assert.equal(versionAtLeast('2.11.0', '2.11.0'), true);
    assert.equal(versionAtLeast('2.12.1', '2.11.0'), true);
    assert.equal(await a.isHealthy(), true);
  } finally {
    await a.shutdown();
  }
});

test('jetstream: a retried batch is stored once (Nats-Msg-Id within the duplicate window)', async () => {
  const a = await open();
  try {
    const b = batchOf(0, 500, [1, 2, 3].map((i) => new Uint8Array([i])));
    await a.onBatch(b, never);
    await a.onBatch(b, never);
    assert.equal(a.serverDuplicates, 3);
    const page = await a.pollShard(0, undefined, 100, never);
    assert.deepEqual(page.events.map((e) => e.dedupId), ['abcdef0123456789-500', 'abcdef0123456789-501', 'abcdef0123456789-502']);
  } finally {
    await a.shutdown();
  }
});

test('jetstream: user/password auth; a wrong password is fatal and not printed; unknown options refused', async () => {
  const s = await shared();
  await assert.rejects(JetStreamAdapter.open({ servers: `nats://${USER}:leaked-secret@127.0.0.1:${s.port}`, connectTimeoutMs: 2000 }), (e: unknown) => {
    assert.ok(e instanceof AdapterError, String(e));
    assert.equal(e.transient, false, e.message);
    assert.ok(!e.message.includes('leaked-secret'), e.message);
    return true;
  });
  await assert.rejects(JetStreamAdapter.open({ servers: `127.0.0.1:${s.port}`, user: USER, password: 'wrong-secret', connectTimeoutMs: 2000 }), (e: unknown) => {
    assert.ok(e instanceof AdapterError && !e.transient && !e.message.includes('wrong-secret'), String(e));
    return true;
  });
  await assert.rejects(JetStreamAdapter.open({ servers: `127.0.0.1:${s.port}`, connectTimeoutMs: 2000 }), (e: unknown) => e instanceof AdapterError && !e.transient);
  await assert.rejects(JetStreamAdapter.open({ foo: 1 } as never), /unknown jetstream options key "foo"/);
  await assert.rejects(JetStreamAdapter.open({ prefix: 'a.b' }), /prefix must match/);
  await assert.rejects(JetStreamAdapter.open({ directBatch: 'on' as never }), /directBatch/);
});

test('jetstream: an event over the server max_payload fails its batch fatally before anything is sent', async () => {
  const a = await open();
  try {
    const big = new Uint8Array(a.maxPayload);
    await assert.rejects(a.onBatch(batchOf(1, 0, [new Uint8Array(3), big]), never), (e: unknown) => e instanceof AdapterError && !e.transient && /max_payload/.test(e.message));
    const page = await a.pollShard(1, undefined, 10, never);
    assert.equal(page.events.length, 0, 'the small event of the refused batch was not sent either');
  } finally {
    await a.shutdown();
  }
});

test('jetstream: a SIGSTOPped server times out within the configured bound and nothing is acknowledged', async () => {
  const s = await shared();
  const a = await open({ requestTimeoutMs: 300 });
  await a.onBatch(batchOf(0, 0, [new Uint8Array(1)]), never); // stream exists before the pause
  const bus = new EventBus({ adapter: a }, { shards: 1, adapterTimeoutMs: 400, maxDispatchAttempts: 2, retryBackoffMs: 10 });
  s.pause();
  try {
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) bus.emitBuffer(new Uint8Array([i]));
    await bus.flush();
    const took = Date.now() - t0;
    assert.ok(took < 2000, `flush took ${took} ms`);
    const st = bus.stats();
    assert.equal(st.eventsDispatched, 0, 'nothing acknowledged while the server was stopped');
    assert.equal(st.droppedByReason.adapter, 10);
    assert.match(st.lastAdapterError, /timed_out|did not answer|broken_pipe/);
  } finally {
    s.resume();
  }
  await bus.shutdown();
});

test('jetstream: a listener that never answers fails open within connectTimeoutMs', async () => {
  const l = await silentListener();
  try {
    const t0 = Date.now();
    await assert.rejects(JetStreamAdapter.open({ servers: `127.0.0.1:${l.port}`, connectTimeoutMs: 300 }), (e: unknown) => e instanceof AdapterError && e.transient);
    assert.ok(Date.now() - t0 < 1500);
  } finally {
    await l.close();
  }
});
