// What a hostile neighbour or peer can do to the mesh plane, and what must still hold: forged withdrawals,
// pingwaves from a peer that is not a neighbour, spoofed fresher records, a route-poisoning flood, oversized
// batches. Honest routes survive, tables stay at their caps, and every record lands in exactly one counter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/index.js';
import {
  PINGWAVE_BYTES, Pingwave, RouteWithdrawal, SUBPROTOCOL_PINGWAVE, SUBPROTOCOL_ROUTE_WITHDRAW, encodePingwaveInto,
  encodeRouteWithdrawal,
} from '../../src/wire/index.js';
import type { MeshRouterOptions } from '../../src/mesh/index.js';
import { assertBalanced, join, meshNode, newNet } from './harness.js';

const MESH = { pingwaveIntervalMs: 1000 };
const SESSION = { heartbeatMs: 1000 };

/** a – r – b, and m (the hostile one) a neighbour of a. */
function setup(seed: number, mesh: MeshRouterOptions = MESH) {
  const net = newNet(seed);
  const a = meshNode(net, 'a', 1, { mesh, session: SESSION });
  const r = meshNode(net, 'r', 2, { mesh: MESH, session: SESSION });
  const b = meshNode(net, 'b', 3, { mesh: MESH, session: SESSION });
  const m = meshNode(net, 'm', 4, { mesh: MESH, session: SESSION });
  for (const [x, y] of [['a', 'b'], ['m', 'b'], ['m', 'r']] as const) {
    net.block(x, y);
    net.block(y, x);
  }
  join(a, r);
  join(b, r);
  join(m, a);
  net.scheduler.runFor(3000);
  return { net, a, r, b, m };
}

function batch(records: { origin: bigint; seq: bigint; hops: number; ttl?: number }[]): Uint8Array {
  const out = new Uint8Array(records.length * PINGWAVE_BYTES);
  records.forEach((x, i) => encodePingwaveInto(Pingwave.from({ origin: x.origin, seq: x.seq, ttl: x.ttl ?? 8, hopCount: x.hops }), out, i * PINGWAVE_BYTES));
  return out;
}

test('a forged withdrawal from a neighbour that is not the next hop changes nothing', () => {
  const { net, a, r, b, m } = setup(31);
  assert.equal(a.router.nextHop(b.id.nodeId)?.nodeId, r.id.nodeId);
  assert.equal(m.mgr.send(a.id.nodeId, SUBPROTOCOL_ROUTE_WITHDRAW, encodeRouteWithdrawal(RouteWithdrawal.from(b.id.nodeId, 1n))), 0);
  assert.equal(m.mgr.send(a.id.nodeId, SUBPROTOCOL_ROUTE_WITHDRAW, encodeRouteWithdrawal(RouteWithdrawal.from(r.id.nodeId, 2n))), 0);
  assert.equal(m.mgr.send(a.id.nodeId, SUBPROTOCOL_ROUTE_WITHDRAW, new Uint8Array(15)), 0);
  net.scheduler.runFor(20);
  assert.equal(a.router.nextHop(b.id.nodeId)?.nodeId, r.id.nodeId);
  assert.equal(a.router.nextHop(r.id.nodeId)?.nodeId, r.id.nodeId);
  assert.equal(a.router.counters.get('withdrawals_ignored'), 2);
  assert.equal(a.router.counters.get('withdrawals_bad'), 1);
  assertBalanced(a, r, b, m);
});

test('spoofed fresher records (origin, seq, hop_count = 0) never displace a direct route', () => {
  const { net, a, r, b, m } = setup(32);
  // m claims to be one hop from r (a's direct neighbour) and from b, with sequences far ahead.
  const spoof = batch([{ origin: r.id.nodeId, seq: 2n ** 62n, hops: 0 }, { origin: b.id.nodeId, seq: 2n ** 62n, hops: 0 }]);
  assert.equal(m.mgr.send(a.id.nodeId, SUBPROTOCOL_PINGWAVE, spoof), 0);
  net.scheduler.runFor(20);
  assert.equal(a.router.nextHop(r.id.nodeId)?.nodeId, r.id.nodeId, 'direct route kept (protected, metric 1)');
  // For b, a neighbour's claim of a shorter path is what the protocol trusts neighbours with; it is an ordinary
  // candidate only, and it goes away with that neighbour.
  a.router.neighborDown(m.id.nodeId);
  assert.equal(a.router.nextHop(b.id.nodeId), null, 'the claim left with m; no guess');
  net.scheduler.runFor(2000);
  assert.equal(a.router.nextHop(b.id.nodeId)?.nodeId, r.id.nodeId);
  assertBalanced(a, r, b);
});

test('pingwaves from a peer that is not a neighbour (a routed session) are dropped', () => {
  const { net, a, r, b } = setup(33);
  b.mgr.connect({ nodeId: a.id.nodeId, staticPublicKey: a.id.staticPublicKey, address: r.port.local, routed: true });
  b.driver.arm();
  net.scheduler.runFor(300);
  assert.equal(a.mgr.peer(b.id.nodeId)?.identityProven, true);
  assert.equal(b.mgr.send(a.id.nodeId, SUBPROTOCOL_PINGWAVE, batch([{ origin: 0x77n, seq: 1n, hops: 0 }])), 0);
  net.scheduler.runFor(50);
  assert.equal(a.router.counters.get('pingwave_packets_drop_not_neighbor'), 1);
  assert.equal(a.router.nextHop(0x77n), null);
  assertBalanced(a, r, b);
});

test('a route-poisoning flood of random origins is capped; honest routes keep working', () => {
  const { net, a, r, b, m } = setup(34, { ...MESH, maxGraphNodes: 64, maxPingwavesPerPacket: 15 });
  const rnd = new SeededRandom(5);
  let sent = 0;
  for (let k = 0; k < 100; k++) {
    const recs = Array.from({ length: 15 }, () => ({ origin: (BigInt(rnd.nextU32()) << 32n) | BigInt(rnd.nextU32()), seq: 1n, hops: 0 }));
    sent += recs.length;
    assert.equal(m.mgr.send(a.id.nodeId, SUBPROTOCOL_PINGWAVE, batch(recs)), 0);
    net.scheduler.runFor(2);
  }
  // One batch over the per-packet cap, one not a multiple of 72 bytes.
  assert.equal(m.mgr.send(a.id.nodeId, SUBPROTOCOL_PINGWAVE, batch(Array.from({ length: 16 }, (_, i) => ({ origin: BigInt(i + 1), seq: 1n, hops: 0 })))), 0);
  assert.equal(m.mgr.send(a.id.nodeId, SUBPROTOCOL_PINGWAVE, new Uint8Array(100)), 0);
  net.scheduler.runFor(2000);
  const c = a.router.counters;
  assert.ok(a.router.graph.size <= 64, `graph ${a.router.graph.size}`);
  assert.ok(a.router.table.size <= 64 + 2);
  assert.ok(c.get('pingwave_drop_graph_full') >= sent - 64);
  assert.equal(c.get('pingwave_packets_drop_bad_length'), 2);
  assert.equal(a.router.nextHop(b.id.nodeId)?.nodeId, r.id.nodeId, 'the honest route survived');
  assertBalanced(a, r, b, m);
});
