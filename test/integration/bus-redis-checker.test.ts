// Queue checker against a real redis-server (appendonly, appendfsync always): 100,000 acknowledged events while
// redis is SIGKILLed and restarted and while the producer process is SIGKILLed and restarted. Zero acknowledged
// events may be lost; repeats of a dedup id (batches retried after a lost reply) are removed by the consumer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisStreamsAdapter } from '../../src/bus/index.js';
import { TestServer } from '../support/servers.js';
import { CheckedProducer, checkStored } from '../support/queue-checker.js';

const TOTAL = 100_000;
const PASSWORD = 'checker-pw';

test('redis queue checker: SIGKILL of redis and of the producer loses no acknowledged event', { timeout: 120_000 }, async () => {
  const redis = await TestServer.redis({ password: PASSWORD, appendfsync: 'always' });
  const dir = mkdtempSync(join(tmpdir(), 'nm-checker-'));
  const p = new CheckedProducer({ backend: 'redis', port: redis.port, password: PASSWORD, prefix: 'chk', state: join(dir, 'producer-state'), total: TOTAL });
  try {
    const first = p.run();
    await p.until(30_000, 60_000);
    await redis.kill();
    const ackedAtRedisKill = p.acked;
    await new Promise((r) => setTimeout(r, 200));
    await redis.start();
    await p.until(60_000, 60_000);
    p.kill();
    assert.equal(await first, 'killed');
    const ackedAtProducerKill = p.acked;
    assert.equal(await p.run(), 'done');
    assert.equal(p.acked, TOTAL);

    const adapter = await RedisStreamsAdapter.open({ port: redis.port, password: PASSWORD, prefix: 'chk' });
    const counts = await checkStored(adapter, TOTAL, p.acked);
    const report = { acknowledged: p.acked, ackedAtRedisKill, ackedAtProducerKill, ...counts, reproducedChunks: p.reproduced, reproducedReasons: p.reproducedReasons };
    console.log('queue checker (redis):', JSON.stringify(report));
    assert.equal(counts.lost, 0, 'no acknowledged event lost');
    assert.equal(counts.unexpected, 0);
    // Resent ids carry new dedup ids, so no dedup can remove them: the chunk in flight at the producer kill, and
    // any chunk the bus dropped (a fatal error, or out of attempts) and the producer produced again.
    assert.ok(counts.resent <= 1000 * (1 + p.reproduced), 'only unacknowledged chunks were sent again');
  } finally {
    p.kill();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
