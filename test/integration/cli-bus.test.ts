// `net-mesh bus stats` and `net-mesh bus tail` as real processes against a real nats-server and redis-server:
// events on stdout, progress and summary on stderr, exit 0 on SIGINT/SIGTERM and after -n, exit 4 for a broker
// that refuses the password or is not there, exit 2 for bad flags.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import { createInterface } from 'node:readline';
import { EventBus, JetStreamAdapter, RedisStreamsAdapter } from '../../src/bus/index.js';
import { TestServer, freePort } from '../support/servers.js';
import { MAIN, REPO, cli, oneLine, runCli } from '../cli/harness.js';

const PASSWORD = 'cli-bus-pw';
let nats: TestServer;
let redis: TestServer;
before(async () => {
  nats = await TestServer.nats({ user: 'cli', password: PASSWORD });
  redis = await TestServer.redis({ password: PASSWORD });
});
after(async () => {
  await nats?.close();
  await redis?.close();
});
const env = { NET_MESH_BUS_PASSWORD: PASSWORD };

async function produce(topic: string, texts: string[]): Promise<void> {
  const adapter = await JetStreamAdapter.open({ servers: `127.0.0.1:${nats.port}`, user: 'cli', password: PASSWORD, prefix: topic });
  const bus = new EventBus({ adapter }, { shards: 2 });
  for (const t of texts) bus.emit(t, t);
  await bus.flush();
  await bus.shutdown();
}

test('bus stats: shards and counts of a JetStream topic, text and JSON', async () => {
  await produce('stats', ['a', 'b', 'c', 'd', 'e']);
  const r = await runCli(['bus', 'stats', '--nats', `127.0.0.1:${nats.port}`, '--user', 'cli', '--topic', 'stats', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { backend: string; events: number; shards: { shardId: number; events: number }[] };
  assert.equal(doc.backend, 'jetstream');
  assert.equal(doc.events, 5);
  assert.deepEqual(doc.shards.map((s) => s.shardId), [0, 1]);
  const text = await runCli(['bus', 'stats', '--nats', `127.0.0.1:${nats.port}`, '--user', 'cli', '--topic', 'stats'], { env });
  assert.match(text.stdout, /^backend\s+jetstream\nshards\s+2\nevents\s+5\n/);
});

test('bus stats: a Redis topic; wrong password and no broker exit 4 without printing secrets; bad flags exit 2', async () => {
  const a = await RedisStreamsAdapter.open({ port: redis.port, password: PASSWORD, prefix: 'rstats' });
  const bus = new EventBus({ adapter: a }, { shards: 1 });
  bus.emit('x');
  await bus.flush();
  await bus.shutdown();
  const ok = await runCli(['bus', 'stats', '--redis', `127.0.0.1:${redis.port}`, '--topic', 'rstats'], { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /events\s+1\n/);
  const wrong = await runCli(['bus', 'stats', '--nats', `127.0.0.1:${nats.port}`, '--user', 'cli', '--timeout', '2000'], { env: { NET_MESH_BUS_PASSWORD: 'wrong-secret-x' } });
  assert.equal(wrong.code, 4);
  assert.ok(!oneLine(wrong.stderr).includes('wrong-secret-x'));
  const none = await runCli(['bus', 'stats', '--redis', `127.0.0.1:${await freePort()}`, '--timeout', '500'], { env });
  assert.equal(none.code, 4, none.stderr);
  assert.equal((await runCli(['bus', 'stats'], { env })).code, 2);
  assert.equal((await runCli(['bus', 'stats', '--redis', 'nohostport'], { env })).code, 2);
  assert.equal((await runCli(['bus', 'stats', '--redis', '127.0.0.1:1', '--nats', '127.0.0.1:2'], { env })).code, 2);
});

test('bus tail --from-start -n 3: prints the stored events and exits 0 (as a real process)', async () => {
  await produce('tailn', ['one', 'two', 'three', 'four']);
  const r = await cli(['bus', 'tail', 'tailn', '--nats', `127.0.0.1:${nats.port}`, '--user', 'cli', '--from-start', '-n', '3', '--progress-ms', '0'], { env });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  for (const l of lines) assert.match(l, /^[01]\t\d+\t[0-9a-f]{16}-\d+\t"(one|two|three|four)"$/);
  assert.match(r.stderr, /stopped after 3 events/);
});

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test(`bus tail: follows new events, progress on stderr, clean exit 0 on ${sig}`, { timeout: 30_000 }, async () => {
    const topic = `follow${sig}`;
    await produce(topic, ['old']);
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'bus', 'tail', topic, '--nats', `127.0.0.1:${nats.port}`, '--user', 'cli', '--progress-ms', '1'],
      { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (l) => out.push(l));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const until = async (cond: () => boolean): Promise<void> => {
      const end = Date.now() + 20_000;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out; stdout ${JSON.stringify(out)} stderr ${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(() => err.includes('Ctrl-C to stop'));
    await produce(topic, ['new-1', 'new-2']);
    await until(() => out.length >= 2);
    child.kill(sig);
    assert.equal(await exited, 0, err);
    assert.deepEqual(out.map((l) => JSON.parse(l.split('\t')[3]!) as string).sort(), ['new-1', 'new-2'], 'the event stored before the start is not printed');
    assert.match(err, new RegExp(`${sig}: stopped after 2 events`));
    assert.match(err, /^\d+ events$/m, 'progress lines on stderr');
  });
}
