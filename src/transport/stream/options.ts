/**
 * Stream multiplexer options and their defaults (reference §5.11 and `reliability.rs` at v0.27.2 where it has
 * one; our own bounds otherwise). Every bound is exported so docs/LIMITS.md can list it.
 */
import { InvalidArgumentError } from '../../core/index.js';
import { FRAGMENT_PREFIX_BYTES, MAX_PAYLOAD_SIZE } from '../../wire/index.js';

export interface StreamMuxOptions {
  /** Largest plaintext payload per packet (default 8108 = 8192-byte datagrams; 1316 for 1400-byte ones). */
  maxPayloadBytes?: number;
  /** Window for streams whose config leaves it unset, and for streams the peer opens. */
  windowBytes?: number;
  /** Streams per peer; at the limit the least recently active idle stream is evicted. */
  maxStreams?: number;
  /** Retransmissions of one packet before the stream is reset. */
  maxRetries?: number;
  initialRtoMs?: number;
  minRtoMs?: number;
  maxRtoMs?: number;
  /** Out-of-order packets a reliable receiver holds. */
  maxReorderPackets?: number;
  /** Receive buffer of a stream without a window (window 0), and unsent bytes such a stream may queue. */
  bytesWithoutWindow?: number;
  /** At most one grant per stream per this many ms. */
  grantIntervalMs?: number;
  maxEventBytes?: number;
  maxReassemblies?: number;
  maxReassemblyBytes?: number;
  reassemblyTimeoutMs?: number;
  /** Packets one `flush` sends before yielding (weighted round robin across streams). */
  maxPacketsPerFlush?: number;
  /** Emit selective acks (0x0B03) alongside NACKs. */
  ackRanges?: boolean;
  /** A stream with nothing queued, in flight or held is forgotten after this long without activity. */
  streamIdleTimeoutMs?: number;
}

export type ResolvedStreamMuxOptions = Required<StreamMuxOptions>;

export const STREAM_DEFAULTS = Object.freeze({
  maxPayloadBytes: MAX_PAYLOAD_SIZE,
  windowBytes: 65_536,
  maxStreams: 4096,
  maxRetries: 8,
  initialRtoMs: 50,
  minRtoMs: 10,
  maxRtoMs: 2000,
  maxReorderPackets: 1024,
  bytesWithoutWindow: 1_048_576,
  grantIntervalMs: 1,
  maxEventBytes: 1_048_576,
  maxReassemblies: 4,
  maxReassemblyBytes: 4_194_304,
  reassemblyTimeoutMs: 5000,
  maxPacketsPerFlush: 256,
  ackRanges: true,
  /** Reference `stream_idle_timeout` (300 s). */
  streamIdleTimeoutMs: 300_000,
  /** Initial congestion window, packets (reference `INIT_CWND`). */
  initCwnd: 32,
  /** Congestion window floor, packets (reference `MIN_CWND`). */
  minCwnd: 2,
  /** Retransmit buffer: `window / 512` packets, clamped to [32, 16384] (reference `max_pending_for_window`). */
  minTrackedPacketBytes: 512,
  minRetransmitPackets: 32,
  maxRetransmitPackets: 16_384,
  maxFairnessWeight: 64,
});

/** Smallest payload that still fits a fragment prefix and a useful chunk. */
export const MIN_STREAM_PAYLOAD_BYTES = 64;

export function resolveStreamMuxOptions(o: StreamMuxOptions = {}): ResolvedStreamMuxOptions {
  const d = STREAM_DEFAULTS;
  const r: ResolvedStreamMuxOptions = {
    maxPayloadBytes: o.maxPayloadBytes ?? d.maxPayloadBytes,
    windowBytes: o.windowBytes ?? d.windowBytes,
    maxStreams: o.maxStreams ?? d.maxStreams,
    maxRetries: o.maxRetries ?? d.maxRetries,
    initialRtoMs: o.initialRtoMs ?? d.initialRtoMs,
    minRtoMs: o.minRtoMs ?? d.minRtoMs,
    maxRtoMs: o.maxRtoMs ?? d.maxRtoMs,
    maxReorderPackets: o.maxReorderPackets ?? d.maxReorderPackets,
    bytesWithoutWindow: o.bytesWithoutWindow ?? d.bytesWithoutWindow,
    grantIntervalMs: o.grantIntervalMs ?? d.grantIntervalMs,
    maxEventBytes: o.maxEventBytes ?? d.maxEventBytes,
    maxReassemblies: o.maxReassemblies ?? d.maxReassemblies,
    maxReassemblyBytes: o.maxReassemblyBytes ?? d.maxReassemblyBytes,
    reassemblyTimeoutMs: o.reassemblyTimeoutMs ?? d.reassemblyTimeoutMs,
    maxPacketsPerFlush: o.maxPacketsPerFlush ?? d.maxPacketsPerFlush,
    ackRanges: o.ackRanges ?? d.ackRanges,
    streamIdleTimeoutMs: o.streamIdleTimeoutMs ?? d.streamIdleTimeoutMs,
  };
  const int = (name: keyof StreamMuxOptions, min: number, max: number): void => {
    const v = r[name] as number;
    if (!Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(`stream option ${name} must be an integer in [${min}, ${max}], got ${v}`);
  };
  int('maxPayloadBytes', MIN_STREAM_PAYLOAD_BYTES, MAX_PAYLOAD_SIZE);
  int('windowBytes', 0, 2 ** 31);
  int('maxStreams', 1, 1 << 20);
  int('maxRetries', 0, 64);
  int('maxReorderPackets', 1, 1 << 16);
  int('bytesWithoutWindow', 1, 2 ** 31);
  int('maxReassemblies', 0, 1024);
  int('maxPacketsPerFlush', 1, 1 << 20);
  int('maxEventBytes', 1, 65_535 * (r.maxPayloadBytes - FRAGMENT_PREFIX_BYTES));
  int('maxReassemblyBytes', 0, 2 ** 31);
  for (const k of ['initialRtoMs', 'minRtoMs', 'maxRtoMs', 'grantIntervalMs', 'reassemblyTimeoutMs', 'streamIdleTimeoutMs'] as const) {
    if (!(r[k] >= 0) || !Number.isFinite(r[k])) throw new InvalidArgumentError(`stream option ${k} must be a finite number >= 0`);
  }
  if (r.minRtoMs > r.maxRtoMs) throw new InvalidArgumentError('minRtoMs must not exceed maxRtoMs');
  return r;
}

/** Packets a reliable sender keeps for retransmission: enough that the whole window can be in flight. */
export function retransmitCapacity(windowBytes: number): number {
  const d = STREAM_DEFAULTS;
  if (windowBytes === 0) return d.minRetransmitPackets;
  return Math.min(d.maxRetransmitPackets, Math.max(d.minRetransmitPackets, Math.floor(windowBytes / d.minTrackedPacketBytes)));
}

/** Credit an event costs on the wire: its frame, or its fragments with their prefixes. */
export function eventCost(len: number, maxPayloadBytes: number): number {
  if (4 + len <= maxPayloadBytes) return 4 + len;
  const chunk = maxPayloadBytes - FRAGMENT_PREFIX_BYTES;
  return len + FRAGMENT_PREFIX_BYTES * Math.ceil(len / chunk);
}
