/**
 * The sending half of one stream. `send` admits events against the byte credit (absolute `total_consumed`
 * grants), copies each once into a pooled packet buffer (many events per packet as event frames, or fragments
 * for an event larger than a packet) and queues the packets; the multiplexer transmits them in weighted
 * round-robin order. Reliable streams keep each packet until a grant's `ack_seq` or a selective ack covers it,
 * resend on NACK (once per loss episode) and on timeout, and give up after `maxRetries`. A graceful close
 * (`finish`) queues an empty FIN packet after the data; reliable ones are done when the peer acked it.
 */
import type { StreamAckRanges } from '../../wire/index.js';
import { EventFrameWriter, FRAGMENT_PREFIX_BYTES, FRAG_FLAG_MORE, HeaderFlag, encodeFragmentPrefixInto } from '../../wire/index.js';
import { StreamSendStatus } from './api.js';
import { CongestionState } from './congestion.js';
import type { StreamCounter } from './counters.js';
import type { StreamEnv } from './env.js';
import { STREAM_DEFAULTS, eventCost, retransmitCapacity } from './options.js';
import { Fifo, OutPacket } from './out-packet.js';

export class SendHalf {
  readonly cc: CongestionState | null;
  /** Next sequence to assign. */
  nextSeq = 0;
  /** One past the highest sequence transmitted. */
  sentSeq = 0;
  committedBytes = 0;
  sentBytes = 0;
  peerConsumed = 0;
  /** Fire-and-forget: bytes of packets below the peer's ack (consumed or lost for good). */
  settledBytes = 0;
  unsentBytes = 0;
  earliestDeadline = Infinity;
  backpressured = false;
  /** Set when a packet ran out of retries: the multiplexer resets the stream. */
  failed = false;
  backpressureEvents = 0;
  grantsReceived = 0;
  retransmits = 0;
  /** `finish` was called: no more sends; the FIN packet is queued or sent. */
  finishing = false;
  private finSeq = -1;
  readonly ready = new Fifo<OutPacket>();
  readonly inflight = new Map<number, OutPacket>();
  private readonly unsettled = new Map<number, number>();
  private readonly capacity: number;
  private readonly writer = new EventFrameWriter();
  private open: OutPacket | null = null;
  private recover = -1;
  /** Fire-and-forget: when the last credit probe went out. */
  private probedAtMs = -Infinity;
  private nextFragmentId: number;

  constructor(
    private readonly env: StreamEnv,
    private readonly streamLo: number,
    private readonly streamHi: number,
    readonly reliable: boolean,
    readonly window: number,
    fragmentIdSeed: number,
  ) {
    const o = env.options;
    this.capacity = retransmitCapacity(window);
    this.cc = reliable ? new CongestionState(o.initialRtoMs, o.minRtoMs, o.maxRtoMs, Math.max(STREAM_DEFAULTS.initCwnd, this.capacity)) : null;
    this.nextFragmentId = (fragmentIdSeed % 0xffff) + 1;
  }

  /** Credit left under the window (Infinity without one). */
  creditRemaining(): number {
    if (this.window === 0) return Infinity;
    const base = this.settledBytes > this.peerConsumed ? this.settledBytes : this.peerConsumed;
    return this.window - (this.committedBytes - base);
  }

  get inFlight(): number {
    return this.reliable ? this.inflight.size : this.unsettled.size;
  }

  /** Admits all of `events` or none. */
  send(events: readonly Uint8Array[]): StreamSendStatus {
    if (this.finishing) return StreamSendStatus.NoStream;
    const o = this.env.options;
    let cost = 0;
    for (let i = 0; i < events.length; i++) {
      const len = events[i]!.length;
      if (len > o.maxEventBytes) return StreamSendStatus.TooLarge;
      cost += eventCost(len, o.maxPayloadBytes);
    }
    const bound = this.window > 0 ? this.window : o.bytesWithoutWindow;
    if (cost > bound) return StreamSendStatus.TooLarge;
    if (this.window > 0 ? cost > this.creditRemaining() : this.unsentBytes + cost > bound) return this.refuse();
    if (this.cc !== null && this.ready.size > 0 && this.inflight.size >= this.cc.cwnd) return this.refuse();
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (4 + e.length <= o.maxPayloadBytes) this.packSmall(e);
      else this.packFragments(e);
    }
    this.committedBytes += cost;
    this.unsentBytes += cost;
    this.env.counters.inc('events_sent', events.length);
    return StreamSendStatus.Ok;
  }

  private refuse(): StreamSendStatus {
    this.backpressured = true;
    this.backpressureEvents++;
    this.env.counters.inc('backpressure');
    return StreamSendStatus.Backpressure;
  }

  private packSmall(e: Uint8Array): void {
    if (this.open === null) this.openPacket();
    let at = this.writer.reserve(e.length);
    if (at < 0) {
      this.closeOpen();
      this.openPacket();
      at = this.writer.reserve(e.length);
    }
    this.open!.buf.set(e, at);
  }

  private openPacket(): void {
    const p = new OutPacket(this.env.takeBuffer());
    this.writer.reset(p.buf, 0, this.env.options.maxPayloadBytes);
    this.open = p;
  }

  /** Seals the packet being filled into the send queue (called before fragments and by `flush`). */
  closeOpen(): void {
    const p = this.open;
    if (p === null) return;
    this.open = null;
    if (this.writer.count === 0) return this.env.releaseBuffer(p.buf);
    p.len = this.writer.length;
    p.eventCount = this.writer.count;
    p.seq = this.nextSeq++;
    this.ready.push(p);
  }

  private packFragments(e: Uint8Array): void {
    this.closeOpen();
    const chunk = this.env.options.maxPayloadBytes - FRAGMENT_PREFIX_BYTES;
    const id = this.nextFragmentId;
    this.nextFragmentId = id === 0xffff ? 1 : id + 1;
    for (let i = 0, off = 0; off < e.length; i++, off += chunk) {
      const n = Math.min(chunk, e.length - off);
      const p = new OutPacket(this.env.takeBuffer());
      encodeFragmentPrefixInto(e.length, off, p.buf, 0);
      p.buf.set(e.subarray(off, off + n), FRAGMENT_PREFIX_BYTES);
      p.len = FRAGMENT_PREFIX_BYTES + n;
      p.fragmentId = id;
      p.fragmentOffset = i;
      p.fragFlags = off + n < e.length ? FRAG_FLAG_MORE : 0;
      p.seq = this.nextSeq++;
      this.ready.push(p);
      this.env.counters.inc('fragments_sent');
    }
  }

  /**
   * Graceful close: seals what is being filled and queues the FIN packet (no events, no credit) behind it. A
   * reliable FIN is retransmitted like data until acknowledged. False when already finishing.
   */
  finish(): boolean {
    if (this.finishing) return false;
    this.closeOpen();
    this.finishing = true;
    const p = new OutPacket(this.env.takeBuffer());
    p.fin = true;
    p.seq = this.finSeq = this.nextSeq++;
    this.ready.push(p);
    return true;
  }

  /** The FIN went out and (reliable) everything up to it was acknowledged. */
  get finDone(): boolean {
    if (!this.finishing || this.sentSeq <= this.finSeq) return false;
    return this.cc === null || (this.inflight.size === 0 && this.ready.size === 0);
  }

  /** True when the head of the queue may go out now (congestion window, retransmit buffer). */
  canTransmit(): boolean {
    if (this.ready.size === 0) return false;
    if (this.cc !== null) return this.inflight.size < this.cc.cwnd && this.inflight.size < this.capacity;
    return this.window === 0 || this.unsettled.size < this.capacity;
  }

  /** Sends the head of the queue (the caller checked `canTransmit`). */
  transmitNext(now: number): void {
    const p = this.ready.shift()!;
    this.unsentBytes -= p.len;
    this.sentSeq = p.seq + 1;
    this.sentBytes += p.len;
    this.emit(p);
    if (this.cc !== null) {
      p.sentAtMs = now;
      p.deadlineMs = now + this.cc.rtoMs;
      if (p.deadlineMs < this.earliestDeadline) this.earliestDeadline = p.deadlineMs;
      this.inflight.set(p.seq, p);
    } else {
      if (this.window > 0) this.unsettled.set(p.seq, p.len);
      this.env.releaseBuffer(p.buf);
    }
  }

  private emit(p: OutPacket): void {
    const out = this.env.out;
    out.streamLo = this.streamLo;
    out.streamHi = this.streamHi;
    out.sequence = p.seq;
    out.flags = (this.reliable ? HeaderFlag.RELIABLE : 0) | (p.fin ? HeaderFlag.FIN : 0);
    out.subprotocolId = 0;
    out.fragmentId = p.fragmentId;
    out.fragmentOffset = p.fragmentOffset;
    out.fragFlags = p.fragFlags;
    out.eventCount = p.eventCount;
    out.payload = p.buf.subarray(0, p.len);
    this.env.counters.inc(this.env.emit() === 0 ? 'packets_sent' : 'send_failed');
  }

  private retransmit(p: OutPacket, now: number, why: StreamCounter): void {
    if (p.retries >= this.env.options.maxRetries) {
      this.failed = true;
      return;
    }
    p.retries++;
    p.retransmitted = true;
    p.timeoutResend = why === 'retransmits_timeout';
    this.retransmits++;
    this.env.counters.inc(why);
    this.emit(p);
    p.sentAtMs = now;
    p.deadlineMs = now + this.cc!.rtoMs;
    if (p.deadlineMs < this.earliestDeadline) this.earliestDeadline = p.deadlineMs;
  }

  /**
   * A grant: the peer consumed `consumed` bytes in all and expects sequence `ackSeq` next. Returns the drop
   * reason, or null when applied. Below our total: replayed or reordered. Above what we sent: forged.
   */
  onGrant(consumed: number, ackSeq: number, now: number): StreamCounter | null {
    if (consumed < this.peerConsumed) return 'drop_grant_stale';
    if (consumed > this.sentBytes || ackSeq > this.sentSeq) return 'drop_grant_forged';
    this.peerConsumed = consumed;
    this.grantsReceived++;
    if (this.cc !== null) this.ackBelow(ackSeq, now);
    else this.settleBelow(ackSeq);
    return null;
  }

  private settleBelow(ackSeq: number): void {
    for (const [seq, bytes] of this.unsettled) {
      if (seq >= ackSeq) break;
      this.unsettled.delete(seq);
      this.settledBytes += bytes;
    }
  }

  private ackBelow(ackSeq: number, now: number): void {
    for (const p of this.inflight.values()) {
      if (p.seq >= ackSeq) break;
      this.acked(p, now);
    }
    if (this.recover >= 0 && ackSeq > this.recover) this.recover = -1;
  }

  private acked(p: OutPacket, now: number): void {
    this.inflight.delete(p.seq);
    if (!p.retransmitted) this.cc!.sample(now - p.sentAtMs);
    else if (p.timeoutResend && this.cc!.onTimeoutResendAcked(now - p.sentAtMs)) this.env.counters.inc('spurious_timeouts');
    this.cc!.onAck();
    this.env.releaseBuffer(p.buf);
  }

  /** A NACK: `next` and the bitmap's sequences are missing. Resends them once per loss episode. */
  onNack(next: number, bitmapLo: number, bitmapHi: number, now: number): StreamCounter | null {
    if (this.cc === null || next >= this.sentSeq) return 'drop_ack_unsent';
    this.ackBelow(next, now);
    if (this.recover >= 0 && next <= this.recover) {
      this.env.counters.inc('nacks_ignored');
      return null;
    }
    this.recover = this.sentSeq - 1;
    this.cc.onLoss();
    this.resend(next, now);
    for (let i = 0; i < 64 && next + 1 + i < this.sentSeq; i++) {
      const bit = i < 32 ? (bitmapLo >>> i) & 1 : (bitmapHi >>> (i - 32)) & 1;
      if (bit === 1) this.resend(next + 1 + i, now);
    }
    return null;
  }

  private resend(seq: number, now: number): void {
    const p = this.inflight.get(seq);
    if (p !== undefined) this.retransmit(p, now, 'retransmits_nack');
  }

  /** Selective ack: everything below `ackSeq` and inside the ranges arrived. */
  onAckRanges(ackSeq: number, m: StreamAckRanges, now: number): StreamCounter | null {
    if (this.cc === null || ackSeq > this.sentSeq) return 'drop_ack_unsent';
    const w = m.words;
    for (let i = 0; i < m.count; i++) {
      if (w[4 * i + 3]! >= 0x20_0000 || w[4 * i + 3]! * 4294967296 + w[4 * i + 2]! > this.sentSeq) return 'drop_ack_unsent';
    }
    this.ackBelow(ackSeq, now);
    for (const p of this.inflight.values()) {
      for (let i = 0; i < m.count; i++) {
        const start = w[4 * i + 1]! * 4294967296 + w[4 * i]!;
        const end = w[4 * i + 3]! * 4294967296 + w[4 * i + 2]!;
        if (p.seq >= start && p.seq < end) {
          this.acked(p, now);
          break;
        }
      }
    }
    return null;
  }

  /**
   * Fire-and-forget tail loss: if every packet after the last grant was lost, no grant comes and the credit of
   * those packets would stay stranded. A sender refused for credit therefore sends an empty packet (no events,
   * no credit) now and then: its arrival makes the receiver grant an `ack_seq` past the lost ones.
   */
  probeDeadline(): number {
    if (this.cc !== null || !this.backpressured || this.unsettled.size === 0) return Infinity;
    return this.probedAtMs + Math.max(this.env.options.initialRtoMs, this.env.options.minRtoMs);
  }

  /** Sends the credit probe if it is due. */
  tickProbe(now: number): void {
    if (now < this.probeDeadline()) return;
    this.probedAtMs = now;
    const p = this.probe;
    p.seq = this.nextSeq++;
    p.len = 0;
    this.sentSeq = p.seq + 1;
    this.unsettled.set(p.seq, 0);
    this.emit(p);
    this.env.counters.inc('credit_probes');
  }

  private readonly probe = new OutPacket(new Uint8Array(0));

  /**
   * Retransmission timers due at `now`: the timer backs off and cwnd drops to its floor; at most cwnd expired
   * packets are resent this round, the others re-armed. A packet out of retries sets `failed`.
   */
  tickTimeouts(now: number): void {
    if (this.cc === null) return this.tickProbe(now);
    if (now < this.earliestDeadline) return;
    let budget = -1;
    let earliest = Infinity;
    for (const p of this.inflight.values()) {
      if (p.deadlineMs <= now) {
        if (budget < 0) {
          this.cc.onTimeout();
          budget = Math.max(1, Math.floor(this.cc.cwnd));
        }
        if (budget > 0) {
          budget--;
          this.retransmit(p, now, 'retransmits_timeout');
          if (this.failed) return;
        } else {
          p.deadlineMs = now + this.cc.rtoMs;
        }
      }
      if (p.deadlineMs < earliest) earliest = p.deadlineMs;
    }
    this.earliestDeadline = earliest;
  }

  /** True once after a refused send when credit and congestion window allow sending again. */
  takeWritable(): boolean {
    if (!this.backpressured || this.creditRemaining() <= 0) return false;
    if (this.cc !== null && this.inflight.size + this.ready.size >= this.cc.cwnd) return false;
    this.backpressured = false;
    return true;
  }

  /** True when nothing is queued or unacknowledged (the stream may be evicted). */
  get idle(): boolean {
    return this.open === null && this.ready.size === 0 && this.inflight.size === 0;
  }

  /** Returns every buffer to the pool (close, reset, eviction). */
  release(): void {
    if (this.open !== null) this.env.releaseBuffer(this.open.buf);
    this.open = null;
    this.ready.drain((p) => this.env.releaseBuffer(p.buf));
    for (const p of this.inflight.values()) this.env.releaseBuffer(p.buf);
    this.inflight.clear();
    this.unsettled.clear();
    this.earliestDeadline = Infinity;
  }
}
