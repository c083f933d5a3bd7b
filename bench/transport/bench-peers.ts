// Shared by the session benchmarks and their child process: fixed identities, the PSK, the options, and a helper
// that spawns bench/transport/echo-peer.ts and always kills it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Identity } from '../../src/crypto/index.js';
import type { SessionOptions } from '../../src/transport/index.js';

export const BENCH_PSK = new Uint8Array(32).fill(0x5a);

/** Benchmarks run many handshakes from one address: the rate limits are opened up, everything else is default. */
export const BENCH_SESSION_OPTIONS: Partial<SessionOptions> = {
  handshakeRatePerSource: 1e9, handshakeBurstPerSource: 1e9, handshakeRateGlobal: 1e9, handshakeBurstGlobal: 1e9,
};

export function benchIdentity(n: number): Identity {
  return Identity.fromSeed(new Uint8Array(32).fill(n));
}

export interface PeerPorts { ours: number; raw: number }
export interface PeerCounts { ours: number; raw: number; auth: number }

export interface PeerProcess {
  ports: PeerPorts;
  count(): Promise<PeerCounts>;
  /** Disconnects and waits for the exit; SIGKILL after 2 s. Idempotent. */
  stop(): Promise<void>;
}

/** Spawns the echo/sink peer and waits for its ports (10 s bound). */
export async function spawnPeer(mode: 'echo' | 'sink'): Promise<PeerProcess> {
  const script = fileURLToPath(new URL('./echo-peer.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.disconnect();
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    }
  };
  try {
    const ports = await new Promise<PeerPorts>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('bench peer did not start within 10 s')), 10_000);
      child.once('message', (m) => { clearTimeout(t); resolve(m as PeerPorts); });
      child.once('exit', (code) => { clearTimeout(t); reject(new Error(`bench peer exited with ${code}`)); });
    });
    return {
      ports,
      count: () => new Promise<PeerCounts>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('bench peer did not answer')), 5000);
        child.once('message', (m) => { clearTimeout(t); resolve(m as PeerCounts); });
        child.send('count');
      }),
      stop: kill,
    };
  } catch (e) {
    await kill();
    throw e;
  }
}
