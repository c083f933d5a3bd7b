/**
 * The control messages this side receives: a window grant (credit and `ack_seq`), a NACK (gap bitmap), selective
 * ack ranges, a reset. Each is decoded into a reused codec object, checked against what the named stream really
 * sent (a total or sequence above it is forged, below it stale) and applied to its sending half. Returns the
 * drop reason, or null when applied; the multiplexer counts either.
 */
import {
  SUBPROTOCOL_STREAM_ACK, SUBPROTOCOL_STREAM_NACK, SUBPROTOCOL_STREAM_WINDOW, StreamAckRanges, StreamNack, StreamReset,
  StreamWindow, WireStatus, decodeStreamAckRangesInto, decodeStreamNackInto, decodeStreamResetInto, decodeStreamWindowInto,
} from '../../wire/index.js';
import type { StreamCounter } from './counters.js';
import type { StreamEnv } from './env.js';
import type { Stream } from './stream.js';
import type { StreamTable } from './stream-table.js';

const TWO32 = 4294967296;
/** A high word at or above this makes a u64 total or sequence exceed 2^53: nothing we sent can be that large. */
const SAFE_HI = 0x20_0000;

/** What applying a control message may lead to, decided by the multiplexer. */
export interface ControlEffects {
  /** Credit or acks arrived for `s`: queued packets may go, a refused sender may hear `writable`. */
  acked(s: Stream, now: number): void;
  /** `s` ran out of retries while handling a NACK. */
  failed(s: Stream): void;
  /** The peer reset `s`. */
  peerReset(s: Stream): void;
}

export class ControlReceiver {
  private readonly window = new StreamWindow();
  private readonly nack = new StreamNack();
  private readonly reset = new StreamReset();
  private readonly acks = new StreamAckRanges();

  constructor(private readonly env: StreamEnv, private readonly table: StreamTable, private readonly fx: ControlEffects) {}

  /** One control message: `bytes[offset, offset + length)` on subprotocol `sub` (0x0B00–0x0B03). */
  receive(sub: number, bytes: Uint8Array, offset: number, length: number, now: number): StreamCounter | null {
    if (sub === SUBPROTOCOL_STREAM_WINDOW) return this.onWindow(bytes, offset, length, now);
    if (sub === SUBPROTOCOL_STREAM_NACK) return this.onNack(bytes, offset, length, now);
    if (sub === SUBPROTOCOL_STREAM_ACK) return this.onAckRanges(bytes, offset, length, now);
    return this.onReset(bytes, offset, length);
  }

  private onWindow(bytes: Uint8Array, offset: number, length: number, now: number): StreamCounter | null {
    const w = this.window;
    if (decodeStreamWindowInto(bytes, offset, length, w) !== WireStatus.OK) return 'drop_malformed';
    const s = this.table.lookup(w.streamLo, w.streamHi);
    if (s === undefined) return 'drop_unknown_stream';
    if (w.consumedHi >= SAFE_HI || w.ackHi >= SAFE_HI) return 'drop_grant_forged';
    const drop = s.send.onGrant(w.consumedHi * TWO32 + w.consumedLo, w.ackHi * TWO32 + w.ackLo, now);
    if (drop !== null) return drop;
    this.env.counters.inc('grants_received');
    this.fx.acked(s, now);
    return null;
  }

  private onNack(bytes: Uint8Array, offset: number, length: number, now: number): StreamCounter | null {
    const n = this.nack;
    if (decodeStreamNackInto(bytes, offset, length, n) !== WireStatus.OK) return 'drop_malformed';
    const s = this.table.lookup(n.streamLo, n.streamHi);
    if (s === undefined) return 'drop_unknown_stream';
    if (n.nextHi >= SAFE_HI) return 'drop_ack_unsent';
    const drop = s.send.onNack(n.nextHi * TWO32 + n.nextLo, n.bitmapLo, n.bitmapHi, now);
    if (drop !== null) return drop;
    this.env.counters.inc('nacks_received');
    if (s.send.failed) this.fx.failed(s);
    else this.fx.acked(s, now);
    return null;
  }

  private onAckRanges(bytes: Uint8Array, offset: number, length: number, now: number): StreamCounter | null {
    const m = this.acks;
    if (decodeStreamAckRangesInto(bytes, offset, length, m) !== WireStatus.OK) return 'drop_malformed';
    const s = this.table.lookup(m.streamLo, m.streamHi);
    if (s === undefined) return 'drop_unknown_stream';
    if (m.ackHi >= SAFE_HI) return 'drop_ack_unsent';
    const drop = s.send.onAckRanges(m.ackHi * TWO32 + m.ackLo, m, now);
    if (drop !== null) return drop;
    this.env.counters.inc('acks_received');
    this.fx.acked(s, now);
    return null;
  }

  private onReset(bytes: Uint8Array, offset: number, length: number): StreamCounter | null {
    const r = this.reset;
    if (decodeStreamResetInto(bytes, offset, length, r) !== WireStatus.OK) return 'drop_malformed';
    const s = this.table.lookup(r.streamLo, r.streamHi);
    if (s === undefined) return 'drop_unknown_stream';
    this.env.counters.inc('resets_received');
    this.fx.peerReset(s);
    return null;
  }
}
