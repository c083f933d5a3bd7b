/**
 * The sans-I/O stream multiplexer for one peer (DESIGN.md §2): reliable and fire-and-forget streams, byte-credit
 * flow control, NACK/SACK retransmission, fragmentation, weighted fair sending and a bounded stream table.
 * This façade routes; the work is in stream-table.ts (ids, limit, eviction), scheduler.ts (weighted round
 * robin), control-in.ts / control-out.ts (grants, NACKs, acks, resets), send-half.ts and recv-half.ts.
 * Inputs: `receive` (decrypted packets: data on subprotocol 0, control on 0x0B00..0x0B03), `send`, `tick`,
 * `flush`; outputs: the injected `send` callback and `events`. Time only from `clock`; a driver arms one timer at
 * `nextDeadline()` and calls `tick()`.
 *
 * Rules (documented choices):
 * - `openStream` is idempotent, the first config wins. A packet for an unknown stream opens it with the
 *   defaults and the reliability its RELIABLE flag says (the reference auto-creates receive streams too).
 * - At `maxStreams` the least recently active idle stream is evicted; with none idle a new stream is refused.
 * - Grants go out from `tick`, at most one per stream per `grantIntervalMs` and carrying the latest totals; a
 *   reliable stream with gaps adds a NACK and (with `ackRanges`) selective ack ranges.
 * - Graceful close (`finishStream`): no more sends; an empty FIN packet follows the data; when the peer has
 *   acknowledged it (reliable) or it went out (fire-and-forget) `closed` fires. The peer's FIN fires `fin` after
 *   its last events; a FIN above sequence 0 never opens a stream (`drop_fin_unknown_stream`).
 * - A stream idle (nothing queued, in flight, held) for `streamIdleTimeoutMs` is forgotten: `reset`
 *   `idle-timeout`. Eviction at `maxStreams` and this expiry pick the same kind of stream (idle), oldest first.
 * - Fire-and-forget grants carry `ack_seq` too (the reference sends 0): the oldest held sequence, else one past
 *   the newest seen. The sender counts the bytes below it as settled (consumed or lost), so loss does not
 *   strand credit. A reference receiver's 0 is simply never above what we settled.
 */
import { BackpressureError, InvalidArgumentError, assertU64, type CounterSet } from '../../core/index.js';
import { CONTROL_STREAM_ID_WORD, EventFrameReader, HeaderFlag, SUBPROTOCOL_STREAM_ACK, SUBPROTOCOL_STREAM_WINDOW, WireStatus } from '../../wire/index.js';
import {
  StreamPacket, StreamSendStatus, type Reliability, type StreamConfig, type StreamMuxComponents, type StreamResetReason,
  type StreamStats,
} from './api.js';
import { ControlReceiver } from './control-in.js';
import { ControlSender } from './control-out.js';
import { newStreamCounters, type StreamCounter } from './counters.js';
import { BufferPool, type StreamEnv } from './env.js';
import { STREAM_DEFAULTS, resolveStreamMuxOptions, type ResolvedStreamMuxOptions, type StreamMuxOptions } from './options.js';
import { SendScheduler } from './scheduler.js';
import { bufferedBytesOf, streamStatsOf } from './stats.js';
import type { Stream } from './stream.js';
import { StreamTable } from './stream-table.js';

/** The config a stream runs with (first `openStream` wins). */
export interface ResolvedStreamConfig {
  streamId: bigint;
  reliability: Reliability;
  windowBytes: number;
  fairnessWeight: number;
}

const TWO32 = 4294967296;

export class StreamMux {
  readonly counters: CounterSet<StreamCounter>;
  readonly options: ResolvedStreamMuxOptions;
  private readonly env: StreamEnv;
  private readonly streams: StreamTable;
  private readonly scheduler = new SendScheduler();
  private readonly controlOut: ControlSender;
  private readonly controlIn: ControlReceiver;
  private readonly reader = new EventFrameReader();
  private readonly live = (s: Stream): boolean => this.streams.holds(s);
  private deadline = Infinity;
  private closed = false;
  /** Streams whose graceful close has not been reported yet. */
  private readonly closing = new Set<Stream>();

  constructor(private readonly components: StreamMuxComponents, options: StreamMuxOptions = {}) {
    this.options = resolveStreamMuxOptions(options);
    this.counters = newStreamCounters();
    const pool = new BufferPool(this.options.maxPayloadBytes, 1024);
    const out = new StreamPacket();
    this.env = {
      options: this.options,
      counters: this.counters,
      out,
      emit: () => components.send(out),
      takeBuffer: () => pool.take(),
      releaseBuffer: (b) => pool.release(b),
    };
    this.streams = new StreamTable(this.env, this.options.maxStreams, {
      deliver: (id, batch) => components.events.deliver(id, batch),
      fin: (id) => {
        this.counters.inc('fins_received');
        components.events.fin?.(id);
      },
      ...(components.events.deliverFrames === undefined ? {} : {
        frames: (id: bigint, f: Uint8Array, n: number) => components.events.deliverFrames!(id, f, n),
      }),
    });
    this.controlOut = new ControlSender(this.env);
    this.controlIn = new ControlReceiver(this.env, this.streams, {
      acked: (s, now) => this.afterAck(s, now),
      failed: (s) => this.giveUp(s),
      peerReset: (s) => {
        this.forget(s);
        this.resetEvent(s.id, 'peer-reset');
      },
    });
  }

  // ---- inspection -------------------------------------------------------------------------------------------

  /** Earliest clock time at which `tick()` has work (now when packets wait to be sent); Infinity when none. */
  nextDeadline(): number {
    return this.deadline;
  }
  get streamCount(): number {
    return this.streams.size;
  }

  /** The reference's stream statistics, or null for an unknown stream. */
  streamStats(streamId: bigint): StreamStats | null {
    const s = this.streams.find(streamId);
    return s === null ? null : streamStatsOf(s);
  }

  /** Bytes admitted by `send` and not yet consumed (or settled) by the peer. */
  bufferedBytes(streamId: bigint): number {
    const s = this.streams.find(streamId);
    return s === null ? 0 : bufferedBytesOf(s);
  }

  // ---- API --------------------------------------------------------------------------------------------------

  /** Opens `config.streamId` (idempotent: an open stream keeps its first config). Throws at the stream limit. */
  openStream(config: StreamConfig): ResolvedStreamConfig {
    if (this.closed) throw new InvalidArgumentError('stream multiplexer is closed');
    assertU64(config.streamId, 'streamId');
    if (config.streamId === 0xffff_ffff_ffff_ffffn) throw new InvalidArgumentError('stream id 2^64-1 is the control stream');
    let s = this.streams.find(config.streamId);
    if (s === null) {
      const reliability = config.reliability ?? 'reliable';
      if (reliability !== 'reliable' && reliability !== 'fire_and_forget') throw new InvalidArgumentError(`unknown reliability ${String(reliability)}`);
      const windowBytes = config.windowBytes ?? this.options.windowBytes;
      if (!Number.isInteger(windowBytes) || windowBytes < 0 || windowBytes > 2 ** 31) throw new InvalidArgumentError('windowBytes must be an integer in [0, 2^31]');
      const weight = config.fairnessWeight ?? 1;
      if (!Number.isInteger(weight) || weight < 1 || weight > STREAM_DEFAULTS.maxFairnessWeight) {
        throw new InvalidArgumentError(`fairnessWeight must be an integer in [1, ${STREAM_DEFAULTS.maxFairnessWeight}]`);
      }
      if (!this.streams.makeRoom()) throw new BackpressureError(`stream limit (${this.options.maxStreams}) reached and no stream is idle`);
      s = this.create(config.streamId, reliability, windowBytes, weight);
    }
    return { streamId: s.id, reliability: s.reliability, windowBytes: s.window, fairnessWeight: s.weight };
  }

  /** Forgets a stream at once (queued and unacknowledged data is discarded). False when it was not open. */
  closeStream(streamId: bigint): boolean {
    const s = this.streams.find(streamId);
    if (s === null) return false;
    this.forget(s);
    return true;
  }

  /**
   * Graceful close: no more sends on the stream; its queued data goes out, followed by a FIN. `closed` fires
   * when the peer acknowledged everything up to the FIN (reliable) or when the FIN went out (fire-and-forget).
   * False when the stream is not open or already closing.
   */
  finishStream(streamId: bigint): boolean {
    const s = this.closed ? null : this.streams.find(streamId);
    if (s === null || !s.send.finish()) return false;
    const now = this.components.clock.nowMs();
    s.lastActivityMs = now;
    this.closing.add(s);
    this.scheduler.enqueue(s);
    this.deadline = Math.min(this.deadline, now);
    return true;
  }

  /**
   * Admits `events` on an open stream, all or none. Nothing is sent until `flush()` (or `tick()`): call it after
   * a burst of sends so their events share packets. The events are copied; the caller may reuse them.
   */
  send(streamId: bigint, events: readonly Uint8Array[]): StreamSendStatus {
    const s = this.closed ? null : this.streams.find(streamId);
    if (s === null) return StreamSendStatus.NoStream;
    const st = s.send.send(events);
    if (st === StreamSendStatus.Ok) {
      s.lastActivityMs = this.components.clock.nowMs();
      this.scheduler.enqueue(s);
      this.deadline = Math.min(this.deadline, s.lastActivityMs);
    } else if (st === StreamSendStatus.Backpressure) {
      // a refused fire-and-forget sender may need a credit probe
      this.deadline = Math.min(this.deadline, s.deadline(this.options.grantIntervalMs, this.options.streamIdleTimeoutMs));
    }
    return st;
  }

  /** Stops delivering a stream's events: they are held (up to the window) and no credit is granted. */
  pauseReceive(streamId: bigint): void {
    this.streams.find(streamId)?.recv.pause();
  }

  /** Delivers what was held and grants the credit again. */
  resumeReceive(streamId: bigint): void {
    const s = this.streams.find(streamId);
    if (s === null) return;
    const now = this.components.clock.nowMs();
    if (s.recv.resume(now)) this.deadline = Math.min(this.deadline, s.recv.lastGrantAtMs + this.options.grantIntervalMs);
  }

  /** One decrypted packet from the peer. Counts it (or each control message in it) as accepted or dropped. */
  receive(pkt: StreamPacket): void {
    const c = this.counters;
    if (this.closed) return;
    const now = this.components.clock.nowMs();
    const sub = pkt.subprotocolId;
    if (sub === 0) return this.onData(pkt, now);
    if (sub < SUBPROTOCOL_STREAM_WINDOW || sub > SUBPROTOCOL_STREAM_ACK) {
      c.inc('received');
      c.inc('drop_unknown_subprotocol');
      return;
    }
    const r = this.reader;
    if (r.reset(pkt.payload, 0, pkt.payload.length, pkt.eventCount) !== WireStatus.OK || pkt.eventCount === 0) {
      c.inc('received');
      c.inc('drop_malformed');
      return;
    }
    while (r.advance()) {
      c.inc('received');
      c.inc(this.controlIn.receive(sub, pkt.payload, r.eventOffset, r.eventLength, now) ?? 'accepted');
    }
    // credit and acks just arrived: send what they allow now, not a timer later (the loop's latency is the rate)
    if (this.deadline <= now) this.flush();
  }

  /** Sends queued packets: weighted round robin over streams, at most `maxPacketsPerFlush`. */
  flush(): void {
    if (this.closed) return;
    const now = this.components.clock.nowMs();
    this.scheduler.flush(now, this.options.maxPacketsPerFlush, this.live);
    if (this.closing.size > 0) for (const s of this.closing) this.checkClosed(s);
    this.deadline = Math.min(this.deadline, this.scheduler.hasSendable() ? now : Infinity);
  }

  /** Runs everything due at the clock's now: retransmissions, give-ups, grants, reassembly expiry; then flushes. */
  tick(): void {
    if (this.closed) return;
    const now = this.components.clock.nowMs();
    const interval = this.options.grantIntervalMs;
    const idleTimeout = this.options.streamIdleTimeoutMs;
    for (const s of this.streams.values()) {
      if (s.idle && now - s.lastActivityMs >= idleTimeout && !s.recv.grantDue) {
        this.forget(s);
        this.counters.inc('streams_expired');
        this.resetEvent(s.id, 'idle-timeout');
        continue;
      }
      s.send.tickTimeouts(now);
      if (s.send.failed) {
        this.giveUp(s);
        continue;
      }
      if (s.recv.grantDue && now >= s.recv.lastGrantAtMs + interval) this.controlOut.sendGrant(s, now);
      const expired = s.recv.expireReassembly(now);
      if (expired > 0) this.counters.inc('reassemblies_expired', expired);
      if (s.send.takeWritable()) this.components.events.writable?.(s.id);
    }
    this.deadline = Infinity;
    this.flush();
    let d = this.scheduler.hasSendable() ? now : Infinity;
    for (const s of this.streams.values()) d = Math.min(d, s.deadline(interval, idleTimeout));
    this.deadline = d;
  }

  /** Discards every stream; sends nothing; leaves no deadline. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.streams.clear();
    this.scheduler.clear();
    this.closing.clear();
    this.deadline = Infinity;
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private create(id: bigint, reliability: Reliability, window: number, weight: number): Stream {
    const now = this.components.clock.nowMs();
    const s = this.streams.create(id, reliability, window, weight, this.components.random.nextU32(), now);
    this.deadline = Math.min(this.deadline, now + this.options.streamIdleTimeoutMs);
    return s;
  }

  private forget(s: Stream): void {
    this.streams.remove(s);
    this.closing.delete(s);
  }

  /** Reports a completed graceful close once; drops the stream if the peer never used it. */
  private checkClosed(s: Stream): void {
    if (s.closeReported || !s.send.finDone) return;
    s.closeReported = true;
    this.closing.delete(s);
    this.counters.inc('closes_completed');
    if (s.closedBothWays) this.streams.remove(s);
    this.components.events.closed?.(s.id);
  }

  private onData(pkt: StreamPacket, now: number): void {
    const c = this.counters;
    c.inc('received');
    const seq = pkt.sequence;
    if (!Number.isSafeInteger(seq) || seq < 0 || (pkt.streamLo === CONTROL_STREAM_ID_WORD && pkt.streamHi === CONTROL_STREAM_ID_WORD)) {
      return c.inc('drop_bad_header');
    }
    let s = this.streams.lookup(pkt.streamLo, pkt.streamHi);
    if (s === undefined) {
      // a FIN opens a stream only as the whole of an empty one; later FINs name streams we forgot or never had
      if ((pkt.flags & HeaderFlag.FIN) !== 0 && seq !== 0) return c.inc('drop_fin_unknown_stream');
      if (!this.streams.makeRoom()) return c.inc('drop_stream_limit');
      const id = BigInt(pkt.streamHi) * BigInt(TWO32) + BigInt(pkt.streamLo);
      const reliability: Reliability = (pkt.flags & HeaderFlag.RELIABLE) !== 0 ? 'reliable' : 'fire_and_forget';
      s = this.create(id, reliability, this.options.windowBytes, 1);
    }
    s.lastActivityMs = now;
    c.inc(s.recv.receive(pkt, now) ?? 'accepted');
    if (s.recv.grantDue) {
      // at most one grant per interval still, but sent from here when it is due: under load the timer that
      // `tick` waits for runs only after the whole burst of received packets, which would stretch the loop
      const due = s.recv.lastGrantAtMs + this.options.grantIntervalMs;
      if (now >= due) this.controlOut.sendGrant(s, now);
      else this.deadline = Math.min(this.deadline, due);
    }
    const rd = s.recv.reassemblyDeadline();
    if (rd < this.deadline) this.deadline = rd;
  }

  /** Acks free credit and congestion window: queued packets may go, a refused sender may hear `writable`. */
  private afterAck(s: Stream, now: number): void {
    if (s.send.ready.size > 0 && s.send.canTransmit()) this.deadline = Math.min(this.deadline, now);
    if (s.send.finishing) return this.checkClosed(s);
    if (s.send.takeWritable()) this.components.events.writable?.(s.id);
  }

  private giveUp(s: Stream): void {
    this.controlOut.sendReset(s);
    this.forget(s);
    this.resetEvent(s.id, 'retries-exhausted');
  }

  private resetEvent(id: bigint, reason: StreamResetReason): void {
    this.components.events.reset?.(id, reason);
  }
}
