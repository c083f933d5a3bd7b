// A handshake flood over real UDP from 49 loopback addresses (127.0.0.2 … 127.0.0.50), each sending well-formed
// msg1 packets under a wrong PSK, while the legitimate peer on 127.0.0.1 connects: it must still get its session
// within 1 s, the flood must be rate-limited and counted, and every received datagram must land in one counter.
//
// KNOWN GAP (issue 4, left open): today the flood drains the global handshake bucket (1000/s) with 49 sources ×
// 20/s each, so the legitimate msg1 is rate-limited too and the connect misses the 1 s bound. The fix needs a
// fairness rule for the global bucket that spoofed fresh sources cannot use (WireGuard answers load with cookies).
// The test stays here, marked todo, so it runs and reports until that lands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CryptoRandom } from '../../src/core/index.js';
import { Identity, NoiseInitiator, netPrologue } from '../../src/crypto/index.js';
import { encodeHandshakePacket } from '../../src/wire/index.js';
import { UdpPort, peerAddress } from '../../src/transport/index.js';
import { MeshNode } from '../../src/node/index.js';

test('a legitimate peer connects within 1 s through a 49-source handshake flood', {
  timeout: 30_000,
  todo: 'global handshake bucket is not fair to quiet sources yet (issue 4)',
}, async () => {
  const psk = randomBytes(32);
  const aId = Identity.generate();
  const b = await MeshNode.create({ psk, expectedPeers: [{ nodeId: aId.nodeId }] });
  const a = await MeshNode.create({ psk, identity: aId });
  const attackers = await Promise.all(
    Array.from({ length: 49 }, (_, i) => UdpPort.open({ host: `127.0.0.${i + 2}` })),
  );
  const bAddr = peerAddress('ipv4', '127.0.0.1', Number(b.localAddress().split(':')[1]));
  // Well-formed msg1 packets that name A as the initiator (so B must try them) but use another PSK.
  const random = new CryptoRandom();
  const bogus = Array.from({ length: 8 }, () => {
    const wrong = new NoiseInitiator({ random }, {
      psk: randomBytes(32), prologue: netPrologue(aId.routingId, Number(b.nodeId() & 0xffffffffn)),
      responderStatic: Buffer.from(b.publicKey(), 'hex'),
    });
    return encodeHandshakePacket(wrong.writeMessage1());
  });
  let flooding = true;
  let sent = 0;
  const flood = (): void => {
    if (!flooding) return;
    for (const port of attackers) for (let k = 0; k < 4; k++) port.send(bogus[(sent++) & 7]!, bAddr);
    setImmediate(flood);
  };
  try {
    flood();
    await new Promise((r) => setTimeout(r, 100)); // the flood is under way before A starts
    const t0 = performance.now();
    await a.connect(b.localAddress(), b.publicKey(), b.nodeId(), { timeoutMs: 1000 });
    const elapsed = performance.now() - t0;
    assert.ok(elapsed < 1000, `connected after ${elapsed.toFixed(0)} ms`);
    assert.ok((await a.ping(b.nodeId(), { timeoutMs: 1000 })) < 1000);
  } finally {
    flooding = false;
    await Promise.all(attackers.map((p) => p.close()));
    await new Promise((r) => setTimeout(r, 100)); // datagrams still in the socket buffer arrive before counting
    const m = b.metrics().sessions;
    const drops = Object.entries(m).filter(([k]) => k.startsWith('drop_')).reduce((s, [, v]) => s + v, 0);
    await Promise.all([a.shutdown(), b.shutdown()]);
    // These hold even while the bound above is missed: the flood is limited and every datagram counted once.
    assert.equal(m.received, m.accepted! + drops, 'every datagram counted once');
    assert.ok(m.drop_handshake_rate_limited! > 0, 'the flood was rate-limited');
    assert.ok(sent > 1000, `flood sent ${sent}`);
  }
});
