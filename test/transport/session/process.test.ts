// Real UDP between two OS processes (test/transport/session/peer.ts under `node --import tsx`), each with its own
// SessionManager + SessionDriver + UdpPort on 127.0.0.1 port 0; addresses and keys travel over IPC. Every wait is
// bounded and fails the test; nothing sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SESSION_DROP_COUNTERS, type SessionOptions } from '../../../src/transport/index.js';
import type { FromPeer, ToPeer } from './peer.js';

const SCRIPT = fileURLToPath(new URL('./peer.ts', import.meta.url));

class PeerProcess {
  readonly child: ChildProcess;
  readonly inbox: FromPeer[] = [];
  readonly events: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private wake: (() => void) | null = null;

  constructor(readonly name: string, seed: number, options: Partial<SessionOptions>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, String(seed), JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: FromPeer) => {
      this.inbox.push(m);
      if (m.type === 'event') this.events.push(m.what);
      this.wake?.();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => { resolve({ code, signal }); this.wake?.(); }));
  }

  send(m: ToPeer): void {
    this.child.send(m);
  }

  /** Resolves with the first inbox message (removed) that matches, or rejects after `ms`. */
  take<T extends FromPeer['type']>(type: T, ms = 10_000, pred: (m: Extract<FromPeer, { type: T }>) => boolean = () => true): Promise<Extract<FromPeer, { type: T }>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const i = this.inbox.findIndex((m) => m.type === type && pred(m as Extract<FromPeer, { type: T }>));
        if (i < 0) return false;
        const [m] = this.inbox.splice(i, 1);
        this.wake = null;
        clearTimeout(timer);
        resolve(m as Extract<FromPeer, { type: T }>);
        return true;
      };
      const timer = setTimeout(() => {
        this.wake = null;
        reject(new Error(`${this.name}: no '${type}' within ${ms} ms; events ${this.events.join(', ')}`));
      }, ms);
      if (!check()) this.wake = () => { check(); };
    });
  }

  /** Waits until the event log holds `what` (counted from `from`), bounded. */
  async event(what: string, ms = 10_000): Promise<void> {
    await this.take('event', ms, (m) => m.what === what);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

async function pair(options: Partial<SessionOptions>): Promise<[PeerProcess, PeerProcess]> {
  const a = new PeerProcess('a', 1, options);
  const b = new PeerProcess('b', 2, options);
  const [ra, rb] = await Promise.all([a.take('ready', 15_000), b.take('ready', 15_000)]);
  b.send({ type: 'peer', port: ra.port, nodeId: ra.nodeId, staticKey: ra.staticKey, connect: false });
  a.send({ type: 'peer', port: rb.port, nodeId: rb.nodeId, staticKey: rb.staticKey, connect: true });
  await Promise.all([a.event('up'), b.event('up')]);
  await Promise.all([a.event('proven'), b.event('proven')]);
  return [a, b];
}

/**
 * Sends packets each way in chunks that fit a socket buffer until each side has received `total` in all (it had
 * `already`), waiting for each chunk to arrive.
 */
async function exchange(a: PeerProcess, b: PeerProcess, total: number, chunk = 100, already = 0): Promise<void> {
  for (let n = already + chunk; n <= total; n += chunk) {
    for (const p of [a, b]) p.send({ type: 'expect-data', n });
    for (const p of [a, b]) p.send({ type: 'send', n: chunk });
    await Promise.all([a.take('got', 10_000, (m) => m.n === n), b.take('got', 10_000, (m) => m.n === n)]);
  }
}

async function shutdown(...ps: PeerProcess[]): Promise<Record<string, number>[]> {
  for (const p of ps) p.send({ type: 'shutdown' });
  const done = await Promise.all(ps.map((p) => p.take('done')));
  const exits = await Promise.race([
    Promise.all(ps.map((p) => p.exited)),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('a peer process did not exit on its own within 10 s')), 10_000).unref()),
  ]);
  for (const [i, e] of exits.entries()) assert.deepEqual(e, { code: 0, signal: null }, `${ps[i]!.name} exit`);
  for (const [i, d] of done.entries()) assert.ok(d.seqOk, `${ps[i]!.name}: every sequence number once, every send Ok`);
  return done.map((d) => d.counters);
}

function assertBalanced(name: string, c: Record<string, number>): void {
  const drops = SESSION_DROP_COUNTERS.reduce((s, k) => s + (c[k] ?? 0), 0);
  assert.equal(c.received, (c.accepted ?? 0) + drops, `${name}: received = accepted + drops ${JSON.stringify(c)}`);
}

test('two OS processes: handshake, identity proof, 1000 packets each way across a forced rekey, clean exit', async () => {
  const [a, b] = await pair({ rekeyAfterPackets: 300, handshakeRatePerSource: 1000, handshakeBurstPerSource: 100 });
  try {
    await exchange(a, b, 1000);
    const [ca, cb] = await shutdown(a, b);
    for (const [name, c] of [['a', ca!], ['b', cb!]] as const) {
      assertBalanced(name, c);
      assert.equal(c.data_sent, 1000, name);
      assert.equal(c.data_received, 1000, `${name}: no loss`);
      assert.ok(c.rekeys_completed! >= 1, `${name}: rekeyed ${JSON.stringify(c)}`);
      assert.equal(c.drop_auth_failed, 0, name);
      assert.equal(c.drop_replay, 0, name);
      assert.equal(c.drop_unknown_session, 0, name);
      assert.equal(c.sessions_up, 1, name);
      assert.equal(c.sessions_down, 1, `${name}: only the shutdown`);
    }
    // Every rekeyed session is proven again: 'proven' once per session, then the shutdown.
    for (const p of [a, b]) {
      assert.deepEqual(p.events.slice(0, 2), ['up', 'proven'], p.name);
      assert.deepEqual(p.events.slice(2, -1).filter((e) => e !== 'proven'), [], p.name);
      assert.equal(p.events.at(-1), 'down shutdown', p.name);
    }
  } finally {
    a.kill();
    b.kill();
  }
});

test('a SIGSTOPped peer is timed out, and the session comes back after SIGCONT', { skip: process.platform === 'win32' }, async () => {
  const options = {
    heartbeatMs: 100, sessionTimeoutMs: 600, handshakeTimeoutMs: 300, backoffBaseMs: 50, reconnectIntervalMs: 200,
    handshakeRatePerSource: 1000, handshakeBurstPerSource: 100,
  };
  const [a, b] = await pair(options);
  try {
    await exchange(a, b, 50, 50);
    assert.ok(b.child.kill('SIGSTOP'));
    try {
      await a.event('down timeout', 5000);
    } finally {
      b.child.kill('SIGCONT');
    }
    // b wakes up with a stale session; a keeps reconnecting (it is the connecting side) until b answers.
    await a.event('up', 10_000);
    await a.event('proven', 10_000);
    await exchange(a, b, 150, 50, 50);
    const [ca, cb] = await shutdown(a, b);
    assertBalanced('a', ca!);
    assertBalanced('b', cb!);
    assert.equal(ca!.session_timeouts, 1);
    assert.equal(ca!.sessions_up, 2);
    assert.equal(ca!.data_received, 150);
    assert.equal(cb!.data_received, 150);
  } finally {
    a.kill();
    b.kill();
  }
});
