// The one net-mesh configuration the stream benchmarks use on both sides, in or across processes, and the shape
// of a run. Datagram 8192 bytes (the protocol's MAX_PACKET_SIZE: 8090 bytes of events per packet on a session that
// can be routed), reliable stream, 2 MiB window (below the socket buffer, so a burst is not lost in the kernel),
// 4 MiB socket buffers (this machine's rmem_max).
import type { MeshNodeConfig } from '../../../src/node/index.js';

export const BENCH_STREAM_WINDOW = 2 << 20;
export const BENCH_DATAGRAM = 8192;

export function benchNodeConfig(extra: Partial<MeshNodeConfig> = {}): MeshNodeConfig {
  return {
    psk: new Uint8Array(32).fill(0x77),
    maxDatagramSize: BENCH_DATAGRAM,
    socketBufferBytes: 4 << 20,
    streams: { windowBytes: BENCH_STREAM_WINDOW, inboxBatches: 1024 },
    ...extra,
  };
}

/** A run: `total` events of `size` bytes, sent in `batch`-event calls. */
export interface StreamRun { total: number; size: number; batch: number }

export const EVENTS_64: StreamRun = { total: 4_000_000, size: 64, batch: 1024 };
export const BULK: StreamRun = { total: 2048, size: 65_536, batch: 8 };
