import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, toHex, utf8 } from '../../../src/core/index.js';
import { Identity } from '../../../src/crypto/index.js';
import {
  IDENTITY_SUBPROTOCOL, IdentityProofStatus, SessionSendStatus, encodeIdentityProof, identityProofMessage, verifyIdentityProof,
} from '../../../src/transport/index.js';
import { HeaderFlag, PacketHeader } from '../../../src/wire/index.js';
import { assertBalanced, drops, impostorOf, link, makeNode, newNet } from './harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fixture: any = JSON.parse(readFileSync(new URL('../../vectors/net/handshake.json', import.meta.url), 'utf8'));

test('identity proof codec matches the golden fixture and rejects wrong keys', () => {
  for (const c of fixture.cases) {
    const hash = fromHex(c.handshake_hash);
    assert.equal(toHex(identityProofMessage(hash)), c.identity_proof.signed_message);
    const ini = Identity.fromSeed(fromHex(c.initiator_seed));
    const resp = Identity.fromSeed(fromHex(c.responder_seed));
    const p = encodeIdentityProof(ini, hash);
    assert.equal(toHex(p), c.identity_proof.initiator.payload);
    assert.equal(toHex(encodeIdentityProof(resp, hash)), c.identity_proof.responder.payload);
    assert.equal(verifyIdentityProof(p, hash, ini.nodeId), IdentityProofStatus.Ok);
    assert.equal(verifyIdentityProof(p, hash, resp.nodeId), IdentityProofStatus.NodeId);
    assert.equal(verifyIdentityProof(p.subarray(1), hash, ini.nodeId), IdentityProofStatus.Length);
    const bad = p.slice();
    bad[0] = 2;
    assert.equal(verifyIdentityProof(bad, hash, ini.nodeId), IdentityProofStatus.Version);
    const sig = p.slice();
    sig[50] = sig[50]! ^ 1;
    assert.equal(verifyIdentityProof(sig, hash, ini.nodeId), IdentityProofStatus.Signature);
    assert.equal(verifyIdentityProof(p, utf8('x'.repeat(32)), ini.nodeId), IdentityProofStatus.Signature);
  }
});

test('direct handshake, identity proof both ways, data round trip, exact counters, 116-byte msg1 and msg2', () => {
  const net = newNet(1, { defaults: { latencyMs: 2 } });
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2);
  link(a, b);
  net.scheduler.runFor(100);
  assert.deepEqual(a.log, [`up ${b.id.nodeId.toString(16).slice(0, 4)}`, `proven ${b.id.nodeId.toString(16).slice(0, 4)}`]);
  assert.deepEqual(b.log, [`up ${a.id.nodeId.toString(16).slice(0, 4)}`, `proven ${a.id.nodeId.toString(16).slice(0, 4)}`]);
  assert.ok(a.mgr.peer(b.id.nodeId)!.identityProven && b.mgr.peer(a.id.nodeId)!.identityProven);
  // msg1 and msg2 packets: 68 + 48 = 116 bytes each (no amplification).
  assert.equal(a.sent[0]!.bytes.length, 116);
  assert.equal(b.sent[0]!.bytes.length, 116);
  assert.ok(b.sent[0]!.bytes.length <= 3 * a.sent[0]!.bytes.length);
  assert.equal(a.mgr.send(b.id.nodeId, 0x1234, utf8('hello')), SessionSendStatus.Ok);
  assert.equal(b.mgr.send(a.id.nodeId, 0x0001, utf8('world')), SessionSendStatus.Ok);
  assert.equal(a.mgr.send(999n, 1, utf8('x')), SessionSendStatus.NotConnected);
  net.scheduler.runFor(100);
  assert.deepEqual(b.got.map((g) => [g.sub, Buffer.from(g.bytes).toString()]), [[0x1234, 'hello']]);
  assert.deepEqual(a.got.map((g) => [g.sub, Buffer.from(g.bytes).toString()]), [[1, 'world']]);
  assert.equal(b.got[0]!.from, a.id.nodeId);
  // a: msg2, B's proof, B's ack, data = 4 accepted; b: msg1, A's proof, A's ack, data = 4.
  assert.equal(a.mgr.counters.get('accepted'), 4);
  assert.equal(b.mgr.counters.get('accepted'), 4);
  assert.deepEqual(drops(a), {});
  assert.deepEqual(drops(b), {});
  assert.equal(a.mgr.pendingHandshakes, 0);
  assert.equal(b.mgr.pendingHandshakes, 0);
  assertBalanced(a, b);
});

test('a proof whose key does not derive the claimed node id closes the candidate (identity_proof_invalid)', () => {
  const net = newNet(2);
  const x = Identity.fromSeed(new Uint8Array(32).fill(3)); // the node Mallory claims to be
  const m = makeNode(net, 'm', 9, {}, impostorOf(x));
  const b = makeNode(net, 'b', 2);
  b.mgr.expect(x.nodeId, undefined, m.port.local);
  m.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: b.port.local });
  m.driver.arm();
  b.driver.arm();
  net.scheduler.runFor(10_000);
  assert.equal(b.mgr.counters.get('drop_identity_proof_invalid'), 1);
  assert.equal(b.mgr.counters.get('sessions_up'), 0);
  assert.equal(b.mgr.peer(x.nodeId)!.connected, false);
  assert.equal(b.mgr.pendingHandshakes, 0);
  assert.equal(b.mgr.sessionCount, 0);
  assertBalanced(m, b);
});

test('no identity proof within 5 s: the peer stays PSK-only and the events say so', () => {
  const net = newNet(3);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2);
  // a behaves like a NET node: it never sends the 0xF001 subprotocol.
  a.filter = (bytes) => !(bytes.length > 10 && bytes[8] === (IDENTITY_SUBPROTOCOL & 0xff) && bytes[9] === IDENTITY_SUBPROTOCOL >>> 8);
  link(a, b);
  net.scheduler.runFor(50);
  a.mgr.send(b.id.nodeId, 5, utf8('first'));
  net.scheduler.runFor(6000);
  const ah = a.id.nodeId.toString(16).slice(0, 4);
  assert.deepEqual(b.log, [`up ${ah}`, `unproven ${ah}`]);
  assert.equal(b.mgr.peer(a.id.nodeId)!.identityProven, false);
  assert.equal(b.got.length, 1);
  assert.equal(b.mgr.counters.get('identity_unproven'), 1);
  assertBalanced(a, b);
});

test('msg1 loss: retries with backoff, then handshake-timeout and an empty pending table', () => {
  const net = newNet(4);
  const a = makeNode(net, 'a', 1, { handshakeTimeoutMs: 1000, handshakeRetries: 3, reconnectIntervalMs: 0 });
  net.port('b'); // nobody answers
  a.mgr.connect({ nodeId: 77n, staticPublicKey: identityOfStatic(2), address: net.address('b') });
  a.driver.arm();
  net.scheduler.runFor(3999);
  assert.deepEqual(a.log, []);
  assert.equal(a.mgr.pendingHandshakes, 1);
  net.scheduler.runFor(2);
  assert.deepEqual(a.log, ['down 4d handshake-timeout']); // 77 = 0x4d
  assert.equal(a.mgr.pendingHandshakes, 0);
  assert.equal(a.mgr.nextDeadline(), Infinity);
  const sends = a.sent.map((s) => s.bytes.length);
  assert.ok(sends.length >= 6 && sends.length <= 12, String(sends.length));
  assert.ok(sends.every((n) => n === 116));
  assert.equal(a.mgr.counters.get('handshake_timeouts'), 1);
});

function identityOfStatic(n: number): Uint8Array {
  return Identity.fromSeed(new Uint8Array(32).fill(n)).staticPublicKey;
}

test('handshakes complete under 30% loss with duplication and reordering (several seeds)', () => {
  for (let seed = 1; seed <= 6; seed++) {
    const net = newNet(seed, {
      defaults: { latencyMs: 5, jitterMs: 5, loss: 0.3, duplicate: 0.2, reorder: 0.3, reorderDelayMs: 40 },
    });
    const a = makeNode(net, 'a', 1);
    const b = makeNode(net, 'b', 2);
    link(a, b);
    net.scheduler.runFor(20_000);
    assert.equal(a.mgr.peer(b.id.nodeId)!.connected, true, `seed ${seed}: ${a.log.join(',')}`);
    assert.equal(b.mgr.peer(a.id.nodeId)!.connected, true, `seed ${seed}: ${b.log.join(',')}`);
    assert.equal(a.mgr.peer(b.id.nodeId)!.identityProven, true, `seed ${seed}`);
    assert.equal(b.mgr.peer(a.id.nodeId)!.identityProven, true, `seed ${seed}`);
    assert.equal(a.mgr.counters.get('sessions_up'), 1, `seed ${seed}`);
    assert.equal(b.mgr.counters.get('sessions_up'), 1, `seed ${seed}`);
    assert.ok(a.mgr.pendingHandshakes === 0 && b.mgr.pendingHandshakes === 0);
    assertBalanced(a, b);
  }
});

test('simultaneous open converges to exactly one session (many seeds), no flapping', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const net = newNet(seed, { defaults: { latencyMs: 3, jitterMs: 4 } });
    const a = makeNode(net, 'a', 1);
    const b = makeNode(net, 'b', 2);
    b.mgr.expect(a.id.nodeId, a.id.staticPublicKey, a.port.local);
    a.mgr.expect(b.id.nodeId, b.id.staticPublicKey, b.port.local);
    a.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: b.port.local });
    b.mgr.connect({ nodeId: a.id.nodeId, staticPublicKey: a.id.staticPublicKey, address: a.port.local });
    a.driver.arm();
    b.driver.arm();
    net.scheduler.runFor(40_000);
    for (const [x, y] of [[a, b], [b, a]] as const) {
      assert.equal(x.mgr.counters.get('sessions_up'), 1, `seed ${seed} ${x.name}: ${x.log}`);
      assert.equal(x.mgr.counters.get('sessions_down'), 0, `seed ${seed}`);
      assert.equal(x.mgr.peer(y.id.nodeId)!.identityProven, true);
      assert.equal(x.mgr.sessionCount, 1, `seed ${seed} ${x.name}`);
    }
    const lower = a.id.nodeId < b.id.nodeId ? a : b;
    const higher = lower === a ? b : a;
    assert.equal(lower.mgr.counters.get('handshakes_completed'), 1);
    assert.equal(higher.mgr.counters.get('handshakes_completed'), 0);
    assert.equal(a.mgr.send(b.id.nodeId, 1, utf8('x')), SessionSendStatus.Ok);
    net.scheduler.runFor(10);
    assert.equal(b.got.length, 1);
    assertBalanced(a, b);
  }
});

test('sendWith: the stream layer\'s header fields travel authenticated; session-only flags are refused', () => {
  const net = newNet(40);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2);
  link(a, b);
  net.scheduler.runFor(100);
  const h = PacketHeader.from({
    flags: HeaderFlag.RELIABLE | HeaderFlag.FIN, subprotocolId: 0, streamId: 0x1122_3344_5566_7788n,
    sequence: 2n ** 53n + 7n, eventCount: 3, fragmentId: 9, fragmentOffset: 1200,
  });
  assert.equal(a.mgr.sendWith(b.id.nodeId, h, utf8('framed events')), SessionSendStatus.Ok);
  net.scheduler.runFor(50);
  assert.equal(b.got.length, 1);
  assert.deepEqual(b.got[0]!.stream, {
    flags: HeaderFlag.RELIABLE | HeaderFlag.FIN, streamId: 0x1122_3344_5566_7788n, sequence: 2n ** 53n + 7n,
    eventCount: 3, fragmentId: 9, fragmentOffset: 1200,
  });
  for (const bad of [HeaderFlag.HANDSHAKE, HeaderFlag.HEARTBEAT]) {
    h.flags = bad;
    assert.equal(a.mgr.sendWith(b.id.nodeId, h, utf8('x')), SessionSendStatus.BadHeader);
  }
  h.flags = 0;
  h.subprotocolId = IDENTITY_SUBPROTOCOL;
  assert.equal(a.mgr.sendWith(b.id.nodeId, h, utf8('x')), SessionSendStatus.BadHeader);
  h.subprotocolId = 0;
  h.eventCount = 70_000; // not a u16
  assert.equal(a.mgr.sendWith(b.id.nodeId, h, utf8('x')), SessionSendStatus.BadHeader);
  assert.equal(a.mgr.sendWith(3n, h, utf8('x')), SessionSendStatus.NotConnected);
  net.scheduler.runFor(50);
  assert.equal(b.got.length, 1);
  assertBalanced(a, b);
});
