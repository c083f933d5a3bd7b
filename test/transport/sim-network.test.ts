import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetError, writeU32LE, readU32LE } from '../../src/core/index.js';
import { Fnv1a64, SIM_DROP_COUNTERS, SimNetwork, addressKey, type PeerAddress } from '../../src/transport/index.js';

/** Sends `n` numbered datagrams a -> b, one every `gapMs`, and returns the received sequence numbers in order. */
function stream(net: SimNetwork, n: number, gapMs: number, size = 16): { got: number[]; times: number[] } {
  const a = net.port('a');
  const b = net.port('b');
  const got: number[] = [];
  const times: number[] = [];
  b.onDatagram((bytes) => {
    got.push(readU32LE(bytes, 0));
    times.push(net.scheduler.nowMs());
  });
  const buf = new Uint8Array(size);
  for (let i = 0; i < n; i++) {
    net.scheduler.scheduleAt(i * gapMs, () => {
      writeU32LE(buf, 0, i); // one buffer reused for every send: the network must copy
      a.send(buf, b.local);
    });
  }
  net.scheduler.runUntilIdle();
  return { got, times };
}

function assertBalanced(net: SimNetwork): void {
  const c = net.counters;
  assert.equal(net.inFlight, 0);
  assert.equal(c.get('sent') + c.get('duplicated'), c.get('delivered') + c.sum(SIM_DROP_COUNTERS), JSON.stringify(c.snapshot()));
}

function chaoticRun(seed: number): SimNetwork {
  const net = new SimNetwork({
    seed, trace: true,
    defaults: { latencyMs: 5, jitterMs: 3, loss: 0.1, duplicate: 0.05, reorder: 0.1, reorderDelayMs: 20, corrupt: 0.02 },
  });
  stream(net, 2000, 0.5);
  return net;
}

test('same seed gives the same trace hash; another seed a different one', () => {
  const h1 = chaoticRun(7).traceHash();
  const h2 = chaoticRun(7).traceHash();
  const h3 = chaoticRun(8).traceHash();
  assert.equal(h1, h2);
  assert.notEqual(h1, h3);
  const net = chaoticRun(7);
  assert.ok(net.traceRecords.length > 4000);
  assert.deepEqual(chaoticRun(7).traceRecords, net.traceRecords);
  assertBalanced(net);
});

test('FNV-1a 64 matches the published values', () => {
  const h = new Fnv1a64();
  assert.equal(h.value, 0xcbf29ce484222325n);
  h.bytes(new TextEncoder().encode('a'));
  assert.equal(h.value, 0xaf63dc4c8601ec8cn);
  const g = new Fnv1a64();
  g.bytes(new TextEncoder().encode('foobar'));
  assert.equal(g.value, 0x85944171f73967e8n);
});

test('latency delivers at send time + latency, from the sender address, a copy', () => {
  const net = new SimNetwork({ defaults: { latencyMs: 7 } });
  const a = net.port('a');
  const b = net.port('b');
  let from: PeerAddress | undefined;
  let at = -1;
  let data: Uint8Array | undefined;
  b.onDatagram((bytes, f) => {
    from = f;
    at = net.scheduler.nowMs();
    data = bytes;
  });
  const buf = Uint8Array.of(1, 2, 3);
  net.scheduler.runFor(3);
  assert.ok(a.send(buf, b.local));
  buf.fill(9); // the sender reuses its buffer at once
  net.scheduler.runUntilIdle();
  assert.equal(at, 10);
  assert.deepEqual(data, Uint8Array.of(1, 2, 3));
  assert.equal(addressKey(from!), addressKey(a.local));
  assert.equal(a.counters.get('sent'), 1);
  assert.equal(b.counters.get('received'), 1);
});

test('measured loss is within tolerance of the configured rate over 10,000 datagrams', () => {
  const net = new SimNetwork({ seed: 11, defaults: { loss: 0.2 } });
  const { got } = stream(net, 10_000, 0.1);
  const lost = 1 - got.length / 10_000;
  assert.ok(Math.abs(lost - 0.2) < 0.02, `loss ${lost}`);
  assert.equal(net.counters.get('drop_loss'), 10_000 - got.length);
  assertBalanced(net);
});

test('duplication and reordering happen at the configured rates', () => {
  const net = new SimNetwork({ seed: 12, defaults: { latencyMs: 1, duplicate: 0.1, reorder: 0.15, reorderDelayMs: 50 } });
  const { got } = stream(net, 10_000, 1);
  const dups = got.length - new Set(got).size;
  assert.ok(Math.abs(dups / 10_000 - 0.1) < 0.015, `dups ${dups}`);
  assert.equal(net.counters.get('duplicated'), dups);
  // A held-back datagram arrives after a later one: count arrivals below the highest number seen so far.
  let max = -1;
  let late = 0;
  for (const s of got) {
    if (s < max) late++;
    else max = s;
  }
  const rate = late / got.length;
  // Held back by uniform[0, 50) ms with 1 ms spacing: all but the ~2% held < 1 ms arrive late.
  assert.ok(rate > 0.12 && rate < 0.17, `reordered ${rate}`);
  assertBalanced(net);
});

test('jitter spreads delivery over [latency, latency + jitter)', () => {
  const net = new SimNetwork({ seed: 13, defaults: { latencyMs: 10, jitterMs: 4 } });
  const delays: number[] = [];
  const a = net.port('a');
  const b = net.port('b');
  let sentAt = 0;
  b.onDatagram(() => delays.push(net.scheduler.nowMs() - sentAt));
  for (let i = 0; i < 500; i++) {
    sentAt = net.scheduler.nowMs();
    a.send(new Uint8Array(1), b.local);
    net.scheduler.runFor(20);
  }
  assert.equal(delays.length, 500);
  assert.ok(delays.every((d) => d >= 10 && d < 14));
  assert.ok(Math.max(...delays) - Math.min(...delays) > 3.5);
});

test('corruption flips exactly one byte of the delivered copy and never the sender buffer', () => {
  const net = new SimNetwork({ seed: 14, defaults: { corrupt: 1 } });
  const a = net.port('a');
  const b = net.port('b');
  const original = Uint8Array.from({ length: 64 }, (_, i) => i);
  const sent = original.slice();
  let diffs = 0;
  let n = 0;
  b.onDatagram((bytes) => {
    n++;
    let d = 0;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== original[i]) d++;
    assert.equal(d, 1);
    diffs += d;
  });
  for (let i = 0; i < 200; i++) a.send(sent, b.local);
  net.scheduler.runUntilIdle();
  assert.equal(n, 200);
  assert.equal(diffs, 200);
  assert.deepEqual(sent, original);
  assert.equal(net.counters.get('corrupted'), 200);
});

test('bandwidth: delivery follows size / bandwidth and a full queue drops', () => {
  // 1000 B/s: a 100-byte datagram takes 100 ms on the wire; the queue holds 3.
  const net = new SimNetwork({ defaults: { latencyMs: 5, bandwidthBytesPerSec: 1000, queuePackets: 3 } });
  const a = net.port('a');
  const b = net.port('b');
  const times: number[] = [];
  b.onDatagram(() => times.push(net.scheduler.nowMs()));
  for (let i = 0; i < 5; i++) a.send(new Uint8Array(100), b.local);
  assert.equal(net.counters.get('drop_queue_full'), 2);
  net.scheduler.runUntilIdle();
  assert.deepEqual(times, [105, 205, 305]);
  // Once the queue drained, the link is idle again: a 50-byte datagram takes 50 ms.
  a.send(new Uint8Array(50), b.local);
  net.scheduler.runUntilIdle();
  assert.equal(times.at(-1), 305 + 50 + 5);
  assertBalanced(net);
});

test('two-way partition, one-way block and heal', () => {
  const net = new SimNetwork();
  const ports = ['a', 'b', 'c'].map((n) => net.port(n));
  const got = new Map<string, string[]>();
  for (const p of ports) {
    got.set(p.name, []);
    p.onDatagram((_bytes, from) => got.get(p.name)!.push(from.host));
  }
  const [a, b, c] = ports as [typeof ports[0], typeof ports[0], typeof ports[0]];
  const all = (): void => {
    for (const x of ports) for (const y of ports) if (x !== y) x.send(new Uint8Array(1), y.local);
    net.scheduler.runUntilIdle();
  };
  const reset = (): void => got.forEach((v) => (v.length = 0));

  net.partition(['a'], ['b', 'c']);
  all();
  assert.deepEqual(got.get('a'), []);
  assert.deepEqual(got.get('b'), ['c']);
  assert.deepEqual(got.get('c'), ['b']);
  assert.equal(net.counters.get('drop_partition'), 4);

  net.heal();
  reset();
  net.block('a', 'b'); // a cannot reach b, b still reaches a
  all();
  assert.deepEqual(got.get('a')!.sort(), ['b', 'c']);
  assert.deepEqual(got.get('b'), ['c']);
  assert.deepEqual(got.get('c')!.sort(), ['a', 'b']);
  assert.ok(net.isBlocked('a', 'b') && !net.isBlocked('b', 'a'));

  net.heal();
  reset();
  all();
  for (const v of got.values()) assert.equal(v.length, 2);
  assert.ok(a && b && c);
  assertBalanced(net);
});

test('per-link overrides apply to one direction only', () => {
  const net = new SimNetwork({ defaults: { latencyMs: 1 } });
  const a = net.port('a');
  const b = net.port('b');
  net.setLink('a', 'b', { latencyMs: 40 });
  const at: Record<string, number> = {};
  a.onDatagram(() => (at.a = net.scheduler.nowMs()));
  b.onDatagram(() => (at.b = net.scheduler.nowMs()));
  a.send(new Uint8Array(1), b.local);
  b.send(new Uint8Array(1), a.local);
  net.scheduler.runUntilIdle();
  assert.deepEqual(at, { a: 1, b: 40 });
  assert.equal(net.conditions('a', 'b').latencyMs, 40);
  net.setDefaults({ latencyMs: 3 });
  assert.equal(net.conditions('a', 'b').latencyMs, 40);
  assert.equal(net.conditions('b', 'a').latencyMs, 3);
  assert.throws(() => net.setLink('a', 'b', { loss: 2 }), NetError);
});

test('every drop is counted: unknown destination, closed port, oversize, no handler, closed sender', async () => {
  const net = new SimNetwork({ maxDatagramSize: 100, defaults: { latencyMs: 5 } });
  const a = net.port('a');
  const b = net.port('b', { maxDatagramSize: 10 });
  const c = net.port('c');
  b.onDatagram(() => {});
  assert.ok(a.send(new Uint8Array(1), { family: 'sim', host: 'nobody', port: 1 }));
  assert.equal(a.send(new Uint8Array(101), b.local), false);
  assert.equal(a.send(new Uint8Array(1), { family: 'ipv4', host: '127.0.0.1', port: 1 }), false);
  assert.ok(a.send(new Uint8Array(50), b.local)); // b's own limit is 10
  assert.ok(a.send(new Uint8Array(1), c.local)); // c has no handler
  assert.ok(a.send(new Uint8Array(1), b.local));
  await b.close();
  await b.close();
  net.scheduler.runUntilIdle();
  assert.equal(a.counters.get('drop_send_oversize'), 1);
  assert.equal(a.counters.get('drop_send_address'), 1);
  assert.equal(net.counters.get('drop_no_destination'), 1);
  assert.equal(net.counters.get('drop_port_closed'), 2);
  assert.equal(c.counters.get('drop_recv_no_handler'), 1);
  assert.equal(a.counters.get('sent'), 4);
  assertBalanced(net);
  // The name can be reused; datagrams to the old address do not reach the new port.
  const b2 = net.port('b');
  let n = 0;
  b2.onDatagram(() => n++);
  a.send(new Uint8Array(1), b.local);
  a.send(new Uint8Array(1), b2.local);
  net.scheduler.runUntilIdle();
  assert.equal(n, 1);
  assert.throws(() => net.port('b'), NetError);
  const small = net.port('small', { maxDatagramSize: 10 });
  small.onDatagram(() => assert.fail('oversize delivered'));
  a.send(new Uint8Array(11), small.local);
  net.scheduler.runUntilIdle();
  assert.equal(small.counters.get('drop_recv_oversize'), 1);
  await a.close();
  assert.equal(a.send(new Uint8Array(1), b2.local), false);
  assert.equal(a.counters.get('drop_send_closed'), 1);
  assertBalanced(net);
});

test('accounting holds under every condition at once across many links', () => {
  const net = new SimNetwork({
    seed: 21,
    defaults: { latencyMs: 2, jitterMs: 2, loss: 0.15, duplicate: 0.1, reorder: 0.1, reorderDelayMs: 10, corrupt: 0.05,
      bandwidthBytesPerSec: 200_000, queuePackets: 8 },
  });
  const names = ['n0', 'n1', 'n2', 'n3', 'n4'];
  const ports = names.map((n) => net.port(n));
  let received = 0;
  for (const p of ports) p.onDatagram(() => received++);
  net.partition(['n0'], ['n1']);
  net.block('n2', 'n3');
  for (let i = 0; i < 4000; i++) {
    const from = ports[i % 5]!;
    const to = ports[(i * 7 + 1) % 5]!;
    net.scheduler.scheduleAt(i * 0.05, () => from.send(new Uint8Array(100 + (i % 200)), to.local));
  }
  net.scheduler.runUntilIdle();
  assertBalanced(net);
  const portsReceived = ports.reduce((s, p) => s + p.counters.get('received'), 0);
  assert.equal(portsReceived, received);
  assert.equal(net.counters.get('delivered'), received);
  for (const r of SIM_DROP_COUNTERS.filter((d) => d !== 'drop_no_destination' && d !== 'drop_port_closed')) {
    assert.ok(net.counters.get(r) > 0, `${r} never happened`);
  }
});
