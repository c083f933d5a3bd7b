/**
 * The control messages this side sends (subprotocols 0x0B00–0x0B03, each as the single event of a packet on the
 * control stream id u64::MAX): window grants carrying the latest absolute totals, with a NACK bitmap and selective
 * ack ranges while a reliable receiver has gaps; and resets when a sender gives up. One preallocated buffer and
 * one codec object per message type: nothing is allocated per message.
 */
import { writeU32LE } from '../../core/index.js';
import {
  CONTROL_STREAM_ID_WORD, STREAM_ACK_MAX_BYTES, SUBPROTOCOL_STREAM_ACK, SUBPROTOCOL_STREAM_NACK, SUBPROTOCOL_STREAM_RESET,
  SUBPROTOCOL_STREAM_WINDOW, StreamAckRanges, StreamNack, StreamReset, StreamWindow, encodeStreamAckRangesInto,
  encodeStreamNackInto, encodeStreamResetInto, encodeStreamWindowInto,
} from '../../wire/index.js';
import type { StreamEnv } from './env.js';
import type { Stream } from './stream.js';

const TWO32 = 4294967296;

export class ControlSender {
  private seq = 0;
  private readonly buf = new Uint8Array(4 + STREAM_ACK_MAX_BYTES);
  private readonly window = new StreamWindow();
  private readonly nack = new StreamNack();
  private readonly reset = new StreamReset();
  private readonly acks = new StreamAckRanges();
  private readonly bitmap = new Uint32Array(2);

  constructor(private readonly env: StreamEnv) {}

  /** Grants `s`'s receive totals now (the caller enforces the grant interval). */
  sendGrant(s: Stream, now: number): void {
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
    encodeStreamWindowInto(w, this.buf, 4);
    this.emit(SUBPROTOCOL_STREAM_WINDOW, 24);
    this.env.counters.inc('grants_sent');
    if (!rx.reliable || !rx.hasGaps) return;
    const n = this.nack;
    n.streamLo = s.lo;
    n.streamHi = s.hi;
    n.nextLo = w.ackLo;
    n.nextHi = w.ackHi;
    rx.nackBitmap(this.bitmap);
    n.bitmapLo = this.bitmap[0]!;
    n.bitmapHi = this.bitmap[1]!;
    encodeStreamNackInto(n, this.buf, 4);
    this.emit(SUBPROTOCOL_STREAM_NACK, 24);
    this.env.counters.inc('nacks_sent');
    if (!this.env.options.ackRanges) return;
    const m = this.acks;
    m.streamLo = s.lo;
    m.streamHi = s.hi;
    m.ackLo = w.ackLo;
    m.ackHi = w.ackHi;
    if (!rx.ackRanges(m)) return;
    const len = encodeStreamAckRangesInto(m, this.buf, 4);
    if (len > 0) {
      this.emit(SUBPROTOCOL_STREAM_ACK, len);
      this.env.counters.inc('acks_sent');
    }
  }

  /** Tells the peer that `s` is gone (this side gave up retransmitting). */
  sendReset(s: Stream): void {
    this.reset.streamLo = s.lo;
    this.reset.streamHi = s.hi;
    encodeStreamResetInto(this.reset, this.buf, 4);
    this.emit(SUBPROTOCOL_STREAM_RESET, 8);
    this.env.counters.inc('resets_sent');
  }

  /** Sends `buf[4..4+len]` as the single event of a control packet (header stream id u64::MAX). */
  private emit(subprotocolId: number, len: number): void {
    writeU32LE(this.buf, 0, len);
    const out = this.env.out;
    out.streamLo = CONTROL_STREAM_ID_WORD;
    out.streamHi = CONTROL_STREAM_ID_WORD;
    out.sequence = this.seq++;
    out.flags = 0;
    out.subprotocolId = subprotocolId;
    out.fragmentId = 0;
    out.fragmentOffset = 0;
    out.fragFlags = 0;
    out.eventCount = 1;
    out.payload = this.buf.subarray(0, 4 + len);
    this.env.counters.inc(this.env.emit() === 0 ? 'packets_sent' : 'send_failed');
  }
}
