/**
 * The node's streams: a {@link StreamHost} (one multiplexer per peer over its session), the timer that drives it,
 * the per-stream inboxes and the reference SDK's send calls. `MeshNode` delegates its stream methods here.
 *
 * - `send` is one attempt: `BackpressureError` when the window (or the congestion window) is full.
 * - `sendWithRetry` retries on backpressure: it waits for the stream to become writable, at least 5 ms and at
 *   most 200 ms per attempt (doubling), `maxRetries` times.
 * - `sendBlocking` waits for writability until the events are admitted (or the signal, a timeout, the stream's
 *   reset or shutdown ends it).
 * - `closeGraceful` sends the stream's FIN after its queued data and resolves when the peer acknowledged it; on
 *   timeout the stream is closed at once and `TimeoutError` rejects. The peer's FIN ends the receiving inbox
 *   after its last batch.
 */
import {
  BackpressureError, ClosedError, InvalidArgumentError, NotConnectedError, TimeoutError, type CallOptions, type Clock, type Random,
  type TimerHandle, type Timers,
} from '../core/index.js';
import type { PacketHeader } from '../wire/index.js';
import {
  StreamHost, StreamSendStatus, type SessionManager, type StreamConfig, type StreamHostResetReason, type StreamMuxOptions,
  type StreamStats,
} from '../transport/index.js';
import { withDeadline } from './deadline.js';
import { BatchInbox, type StreamInbox } from './stream-inbox.js';

/** A stream handle, as the reference SDK's `MeshStream`. */
export interface MeshStream {
  readonly peerNodeId: bigint;
  readonly streamId: bigint;
}

export interface NodeStreamsComponents {
  clock: Clock;
  random: Random;
  timers: Timers;
  sessions: SessionManager;
}

export interface NodeStreamsOptions extends StreamMuxOptions {
  /** Batches an inbox holds before its stream is paused (default 256). */
  inboxBatches?: number;
}

/** How long `closeGraceful` waits for the peer to acknowledge the FIN unless told (the reference's transfer timeout). */
export const GRACEFUL_CLOSE_TIMEOUT_MS = 30_000;

const key = (peer: bigint, id: bigint): string => `${peer}:${id}`;

export class NodeStreams {
  readonly host: StreamHost;
  private readonly inboxes = new Map<string, BatchInbox>();
  private readonly writableWaiters = new Map<string, Set<() => void>>();
  /** Graceful closes in progress: settled by `closed` (true) or a reset / shutdown (false). */
  private readonly closeWaiters = new Map<string, Set<(drained: boolean) => void>>();
  private timer: TimerHandle | undefined;
  private armedAt = Infinity;
  private closed = false;
  private readonly inboxBatches: number;

  constructor(private readonly c: NodeStreamsComponents, options: NodeStreamsOptions = {}) {
    const { inboxBatches = 256, ...mux } = options;
    if (!Number.isInteger(inboxBatches) || inboxBatches < 1) throw new InvalidArgumentError('inboxBatches must be an integer >= 1');
    this.inboxBatches = inboxBatches;
    this.host = new StreamHost({
      clock: c.clock,
      random: c.random,
      seal: (peer, h, payload) => c.sessions.sendWith(peer, h, payload),
      events: {
        deliver: (peer, id, batch) => this.inboxFor(peer, id).push(batch),
        deliverFrames: (peer, id, frames, count) => this.inboxFor(peer, id).pushFrames(frames, count),
        reset: (peer, id, reason) => this.onReset(peer, id, reason),
        writable: (peer, id) => this.wake(peer, id),
        fin: (peer, id) => this.inboxes.get(key(peer, id))?.end(),
        closed: (peer, id) => this.settleClose(peer, id, true),
      },
    }, mux);
  }

  open(peer: bigint, config: StreamConfig): MeshStream {
    this.assertOpen();
    if (this.c.sessions.peer(peer)?.connected !== true) throw new NotConnectedError(`no session with ${hex(peer)}`);
    const r = this.host.mux(peer).openStream(config);
    this.host.noteOpen(peer, r.streamId);
    return { peerNodeId: peer, streamId: r.streamId };
  }

  close(peer: bigint, streamId: bigint): void {
    this.host.existing(peer)?.closeStream(streamId);
    this.host.noteClosed(peer, streamId);
    this.inboxes.get(key(peer, streamId))?.close();
    this.wake(peer, streamId);
    this.settleClose(peer, streamId, false);
  }

  /** Graceful close; see the file comment. */
  async closeGraceful(peer: bigint, streamId: bigint, options: CallOptions & { timeoutMs?: number } = {}): Promise<void> {
    this.assertOpen();
    const m = this.host.existing(peer);
    if (m?.streamStats(streamId) == null) throw new NotConnectedError(`stream ${streamId} to ${hex(peer)} is not open`);
    const k = key(peer, streamId);
    const timeoutMs = options.timeoutMs ?? GRACEFUL_CLOSE_TIMEOUT_MS;
    const done = new Promise<boolean>((resolve) => {
      let set = this.closeWaiters.get(k);
      if (set === undefined) this.closeWaiters.set(k, (set = new Set()));
      set.add(resolve);
    });
    this.host.finish(peer, streamId);
    this.arm();
    let drained: boolean;
    try {
      drained = await withDeadline<boolean>({ ...options, timeoutMs }, `close of stream ${streamId}`, (resolve, reject) => {
        void done.then(resolve, reject);
        return () => undefined;
      });
    } catch (e) {
      if (e instanceof TimeoutError) this.close(peer, streamId);
      throw e;
    }
    if (!drained) throw new NotConnectedError(`stream ${streamId} to ${hex(peer)} was reset before its close completed`);
  }

  /** One attempt; see the file comment. */
  send(stream: MeshStream, events: readonly Uint8Array[]): void {
    this.assertOpen();
    const st = this.host.existing(stream.peerNodeId)?.send(stream.streamId, events) ?? StreamSendStatus.NoStream;
    switch (st) {
      case StreamSendStatus.Ok:
        this.host.flush(stream.peerNodeId);
        this.arm();
        return;
      case StreamSendStatus.Backpressure: throw new BackpressureError(`stream ${stream.streamId} to ${hex(stream.peerNodeId)}: window full`);
      case StreamSendStatus.NoStream: throw new NotConnectedError(`stream ${stream.streamId} to ${hex(stream.peerNodeId)} is not open`);
      default: throw new InvalidArgumentError(`events do not fit stream ${stream.streamId} (event or batch larger than the window)`);
    }
  }

  async sendWithRetry(stream: MeshStream, events: readonly Uint8Array[], maxRetries = 8, options: CallOptions = {}): Promise<void> {
    let backoff = 5;
    for (let attempt = 0; ; attempt++) {
      try {
        this.send(stream, events);
        return;
      } catch (e) {
        if (!(e instanceof BackpressureError) || attempt >= maxRetries) throw e;
      }
      await this.writable(stream, { ...options, timeoutMs: backoff }).catch((e: unknown) => {
        if ((e as { code?: string }).code !== 'ERR_TIMEOUT') throw e;
      });
      backoff = Math.min(backoff * 2, 200);
    }
  }

  async sendBlocking(stream: MeshStream, events: readonly Uint8Array[], options: CallOptions & { timeoutMs?: number } = {}): Promise<void> {
    const deadline = options.timeoutMs === undefined ? Infinity : this.c.clock.nowMs() + options.timeoutMs;
    for (;;) {
      try {
        this.send(stream, events);
        return;
      } catch (e) {
        if (!(e instanceof BackpressureError)) throw e;
      }
      const left = deadline - this.c.clock.nowMs();
      if (left <= 0) throw new BackpressureError(`stream ${stream.streamId}: still full after ${options.timeoutMs} ms`);
      // Writability is an event; the 200 ms cap also covers credit that arrives with no event (a probe's answer).
      await this.writable(stream, { ...options, timeoutMs: Math.min(left, 200) }).catch((e: unknown) => {
        if ((e as { code?: string }).code !== 'ERR_TIMEOUT') throw e;
      });
    }
  }

  stats(peer: bigint, streamId: bigint): StreamStats | null {
    return this.closed ? null : this.host.existing(peer)?.streamStats(streamId) ?? null;
  }

  /** The stream's inbox (created on first delivery or here). */
  inbox(stream: MeshStream): StreamInbox {
    this.assertOpen();
    return this.inboxFor(stream.peerNodeId, stream.streamId);
  }

  /** A decrypted packet on a stream subprotocol. */
  receive(peer: bigint, header: PacketHeader, payload: Uint8Array): void {
    if (this.closed) return;
    this.host.receive(peer, header, payload);
    this.arm();
  }

  sessionDown(peer: bigint): void {
    this.host.sessionDown(peer);
  }

  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.c.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.host.close();
    for (const q of [...this.inboxes.values()]) q.close();
    for (const set of this.writableWaiters.values()) for (const w of set) w();
    this.writableWaiters.clear();
    for (const set of this.closeWaiters.values()) for (const w of set) w(false);
    this.closeWaiters.clear();
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.armedAt = Infinity;
    // Timers run before the loop polls sockets: after a busy stretch, acks that already arrived would still be
    // unread and every packet they cover would look timed out. Ticking after the poll phase reads them first.
    setImmediate(this.onTick);
  };

  private readonly onTick = (): void => {
    if (this.closed) return;
    this.host.tick();
    this.arm();
  };

  private arm(): void {
    if (this.closed) return;
    const d = this.host.nextDeadline();
    if (d >= this.armedAt) return;
    this.c.timers.clearTimeout(this.timer);
    this.armedAt = d;
    this.timer = d === Infinity ? undefined : this.c.timers.setTimeout(this.onTimer, d - this.c.clock.nowMs());
  }

  private inboxFor(peer: bigint, id: bigint): BatchInbox {
    const k = key(peer, id);
    let q = this.inboxes.get(k);
    if (q === undefined) {
      const inbox: BatchInbox = new BatchInbox(
        this.inboxBatches,
        () => this.host.pauseReceive(peer, id),
        () => {
          this.host.resumeReceive(peer, id);
          this.arm();
        },
        () => { if (this.inboxes.get(k) === inbox) this.inboxes.delete(k); },
      );
      this.inboxes.set(k, (q = inbox));
    }
    return q;
  }

  private writable(stream: MeshStream, options: CallOptions & { timeoutMs?: number }): Promise<void> {
    const k = key(stream.peerNodeId, stream.streamId);
    return withDeadline<void>(options, `stream ${stream.streamId} writable`, (resolve) => {
      let set = this.writableWaiters.get(k);
      if (set === undefined) this.writableWaiters.set(k, (set = new Set()));
      const w = (): void => resolve();
      set.add(w);
      return () => {
        set.delete(w);
        if (set.size === 0 && this.writableWaiters.get(k) === set) this.writableWaiters.delete(k);
      };
    });
  }

  private wake(peer: bigint, id: bigint): void {
    const set = this.writableWaiters.get(key(peer, id));
    if (set !== undefined) for (const w of [...set]) w();
  }

  private onReset(peer: bigint, id: bigint, reason: StreamHostResetReason): void {
    this.resets.push({ peer, streamId: id, reason });
    if (this.resets.length > 64) this.resets.shift();
    this.inboxes.get(key(peer, id))?.close();
    this.wake(peer, id);
    this.settleClose(peer, id, false);
  }

  private settleClose(peer: bigint, id: bigint, drained: boolean): void {
    const k = key(peer, id);
    const set = this.closeWaiters.get(k);
    if (set === undefined) return;
    this.closeWaiters.delete(k);
    for (const w of set) w(drained);
  }

  /** The last 64 stream resets, oldest first (why a stream went away). */
  readonly resets: { peer: bigint; streamId: bigint; reason: StreamHostResetReason }[] = [];

  private assertOpen(): void {
    if (this.closed) throw new ClosedError('node shut down');
  }
}

function hex(id: bigint): string {
  return id.toString(16).padStart(16, '0');
}
