// Baselines for the stream benchmarks, each with both ends in this process: js-libp2p (TCP + Noise + yamux),
// @hyperswarm/secret-stream over TCP, and NATS core publish through a local nats-server. Every run sends `total`
// messages of `size` bytes and measures at the receiver from its first byte to the last (messages of a byte
// stream are counted as bytes / size).
import { once } from 'node:events';
import { createServer, connect as tcpConnect, type Server } from 'node:net';
import { TestServer } from '../../../test/support/servers.js';
import type { SinkResult } from './mesh-side.js';

export interface BaselineRun { total: number; size: number }

// js-libp2p 3.x uses Promise.withResolvers, which Node 22 has and Node 20 does not.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= function withResolvers<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
};

/** Counts bytes until `expected`, timing from the first to the last. */
class ByteSink {
  bytes = 0;
  private t0 = 0;
  private t1 = 0;
  readonly done: Promise<void>;
  private resolve!: () => void;

  constructor(private readonly expected: number) {
    this.done = new Promise((r) => (this.resolve = r));
  }

  add(n: number): void {
    if (this.bytes === 0) this.t0 = performance.now();
    this.bytes += n;
    if (this.bytes >= this.expected && this.t1 === 0) {
      this.t1 = performance.now();
      this.resolve();
    }
  }

  result(size: number): SinkResult {
    return { events: Math.floor(this.bytes / size), bytes: this.bytes, seconds: (this.t1 - this.t0) / 1000 };
  }
}

export async function libp2pRun(run: BaselineRun): Promise<SinkResult> {
  const { createLibp2p } = await import('libp2p');
  const { tcp } = await import('@libp2p/tcp');
  const { noise } = await import('@chainsafe/libp2p-noise');
  const { yamux } = await import('@chainsafe/libp2p-yamux');
  const make = () => createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  });
  const [a, b] = await Promise.all([make(), make()]);
  const sink = new ByteSink(run.total * run.size);
  try {
    await b.handle('/net-mesh-bench/1', async (stream) => {
      for await (const chunk of stream) sink.add(chunk.byteLength);
    });
    const stream = await a.dialProtocol(b.getMultiaddrs()[0]!, '/net-mesh-bench/1');
    const msg = new Uint8Array(run.size).fill(0x61);
    for (let i = 0; i < run.total; i++) {
      if (!stream.send(msg)) await stream.onDrain();
    }
    await sink.done;
    await stream.close();
    return sink.result(run.size);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

export async function secretStreamRun(run: BaselineRun): Promise<SinkResult> {
  const { default: NoiseSecretStream } = await import('@hyperswarm/secret-stream');
  const sink = new ByteSink(run.total * run.size);
  const server: Server = createServer((sock) => {
    const s = new NoiseSecretStream(false, sock);
    s.on('data', (d: Uint8Array) => sink.add(d.byteLength));
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const sock = tcpConnect(port, '127.0.0.1');
  sock.setNoDelay(true);
  const s = new NoiseSecretStream(true, sock);
  s.on('error', () => undefined);
  try {
    const msg = new Uint8Array(run.size).fill(0x61);
    for (let i = 0; i < run.total; i++) {
      if (!s.write(msg)) await once(s, 'drain');
    }
    await sink.done;
    return sink.result(run.size);
  } finally {
    s.destroy();
    server.close();
  }
}

export async function natsRun(run: BaselineRun): Promise<SinkResult> {
  const { connect } = await import('@nats-io/transport-node');
  const server = await TestServer.nats();
  try {
    const [pub, sub] = await Promise.all([
      connect({ servers: `127.0.0.1:${server.port}` }),
      connect({ servers: `127.0.0.1:${server.port}` }),
    ]);
    const sink = new ByteSink(run.total * run.size);
    sub.subscribe('bench.events', { callback: (_err, m) => sink.add(m.data.byteLength) });
    await sub.flush();
    const msg = new Uint8Array(run.size).fill(0x61);
    for (let i = 0; i < run.total; i++) {
      pub.publish('bench.events', msg);
      // let the client's outbound buffer drain now and then, as a real producer's event loop would
      if ((i & 0x3fff) === 0x3fff) await pub.flush();
    }
    await pub.flush();
    await sink.done;
    await Promise.all([pub.close(), sub.close()]);
    return sink.result(run.size);
  } finally {
    await server.stop();
  }
}
