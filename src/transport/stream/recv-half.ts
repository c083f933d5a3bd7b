/**
 * The receiving half of one stream. Reliable: in-order delivery by sequence with a bounded reorder buffer,
 * duplicates dropped, gaps reported by NACK bitmap and selective ack ranges. Fire-and-forget: only sequences
 * newer than the newest seen are delivered (no duplicate, nothing late). In-order packets go straight from the
 * caller's buffer to `deliver`; a packet is copied only to be held (out of order, or while the stream is paused).
 * Credit: `consumed` grows when a packet's events have been delivered; a paused stream holds packets (up to the
 * window) and grants nothing, so the sender stops: backpressure, never loss.
 * FIN (header flag on the peer's last packet): once it is delivered in order the direction is finished; the
 * first FIN in sequence order wins, and anything after it (data or another FIN) is `drop_after_fin`.
 */
import { EventFrameReader, HeaderFlag, MAX_ACK_RANGES, WireStatus, checkEventFrames, type StreamAckRanges } from '../../wire/index.js';
import type { StreamPacket } from './api.js';
import type { StreamCounter } from './counters.js';
import type { StreamEnv } from './env.js';
import { Fifo } from './out-packet.js';
import { Reassembly } from './reassembly.js';

class Held {
  constructor(
    readonly seq: number,
    readonly payload: Uint8Array,
    readonly eventCount: number,
    readonly fragmentId: number,
    readonly fragmentOffset: number,
    readonly fragFlags: number,
    readonly fin: boolean,
  ) {}
}

export class RecvHalf {
  /** Reliable: next expected sequence. Fire-and-forget: one past the newest accepted. */
  next = 0;
  consumed = 0;
  paused = false;
  grantDue = false;
  lastGrantAtMs = -Infinity;
  grantsSent = 0;
  /** The peer's FIN was delivered: this direction is over. */
  finished = false;
  /** Sequence of the lowest FIN seen (held or delivered), -1 before any. */
  private finAt = -1;
  private highest = -1;
  private heldBytes = 0;
  private readonly reorder = new Map<number, Held>();
  private readonly inOrder = new Fifo<Held>();
  private readonly reassembly: Reassembly;
  private readonly reader = new EventFrameReader();
  private readonly batch: Uint8Array[] = [];
  private readonly single: Uint8Array[] = [new Uint8Array(0)];
  private readonly limit: number;

  constructor(
    private readonly env: StreamEnv,
    readonly reliable: boolean,
    window: number,
    private readonly deliver: (batch: readonly Uint8Array[]) => void,
    private readonly onFin: () => void,
    private readonly deliverFrames: ((frames: Uint8Array, count: number) => void) | null = null,
  ) {
    this.limit = window > 0 ? window : env.options.bytesWithoutWindow;
    this.reassembly = new Reassembly(env.options);
  }

  /** Packets held (out of order or paused). */
  get pending(): number {
    return this.reorder.size + this.inOrder.size;
  }

  /** The `ack_seq` of grants: reliable next expected; fire-and-forget the oldest held, else one past the newest. */
  get ackSeq(): number {
    if (this.reliable) return this.next;
    const h = this.inOrder.peek();
    return h !== undefined ? h.seq : this.next;
  }

  get hasGaps(): boolean {
    return this.reorder.size > 0;
  }

  /** One data packet; returns the drop reason or null when accepted. */
  receive(pkt: StreamPacket, now: number): StreamCounter | null {
    const seq = pkt.sequence;
    this.grantDue = true;
    if (pkt.fragmentId === 0 ? checkEventFrames(pkt.payload, 0, pkt.payload.length, pkt.eventCount) !== WireStatus.OK : pkt.eventCount !== 0) {
      return pkt.fragmentId === 0 ? 'drop_malformed' : 'drop_bad_header';
    }
    const fin = (pkt.flags & HeaderFlag.FIN) !== 0;
    if (this.finAt >= 0 && seq > this.finAt) return 'drop_after_fin';
    if (!this.reliable) {
      if (seq < this.next) return 'drop_stale';
      if (fin) this.finAt = seq;
      if (this.paused || this.inOrder.size > 0) {
        if (this.heldBytes + pkt.payload.length > this.limit) return 'drop_rx_buffer_full';
        this.next = seq + 1;
        this.hold(pkt, true);
        return null;
      }
      this.next = seq + 1;
      return this.process(pkt.payload, pkt.eventCount, pkt.fragmentId, pkt.fragmentOffset, pkt.fragFlags, fin, now);
    }
    if (seq < this.next || this.reorder.has(seq)) return 'drop_duplicate';
    if (seq >= this.next + this.env.options.maxReorderPackets) return 'drop_out_of_window';
    if (fin && (this.finAt < 0 || seq < this.finAt)) this.finAt = seq;
    if (seq === this.next && !this.paused && this.inOrder.size === 0) {
      this.next++;
      const drop = this.process(pkt.payload, pkt.eventCount, pkt.fragmentId, pkt.fragmentOffset, pkt.fragFlags, fin, now);
      this.drainReorder(now);
      return drop;
    }
    if (this.heldBytes + pkt.payload.length > this.limit) return 'drop_rx_buffer_full';
    if (seq > this.highest) this.highest = seq;
    if (seq === this.next) {
      this.next++;
      this.hold(pkt, true);
      this.drainReorder(now);
    } else {
      this.hold(pkt, false);
    }
    return null;
  }

  private hold(pkt: StreamPacket, inOrder: boolean): void {
    const fin = (pkt.flags & HeaderFlag.FIN) !== 0;
    const h = new Held(pkt.sequence, pkt.payload.slice(), pkt.eventCount, pkt.fragmentId, pkt.fragmentOffset, pkt.fragFlags, fin);
    this.heldBytes += h.payload.length;
    if (inOrder) this.inOrder.push(h);
    else this.reorder.set(h.seq, h);
  }

  /** Moves held packets that became contiguous to delivery (or to the in-order queue while paused). */
  private drainReorder(now: number): void {
    let h: Held | undefined;
    while ((h = this.reorder.get(this.next)) !== undefined) {
      this.reorder.delete(this.next);
      this.next++;
      if (this.paused || this.inOrder.size > 0) {
        this.inOrder.push(h);
      } else {
        this.heldBytes -= h.payload.length;
        this.countDrop(this.process(h.payload, h.eventCount, h.fragmentId, h.fragmentOffset, h.fragFlags, h.fin, now));
      }
    }
  }

  /**
   * Delivers one in-order packet and counts its bytes as consumed. A packet whose frames do not check out is
   * dropped whole but still consumed: it was accepted in order and the sender must not resend it forever.
   */
  private process(payload: Uint8Array, eventCount: number, fragmentId: number, fragmentOffset: number, fragFlags: number,
    fin: boolean, now: number): StreamCounter | null {
    const drop = this.processEvents(payload, eventCount, fragmentId, fragmentOffset, fragFlags, now);
    if (fin && !this.finished) this.finish();
    return drop;
  }

  /** The peer's FIN was delivered: nothing after it will be; whatever is held beyond it is dropped. */
  private finish(): void {
    this.finished = true;
    for (const h of this.reorder.values()) {
      this.heldBytes -= h.payload.length;
      this.countDrop('drop_after_fin');
    }
    this.reorder.clear();
    this.onFin();
  }

  private processEvents(payload: Uint8Array, eventCount: number, fragmentId: number, fragmentOffset: number, fragFlags: number,
    now: number): StreamCounter | null {
    this.consumed += payload.length;
    const c = this.env.counters;
    if (fragmentId !== 0) {
      if (eventCount !== 0) return 'drop_bad_header';
      const drop = this.reassembly.add(fragmentId, fragmentOffset, fragFlags, payload, now);
      const whole = this.reassembly.completed;
      if (whole !== null) {
        this.reassembly.completed = null;
        c.inc('events_reassembled');
        c.inc('events_delivered');
        this.single[0] = whole;
        this.deliver(this.single);
      }
      return drop;
    }
    if (this.deliverFrames !== null) {
      // frames were checked on arrival (`checkEventFrames`)
      if (eventCount > 0) {
        c.inc('events_delivered', eventCount);
        this.deliverFrames(payload, eventCount);
      }
      return null;
    }
    const r = this.reader;
    if (r.reset(payload, 0, payload.length, eventCount) !== WireStatus.OK) return 'drop_malformed';
    const b = this.batch;
    b.length = 0;
    let e: Uint8Array | null;
    while ((e = r.next()) !== null) b.push(e);
    if (b.length > 0) {
      c.inc('events_delivered', b.length);
      this.deliver(b);
    }
    b.length = 0;
    return null;
  }

  /** A held packet was counted as accepted when it arrived; a late refusal moves it to its drop reason. */
  private countDrop(reason: StreamCounter | null): void {
    if (reason === null) return;
    this.env.counters.inc('accepted', -1);
    this.env.counters.inc(reason);
  }

  pause(): void {
    this.paused = true;
  }

  /** Delivers what was held while paused; true if anything was. */
  resume(now: number): boolean {
    this.paused = false;
    let any = false;
    let h: Held | undefined;
    while (!this.paused && (h = this.inOrder.shift()) !== undefined) {
      any = true;
      this.heldBytes -= h.payload.length;
      if (this.finished) this.countDrop('drop_after_fin');
      else this.countDrop(this.process(h.payload, h.eventCount, h.fragmentId, h.fragmentOffset, h.fragFlags, h.fin, now));
    }
    if (any) this.grantDue = true;
    return any;
  }

  /** NACK bitmap words for the gaps after `next` (bit i: `next + 1 + i` missing). */
  nackBitmap(out: Uint32Array): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 64; i++) {
      const seq = this.next + 1 + i;
      if (seq >= this.highest) break;
      if (!this.reorder.has(seq)) {
        if (i < 32) lo |= 1 << i;
        else hi |= 1 << (i - 32);
      }
    }
    out[0] = lo >>> 0;
    out[1] = hi >>> 0;
  }

  /** Fills `m` with up to 16 newest-first merged ranges of held out-of-order sequences; false when none. */
  ackRanges(m: StreamAckRanges): boolean {
    if (this.reorder.size === 0) return false;
    const seqs = Array.from(this.reorder.keys()).sort((a, b) => b - a);
    let n = 0;
    let end = seqs[0]! + 1;
    let start = seqs[0]!;
    for (let i = 1; i <= seqs.length && n < MAX_ACK_RANGES; i++) {
      const s = seqs[i];
      if (s !== undefined && s === start - 1) {
        start = s;
        continue;
      }
      m.setRange(n++, start, end);
      if (s !== undefined) {
        start = s;
        end = s + 1;
      }
    }
    m.count = n;
    return true;
  }

  expireReassembly(now: number): number {
    return this.reassembly.expire(now);
  }

  reassemblyDeadline(): number {
    return this.reassembly.size === 0 ? Infinity : this.reassembly.deadline();
  }

  get idle(): boolean {
    return this.pending === 0 && this.reassembly.size === 0;
  }

  release(): void {
    this.reorder.clear();
    this.inOrder.drain(() => undefined);
    this.reassembly.clear();
    this.heldBytes = 0;
  }
}
