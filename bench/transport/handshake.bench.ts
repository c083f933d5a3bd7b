// transport.handshakes (issue 4, Performance): complete handshakes with the identity proof per second.
// - value: across processes, as in deployment: 8 initiator SessionManagers here (one UdpPort each) against one
//   responder in a child process over 127.0.0.1; each initiator closes and reconnects as soon as the responder's
//   proof verifies, so the responder also replaces a live session by proof every time (the costliest path).
//   Counted by both ends over a 2 s window; the lower rate is reported.
// - baseline one_thread: both SessionManagers in this thread with direct in-memory hand-off (each handshake pays
//   both sides' crypto on one core).
// - baseline noise_only: the bare NKpsk0 handshake plus the KDF, both sides in this thread (no proof, no session).
import { setTimeout as sleep } from 'node:timers/promises';
import { compareOpsPerSecond, round, type BenchCase } from '../harness.js';
import { CryptoRandom, RealTimers, SystemClock } from '../../src/core/index.js';
import {
  NoiseInitiator, NoiseResponder, deriveSessionKeys, netPrologue, prepareNoisePsk, type Identity,
} from '../../src/crypto/index.js';
import { SessionDriver, SessionManager, UdpPort, peerAddress, type PeerAddress } from '../../src/transport/index.js';
import { BENCH_PSK, BENCH_SESSION_OPTIONS, HANDSHAKE_FIRST_INITIATOR, benchIdentity, spawnChild } from './bench-peers.js';

// A msg1 from an address the responder has not seen is tried against at most maxHandshakeTrials (8) expected
// peers, so 8 initiators on fresh ports all connect (more would need their addresses configured).
const INITIATORS = 8;
const WINDOW_MS = 2000;

async function crossProcessRate(): Promise<number> {
  const child = await spawnChild<{ port: number }, { proven: number }>('./handshake-peer.ts', [String(INITIATORS)]);
  const responder = benchIdentity(2);
  const target = { nodeId: responder.nodeId, staticPublicKey: responder.staticPublicKey, address: peerAddress('ipv4', '127.0.0.1', child.ports.port) };
  const clock = new SystemClock();
  const random = new CryptoRandom();
  let proven = 0;
  const ends: { port: UdpPort; driver: SessionDriver }[] = [];
  try {
    for (let k = 0; k < INITIATORS; k++) {
      const port = await UdpPort.open({ host: '127.0.0.1', port: 0 });
      const redial = (): void => {
        if (mgr.isShutdown) return;
        mgr.close(target.nodeId);
        mgr.connect(target);
        driver.arm();
      };
      const mgr: SessionManager = new SessionManager({
        clock, random, identity: benchIdentity(HANDSHAKE_FIRST_INITIATOR + k), send: SessionDriver.output(port),
        events: {
          sessionUp: () => {}, sessionDown: () => {}, data: () => {},
          identityProven: () => { proven++; setImmediate(redial); },
        },
      }, { psk: BENCH_PSK, ...BENCH_SESSION_OPTIONS });
      const driver = new SessionDriver(port, mgr, new RealTimers(), clock);
      ends.push({ port, driver });
      mgr.connect(target);
      driver.arm();
    }
    await sleep(500);
    const c0 = (await child.count()).proven;
    const p0 = proven;
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const c1 = (await child.count()).proven;
    const p1 = proven;
    const s = (performance.now() - t0) / 1000;
    if (c1 === c0) throw new Error('no handshake completed in the window');
    return Math.min(c1 - c0, p1 - p0) / s;
  } finally {
    for (const e of ends) {
      e.driver.stop();
      await e.port.close();
    }
    await child.stop();
  }
}

function oneThreadHandshakes(random: CryptoRandom): { ours: () => void; noiseOnly: () => void; stop: () => void } {
  const clock = new SystemClock();
  const ida = benchIdentity(1);
  const idb = benchIdentity(2);
  const addrA = peerAddress('sim', 'a', 1);
  const addrB = peerAddress('sim', 'b', 1);
  // Direct hand-off: a FIFO of datagrams (copied: the managers reuse their buffers), drained in a loop.
  const queue: { bytes: Uint8Array; to: SessionManager; from: PeerAddress }[] = [];
  let proven = 0;
  const events = { sessionUp: () => {}, sessionDown: () => {}, data: () => {}, identityProven: () => { proven++; } };
  const mk = (identity: Identity, peer: () => SessionManager, self: PeerAddress) => new SessionManager({
    clock, random, identity, events,
    send: (bytes) => { queue.push({ bytes: bytes.slice(), to: peer(), from: self }); },
  }, { psk: BENCH_PSK, ...BENCH_SESSION_OPTIONS });
  const a: SessionManager = mk(ida, () => b, addrA);
  const b: SessionManager = mk(idb, () => a, addrB);
  b.expect(ida.nodeId, ida.staticPublicKey, addrA);
  const ours = (): void => {
    proven = 0;
    a.connect({ nodeId: idb.nodeId, staticPublicKey: idb.staticPublicKey, address: addrB });
    for (let i = 0; i < queue.length; i++) queue[i]!.to.receive(queue[i]!.bytes, queue[i]!.from);
    queue.length = 0;
    if (proven !== 2) throw new Error(`handshake incomplete (${proven} proofs)`);
    a.close(idb.nodeId);
    b.close(ida.nodeId);
  };
  const raw = new Uint8Array(32);
  random.fill(raw);
  const psk = prepareNoisePsk(raw);
  const prologue = netPrologue(ida.routingId, idb.routingId);
  const noiseOnly = (): void => {
    const i = new NoiseInitiator({ random }, { psk, prologue, responderStatic: idb.staticPublicKey });
    const r = new NoiseResponder({ random }, { psk, prologue, staticPrivateKey: idb.staticPrivateKey, staticPublicKey: idb.staticPublicKey });
    r.readMessage1(i.writeMessage1(), 0);
    i.readMessage2(r.writeMessage2());
    deriveSessionKeys(i.handshakeHash, 'initiator').dispose();
    deriveSessionKeys(r.handshakeHash, 'responder').dispose();
  };
  return { ours, noiseOnly, stop: () => { a.shutdown(); b.shutdown(); psk.dispose(); } };
}

const cases: BenchCase[] = [
  {
    name: 'transport.handshakes',
    async run() {
      const cross = await crossProcessRate();
      const t = oneThreadHandshakes(new CryptoRandom());
      const rate = await compareOpsPerSecond({ one_thread: t.ours, noise_only: t.noiseOnly });
      t.stop();
      return {
        value: Math.round(cross), unit: 'per_s',
        baseline: { one_thread: Math.round(rate.one_thread), noise_only: Math.round(rate.noise_only) },
        notes: `2 processes over 127.0.0.1, ${INITIATORS} initiators -> 1 responder, NKpsk0 + identity proof both ways + ` +
          `ack, live-session replacement by proof; rate limits opened; one_thread is ${round(rate.one_thread / rate.noise_only, 2)}x of noise_only`,
      };
    },
  },
];
export default cases;
