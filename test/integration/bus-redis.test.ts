// Redis Streams adapter against a real redis-server: conformance, password auth, a paused server and a silent
// listener (typed errors within the timeout, nothing acknowledged that was not stored).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdapterError, EventBus, RedisStreamsAdapter } from '../../src/bus/index.js';
import { conformance, groupConformance } from '../bus/conformance.js';
import { TestServer, silentListener } from '../support/servers.js';

const PASSWORD = 'correct horse battery staple';
let server: TestServer | undefined;
let n = 0;
async function shared(): Promise<TestServer> {
  server ??= await TestServer.redis({ password: PASSWORD });
  return server;
}
after(async () => {
  await server?.close();
});

conformance('redis', {
  async open() {
    const s = await shared();
    return RedisStreamsAdapter.open({ port: s.port, password: PASSWORD, prefix: `conf${n++}`, commandTimeoutMs: 2000 });
  },
});

groupConformance('redis', {
  async open() {
    const s = await shared();
    return RedisStreamsAdapter.open({ port: s.port, password: PASSWORD, prefix: `grp${n++}`, commandTimeoutMs: 2000, claimIdleMs: 200 });
  },
});

test('redis: password auth is required, a wrong password is a fatal error that does not print the password', async () => {
  const s = await shared();
  await assert.rejects(RedisStreamsAdapter.open({ port: s.port, password: 'wrong-secret', connectTimeoutMs: 2000 }), (e: unknown) => {
    assert.ok(e instanceof AdapterError);
    assert.equal(e.transient, false);
    assert.ok(!e.message.includes('wrong-secret'));
    return true;
  });
  const a = await RedisStreamsAdapter.open({ port: s.port, password: PASSWORD });
  assert.equal(a.durability.appendonly, 'yes');
  assert.equal(a.durability.appendfsync, 'always');
  assert.equal(await a.isHealthy(), true);
  await a.shutdown();
  await assert.rejects(RedisStreamsAdapter.open({ port: s.port, password: PASSWORD, requireAof: true, tls: undefined, foo: 1 } as never), /unknown redis options key "foo"/);
});

test('redis: a SIGSTOPped server times out within the configured bound and nothing is acknowledged', async () => {
  const s = await shared();
  const a = await RedisStreamsAdapter.open({ port: s.port, password: PASSWORD, prefix: 'paused', commandTimeoutMs: 300 });
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
    assert.match(st.lastAdapterError, /timed out|did not answer/);
  } finally {
    s.resume();
  }
  await bus.shutdown();
});

test('redis: a listener that never answers fails open within connectTimeoutMs', async () => {
  const l = await silentListener();
  try {
    const t0 = Date.now();
    await assert.rejects(RedisStreamsAdapter.open({ port: l.port, connectTimeoutMs: 300, commandTimeoutMs: 300 }), AdapterError);
    assert.ok(Date.now() - t0 < 1500);
  } finally {
    await l.close();
  }
});

test('redis: an entry without a payload is skipped by poll and acknowledged (not redelivered forever) by group reads', async () => {
  const s = await shared();
  const a = await RedisStreamsAdapter.open({ port: s.port, password: PASSWORD, prefix: 'junk', claimIdleMs: 0 });
  const { Redis } = await import('ioredis');
  const raw = new Redis({ port: s.port, password: PASSWORD });
  const never = new AbortController().signal;
  try {
    await raw.xadd('junk:0', '*', 'x', 'no payload field');
    await raw.xadd('junk:0', '*', 'd', 'p-1', 'p', 'ok');
    const page = await a.pollShard(0, undefined, 10, never);
    assert.equal(page.skipped, 1);
    assert.deepEqual(page.events.map((e) => e.dedupId), ['p-1']);
    const r1 = await a.groups.read(0, 'g', 'c1', 10, never);
    assert.deepEqual(r1.map((e) => e.dedupId), ['p-1']);
    assert.equal(a.groups.skipped, 1);
    // claimIdleMs 0: anything still pending would be claimed at once; only the unacked good entry comes back
    const r2 = await a.groups.read(0, 'g', 'c2', 10, never);
    assert.deepEqual(r2.map((e) => [e.dedupId, e.deliveries]), [['p-1', 2]]);
  } finally {
    raw.disconnect();
    await a.shutdown();
  }
});
