// The queue checker shared by the Redis and JetStream fault tests: a producer child process (restartable, with
// a persisted producer sequence) reports acknowledged prefixes; afterwards every stored event is read back and
// each id is classified: acknowledged but never read = lost, read more than once after dedup = duplicated.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DedupWindow, EventBus, type BusAdapter } from '../../src/bus/index.js';

export class CheckedProducer {
  acked = 0;
  /** Chunks the producer had to produce again because the bus dropped them (each may appear twice). */
  reproduced = 0;
  /** Why (the bus's last adapter error at the drop). */
  readonly reproducedReasons: string[] = [];
  private child: ChildProcess | undefined;

  constructor(private readonly args: { backend: 'redis' | 'jetstream'; port: number; password: string; prefix: string; state: string; total: number }) {}

  /** Runs the producer from the last acknowledged id; resolves 'done' or 'killed'. */
  run(): Promise<'done' | 'killed'> {
    const a = this.args;
    return new Promise((resolve, reject) => {
      const c = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../integration/bus-checker-producer.ts'),
        a.backend, String(a.port), a.password, a.prefix, a.state, String(this.acked), String(a.total)], { stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = c;
      let done = false;
      createInterface({ input: c.stdout! }).on('line', (line) => {
        if (line === 'DONE') done = true;
        const m = /^ACK (\d+)$/.exec(line);
        if (m) this.acked = Number(m[1]);
      });
      createInterface({ input: c.stderr! }).on('line', (line) => {
        const d = /^producer: chunk \d+ dropped \((.*)\)/.exec(line);
        if (d) {
          this.reproduced++;
          this.reproducedReasons.push(d[1]!);
        } else process.stderr.write(`${line}\n`);
      });
      // 'close', not 'exit': 'exit' can come before the last ACK lines were read, and a restart from a stale
      // acknowledged count would resend acknowledged events (under new dedup ids).
      c.once('close', (code, sig) => (done ? resolve('done') : sig === 'SIGKILL' ? resolve('killed') : reject(new Error(`producer exited ${code} ${sig}`))));
    });
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }

  /** Waits (polling the child's progress lines) until `acked >= n`. */
  async until(n: number, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (this.acked < n) {
      if (Date.now() > end) throw new Error(`acked ${this.acked} < ${n} within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export interface CheckerCounts {
  /** Events read back after consumer-side dedup. */
  entriesAfterDedup: number;
  /** Repeats of a dedup id the consumer removed. */
  dedupIdRepeatsRemoved: number;
  /** Acknowledged ids never read back. */
  lost: number;
  /** Ids read more than once after dedup (new dedup ids for the same id: re-sent after a producer kill). */
  resent: number;
  /** Ids read back that were never produced. */
  unexpected: number;
}

/** Reads every shard of `adapter` back and classifies ids `[0, total)` (payload: u32 LE id). */
export async function checkStored(adapter: BusAdapter, total: number, acked: number): Promise<CheckerCounts> {
  const bus = new EventBus({ adapter }, { shards: 2, adapterTimeoutMs: 30_000 });
  const dedup = new DedupWindow(1 << 20);
  const count = new Uint8Array(total);
  let entries = 0;
  let unexpected = 0;
  let cursor: string | undefined;
  for (;;) {
    const r = await bus.poll({ limit: 20_000, cursor, dedup });
    if (r.failedShards.length > 0) throw new Error(`shards ${r.failedShards.join(',')} failed to read`);
    entries += r.events.length;
    for (const e of r.events) {
      const id = e.data.length === 8 ? Buffer.from(e.data).readUInt32LE(0) : -1;
      if (id < 0 || id >= total) unexpected++;
      else count[id]!++;
    }
    cursor = r.nextCursor;
    if (r.events.length === 0 && !r.hasMore) break;
  }
  await bus.shutdown();
  let lost = 0;
  let resent = 0;
  for (let i = 0; i < total; i++) {
    if (count[i] === 0 && i < acked) lost++;
    if (count[i]! > 1) resent += count[i]! - 1;
  }
  return { entriesAfterDedup: entries, dedupIdRepeatsRemoved: dedup.duplicates, lost, resent, unexpected };
}
