// transport.handshakes (issue 4, Performance): complete handshakes with the identity proof per second.
// - value: across two processes over 127.0.0.1: INITIATORS initiators in this process (each its own SessionManager
//   on its own UdpPort, like that many nodes) dial one responder in a child process (bench/transport/
//   handshake-end.ts). Each initiator closes and redials as soon as the responder's proof verifies, so the responder
//   also replaces a live session by proof every time (the costliest path). Handshakes are counted at the responder
//   over a 2 s window and checked against the initiators' count (the lower is reported).
// - baseline two_way: each process runs a responder and INITIATORS/2 initiators dialling the other (a mesh where
//   every node dials and answers); counted the same way, both directions summed.
// - baseline one_thread: both SessionManagers in this thread with direct in-memory hand-off (each handshake pays
//   both sides' crypto on one core).
// - baseline noise_only: the bare NKpsk0 handshake plus the KDF, both sides in this thread (no proof, no session).
// The notes give each process's CPU use in the window: below ~0.9 the figure is bounded by scheduling, not by work.
import { setTimeout as sleep } from 'node:timers/promises';
import { compareOpsPerSecond, round, type BenchCase } from '../harness.js';
import { CryptoRandom, SystemClock } from '../../src/core/index.js';
import {
  NoiseInitiator, NoiseResponder, deriveSessionKeys, netPrologue, prepareNoisePsk, type Identity,
} from '../../src/crypto/index.js';
import { SessionManager, peerAddress, type PeerAddress } from '../../src/transport/index.js';
import { BENCH_PSK, BENCH_SESSION_OPTIONS, benchIdentity, spawnChild } from './bench-peers.js';
import { HandshakeEnd, type HandshakeCounts, type HandshakeEndPorts } from './handshake-end.js';

const INITIATORS = Number(process.env.BENCH_HS_INITIATORS ?? 16);
const WINDOW_MS = 2000;

interface CrossRate { rate: number; cpuParent: number; cpuChild: number }

/** Handshakes per second between this process (`here` initiators) and a child (`there` initiators). */
async function crossProcessRate(here: number, there: number): Promise<CrossRate> {
  const end = await HandshakeEnd.open(0, here);
  try {
    const mine = end.ports;
    const child = await spawnChild<HandshakeEndPorts, HandshakeCounts>('./handshake-peer.ts',
      [there, mine.responder, ...mine.initiators].map(String));
    try {
      end.pair(child.ports);
      end.start();
      child.tell('start');
      await sleep(500);
      const c0 = await child.count();
      const p0 = end.count();
      const t0 = performance.now();
      await sleep(WINDOW_MS);
      const c1 = await child.count();
      const p1 = end.count();
      const s = (performance.now() - t0) / 1000;
      const asResponder = c1.asResponder - c0.asResponder + p1.asResponder - p0.asResponder;
      const asInitiator = c1.asInitiator - c0.asInitiator + p1.asInitiator - p0.asInitiator;
      if (asResponder === 0) throw new Error('no handshake completed in the window');
      return {
        rate: Math.min(asResponder, asInitiator) / s,
        cpuParent: (p1.cpuUs - p0.cpuUs) / 1e6 / s, cpuChild: (c1.cpuUs - c0.cpuUs) / 1e6 / s,
      };
    } finally {
      await child.stop();
    }
  } finally {
    await end.close();
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
      const half = Math.max(1, INITIATORS >> 1);
      const oneWay = await crossProcessRate(INITIATORS, 0);
      const twoWay = await crossProcessRate(half, half);
      const t = oneThreadHandshakes(new CryptoRandom());
      const rate = await compareOpsPerSecond({ one_thread: t.ours, noise_only: t.noiseOnly });
      t.stop();
      return {
        value: Math.round(oneWay.rate), unit: 'per_s',
        baseline: { two_way: Math.round(twoWay.rate), one_thread: Math.round(rate.one_thread), noise_only: Math.round(rate.noise_only) },
        notes: `2 processes over 127.0.0.1, ${INITIATORS} initiators -> 1 responder (two_way: ${half} each way); ` +
          `NKpsk0 + identity proof both ways + ack, live-session replacement by proof; rate limits opened; CPU cores busy ` +
          `${round(oneWay.cpuParent, 2)} + ${round(oneWay.cpuChild, 2)} (two_way ${round(twoWay.cpuParent, 2)} + ${round(twoWay.cpuChild, 2)}); ` +
          `one_thread is ${round(rate.one_thread / rate.noise_only, 2)}x of noise_only`,
      };
    },
  },
];
export default cases;
