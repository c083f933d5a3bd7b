// transport.stream_mux_64: 64-byte events per second through two StreamMux instances wired back to back in
// memory (no crypto, no socket): sender packs, flushes, receiver delivers and grants. Reliable stream, 8108-byte
// payloads (8192-byte datagrams), 64 KiB window.
import { SeededRandom, VirtualClock } from '../../src/core/index.js';
import { StreamMux, StreamSendStatus, type StreamPacket } from '../../src/transport/index.js';
import type { BenchCase } from '../harness.js';

function measureEventsPerSecond(reliability: 'reliable' | 'fire_and_forget', durationMs: number): number {
  const clock = new VirtualClock();
  let delivered = 0;
  const muxes: StreamMux[] = [];
  const make = (side: number): StreamMux => new StreamMux({
    clock,
    random: new SeededRandom(side + 1),
    // the payload view is only valid during the call, exactly what a sealing session would see
    send: (p: StreamPacket) => {
      muxes[1 - side]!.receive(p);
      return 0;
    },
    events: { deliver: (_id, batch) => { delivered += batch.length; } },
  });
  muxes.push(make(0), make(1));
  const [a, b] = muxes as [StreamMux, StreamMux];
  a.openStream({ streamId: 1n, reliability });
  const batch = Array.from({ length: 64 }, () => new Uint8Array(64).fill(7));
  const start = performance.now();
  let loops = 0;
  while (performance.now() - start < durationMs) {
    for (let i = 0; i < 16; i++) if (a.send(1n, batch) !== StreamSendStatus.Ok) break;
    a.flush();
    clock.advance(1);
    b.tick();
    a.tick();
    loops++;
  }
  const seconds = (performance.now() - start) / 1000;
  if (loops === 0 || delivered === 0) throw new Error('nothing delivered');
  return delivered / seconds;
}

const cases: BenchCase[] = [
  {
    name: 'transport.stream_mux_64',
    async run() {
      measureEventsPerSecond('reliable', 300);
      const reliable = Math.max(measureEventsPerSecond('reliable', 1000), measureEventsPerSecond('reliable', 1000));
      const faf = Math.max(measureEventsPerSecond('fire_and_forget', 1000), measureEventsPerSecond('fire_and_forget', 1000));
      return {
        value: reliable,
        unit: 'per_s',
        baseline: { fire_and_forget: faf },
        notes: '64-byte events, reliable, 8108-byte payloads, 64 KiB window, in memory, no crypto',
      };
    },
  },
];
export default cases;
