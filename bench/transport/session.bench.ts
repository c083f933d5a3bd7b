// Session-layer benchmarks (issue 4, Performance). Every side runs in the same run and topology:
// - transport.echo_rtt_64: median RTT (µs) of a 64-byte payload echoed by a second OS process over 127.0.0.1,
//   SessionManager (sealed, 64 + 84 = 148-byte datagrams) against raw node:dgram (64-byte datagrams);
//   rounds interleaved, samples pooled.
// - transport.datagrams: sealed 64-byte payloads per second from this process to a receiver process, counted by
//   the receiver over a 1 s window while the sender floods; raw node:dgram alongside; 1200-byte payloads too.
// transport.handshakes lives in handshake.bench.ts.
import { createSocket, type Socket } from 'node:dgram';
import { setImmediate as yieldNow, setTimeout as sleep } from 'node:timers/promises';
import { round, type BenchCase } from '../harness.js';
import { CryptoRandom, RealTimers, SystemClock } from '../../src/core/index.js';
import { SessionDriver, SessionManager, UdpPort, peerAddress } from '../../src/transport/index.js';
import { BENCH_PSK, BENCH_SESSION_OPTIONS, benchIdentity, spawnPeer, type PeerProcess } from './bench-peers.js';

const SUB = 0x42;

/** This process's side: a SessionManager on a UdpPort, connected (with identity proof) to the child. */
async function localNode(peer: PeerProcess, onData: (payload: Uint8Array) => void) {
  const clock = new SystemClock();
  const id = benchIdentity(1);
  const remote = benchIdentity(2);
  const port = await UdpPort.open({ host: '127.0.0.1', port: 0, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  let proven: (() => void) | null = null;
  const mgr = new SessionManager({
    clock, random: new CryptoRandom(), identity: id, send: SessionDriver.output(port),
    events: {
      sessionUp: () => {},
      sessionDown: () => {},
      identityProven: () => proven?.(),
      data: (_p, _s, payload) => onData(payload),
    },
  }, { psk: BENCH_PSK, ...BENCH_SESSION_OPTIONS });
  const driver = new SessionDriver(port, mgr, new RealTimers(), clock);
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('session with the bench peer not up within 5 s')), 5000);
    proven = () => { clearTimeout(t); resolve(); };
    mgr.connect({ nodeId: remote.nodeId, staticPublicKey: remote.staticPublicKey, address: peerAddress('ipv4', '127.0.0.1', peer.ports.ours) });
    driver.arm();
  });
  return {
    send: (payload: Uint8Array) => mgr.send(remote.nodeId, SUB, payload),
    close: async () => { driver.stop(); await port.close(); },
  };
}

async function rawSocket(onMessage: () => void): Promise<Socket> {
  const s = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  s.on('message', onMessage);
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** `n` sequential ping-pongs; RTTs in µs appended to `out`. Rejects if 1024 replies take over 5 s (a lost echo). */
function pingPong(send: () => void, setReply: (f: () => void) => void, n: number, out: number[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let i = 0;
    let t0 = 0;
    const watchdog = setTimeout(() => reject(new Error(`echo lost after ${i}`)), 5000);
    const go = (): void => {
      t0 = performance.now();
      send();
    };
    setReply(() => {
      out.push((performance.now() - t0) * 1000);
      if (++i === n) {
        clearTimeout(watchdog);
        resolve();
        return;
      }
      if ((i & 1023) === 0) watchdog.refresh();
      go();
    });
    go();
  });
}

/** Calls `send` as fast as the loop allows (yielding every 32 sends) until `stop()` resolves. */
async function floodWhile<T>(send: () => void, measure: () => Promise<T>): Promise<T> {
  let on = true;
  const loop = (async () => {
    while (on) {
      for (let k = 0; k < 32; k++) send();
      await yieldNow();
    }
  })();
  try {
    return await measure();
  } finally {
    on = false;
    await loop;
  }
}

const cases: BenchCase[] = [
  {
    name: 'transport.echo_rtt_64',
    async run() {
      const peer = await spawnPeer('echo');
      let onReply: () => void = () => {};
      const setReply = (f: () => void): void => { onReply = f; };
      let node: Awaited<ReturnType<typeof localNode>> | null = null;
      let sock: Socket | null = null;
      try {
        node = await localNode(peer, () => onReply());
        sock = await rawSocket(() => onReply());
        const payload = new Uint8Array(64).fill(1);
        const s = sock;
        const n = node;
        const sides = {
          ours: () => { n.send(payload); },
          dgram: () => { s.send(payload, peer.ports.raw, '127.0.0.1'); },
        };
        const samples: Record<keyof typeof sides, number[]> = { ours: [], dgram: [] };
        for (const k of ['ours', 'dgram'] as const) await pingPong(sides[k], setReply, 2000, []); // warm-up
        for (let r = 0; r < 6; r++) {
          for (const k of ['ours', 'dgram'] as const) await pingPong(sides[k], setReply, 3000, samples[k]);
        }
        const stat = (k: keyof typeof sides) => {
          const v = Float64Array.from(samples[k]).sort();
          return { p50: quantile(v, 0.5), p99: quantile(v, 0.99) };
        };
        const o = stat('ours');
        const d = stat('dgram');
        return {
          value: round(o.p50), unit: 'us',
          baseline: { dgram: round(d.p50), ours_p99: round(o.p99), dgram_p99: round(d.p99) },
          notes: `2 processes, 127.0.0.1, 64-byte payload (ours 148-byte datagram), 18000 pings each, ` +
            `p50 ${round(o.p50 / d.p50, 2)}x, p99 ours ${round(o.p99)} / dgram ${round(d.p99)} = ${round(o.p99 / d.p99, 2)}x`,
        };
      } finally {
        await node?.close();
        sock?.close();
        await peer.stop();
      }
    },
  },
  {
    name: 'transport.datagrams',
    async run() {
      const peer = await spawnPeer('sink');
      let node: Awaited<ReturnType<typeof localNode>> | null = null;
      let sock: Socket | null = null;
      try {
        node = await localNode(peer, () => {});
        sock = await rawSocket(() => {});
        const n = node;
        const s = sock;
        const p64 = new Uint8Array(64).fill(2);
        const p1200 = new Uint8Array(1200).fill(3);
        const sides = {
          ours: { field: 'ours', send: () => { n.send(p64); } },
          dgram: { field: 'raw', send: () => { s.send(p64, peer.ports.raw, '127.0.0.1'); } },
          ours_1200: { field: 'ours', send: () => { n.send(p1200); } },
          dgram_1200: { field: 'raw', send: () => { s.send(p1200, peer.ports.raw, '127.0.0.1'); } },
        } as const;
        type K = keyof typeof sides;
        const best = { ours: 0, dgram: 0, ours_1200: 0, dgram_1200: 0 } as Record<K, number>;
        for (let r = 0; r < 3; r++) {
          for (const k of Object.keys(sides) as K[]) {
            const side = sides[k];
            const rate = await floodWhile(side.send, async () => {
              await sleep(200);
              const c0 = await peer.count();
              const t0 = performance.now();
              await sleep(1000);
              const c1 = await peer.count();
              const dt = (performance.now() - t0) / 1000;
              return (c1[side.field] - c0[side.field]) / dt;
            });
            best[k] = Math.max(best[k], rate);
            await sleep(100); // let the receiver drain before the next side
          }
        }
        const auth = (await peer.count()).auth;
        if (auth !== 0) throw new Error(`receiver saw ${auth} packets fail authentication`);
        return {
          value: Math.round(best.ours), unit: 'per_s',
          baseline: { dgram: Math.round(best.dgram), ours_1200: Math.round(best.ours_1200), dgram_1200: Math.round(best.dgram_1200) },
          notes: `1 sender -> 1 receiver process, counted at receiver, 1 s window, best of 3; payload 64 B (datagram ours 148 B, raw 64 B) ` +
            `${round(best.ours / best.dgram, 2)}x; 1200 B (ours 1284 B) ${round(best.ours_1200 / best.dgram_1200, 2)}x`,
        };
      } finally {
        await node?.close();
        sock?.close();
        await peer.stop();
      }
    },
  },
];
export default cases;
