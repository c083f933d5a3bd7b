import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom, utf8 } from '../../../src/core/index.js';
import { HeaderFlag, encodeHandshakePacket } from '../../../src/wire/index.js';
import { SessionSendStatus } from '../../../src/transport/index.js';
import { assertBalanced, impostorOf, link, makeNode, newNet } from './harness.js';

test('authenticated 84-byte heartbeats keep an idle session; forged and replayed ones do not refresh it', () => {
  const net = newNet(5);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2);
  link(a, b);
  net.scheduler.runFor(60_000);
  assert.equal(a.mgr.counters.get('sessions_down') + b.mgr.counters.get('sessions_down'), 0);
  const hbs = a.sent.filter((s) => s.bytes.length === 84 && s.bytes[3] === HeaderFlag.HEARTBEAT);
  assert.ok(hbs.length >= 11, String(hbs.length));
  assert.equal(b.mgr.counters.get('heartbeats_received'), a.mgr.counters.get('heartbeats_sent'));
  // a goes silent (one-way block a -> b); b keeps getting replays and forgeries of a's heartbeats.
  net.block('a', 'b');
  const t0 = net.scheduler.nowMs();
  const forged = hbs[0]!.bytes.slice();
  forged.fill(0x7f, 16, 20); // a fresh-looking counter far ahead: passes the window check, fails the tag
  for (let i = 0; i < 40; i++) {
    net.scheduler.runFor(1000);
    b.mgr.receive(hbs[i % hbs.length]!.bytes.slice(), a.port.local);
    b.mgr.receive(forged.slice(), a.port.local);
  }
  assert.ok(b.log.some((l) => l.endsWith('timeout')), b.log.join() + JSON.stringify(b.mgr.counters.snapshot()));
  assert.equal(b.mgr.counters.get('session_timeouts'), 1);
  assert.ok(b.mgr.counters.get('drop_replay') >= 1);
  assert.ok(b.mgr.counters.get('drop_auth_failed') >= 25);
  assert.equal(b.mgr.counters.get('drop_replay') + b.mgr.counters.get('drop_auth_failed') + b.mgr.counters.get('drop_unknown_session'), 80);
  assert.ok(net.scheduler.nowMs() - t0 >= 30_000);
  assertBalanced(a, b);
});

test('a partition longer than the session timeout ends in a clean re-handshake after heal', () => {
  const net = newNet(6, { defaults: { latencyMs: 3 } });
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2);
  link(a, b);
  net.scheduler.runFor(1000);
  net.partition(['a'], ['b']);
  net.scheduler.runFor(45_000);
  assert.equal(a.mgr.peer(b.id.nodeId)!.connected, false);
  assert.equal(b.mgr.peer(a.id.nodeId)!.connected, false);
  net.heal();
  net.scheduler.runFor(30_000);
  assert.equal(a.mgr.peer(b.id.nodeId)!.connected, true, a.log.join());
  assert.equal(b.mgr.peer(a.id.nodeId)!.connected, true, b.log.join());
  assert.equal(b.mgr.peer(a.id.nodeId)!.identityProven, true);
  assert.equal(a.mgr.send(b.id.nodeId, 3, utf8('after')), SessionSendStatus.Ok);
  net.scheduler.runFor(50);
  assert.equal(b.got.at(-1)!.sub, 3);
  assert.equal(b.mgr.counters.get('sessions_up'), 2);
  assertBalanced(a, b);
});

test('a replayed msg1 during a live session never replaces it', () => {
  const net = newNet(7);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2);
  link(a, b);
  net.scheduler.runFor(200);
  const msg1 = a.sent[0]!.bytes;
  for (const delay of [1000, 60_000]) {
    net.scheduler.runFor(delay);
    b.mgr.receive(msg1.slice(), a.port.local);
    b.mgr.receive(msg1.slice(), a.port.local); // duplicate: same msg2 resent, no second DH
    assert.equal(b.mgr.pendingHandshakes, 1);
    net.scheduler.runFor(6000);
    assert.equal(b.mgr.pendingHandshakes, 0);
  }
  assert.equal(b.mgr.counters.get('candidates_expired'), 2);
  assert.equal(b.mgr.counters.get('sessions_up'), 1);
  assert.equal(b.mgr.counters.get('sessions_down'), 0);
  assert.equal(a.mgr.send(b.id.nodeId, 9, utf8('still')), SessionSendStatus.Ok);
  net.scheduler.runFor(20);
  assert.equal(b.got.length, 1);
  assertBalanced(a, b);
});

test("a second PSK holder claiming a live peer's node id never replaces the session", () => {
  const net = newNet(8);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2);
  link(a, b);
  net.scheduler.runFor(200);
  const m = makeNode(net, 'm', 9, {}, impostorOf(a.id));
  m.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: b.port.local });
  m.driver.arm();
  net.scheduler.runFor(100);
  assert.equal(m.mgr.send(b.id.nodeId, 7, utf8('i am a')), SessionSendStatus.Ok);
  net.scheduler.runFor(10_000);
  assert.equal(b.mgr.counters.get('drop_identity_proof_invalid'), 1);
  assert.ok(b.mgr.counters.get('drop_unproven_candidate') + b.mgr.counters.get('drop_unknown_session') >= 1);
  assert.equal(b.got.length, 0);
  assert.equal(b.mgr.counters.get('sessions_up'), 1);
  assert.ok(b.mgr.peer(a.id.nodeId)!.identityProven);
  assert.equal(a.mgr.send(b.id.nodeId, 1, utf8('real a')), SessionSendStatus.Ok);
  net.scheduler.runFor(20);
  assert.deepEqual(b.got.map((g) => Buffer.from(g.bytes).toString()), ['real a']);
  assertBalanced(a, b, m);
});

test('rekey by counter and by time: no authenticated packet lost, one session throughout', () => {
  for (const opts of [{ rekeyAfterPackets: 40 }, { rekeyAfterMs: 2000 }]) {
    const net = newNet(9, { defaults: { latencyMs: 2, jitterMs: 3 } });
    const a = makeNode(net, 'a', 1, opts);
    const b = makeNode(net, 'b', 2, opts);
    link(a, b);
    net.scheduler.runFor(100);
    const n = 600;
    for (let i = 0; i < n; i++) {
      net.scheduler.runFor(10);
      const p = new Uint8Array(4);
      new DataView(p.buffer).setUint32(0, i, true);
      assert.equal(a.mgr.send(b.id.nodeId, 1, p), SessionSendStatus.Ok);
      assert.equal(b.mgr.send(a.id.nodeId, 2, p), SessionSendStatus.Ok);
    }
    net.scheduler.runFor(1000);
    assert.equal(b.got.length, n, JSON.stringify(b.mgr.counters.snapshot()));
    assert.equal(a.got.length, n);
    assert.ok(a.mgr.counters.get('rekeys_completed') + b.mgr.counters.get('rekeys_completed') >= 4, JSON.stringify(opts));
    for (const x of [a, b]) {
      assert.equal(x.mgr.counters.get('sessions_up'), 1);
      assert.equal(x.mgr.counters.get('sessions_down'), 0);
      assert.ok(x.mgr.sessionCount <= 3);
      assert.ok(x.log.every((l) => !l.startsWith('down')));
    }
    assert.ok(b.mgr.peer(a.id.nodeId)!.identityProven && a.mgr.peer(b.id.nodeId)!.identityProven);
    assertBalanced(a, b);
  }
});

test('roaming: the address moves only on an authenticated packet from the new address', () => {
  const net = newNet(10);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2);
  link(a, b);
  net.scheduler.runFor(200);
  const pa = b.mgr.peer(a.id.nodeId)!;
  assert.equal(pa.address, a.port.local);
  // unauthenticated / replayed packets from a new address change nothing
  const nat = net.port('a-nat');
  nat.onDatagram((bytes, from) => a.mgr.receive(bytes, from));
  const old = a.sent.find((s) => s.bytes.length > 84 && s.bytes[3] === 0)!.bytes;
  nat.send(old, b.port.local); // replay
  const forged = old.slice();
  forged[100] = forged[100]! ^ 1;
  nat.send(forged, b.port.local);
  net.scheduler.runFor(50);
  assert.equal(pa.address, a.port.local);
  assert.equal(b.mgr.counters.get('roamed'), 0);
  // a's NAT rebinds: its packets now come from a-nat
  a.via = nat;
  a.mgr.send(b.id.nodeId, 4, utf8('moved'));
  net.scheduler.runFor(50);
  assert.equal(pa.address, nat.local);
  assert.equal(b.mgr.counters.get('roamed'), 1);
  b.mgr.send(a.id.nodeId, 5, utf8('reply'));
  net.scheduler.runFor(50);
  assert.deepEqual(a.got.map((g) => g.sub), [5]);
  assertBalanced(a, b);
});

test('floods: garbage, truncated, tampered and msg1 floods from many sources stay bounded; the real peer connects', () => {
  const net = newNet(11);
  const b = makeNode(net, 'b', 2, { maxRateLimitSources: 16, maxPendingHandshakes: 8 });
  const a = makeNode(net, 'a', 1);
  const rnd = new SeededRandom(99);
  const attackers = Array.from({ length: 49 }, (_, i) => net.port(`x${i + 2}`));
  // flood for 1 s: random msg1-shaped handshakes, garbage, truncated headers
  for (let t = 0; t < 1000; t += 1) {
    net.scheduler.scheduleAt(t, () => {
      for (const x of attackers.slice(0, 10)) {
        const msg = new Uint8Array(48);
        rnd.fill(msg);
        x.send(encodeHandshakePacket(msg), b.port.local);
      }
      const g = new Uint8Array(1 + (rnd.nextU32() % 200));
      rnd.fill(g);
      if (g.length > 2) { g[0] = 0x45; g[1] = 0x4e; }
      attackers[rnd.nextU32() % attackers.length]!.send(g, b.port.local);
    });
  }
  net.scheduler.scheduleAt(10, () => link(a, b));
  net.scheduler.runFor(1000);
  assert.equal(b.mgr.peer(a.id.nodeId)!.connected, true);
  assert.ok(b.mgr.rateLimitSources <= 16);
  assert.ok(b.mgr.pendingHandshakes <= 8);
  assert.ok(b.mgr.counters.get('drop_handshake_rate_limited') > 1000);
  // every byte of a sealed data packet flipped: never accepted
  a.mgr.send(b.id.nodeId, 8, utf8('payload-to-tamper'));
  const pkt = a.sent.at(-1)!.bytes;
  net.scheduler.runFor(10);
  const before = b.mgr.counters.get('accepted');
  for (let i = 0; i < pkt.length; i++) {
    const t = pkt.slice();
    t[i] = t[i]! ^ 0x01;
    b.mgr.receive(t, a.port.local);
  }
  for (let n = 0; n < pkt.length; n++) b.mgr.receive(pkt.slice(0, n), a.port.local);
  b.mgr.receive(pkt.slice(), a.port.local); // replay
  // hop_count (byte 6) is outside the AAD: the flipped copy is authentic but a replay of the delivered counter
  assert.equal(b.mgr.counters.get('accepted'), before);
  assert.equal(b.got.length, 1);
  assertBalanced(a, b);
});

test('shutdown closes sessions, wipes keys, leaves no timers', () => {
  const net = newNet(12);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2);
  link(a, b);
  net.scheduler.runFor(200);
  a.driver.stop();
  b.driver.stop();
  assert.ok(a.log.at(-1)!.endsWith('shutdown') && b.log.at(-1)!.endsWith('shutdown'));
  assert.equal(a.mgr.sessionCount + b.mgr.sessionCount, 0);
  assert.equal(a.mgr.nextDeadline(), Infinity);
  assert.equal(a.mgr.send(b.id.nodeId, 1, utf8('x')), SessionSendStatus.Closed);
  net.scheduler.runUntilIdle();
  assert.equal(net.scheduler.pending, 0);
  assertBalanced(a, b);
});

/**
 * `count` forgeries of the last sealed packet `from` sent to `to`, from a third port: each with a fresh nonce
 * counter (so the replay window lets it through to the AEAD) and a flipped tag byte.
 */
function forgeAt(net: ReturnType<typeof newNet>, from: ReturnType<typeof makeNode>, to: ReturnType<typeof makeNode>, count: number): void {
  const sealed = from.sent.filter((d) => d.bytes.length >= 84 && (d.bytes[3]! & HeaderFlag.HANDSHAKE) === 0).at(-1)!.bytes;
  const x = net.port(`forger-${to.name}`);
  for (let i = 0; i < count; i++) {
    const f = sealed.slice();
    new DataView(f.buffer).setUint32(16, 100_000 + i, true); // nonce counter, low word
    f[f.length - 1 - (i % 16)]! ^= 1 + (i >> 4);
    x.send(f, to.port.local);
  }
}

test('AEAD failure budget: forgeries against one key reach the integrity limit, the key is retired, traffic goes on', () => {
  const net = newNet(41);
  const a = makeNode(net, 'a', 1, { aeadFailureLimit: 50 });
  const b = makeNode(net, 'b', 2, { aeadFailureLimit: 50 });
  link(a, b);
  net.scheduler.runFor(100);
  // a can rekey (it knows b's static key): the current session is rekeyed, the session stays up.
  forgeAt(net, b, a, 60);
  net.scheduler.runFor(100);
  assert.equal(a.mgr.counters.get('drop_auth_failed'), 60);
  assert.equal(a.mgr.counters.get('integrity_limits'), 1);
  assert.equal(a.mgr.counters.get('rekeys_started'), 1);
  net.scheduler.runFor(6000);
  assert.equal(a.mgr.counters.get('rekeys_completed'), 1);
  assert.equal(a.mgr.counters.get('sessions_down'), 0);
  assert.equal(a.mgr.send(b.id.nodeId, 1, utf8('after rekey')), SessionSendStatus.Ok);
  net.scheduler.runFor(50);
  assert.deepEqual(b.got.map((g) => new TextDecoder().decode(g.bytes)), ['after rekey']);
  assertBalanced(a, b);
});

test('AEAD failure budget where this side cannot rekey: the session closes with integrity-limit and is redialled', () => {
  const net = newNet(42);
  const a = makeNode(net, 'a', 1);
  const b = makeNode(net, 'b', 2, { aeadFailureLimit: 50 });
  b.mgr.expect(a.id.nodeId); // no static key: b cannot start a handshake toward a
  a.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: b.port.local });
  a.driver.arm();
  b.driver.arm();
  net.scheduler.runFor(100);
  forgeAt(net, a, b, 50);
  net.scheduler.runFor(10);
  assert.equal(b.mgr.counters.get('integrity_limits'), 1);
  assert.ok(b.log.some((l) => l.endsWith('integrity-limit')), b.log.join(', '));
  assert.equal(b.mgr.peer(a.id.nodeId)!.connected, false);
  // a notices the silence (session timeout) and dials again; the new session carries data.
  net.scheduler.runFor(40_000);
  assert.equal(b.mgr.peer(a.id.nodeId)!.connected, true);
  assert.equal(a.mgr.send(b.id.nodeId, 1, utf8('redialled')), SessionSendStatus.Ok);
  net.scheduler.runFor(50);
  assert.deepEqual(b.got.map((g) => new TextDecoder().decode(g.bytes)), ['redialled']);
  assertBalanced(a, b);
});
