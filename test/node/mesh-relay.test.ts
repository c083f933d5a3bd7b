// Three MeshNodes over real UDP on 127.0.0.1: A and B know only R. Pingwaves give A a route to B through R, A
// connects to B through it (a routed handshake R cannot read), and a plaintext canary crosses R without R ever
// sending it in the clear. Routes are awaited by polling the table against a deadline (no fixed sleeps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { NotConnectedError } from '../../src/core/index.js';
import { Identity } from '../../src/crypto/index.js';
import { MeshNode } from '../../src/node/index.js';

const fast = { heartbeatIntervalMs: 200, sessionTimeoutMs: 3000, handshakeTimeoutMs: 300, handshakeRetries: 3 };

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

test('A–R–B over UDP: a route through R, a routed session across it, R never sends the plaintext', async () => {
  const psk = randomBytes(32);
  const [ida, idb] = [Identity.generate(), Identity.generate()];
  const r = await MeshNode.create({ psk, ...fast, expectedPeers: [{ nodeId: ida.nodeId }, { nodeId: idb.nodeId }] });
  const seed = [{ nodeId: r.nodeId(), publicKey: r.publicKey(), address: r.localAddress() }];
  const a = await MeshNode.create({ psk, identity: ida, ...fast, seedPeers: seed });
  const b = await MeshNode.create({ psk, identity: idb, ...fast, seedPeers: seed });
  // Everything R puts on the wire, captured at its port.
  const port = (r as unknown as { port: { send(b: Uint8Array, to: unknown): boolean } }).port;
  const sent: Buffer[] = [];
  const send = port.send.bind(port);
  port.send = (bytes, to) => { sent.push(Buffer.from(bytes)); return send(bytes, to); };
  try {
    await Promise.all([r.start(), a.start(), b.start()]);
    await until('A to learn B through R', () => a.routes().some((x) => x.dest === b.nodeId() && x.nextHop === r.nodeId()));
    await assert.rejects(a.connectRouted(Identity.generate().staticPublicKey, 0x1234n), (e: unknown) => e instanceof NotConnectedError && e.reason === 'no-route');
    const inbox = b.receive();
    await a.connectRouted(b.publicKey(), b.nodeId(), { timeoutMs: 3000 });
    const canary = randomBytes(32);
    a.send(b.nodeId(), canary);
    for await (const m of inbox) {
      assert.equal(m.from, a.nodeId());
      assert.deepEqual(Buffer.from(m.payload), canary);
      break;
    }
    const relay = r.metrics().mesh;
    assert.ok(relay.relay_forwarded! >= 4, JSON.stringify(relay));
    assert.equal(relay.relay_received, relay.relay_forwarded! + Object.entries(relay).filter(([k]) => k.startsWith('relay_drop_')).reduce((s, [, v]) => s + v, 0));
    assert.ok(!Buffer.concat(sent).includes(canary), 'R sent the canary in the clear');
    assert.deepEqual(a.routes().find((x) => x.dest === b.nodeId())?.kind, 'relayed');
  } finally {
    await Promise.all([a.shutdown(), b.shutdown(), r.shutdown()]);
  }
});
