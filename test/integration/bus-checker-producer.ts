// Child process for the queue checkers: produces event ids [from, to) through EventBus + Redis or JetStream in
// chunks, and prints `ACK <end>` after each chunk the bus dispatched with no drop (the acknowledgement the parent
// records). Its producer id and sequence live in a state file, so a restarted producer never reuses a dedup id.
import { EventBus, JetStreamAdapter, ProducerSequence, RedisStreamsAdapter, type BusAdapter } from '../../src/bus/index.js';
import { CryptoRandom } from '../../src/core/index.js';

const [backend, port, password, prefix, stateFile, fromText, toText] = process.argv.slice(2) as [string, string, string, string, string, string, string];
const CHUNK = 1000;
let adapter: BusAdapter | undefined;
while (!adapter) {
  try {
    adapter = backend === 'redis'
      ? await RedisStreamsAdapter.open({ port: Number(port), password, prefix, commandTimeoutMs: 1000, connectTimeoutMs: 1000 })
      : await JetStreamAdapter.open({ servers: `127.0.0.1:${port}`, user: 'chk', password, prefix, requestTimeoutMs: 1000, connectTimeoutMs: 1000 });
  } catch {
    await new Promise((r) => setTimeout(r, 50));
  }
}
const producer = ProducerSequence.open(stateFile, new CryptoRandom());
const bus = new EventBus({ adapter, producer }, { shards: 2, adapterTimeoutMs: 1500, maxDispatchAttempts: 1_000, retryBackoffMs: 20 });
const payload = new Uint8Array(8);
const view = new DataView(payload.buffer);
for (let start = Number(fromText); start < Number(toText); ) {
  const end = Math.min(start + CHUNK, Number(toText));
  const dropped = bus.stats().eventsDropped;
  for (let id = start; id < end; id++) {
    view.setUint32(0, id, true);
    bus.emitBuffer(payload, String(id));
  }
  await bus.flush();
  if (bus.stats().eventsDropped === dropped) {
    process.stdout.write(`ACK ${end}\n`);
    start = end;
  } else {
    // the chunk is produced again under new dedup ids: what the first attempt stored appears twice
    process.stderr.write(`producer: chunk ${start} dropped (${bus.stats().lastAdapterError}); producing it again\n`);
  }
}
process.stdout.write('DONE\n');
await bus.shutdown();
