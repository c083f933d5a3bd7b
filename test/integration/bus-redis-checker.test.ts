// Queue checker against a real redis-server (appendonly, appendfsync always): 100,000 acknowledged events while
// redis is SIGKILLed and restarted and while the producer process is SIGKILLed and restarted. Zero acknowledged
// events may be lost; repeats of a dedup id (batches retried after a lost reply) are removed by the consumer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DedupWindow, EventBus, RedisStreamsAdapter } from '../../src/bus/index.js';
import { TestServer } from '../support/servers.js';

const TOTAL = 100_000;
const PASSWORD = 'checker-pw';

test('redis queue checker: SIGKILL of redis and of the producer loses no acknowledged event', { timeout: 120_000 }, async () => {
  const redis = await TestServer.redis({ password: PASSWORD, appendfsync: 'always' });
  const dir = mkdtempSync(join(tmpdir(), 'nm-checker-'));
  const state = join(dir, 'producer-state');
  let acked = 0;
  let child: ChildProcess | undefined;
  try {
    const run = (from: number): Promise<'done' | 'killed'> =>
      new Promise((resolve, reject) => {
        const c = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bus-checker-producer.ts'), String(redis.port), PASSWORD, 'chk', state, String(from), String(TOTAL)], { stdio: ['ignore', 'pipe', 'inherit'] });
        child = c;
        let done = false;
        createInterface({ input: c.stdout! }).on('line', (line) => {
          if (line === 'DONE') done = true;
          const m = /^ACK (\d+)$/.exec(line);
          if (m) acked = Number(m[1]);
        });
        c.once('exit', (code, sig) => (done ? resolve('done') : sig === 'SIGKILL' ? resolve('killed') : reject(new Error(`producer exited ${code} ${sig}`))));
      });
    const until = async (cond: () => boolean, ms: number): Promise<void> => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`condition not met within ${ms} ms (acked ${acked})`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const first = run(0);
    await until(() => acked >= 30_000, 60_000);
    await redis.kill();
    const ackedAtRedisKill = acked;
    await new Promise((r) => setTimeout(r, 200));
    await redis.start();
    await until(() => acked >= 60_000, 60_000);
    child!.kill('SIGKILL');
    assert.equal(await first, 'killed');
    const ackedAtProducerKill = acked;
    assert.equal(await run(acked), 'done');
    assert.equal(acked, TOTAL);

    // consume everything back
    const adapter = await RedisStreamsAdapter.open({ port: redis.port, password: PASSWORD, prefix: 'chk' });
    const bus = new EventBus({ adapter }, { shards: 2 });
    const dedup = new DedupWindow(1 << 20);
    const count = new Uint8Array(TOTAL);
    let entries = 0;
    let cursor: string | undefined;
    for (;;) {
      const r = await bus.poll({ limit: 20_000, cursor, dedup });
      entries += r.events.length;
      for (const e of r.events) count[Buffer.from(e.data).readUInt32LE(0)]!++;
      cursor = r.nextCursor;
      if (r.events.length === 0 && !r.hasMore) break;
    }
    await bus.shutdown();
    let lost = 0;
    let resent = 0;
    for (let i = 0; i < TOTAL; i++) {
      if (count[i] === 0 && i < acked) lost++;
      if (count[i]! > 1) resent += count[i]! - 1;
    }
    const report = { acknowledged: acked, ackedAtRedisKill, ackedAtProducerKill, entriesAfterDedup: entries, dedupIdRepeatsRemoved: dedup.duplicates, lost, unackedResentAfterProducerKill: resent };
    console.log('queue checker (redis):', JSON.stringify(report));
    assert.equal(lost, 0, 'no acknowledged event lost');
    assert.ok(resent <= 1000, 'only the unacknowledged chunk in flight at the producer kill was sent again');
  } finally {
    child?.kill('SIGKILL');
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
