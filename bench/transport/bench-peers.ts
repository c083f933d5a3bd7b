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

/** Initiator identities of the cross-process handshake benchmark are `benchIdentity(HANDSHAKE_FIRST_INITIATOR + k)`. */
export const HANDSHAKE_FIRST_INITIATOR = 16;

export function benchIdentity(n: number): Identity {
  return Identity.fromSeed(new Uint8Array(32).fill(n));
}

export interface PeerPorts { ours: number; raw: number }
export interface PeerCounts { ours: number; raw: number; auth: number }


/** Spawns the echo/sink peer and waits for its ports (10 s bound). */
export function spawnPeer(mode: 'echo' | 'sink'): Promise<PeerProcess> {
  return spawnChild<PeerPorts, PeerCounts>('./echo-peer.ts', [mode]);
}

export interface ChildPeer<Ports, Counts> {
  ports: Ports;
  count(): Promise<Counts>;
  /** Sends one IPC message that the child answers with nothing (for example "start"). */
  tell(message: unknown): void;
  /** Disconnects and waits for the exit; SIGKILL after 2 s. Idempotent. */
  stop(): Promise<void>;
}
export type PeerProcess = ChildPeer<PeerPorts, PeerCounts>;

/** Spawns a bench child script (relative to this folder), waits for its first IPC message (10 s bound). */
export async function spawnChild<Ports, Counts>(relScript: string, args: string[]): Promise<ChildPeer<Ports, Counts>> {
  const script = fileURLToPath(new URL(relScript, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...(process.env.BENCH_CHILD_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CHILD_PROF] : []), '--import', 'tsx', script, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
    const ports = await new Promise<Ports>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('bench peer did not start within 10 s')), 10_000);
      child.once('message', (m) => { clearTimeout(t); resolve(m as Ports); });
      child.once('exit', (code) => { clearTimeout(t); reject(new Error(`bench peer exited with ${code}`)); });
    });
    return {
      ports,
      count: () => new Promise<Counts>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('bench peer did not answer')), 5000);
        child.once('message', (m) => { clearTimeout(t); resolve(m as Counts); });
        child.send('count');
      }),
      tell: (message) => { child.send(message as string); },
      stop: kill,
    };
  } catch (e) {
    await kill();
    throw e;
  }
}
