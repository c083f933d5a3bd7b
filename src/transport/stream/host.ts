/**
 * Streams over sessions: one {@link StreamMux} per connected peer, fed with the session layer's decrypted packets
 * and sealing through it. Sans-I/O like both sides: `seal` is the session manager's `sendWith`, time comes from
 * `clock`, and a driver arms one timer at `nextDeadline()` and calls `tick()`.
 *
 * Mapping to the 68-byte header: stream id, sequence, flags, subprotocol (0 for data, 0x0B00–0x0B03 for
 * control), fragment fields and event count travel as they are; a sequence at or above 2^53 reaches the mux as
 * -1, which it counts as `drop_bad_header`. A peer's streams live as long as its session: when the session goes
 * down every open stream is reported reset with `session-down`.
 */
import type { Clock, Random } from '../../core/index.js';
import { PacketHeader, SUBPROTOCOL_STREAM_ACK, SUBPROTOCOL_STREAM_WINDOW } from '../../wire/index.js';
import type { SessionSendStatus } from '../session/api.js';
import { StreamPacket, type StreamResetReason } from './api.js';
import { StreamMux } from './mux.js';
import type { StreamMuxOptions } from './options.js';

const TWO32 = 4294967296;
/** Largest sequence high word that keeps the sequence a safe integer (2^53 = 2^21 · 2^32). */
const SAFE_SEQ_HI = 0x20_0000;

export type StreamHostResetReason = StreamResetReason | 'session-down';

export interface StreamHostEvents {
  /** In-order (reliable) or arrival-order (fire-and-forget) events of one packet; views valid during the call. */
  deliver(peer: bigint, streamId: bigint, batch: readonly Uint8Array[]): void;
  /** See `StreamMuxEvents.deliverFrames`. */
  deliverFrames?(peer: bigint, streamId: bigint, frames: Uint8Array, count: number): void;
  reset(peer: bigint, streamId: bigint, reason: StreamHostResetReason): void;
  writable(peer: bigint, streamId: bigint): void;
  /** The peer's FIN arrived after its last event on the stream. */
  fin(peer: bigint, streamId: bigint): void;
  /** Our graceful close completed: the peer acknowledged everything up to our FIN. */
  closed(peer: bigint, streamId: bigint): void;
}

export interface StreamHostComponents {
  clock: Clock;
  random: Random;
  /** Seals `payload` under `header` to `peer` (the session manager's `sendWith`). */
  seal(peer: bigint, header: PacketHeader, payload: Uint8Array): SessionSendStatus;
  events: StreamHostEvents;
}

/** True for the subprotocols the stream layer owns: 0 (stream data) and 0x0B00–0x0B03 (stream control). */
export function isStreamSubprotocol(id: number): boolean {
  return id === 0 || (id >= SUBPROTOCOL_STREAM_WINDOW && id <= SUBPROTOCOL_STREAM_ACK);
}

export class StreamHost {
  private readonly muxes = new Map<bigint, StreamMux>();
  /** Streams opened per peer, so a session loss can name them. */
  private readonly open = new Map<bigint, Set<bigint>>();
  private readonly header = new PacketHeader();
  private readonly rx = new StreamPacket();
  private deadline = Infinity;

  constructor(private readonly components: StreamHostComponents, private readonly options: StreamMuxOptions = {}) {}

  /** The peer's multiplexer, created on first use (a session must be up for anything to be sent). */
  mux(peer: bigint): StreamMux {
    let m = this.muxes.get(peer);
    if (m === undefined) {
      const c = this.components;
      const header = this.header;
      m = new StreamMux({
        clock: c.clock,
        random: c.random,
        send: (pkt) => {
          header.streamLo = pkt.streamLo;
          header.streamHi = pkt.streamHi;
          header.sequenceLo = pkt.sequence % TWO32;
          header.sequenceHi = Math.floor(pkt.sequence / TWO32);
          header.flags = pkt.flags;
          header.subprotocolId = pkt.subprotocolId;
          header.fragmentId = pkt.fragmentId;
          header.fragmentOffset = pkt.fragmentOffset;
          header.fragFlags = pkt.fragFlags;
          header.eventCount = pkt.eventCount;
          return c.seal(peer, header, pkt.payload);
        },
        events: {
          deliver: (id, batch) => c.events.deliver(peer, id, batch),
          ...(c.events.deliverFrames === undefined ? {} : {
            deliverFrames: (id: bigint, f: Uint8Array, n: number) => c.events.deliverFrames!(peer, id, f, n),
          }),
          reset: (id, reason) => {
            this.open.get(peer)?.delete(id);
            c.events.reset(peer, id, reason);
          },
          writable: (id) => c.events.writable(peer, id),
          fin: (id) => c.events.fin(peer, id),
          closed: (id) => {
            this.open.get(peer)?.delete(id);
            c.events.closed(peer, id);
          },
        },
      }, this.options);
      this.muxes.set(peer, m);
    }
    return m;
  }

  /** The peer's multiplexer if it has one (lookups must not create one for an arbitrary id). */
  existing(peer: bigint): StreamMux | undefined {
    return this.muxes.get(peer);
  }

  /** Remembers an opened stream (for `session-down` reports). */
  noteOpen(peer: bigint, streamId: bigint): void {
    let s = this.open.get(peer);
    if (s === undefined) this.open.set(peer, (s = new Set()));
    s.add(streamId);
  }

  noteClosed(peer: bigint, streamId: bigint): void {
    this.open.get(peer)?.delete(streamId);
  }

  /** One decrypted packet on a stream subprotocol from `peer`. */
  receive(peer: bigint, h: PacketHeader, payload: Uint8Array): void {
    const p = this.rx;
    p.streamLo = h.streamLo;
    p.streamHi = h.streamHi;
    p.sequence = h.sequenceHi < SAFE_SEQ_HI ? h.sequenceHi * TWO32 + h.sequenceLo : -1;
    p.flags = h.flags;
    p.subprotocolId = h.subprotocolId;
    p.fragmentId = h.fragmentId;
    p.fragmentOffset = h.fragmentOffset;
    p.fragFlags = h.fragFlags;
    p.eventCount = h.eventCount;
    p.payload = payload;
    const m = this.mux(peer);
    m.receive(p);
    this.lower(m.nextDeadline());
  }

  /** Holds a stream's deliveries in its multiplexer (no credit granted) until `resumeReceive`. */
  pauseReceive(peer: bigint, streamId: bigint): void {
    this.muxes.get(peer)?.pauseReceive(streamId);
  }

  /** Delivers what was held and grants credit again (from the next `tick`). */
  resumeReceive(peer: bigint, streamId: bigint): void {
    const m = this.muxes.get(peer);
    if (m === undefined) return;
    m.resumeReceive(streamId);
    this.lower(m.nextDeadline());
  }

  /** Graceful close of one stream (see `StreamMux.finishStream`); sends what is due at once. */
  finish(peer: bigint, streamId: bigint): boolean {
    const m = this.muxes.get(peer);
    if (m === undefined || !m.finishStream(streamId)) return false;
    m.flush();
    this.lower(m.nextDeadline());
    return true;
  }

  /** Call after a burst of `mux(peer).send`: packs the queued events into packets and sends them. */
  flush(peer: bigint): void {
    const m = this.muxes.get(peer);
    if (m === undefined) return;
    m.flush();
    this.lower(m.nextDeadline());
  }

  /** The peer's session ended: its streams are gone (reported reset) and its multiplexer closed. */
  sessionDown(peer: bigint): void {
    const m = this.muxes.get(peer);
    if (m === undefined) return;
    this.muxes.delete(peer);
    m.close();
    const ids = this.open.get(peer);
    this.open.delete(peer);
    if (ids !== undefined) for (const id of ids) this.components.events.reset(peer, id, 'session-down');
  }

  /** Every multiplexer's counters added up (non-zero ones). */
  counterTotals(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of this.muxes.values()) {
      for (const [k, v] of Object.entries(m.counters.snapshot())) if (v !== 0) out[k] = (out[k] ?? 0) + v;
    }
    return out;
  }

  /** Earliest clock time at which `tick()` has work; Infinity when none. */
  nextDeadline(): number {
    return this.deadline;
  }

  /** Runs every multiplexer that is due. */
  tick(): void {
    const now = this.components.clock.nowMs();
    let d = Infinity;
    for (const m of this.muxes.values()) {
      if (m.nextDeadline() <= now) m.tick();
      const md = m.nextDeadline();
      if (md < d) d = md;
    }
    this.deadline = d;
  }

  /** Closes every multiplexer; sends nothing; reports nothing. */
  close(): void {
    for (const m of this.muxes.values()) m.close();
    this.muxes.clear();
    this.open.clear();
    this.deadline = Infinity;
  }

  private lower(d: number): void {
    if (d < this.deadline) this.deadline = d;
  }
}
