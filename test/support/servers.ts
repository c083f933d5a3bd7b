// Real redis-server / nats-server processes for integration tests: free loopback port, data in a temp dir,
// start / stop / SIGKILL / restart / SIGSTOP, and cleanup that always runs (also on process exit).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<TestServer>();
process.once('exit', () => {
  for (const s of live) s.killNow();
});

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts TCP connections on `port` and `ready()` says yes. */
async function waitReady(port: number, deadlineMs: number, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port }, () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (open && (await probe().catch(() => false))) return;
    if (Date.now() > end) throw new Error(`server on port ${port} not ready within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export class TestServer {
  private proc: ChildProcess | undefined;
  private constructor(
    readonly kind: 'redis' | 'nats',
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
    private readonly probe: () => Promise<boolean>,
  ) {}

  static async redis(opts: { password?: string; appendfsync?: 'always' | 'everysec' | 'no' } = {}): Promise<TestServer> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'nm-redis-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes',
      '--appendfsync', opts.appendfsync ?? 'always', '--daemonize', 'no', '--logfile', join(dir, 'redis.log')];
    if (opts.password) args.push('--requirepass', opts.password);
    const s = new TestServer('redis', port, dir, args, () => redisPing(port, opts.password));
    await s.start();
    return s;
  }

  static async nats(opts: { user?: string; password?: string } = {}): Promise<TestServer> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'nm-nats-'));
    const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir];
    if (opts.user) args.push('--user', opts.user, '--pass', opts.password ?? '');
    const s = new TestServer('nats', port, dir, args, () => Promise.resolve(true));
    await s.start();
    return s;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    const bin = this.kind === 'redis' ? '/usr/bin/redis-server' : '/usr/sbin/nats-server';
    this.proc = spawn(bin, this.args, { stdio: 'ignore' });
    live.add(this);
    try {
      await waitReady(this.port, 10_000, this.probe);
    } catch (e) {
      await this.kill();
      throw e;
    }
  }

  /** SIGTERM and wait for exit. */
  async stop(): Promise<void> {
    await this.signalAndWait('SIGTERM');
  }

  /** SIGKILL (no chance to flush anything) and wait for exit. */
  async kill(): Promise<void> {
    await this.signalAndWait('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Stops the server and removes its data directory. */
  async close(): Promise<void> {
    this.resume();
    await this.kill();
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  killNow(): void {
    try {
      this.proc?.kill('SIGCONT');
      this.proc?.kill('SIGKILL');
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async signalAndWait(sig: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGCONT');
    p.kill(sig);
    await exited;
    this.proc = undefined;
  }
}

/** RESP PING over a raw socket (AUTH first when a password is set). */
function redisPing(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    c.setTimeout(1000, () => {
      c.destroy();
      resolve(false);
    });
    c.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('PONG')) {
        c.destroy();
        resolve(true);
      } else if (buf.startsWith('-') || buf.includes('\r\n-')) {
        c.destroy();
        resolve(false);
      }
    });
    c.on('error', () => resolve(false));
    const cmd = (...a: string[]): string => `*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('');
    c.on('connect', () => c.write((password ? cmd('AUTH', password) : '') + cmd('PING')));
  });
}

/** A TCP listener that accepts connections and never answers (a server hung before its first byte). */
export async function silentListener(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as { port: number }).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}
