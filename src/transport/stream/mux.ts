/**
 * The sans-I/O stream multiplexer for one peer (DESIGN.md §2): reliable and fire-and-forget streams, byte-credit
 * flow control, NACK/SACK retransmission, fragmentation, weighted fair sending and a bounded stream table.
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
 * - Fire-and-forget grants carry `ack_seq` too (the reference sends 0): the oldest held sequence, else one past
 *   the newest seen. The sender counts the bytes below it as settled (consumed or lost), so loss does not
 *   strand credit. A reference receiver's 0 is simply never above what we settled.
 */
import { BackpressureError, InvalidArgumentError, assertU64, writeU32LE, type CounterSet } from '../../core/index.js';
import {
  CONTROL_STREAM_ID_WORD, EventFrameReader, HeaderFlag, STREAM_ACK_MAX_BYTES, SUBPROTOCOL_STREAM_ACK, SUBPROTOCOL_STREAM_NACK,
  SUBPROTOCOL_STREAM_RESET, SUBPROTOCOL_STREAM_WINDOW, StreamAckRanges, StreamNack, StreamReset, StreamWindow, WireStatus,
  decodeStreamAckRangesInto, decodeStreamNackInto, decodeStreamResetInto, decodeStreamWindowInto, encodeStreamAckRangesInto,
  encodeStreamNackInto, encodeStreamResetInto, encodeStreamWindowInto,
} from '../../wire/index.js';
import {
  StreamPacket, StreamSendStatus, type Reliability, type StreamConfig, type StreamMuxComponents, type StreamResetReason,
  type StreamStats,
} from './api.js';
import { newStreamCounters, type StreamCounter } from './counters.js';
import { BufferPool, type StreamEnv } from './env.js';
import { STREAM_DEFAULTS, resolveStreamMuxOptions, type ResolvedStreamMuxOptions, type StreamMuxOptions } from './options.js';
import { Stream, streamKey } from './stream.js';

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
  private readonly streams = new Map<number | string, Stream>();
  private readonly env: StreamEnv;
  private active: Stream[] = [];
  private rr = 0;
  private deadline = Infinity;
  private closed = false;
  private controlSeq = 0;
  private readonly controlBuf = new Uint8Array(4 + STREAM_ACK_MAX_BYTES);
  private readonly reader = new EventFrameReader();
  private readonly window = new StreamWindow();
  private readonly nack = new StreamNack();
  private readonly reset = new StreamReset();
  private readonly acks = new StreamAckRanges();
  private readonly bitmap = new Uint32Array(2);
  private readonly deliverTo: (id: bigint, batch: readonly Uint8Array[]) => void;

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
    this.deliverTo = (id, batch) => components.events.deliver(id, batch);
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
    const s = this.find(streamId);
    if (s === null) return null;
    const tx = s.send;
    const credit = tx.creditRemaining();
    return {
      txSeq: BigInt(tx.nextSeq),
      rxSeq: BigInt(s.recv.next),
      inboundPending: BigInt(s.recv.pending),
      lastActivityNs: BigInt(Math.round(s.lastActivityMs * 1e6)),
      active: !s.idle,
      backpressureEvents: BigInt(tx.backpressureEvents),
      txCreditRemaining: credit === Infinity ? 0 : Math.max(0, credit),
      txWindow: s.window,
      creditGrantsReceived: BigInt(tx.grantsReceived),
      creditGrantsSent: BigInt(s.recv.grantsSent),
      inFlightPackets: tx.inFlight,
      cwnd: tx.cc?.cwnd ?? 0,
      rtoMs: tx.cc?.rtoMs ?? 0,
      retransmits: tx.retransmits,
    };
  }

  /** Bytes admitted by `send` and not yet consumed (or settled) by the peer. */
  bufferedBytes(streamId: bigint): number {
    const s = this.find(streamId);
    if (s === null) return 0;
    const base = Math.max(s.send.peerConsumed, s.send.settledBytes);
    return s.send.committedBytes - base;
  }

  // ---- API --------------------------------------------------------------------------------------------------

  /** Opens `config.streamId` (idempotent: an open stream keeps its first config). Throws at the stream limit. */
  openStream(config: StreamConfig): ResolvedStreamConfig {
    if (this.closed) throw new InvalidArgumentError('stream multiplexer is closed');
    assertU64(config.streamId, 'streamId');
    if (config.streamId === 0xffff_ffff_ffff_ffffn) throw new InvalidArgumentError('stream id 2^64-1 is the control stream');
    let s = this.find(config.streamId);
    if (s === null) {
      const reliability = config.reliability ?? 'reliable';
      if (reliability !== 'reliable' && reliability !== 'fire_and_forget') throw new InvalidArgumentError(`unknown reliability ${String(reliability)}`);
      const windowBytes = config.windowBytes ?? this.options.windowBytes;
      if (!Number.isInteger(windowBytes) || windowBytes < 0 || windowBytes > 2 ** 31) throw new InvalidArgumentError('windowBytes must be an integer in [0, 2^31]');
      const weight = config.fairnessWeight ?? 1;
      if (!Number.isInteger(weight) || weight < 1 || weight > STREAM_DEFAULTS.maxFairnessWeight) {
        throw new InvalidArgumentError(`fairnessWeight must be an integer in [1, ${STREAM_DEFAULTS.maxFairnessWeight}]`);
      }
      if (!this.makeRoom()) throw new BackpressureError(`stream limit (${this.options.maxStreams}) reached and no stream is idle`);
      s = this.create(config.streamId, reliability, windowBytes, weight);
    }
    return { streamId: s.id, reliability: s.reliability, windowBytes: s.window, fairnessWeight: s.weight };
  }

  /** Forgets a stream at once (queued and unacknowledged data is discarded). False when it was not open. */
  closeStream(streamId: bigint): boolean {
    const s = this.find(streamId);
    if (s === null) return false;
    this.remove(s);
    return true;
  }

  /**
   * Admits `events` on an open stream, all or none. Nothing is sent until `flush()` (or `tick()`): call it after
   * a burst of sends so their events share packets. The events are copied; the caller may reuse them.
   */
  send(streamId: bigint, events: readonly Uint8Array[]): StreamSendStatus {
    const s = this.closed ? null : this.find(streamId);
    if (s === null) return StreamSendStatus.NoStream;
    const st = s.send.send(events);
    if (st === StreamSendStatus.Ok) {
      s.lastActivityMs = this.components.clock.nowMs();
      if (!s.queued) {
        s.queued = true;
        this.active.push(s);
      }
      this.deadline = Math.min(this.deadline, s.lastActivityMs);
    } else if (st === StreamSendStatus.Backpressure) {
      // a refused fire-and-forget sender may need a credit probe
      this.deadline = Math.min(this.deadline, s.deadline(this.options.grantIntervalMs));
    }
    return st;
  }

  /** Stops delivering a stream's events: they are held (up to the window) and no credit is granted. */
  pauseReceive(streamId: bigint): void {
    this.find(streamId)?.recv.pause();
  }

  /** Delivers what was held and grants the credit again. */
  resumeReceive(streamId: bigint): void {
    const s = this.find(streamId);
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
      c.inc(this.onControl(sub, pkt.payload, r.eventOffset, r.eventLength, now) ?? 'accepted');
    }
  }

  /** Sends queued packets: weighted round robin over streams, at most `maxPacketsPerFlush`. */
  flush(): void {
    if (this.closed) return;
    const now = this.components.clock.nowMs();
    const a = this.active;
    for (const s of a) s.send.closeOpen();
    let budget = this.options.maxPacketsPerFlush;
    while (budget > 0 && a.length > 0) {
      let sent = 0;
      for (let k = 0; k < a.length && budget > 0; k++) {
        const s = a[this.rr++ % a.length]!;
        for (let quota = s.weight; quota > 0 && budget > 0 && s.send.canTransmit(); quota--, budget--, sent++) {
          s.send.transmitNext(now);
        }
      }
      if (sent === 0) break;
    }
    let keep = 0;
    for (const s of a) {
      if (s.send.ready.size > 0 && this.streams.get(s.key) === s) a[keep++] = s;
      else s.queued = false;
    }
    a.length = keep;
    if (this.rr > 1e9) this.rr = 0;
    this.deadline = Math.min(this.deadline, this.hasSendable() ? now : Infinity);
  }

  /** Runs everything due at the clock's now: retransmissions, give-ups, grants, reassembly expiry; then flushes. */
  tick(): void {
    if (this.closed) return;
    const now = this.components.clock.nowMs();
    const interval = this.options.grantIntervalMs;
    for (const s of this.streams.values()) {
      s.send.tickTimeouts(now);
      if (s.send.failed) {
        this.giveUp(s);
        continue;
      }
      if (s.recv.grantDue && now >= s.recv.lastGrantAtMs + interval) this.sendGrant(s, now);
      const expired = s.recv.expireReassembly(now);
      if (expired > 0) this.counters.inc('reassemblies_expired', expired);
      if (s.send.takeWritable()) this.components.events.writable?.(s.id);
    }
    this.deadline = Infinity;
    this.flush();
    let d = this.hasSendable() ? now : Infinity;
    for (const s of this.streams.values()) d = Math.min(d, s.deadline(interval));
    this.deadline = d;
  }

  /** Discards every stream; sends nothing; leaves no deadline. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.release();
    this.streams.clear();
    this.active.length = 0;
    this.deadline = Infinity;
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private find(id: bigint): Stream | null {
    if (typeof id !== 'bigint' || id < 0n || id >= 1n << 64n) return null;
    return this.streams.get(streamKey(Number(id & 0xffff_ffffn), Number(id >> 32n))) ?? null;
  }

  private create(id: bigint, reliability: Reliability, window: number, weight: number): Stream {
    const now = this.components.clock.nowMs();
    const s = new Stream(this.env, id, reliability, window, weight, this.components.random.nextU32(), now, this.deliverTo);
    this.streams.set(s.key, s);
    this.counters.inc('streams_opened');
    return s;
  }

  /** True when a new stream fits, evicting the least recently active idle stream if needed. */
  private makeRoom(): boolean {
    if (this.streams.size < this.options.maxStreams) return true;
    let victim: Stream | null = null;
    for (const s of this.streams.values()) {
      if (s.idle && (victim === null || s.lastActivityMs < victim.lastActivityMs)) victim = s;
    }
    if (victim === null) return false;
    this.remove(victim);
    this.counters.inc('streams_evicted');
    return true;
  }

  private remove(s: Stream): void {
    this.streams.delete(s.key);
    s.release();
  }

  private hasSendable(): boolean {
    for (const s of this.active) if (s.send.canTransmit()) return true;
    return false;
  }

  private onData(pkt: StreamPacket, now: number): void {
    const c = this.counters;
    c.inc('received');
    const seq = pkt.sequence;
    if (!Number.isSafeInteger(seq) || seq < 0 || (pkt.streamLo === CONTROL_STREAM_ID_WORD && pkt.streamHi === CONTROL_STREAM_ID_WORD)) {
      return c.inc('drop_bad_header');
    }
    let s = this.streams.get(streamKey(pkt.streamLo, pkt.streamHi));
    if (s === undefined) {
      if (!this.makeRoom()) return c.inc('drop_stream_limit');
      const id = BigInt(pkt.streamHi) * BigInt(TWO32) + BigInt(pkt.streamLo);
      const reliability: Reliability = (pkt.flags & HeaderFlag.RELIABLE) !== 0 ? 'reliable' : 'fire_and_forget';
      s = this.create(id, reliability, this.options.windowBytes, 1);
    }
    s.lastActivityMs = now;
    c.inc(s.recv.receive(pkt, now) ?? 'accepted');
    if (s.recv.grantDue) this.deadline = Math.min(this.deadline, s.recv.lastGrantAtMs + this.options.grantIntervalMs);
    const rd = s.recv.reassemblyDeadline();
    if (rd < this.deadline) this.deadline = rd;
  }

  private lookupWords(lo: number, hi: number): Stream | undefined {
    return this.streams.get(streamKey(lo, hi));
  }

  private onControl(sub: number, bytes: Uint8Array, offset: number, length: number, now: number): StreamCounter | null {
    const c = this.counters;
    if (sub === SUBPROTOCOL_STREAM_WINDOW) {
      const w = this.window;
      if (decodeStreamWindowInto(bytes, offset, length, w) !== WireStatus.OK) return 'drop_malformed';
      const s = this.lookupWords(w.streamLo, w.streamHi);
      if (s === undefined) return 'drop_unknown_stream';
      if (w.consumedHi >= 0x20_0000 || w.ackHi >= 0x20_0000) return 'drop_grant_forged';
      const drop = s.send.onGrant(w.consumedHi * TWO32 + w.consumedLo, w.ackHi * TWO32 + w.ackLo, now);
      if (drop !== null) return drop;
      c.inc('grants_received');
      this.afterAck(s, now);
      return null;
    }
    if (sub === SUBPROTOCOL_STREAM_NACK) {
      const n = this.nack;
      if (decodeStreamNackInto(bytes, offset, length, n) !== WireStatus.OK) return 'drop_malformed';
      const s = this.lookupWords(n.streamLo, n.streamHi);
      if (s === undefined) return 'drop_unknown_stream';
      if (n.nextHi >= 0x20_0000) return 'drop_ack_unsent';
      const drop = s.send.onNack(n.nextHi * TWO32 + n.nextLo, n.bitmapLo, n.bitmapHi, now);
      if (drop !== null) return drop;
      c.inc('nacks_received');
      if (s.send.failed) this.giveUp(s);
      else this.afterAck(s, now);
      return null;
    }
    if (sub === SUBPROTOCOL_STREAM_ACK) {
      const m = this.acks;
      if (decodeStreamAckRangesInto(bytes, offset, length, m) !== WireStatus.OK) return 'drop_malformed';
      const s = this.lookupWords(m.streamLo, m.streamHi);
      if (s === undefined) return 'drop_unknown_stream';
      if (m.ackHi >= 0x20_0000) return 'drop_ack_unsent';
      const drop = s.send.onAckRanges(m.ackHi * TWO32 + m.ackLo, m, now);
      if (drop !== null) return drop;
      c.inc('acks_received');
      this.afterAck(s, now);
      return null;
    }
    const r = this.reset;
    if (decodeStreamResetInto(bytes, offset, length, r) !== WireStatus.OK) return 'drop_malformed';
    const s = this.lookupWords(r.streamLo, r.streamHi);
    if (s === undefined) return 'drop_unknown_stream';
    c.inc('resets_received');
    this.remove(s);
    this.components.events.reset?.(s.id, 'peer-reset');
    return null;
  }

  /** Acks free credit and congestion window: queued packets may go, a refused sender may hear `writable`. */
  private afterAck(s: Stream, now: number): void {
    if (s.send.ready.size > 0 && s.send.canTransmit()) this.deadline = Math.min(this.deadline, now);
    if (s.send.takeWritable()) this.components.events.writable?.(s.id);
  }

  private giveUp(s: Stream): void {
    this.reset.streamLo = s.lo;
    this.reset.streamHi = s.hi;
    encodeStreamResetInto(this.reset, this.controlBuf, 4);
    this.emitControl(SUBPROTOCOL_STREAM_RESET, 8);
    this.counters.inc('resets_sent');
    this.remove(s);
    this.resetEvent(s.id, 'retries-exhausted');
  }

  private resetEvent(id: bigint, reason: StreamResetReason): void {
    this.components.events.reset?.(id, reason);
  }

  private sendGrant(s: Stream, now: number): void {
    const rx = s.recv;
    rx.grantDue = false;
    rx.lastGrantAtMs = now;
    rx.grantsSent++;
    const w = this.window;
    w.streamLo = s.lo;
    w.streamHi = s.hi;
    w.consumedLo = rx.consumed >>> 0;
    w.consumedHi = Math.floor(rx.consumed / TWO32);
    const ack = rx.ackSeq;
    w.ackLo = ack >>> 0;
    w.ackHi = Math.floor(ack / TWO32);
    encodeStreamWindowInto(w, this.controlBuf, 4);
    this.emitControl(SUBPROTOCOL_STREAM_WINDOW, 24);
    this.counters.inc('grants_sent');
    if (!rx.reliable || !rx.hasGaps) return;
    const n = this.nack;
    n.streamLo = s.lo;
    n.streamHi = s.hi;
    n.nextLo = w.ackLo;
    n.nextHi = w.ackHi;
    rx.nackBitmap(this.bitmap);
    n.bitmapLo = this.bitmap[0]!;
    n.bitmapHi = this.bitmap[1]!;
    encodeStreamNackInto(n, this.controlBuf, 4);
    this.emitControl(SUBPROTOCOL_STREAM_NACK, 24);
    this.counters.inc('nacks_sent');
    if (!this.options.ackRanges) return;
    const m = this.acks;
    m.streamLo = s.lo;
    m.streamHi = s.hi;
    m.ackLo = w.ackLo;
    m.ackHi = w.ackHi;
    if (!rx.ackRanges(m)) return;
    const len = encodeStreamAckRangesInto(m, this.controlBuf, 4);
    if (len > 0) {
      this.emitControl(SUBPROTOCOL_STREAM_ACK, len);
      this.counters.inc('acks_sent');
    }
  }

  /** Sends `controlBuf[4..4+len]` as the single event of a control packet (header stream id u64::MAX). */
  private emitControl(subprotocolId: number, len: number): void {
    writeU32LE(this.controlBuf, 0, len);
    const out = this.env.out;
    out.streamLo = CONTROL_STREAM_ID_WORD;
    out.streamHi = CONTROL_STREAM_ID_WORD;
    out.sequence = this.controlSeq++;
    out.flags = 0;
    out.subprotocolId = subprotocolId;
    out.fragmentId = 0;
    out.fragmentOffset = 0;
    out.fragFlags = 0;
    out.eventCount = 1;
    out.payload = this.controlBuf.subarray(0, 4 + len);
    this.counters.inc(this.env.emit() === 0 ? 'packets_sent' : 'send_failed');
  }
}
