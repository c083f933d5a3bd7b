import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CryptoRandom, RealTimers, SystemClock, utf8 } from '../../../src/core/index.js';
import { Identity } from '../../../src/crypto/index.js';
import { SESSION_DROP_COUNTERS, SessionDriver, SessionManager, SessionSendStatus, UdpPort } from '../../../src/transport/index.js';
import { PSK } from './harness.js';

async function node(seed: number) {
  const port = await UdpPort.open({ host: '127.0.0.1', port: 0 });
  const id = Identity.fromSeed(new Uint8Array(32).fill(seed));
  const clock = new SystemClock();
  const log: string[] = [];
  const got: string[] = [];
  let wake: (() => void) | null = null;
  const poke = (): void => wake?.();
  const mgr = new SessionManager({
    clock, random: new CryptoRandom(), identity: id, send: SessionDriver.output(port),
    events: {
      sessionUp: () => { log.push('up'); poke(); },
      sessionDown: (_p, r) => { log.push(`down ${r}`); poke(); },
      identityProven: () => { log.push('proven'); poke(); },
      data: (_p, _s, payload) => { got.push(Buffer.from(payload).toString()); poke(); },
    },
  }, { psk: PSK });
  const driver = new SessionDriver(port, mgr, new RealTimers(), clock);
  const until = (cond: () => boolean, ms = 2000): Promise<void> => new Promise((resolve, reject) => {
    if (cond()) return resolve();
    const t = setTimeout(() => reject(new Error(`timed out: ${log.join()}`)), ms);
    wake = () => { if (cond()) { clearTimeout(t); wake = null; resolve(); } };
  });
  return { port, id, mgr, driver, log, got, until };
}

test('real UDP on 127.0.0.1: handshake, identity proof, data round trip, clean shutdown', async () => {
  const a = await node(1);
  const b = await node(2);
  b.mgr.expect(a.id.nodeId, a.id.staticPublicKey, a.port.local);
  a.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: b.port.local });
  a.driver.arm();
  b.driver.arm();
  await a.until(() => a.log.includes('proven'));
  await b.until(() => b.log.includes('proven'));
  assert.equal(a.mgr.send(b.id.nodeId, 0x42, utf8('ping')), SessionSendStatus.Ok);
  await b.until(() => b.got.length === 1);
  assert.equal(b.mgr.send(a.id.nodeId, 0x42, utf8('pong')), SessionSendStatus.Ok);
  await a.until(() => a.got.length === 1);
  assert.deepEqual([b.got, a.got], [['ping'], ['pong']]);
  for (const n of [a, b]) {
    n.driver.stop();
    await n.port.close();
    const c = n.mgr.counters;
    assert.equal(c.get('received'), c.get('accepted') + c.sum(SESSION_DROP_COUNTERS));
    assert.equal(n.mgr.nextDeadline(), Infinity);
    assert.equal(n.mgr.sessionCount, 0);
  }
  assert.deepEqual(a.log, ['up', 'proven', 'down shutdown']);
});
