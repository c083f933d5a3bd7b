// Child process for the SIGKILL test: opens the log in <dir> with everyN(50) durability and appends the
// deterministic payload of each seq forever, printing "durable <n>" to stdout after every sync that advanced
// `durableSeq`. The parent kills it at a random moment; only what was printed was promised.
import { RealTimers, SystemClock } from '../../src/core/index.js';
import { NodeFileIO, RedexFile } from '../../src/log/index.js';
import { payloadFor } from './redex-payload.js';

const dir = process.argv[2]!;
const log = await RedexFile.open({ clock: new SystemClock(), timers: new RealTimers(), fileIO: new NodeFileIO() },
  { channel: 'soak/log', dir, durability: { mode: 'everyN', n: 50 } });
process.stdout.write(`opened ${log.nextSeq}\n`);
let reported = log.durableSeq;
for (;;) {
  for (let i = 0; i < 37; i++) log.append(payloadFor(log.nextSeq));
  await log.flush();
  if (log.nextSeq % 5 === 0) await log.sync();
  if (log.durableSeq > reported) {
    reported = log.durableSeq;
    process.stdout.write(`durable ${reported}\n`);
  }
}
