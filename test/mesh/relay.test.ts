// A–R–B in the simulator with real handshakes and AEAD: discovery by pingwaves, a routed session from A to B
// through R (R forwards without any key), failure detection when R crashes, and the relay's drop reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROUTING_HEADER_BYTES, RoutingHeader, encodeRoutingHeaderInto } from '../../src/wire/index.js';
import { assertBalanced, crash, join, meshNode, newNet, short, type MeshTestNode } from './harness.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const MESH = { pingwaveIntervalMs: 1000 };
const SESSION = { heartbeatMs: 1000 };

function chain(seed: number) {
  const net = newNet(seed);
  const a = meshNode(net, 'a', 1, { mesh: MESH, session: SESSION });
  const r = meshNode(net, 'r', 2, { mesh: MESH, session: SESSION });
  const b = meshNode(net, 'b', 3, { mesh: MESH, session: SESSION });
  net.block('a', 'b');
  net.block('b', 'a');
  join(a, r);
  join(b, r);
  return { net, a, r, b };
}

test('A–R–B: pingwaves teach A and B a route through R; a routed session crosses R, which never sees plaintext', () => {
  const { net, a, r, b } = chain(21);
  const seen: Uint8Array[] = [];
  const tap = r.port.send.bind(r.port);
  r.port.send = (bytes, to) => { seen.push(bytes.slice()); return tap(bytes, to); };
  net.scheduler.runFor(3000);
  assert.equal(a.router.nextHop(b.id.nodeId)?.nodeId, r.id.nodeId);
  assert.equal(b.router.nextHop(a.id.nodeId)?.nodeId, r.id.nodeId);
  assert.deepEqual(a.router.routes().map((x) => [short(x.dest), x.kind, x.metric]).sort(),
    [[short(b.id.nodeId), 'relayed', 3], [short(r.id.nodeId), 'direct', 1]].sort());
  // A dials B through its next hop; B accepts routed handshakes from any PSK holder.
  a.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: r.port.local, routed: true });
  a.driver.arm();
  net.scheduler.runFor(500);
  assert.equal(a.mgr.peer(b.id.nodeId)?.identityProven, true);
  assert.equal(b.mgr.peer(a.id.nodeId)?.identityProven, true);
  const canary = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
  assert.equal(a.mgr.send(b.id.nodeId, 0x1234, canary), 0);
  assert.equal(b.mgr.send(a.id.nodeId, 0x1234, utf8('back')), 0);
  net.scheduler.runFor(200);
  assert.deepEqual(b.got.map((g) => g.bytes), [canary]);
  assert.deepEqual(a.got.map((g) => new TextDecoder().decode(g.bytes)), ['back']);
  assert.ok(r.router.counters.get('relay_forwarded') >= 6, 'handshake, proofs and data crossed R');
  const hex = Buffer.from(canary).toString('hex');
  assert.ok(seen.every((d) => !Buffer.from(d).toString('hex').includes(hex)), 'R sent the plaintext');
  // A routed session is not a neighbour: A's neighbours stay R only.
  assert.deepEqual(a.router.neighborList().map((n) => n.nodeId), [r.id.nodeId]);
  assertBalanced(a, r, b);
});

test('R crashes: A suspects then fails it within the reroute bound, and B is honestly unreachable', () => {
  const { net, a, r, b } = chain(22);
  net.scheduler.runFor(3000);
  assert.ok(a.router.nextHop(b.id.nodeId) !== null);
  const crashedAt = net.scheduler.clock.nowMs();
  crash(net, r, [a, r, b]);
  net.scheduler.runFor(a.router.rerouteBoundMs + 1000);
  const failed = a.log.find((l) => l.startsWith(`failed ${short(r.id.nodeId)}`));
  assert.ok(failed, a.log.join('\n'));
  const at = Number(failed.split('@')[1]);
  assert.ok(at - crashedAt <= a.router.rerouteBoundMs, `failed after ${at - crashedAt} ms, bound ${a.router.rerouteBoundMs}`);
  assert.ok(a.log.some((l) => l.startsWith(`suspected ${short(r.id.nodeId)}`)));
  assert.ok(a.log.some((l) => l.startsWith(`lost ${short(b.id.nodeId)}`)));
  assert.equal(a.router.nextHop(b.id.nodeId), null);
  assert.equal(a.router.nextHop(r.id.nodeId), null);
  assertBalanced(a, b);
});

test('a paused neighbour that resumes recovers on the same session and only its own route comes back at once', () => {
  const { net, a, r, b } = chain(23);
  net.scheduler.runFor(3000);
  // R goes silent towards A only (a pause as A sees it), long enough to be failed, not long enough to time out.
  net.block('r', 'a');
  net.scheduler.runFor(a.router.rerouteBoundMs + 500);
  assert.equal(a.router.nextHop(r.id.nodeId), null);
  net.unblock('r', 'a');
  net.scheduler.runFor(1500);
  assert.ok(a.log.some((l) => l.startsWith(`recovered ${short(r.id.nodeId)}`)), a.log.join('\n'));
  assert.equal(a.router.nextHop(r.id.nodeId)?.nodeId, r.id.nodeId);
  assert.equal(a.mgr.counters.get('sessions_up'), 1, 'no re-handshake');
  net.scheduler.runFor(2000);
  assert.equal(a.router.nextHop(b.id.nodeId)?.nodeId, r.id.nodeId, 'B returns with the next pingwaves');
  assertBalanced(a, r, b);
});

test('relay drops: no route, TTL 0, hop limit, and a packet of ours come back; each counted once', () => {
  const { net, a, r, b } = chain(24);
  net.scheduler.runFor(3000);
  const make = (dest: bigint, ttl: number, hops: number, src = a.id.routingId): Uint8Array => {
    const bytes = new Uint8Array(ROUTING_HEADER_BYTES + 100);
    encodeRoutingHeaderInto(RoutingHeader.from({ ttl, hopCount: hops, srcId: src, destId: dest }), bytes, 0);
    bytes[ROUTING_HEADER_BYTES] = 0x45;
    bytes[ROUTING_HEADER_BYTES + 1] = 0x4e;
    return bytes;
  };
  a.port.send(make(0xdead_beefn, 8, 0), r.port.local);
  a.port.send(make(b.id.nodeId, 0, 0), r.port.local);
  a.port.send(make(b.id.nodeId, 8, 16), r.port.local);
  a.port.send(make(b.id.nodeId, 8, 0, r.id.routingId), r.port.local);
  // b's best way to a is r itself: r will not bounce a packet from b back to b.
  b.port.send(make(b.id.nodeId + 1n, 8, 0), r.port.local);
  a.port.send(new Uint8Array(72).fill(1), r.port.local);
  net.scheduler.runFor(50);
  const c = r.router.counters;
  assert.equal(c.get('relay_drop_no_route'), 2);
  assert.equal(c.get('relay_drop_ttl_expired'), 1);
  assert.equal(c.get('relay_drop_hops_exceeded'), 1);
  assert.equal(c.get('relay_drop_loop'), 1);
  assert.equal(c.get('drop_bare_pingwave'), 1);
  assertBalanced(a, r, b);
});

export type { MeshTestNode };
