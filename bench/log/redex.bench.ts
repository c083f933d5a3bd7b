// RedEX appends and tails, 64-byte payloads.
// - redex.append_mem: RedexFile.append in memory (retention 65,536 records keeps memory flat; eviction included),
//   against keeping one JS object per record in an array (what DESIGN.md §4 says not to do).
// - redex.append_disk_every1000: append throughput on the real disk (NodeFileIO in the OS temp dir) with
//   durability everyN(1000): 200,000 appends, then sync(), total time / appends, so every write and fsync is paid
//   for. Loss bound: a power loss loses the records after the last completed fsync, fewer than 1,000 plus those
//   appended while that fsync ran (`durableSeq` says which). Baseline `embedded_store`: lmdb-js (LMDB) put of the
//   same records with its default durability (async batched commits with fsync), measured the same way.
// - redex.tail: ns per record delivered by a tail iterator over 100,000 records, against range() copies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import { SystemClock, RealTimers } from '../../src/core/index.js';
import { NodeFileIO, RedexFile } from '../../src/log/index.js';
import { compareNs, type BenchCase } from '../harness.js';

const PAYLOAD = new Uint8Array(64).fill(7);
const clock = new SystemClock();

async function bestOf<T>(rounds: number, fn: () => Promise<T>): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  return best;
}

const cases: BenchCase[] = [
  {
    name: 'redex.append_mem',
    async run() {
      const log = await RedexFile.open({ clock }, { channel: 'bench/mem', retention: { maxRecords: 65_536 } });
      let objects: { seq: number; payload: Uint8Array; ts: number }[] = [];
      let seq = 0;
      // Measured one after the other, not interleaved: the baseline's garbage would otherwise be collected
      // during the log's rounds and bill it for the other side's allocations.
      const ours = await compareNs({ redex: () => log.append(PAYLOAD) });
      const base = await compareNs({
        objects: () => {
          objects.push({ seq: seq++, payload: PAYLOAD.slice(), ts: clock.wallMs() });
          if (objects.length > 65_536) objects = objects.slice(32_768);
        },
      });
      const ns = { redex: ours.redex, objects: base.objects };
      await log.close();
      return { value: ns.redex, unit: 'ns', baseline: { js_objects: ns.objects }, notes: '64 B payloads, retention 65,536 records' };
    },
  },
  {
    name: 'redex.append_disk_every1000',
    async run() {
      const N = 200_000;
      const base = mkdtempSync(join(tmpdir(), 'redex-bench-'));
      try {
        let round = 0;
        const redex = await bestOf(3, async () => {
          const log = await RedexFile.open({ clock, timers: new RealTimers(), fileIO: new NodeFileIO() },
            { channel: `bench/disk${round++}`, dir: base, durability: { mode: 'everyN', n: 1000 } });
          for (let i = 0; i < N; i++) {
            log.append(PAYLOAD);
            if ((i & 4095) === 4095) await log.flush();
          }
          await log.sync();
          await log.close();
        });
        const db = openLmdb({ path: join(base, 'lmdb') });
        let key = 0;
        const lmdb = await bestOf(3, async () => {
          let last: Promise<boolean> | undefined;
          for (let i = 0; i < N; i++) {
            last = db.put(key++, PAYLOAD);
            if ((i & 4095) === 4095) await last;
          }
          await last;
          await db.flushed;
        });
        await db.close();
        return { value: redex / N, unit: 'ns', baseline: { embedded_store: lmdb / N },
          notes: `64 B, ${N} appends incl. writes and fsyncs; loss bound < 1000 records + those during an fsync` };
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'redex.tail',
    async run() {
      const N = 100_000;
      const log = await RedexFile.open({ clock }, { channel: 'bench/tail' });
      for (let i = 0; i < N; i++) log.append(PAYLOAD);
      const tail = await bestOf(3, async () => {
        const t = log.tail(0);
        let n = 0;
        for await (const e of t) if (++n === N || e.seq < 0) break;
      });
      const range = await bestOf(3, async () => {
        for (let s = 0; s < N; s += 10_000) log.range(s, s + 10_000);
      });
      await log.close();
      return { value: tail / N, unit: 'ns', baseline: { range_copy: range / N }, notes: '100,000 records of 64 B, in memory' };
    },
  },
];

export default cases;
