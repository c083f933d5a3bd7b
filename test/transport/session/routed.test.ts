// Routed-framed handshakes and sessions (DESIGN.md §5, reference `connect_via`): a 56-byte msg1 that carries the
// initiator's node id behind an 18-byte routing header, answered by a node that accepts routed handshakes from
// any PSK holder, and the sessions that follow, direct and through a relay that only rewrites routing headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HANDSHAKE_MSG1_ROUTED_BYTES, HEADER_BYTES, ROUTING_HEADER_BYTES, ROUTING_MAGIC, RoutingHeader, WireStatus,
  decodeRoutingHeaderInto, forwardInPlace,
} from '../../../src/wire/index.js';
import type { SimNetwork, SimPort } from '../../../src/transport/index.js';
import { assertBalanced, drops, identityOf, impostorOf, makeNode, newNet, type TestNode } from './harness.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const isRouted = (b: Uint8Array): boolean => b[0] === (ROUTING_MAGIC & 0xff) && b[1] === ROUTING_MAGIC >>> 8;

/** A relay that knows where each node id lives and forwards routed datagrams with the in-place rewrite only. */
function relay(net: SimNetwork, name: string, where: Map<bigint, SimPort>): { port: SimPort; forwarded: Uint8Array[] } {
  const port = net.port(name);
  const h = new RoutingHeader();
  const forwarded: Uint8Array[] = [];
  port.onDatagram((bytes) => {
    if (decodeRoutingHeaderInto(bytes, 0, h) !== WireStatus.OK) return;
    const to = where.get(h.destId);
    if (to === undefined || forwardInPlace(bytes, 0) !== WireStatus.OK) return;
    forwarded.push(bytes.slice());
    port.send(bytes, to.local);
  });
  return { port, forwarded };
}

function connectRouted(a: TestNode, b: TestNode, via = b.port.local): void {
  a.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: via, routed: true });
  a.driver.arm();
  b.driver.arm();
}

test('routed-framed handshake: 56-byte msg1 behind a routing header, accepted from an unexpected PSK holder', () => {
  const net = newNet(11);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2, { acceptRoutedHandshakes: true });
  connectRouted(a, b);
  net.scheduler.runFor(100);
  assert.equal(a.mgr.peer(b.id.nodeId)!.connected, true);
  assert.equal(b.mgr.peer(a.id.nodeId)!.connected, true);
  assert.equal(a.mgr.peer(b.id.nodeId)!.identityProven, true);
  assert.equal(b.mgr.peer(a.id.nodeId)!.identityProven, true);
  const msg1 = a.sent[0]!.bytes;
  assert.equal(msg1.length, ROUTING_HEADER_BYTES + HEADER_BYTES + HANDSHAKE_MSG1_ROUTED_BYTES);
  const rh = new RoutingHeader();
  assert.equal(decodeRoutingHeaderInto(msg1, 0, rh), WireStatus.OK);
  assert.equal(rh.srcId, a.id.routingId);
  assert.equal(rh.destId, b.id.nodeId);
  assert.equal(rh.hopCount, 0);
  // Every datagram both ways carries the routing header: handshake, proof, ack, heartbeat and data.
  assert.equal(a.mgr.send(b.id.nodeId, 7, utf8('to b')), 0);
  assert.equal(b.mgr.send(a.id.nodeId, 7, utf8('to a')), 0);
  net.scheduler.runFor(12_000);
  assert.ok([...a.sent, ...b.sent].every((d) => isRouted(d.bytes)));
  assert.ok(a.mgr.counters.get('heartbeats_received') > 0);
  assert.deepEqual(b.got.map((g) => [g.from, new TextDecoder().decode(g.bytes)]), [[a.id.nodeId, 'to b']]);
  assert.deepEqual(a.got.map((g) => [g.from, new TextDecoder().decode(g.bytes)]), [[b.id.nodeId, 'to a']]);
  assert.deepEqual(drops(a), {});
  assert.deepEqual(drops(b), {});
  assertBalanced(a, b);
});

test('a routed payload is 18 bytes smaller so the datagram still fits maxDatagramSize', () => {
  const net = newNet(12);
  const a = makeNode(net, 'a', 1, { maxDatagramSize: 1200 });
  const b = makeNode(net, 'b', 2, { acceptRoutedHandshakes: true, maxDatagramSize: 1200 });
  connectRouted(a, b);
  net.scheduler.runFor(100);
  const max = 1200 - HEADER_BYTES - 16 - ROUTING_HEADER_BYTES;
  assert.equal(a.mgr.send(b.id.nodeId, 7, new Uint8Array(max + 1)), 2 /* TooLarge */);
  assert.equal(a.mgr.send(b.id.nodeId, 7, new Uint8Array(max)), 0);
  assert.equal(a.sent.at(-1)!.bytes.length, 1200);
  net.scheduler.runFor(100);
  assert.equal(b.got.length, 1);
  assertBalanced(a, b);
});

test('through a relay: the relay rewrites only the routing header and never sees plaintext', () => {
  const net = newNet(13);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2, { acceptRoutedHandshakes: true });
  const r = relay(net, 'r', new Map([[a.id.nodeId, a.port], [b.id.nodeId, b.port]]));
  connectRouted(a, b, r.port.local);
  net.scheduler.runFor(200);
  assert.equal(a.mgr.peer(b.id.nodeId)!.identityProven, true);
  assert.equal(b.mgr.peer(a.id.nodeId)!.identityProven, true);
  // b answers through the relay: the address it learnt for a is the relay's.
  assert.deepEqual(b.mgr.peer(a.id.nodeId)!.address, r.port.local);
  const secret = utf8('secret-through-the-relay');
  a.mgr.send(b.id.nodeId, 9, secret);
  net.scheduler.runFor(100);
  assert.deepEqual(b.got.map((g) => g.bytes), [secret]);
  const hex = Buffer.from(secret).toString('hex');
  assert.ok(r.forwarded.every((d) => !Buffer.from(d).toString('hex').includes(hex)), 'relay saw the plaintext');
  assert.ok(r.forwarded.every((d) => d[3] === 1 && d[2] === 15), 'hop_count +1, ttl -1 in place');
  assertBalanced(a, b);
});

test('routed msg1 is refused (and leaves no peer record) until routed handshakes are accepted', () => {
  const net = newNet(14);
  const a = makeNode(net, 'a', 1, { handshakeRetries: 0, reconnectIntervalMs: 0 });
  const b = makeNode(net, 'b', 2);
  connectRouted(a, b);
  net.scheduler.runFor(6000);
  assert.equal(a.mgr.peer(b.id.nodeId)!.connected, false);
  assert.ok(b.mgr.counters.get('drop_unexpected_peer') >= 1);
  assert.equal(b.mgr.peerCount, 0);
  b.mgr.acceptRouted(true);
  a.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: b.port.local, routed: true });
  a.driver.arm();
  net.scheduler.runFor(6000); // the old attempt gave up; reconnect is off, so connect() starts again on close()
  a.mgr.close(b.id.nodeId);
  a.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: b.port.local, routed: true });
  a.driver.arm();
  net.scheduler.runFor(200);
  assert.equal(b.mgr.peer(a.id.nodeId)!.connected, true);
  assertBalanced(a, b);
});

test('a relay that rewrites src_id breaks the prologue MAC: no candidate, no peer record', () => {
  const net = newNet(15);
  const a = makeNode(net, 'a', 1, { handshakeRetries: 1 });
  const b = makeNode(net, 'b', 2, { acceptRoutedHandshakes: true });
  a.filter = (bytes, to) => {
    const copy = bytes.slice(); // the manager keeps its msg1 packet for retransmission: rewrite a copy
    if (isRouted(copy)) copy[6]! ^= 0x01; // src_id low byte
    a.port.send(copy, to);
    return false;
  };
  connectRouted(a, b);
  net.scheduler.runFor(12_000);
  assert.equal(b.mgr.counters.get('sessions_up'), 0);
  assert.ok(b.mgr.counters.get('drop_handshake_invalid') >= 2);
  assert.equal(b.mgr.peerCount, 0);
  assert.equal(b.mgr.pendingHandshakes, 0);
  assertBalanced(a, b);
});

test('a second PSK holder claiming a live peer\'s node id over a routed handshake never replaces its session', () => {
  const net = newNet(16);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2, { acceptRoutedHandshakes: true });
  connectRouted(a, b);
  net.scheduler.runFor(100);
  const liveSession = b.mgr.sessionCount;
  assert.equal(b.mgr.peer(a.id.nodeId)!.identityProven, true);
  // Mallory knows the PSK and a's node id, not a's ed25519 key.
  const m = makeNode(net, 'm', 9, {}, impostorOf(a.id));
  connectRouted(m, b);
  net.scheduler.runFor(200);
  m.mgr.send(b.id.nodeId, 7, utf8('from mallory'));
  a.mgr.send(b.id.nodeId, 7, utf8('from a'));
  net.scheduler.runFor(10_000);
  assert.equal(b.mgr.counters.get('drop_identity_proof_invalid'), 1);
  assert.deepEqual(b.got.map((g) => new TextDecoder().decode(g.bytes)), ['from a']);
  assert.equal(b.mgr.peer(a.id.nodeId)!.identityProven, true);
  assert.deepEqual(b.mgr.peer(a.id.nodeId)!.address, a.port.local);
  assert.equal(b.mgr.sessionCount, liveSession);
  assert.equal(b.mgr.counters.get('sessions_down'), 0);
  assertBalanced(a, b, m);
});

test('routed msg1 claiming many node ids: candidates stay within the pending bound and their peers are forgotten', () => {
  const net = newNet(17);
  const b = makeNode(net, 'b', 2, {
    acceptRoutedHandshakes: true, maxPendingHandshakes: 8, handshakeRatePerSource: 1e6, handshakeBurstPerSource: 1e6,
    handshakeRateGlobal: 1e6, handshakeBurstGlobal: 1e6,
  });
  b.driver.arm();
  const claimers: TestNode[] = [];
  for (let i = 0; i < 40; i++) {
    // Each claimer drops everything after msg1, so no candidate is ever confirmed.
    const c = makeNode(net, `c${i}`, 100 + i, { handshakeRetries: 0, reconnectIntervalMs: 0 });
    c.filter = (_bytes, _to) => c.mgr.counters.get('handshakes_initiated') === 1 && c.sent.length === 1;
    claimers.push(c);
    connectRouted(c, b);
  }
  let maxPeers = 0;
  for (let t = 0; t < 12_000; t += 50) {
    net.scheduler.runFor(50);
    assert.ok(b.mgr.pendingHandshakes <= 8);
    maxPeers = Math.max(maxPeers, b.mgr.peerCount);
  }
  assert.ok(maxPeers <= 8, `peer records peaked at ${maxPeers}`);
  assert.equal(b.mgr.counters.get('drop_handshake_table_full'), 32);
  assert.equal(b.mgr.counters.get('candidates_expired'), 8);
  assert.equal(b.mgr.peerCount, 0);
  assert.equal(b.mgr.counters.get('peers_forgotten'), 8);
  assertBalanced(b, ...claimers);
});

test('a routed packet for another node is counted as drop_not_for_us', () => {
  const net = newNet(18);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2, { acceptRoutedHandshakes: true });
  const other = identityOf(3);
  a.mgr.connect({ nodeId: other.nodeId, staticPublicKey: other.staticPublicKey, address: b.port.local, routed: true });
  a.driver.arm();
  b.driver.arm();
  net.scheduler.runFor(150);
  assert.ok(b.mgr.counters.get('drop_not_for_us') >= 1);
  assert.equal(b.mgr.peerCount, 0);
  assertBalanced(a, b);
});
