// Queue checker against a real nats-server -js (file storage in a temp dir): 100,000 acknowledged events while
// nats-server is restarted (SIGTERM, then start), killed (SIGKILL, then start), and while the producer process
// is SIGKILLed and restarted. Zero acknowledged events may be lost; a retried batch is stored once by the
// server's Nats-Msg-Id window, and what slips past it is removed by the consumer's dedup window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JetStreamAdapter } from '../../src/bus/index.js';
import { TestServer } from '../support/servers.js';
import { CheckedProducer, checkStored } from '../support/queue-checker.js';

const TOTAL = 100_000;
const PASSWORD = 'checker-pw';

test('jetstream queue checker: restart and SIGKILL of nats-server and SIGKILL of the producer lose no acknowledged event', { timeout: 180_000 }, async () => {
  const nats = await TestServer.nats({ user: 'chk', password: PASSWORD });
  const dir = mkdtempSync(join(tmpdir(), 'nm-checker-js-'));
  const p = new CheckedProducer({ backend: 'jetstream', port: nats.port, password: PASSWORD, prefix: 'chk', state: join(dir, 'producer-state'), total: TOTAL });
  try {
    const first = p.run();
    await p.until(25_000, 60_000);
    await nats.restart();
    const ackedAtServerRestart = p.acked;
    await p.until(50_000, 60_000);
    await nats.kill();
    const ackedAtServerKill = p.acked;
    await new Promise((r) => setTimeout(r, 200));
    await nats.start();
    await p.until(75_000, 60_000);
    p.kill();
    assert.equal(await first, 'killed');
    const ackedAtProducerKill = p.acked;
    assert.equal(await p.run(), 'done');
    assert.equal(p.acked, TOTAL);

    const adapter = await JetStreamAdapter.open({ servers: `127.0.0.1:${nats.port}`, user: 'chk', password: PASSWORD, prefix: 'chk' });
    const counts = await checkStored(adapter, TOTAL, p.acked);
    const report = { acknowledged: p.acked, ackedAtServerRestart, ackedAtServerKill, ackedAtProducerKill, serverVersion: adapter.serverVersion, ...counts, reproducedChunks: p.reproduced, reproducedReasons: p.reproducedReasons };
    console.log('queue checker (jetstream):', JSON.stringify(report));
    assert.equal(counts.lost, 0, 'no acknowledged event lost');
    assert.equal(counts.unexpected, 0);
    // Resent ids carry new dedup ids, so no dedup can remove them: the chunk in flight at the producer kill, and
    // any chunk the bus dropped (a fatal error, or out of attempts) and the producer produced again.
    assert.ok(counts.resent <= 1000 * (1 + p.reproduced), 'only unacknowledged chunks were sent again');
  } finally {
    p.kill();
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
