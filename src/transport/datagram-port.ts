/**
 * The datagram port: the one interface the rest of the stack sends and receives datagrams through. Two drivers
 * implement it, `UdpPort` (node:dgram) and the simulator's `SimPort`, so handshakes, sessions and the mesh run
 * unchanged on real sockets and on the deterministic in-memory network.
 *
 * It is callback-based and allocation-light on purpose (DESIGN.md §4): `send` returns a boolean rather than a
 * Promise, and failures on the hot path are counted by reason, never thrown.
 */
import { CounterSet } from '../core/index.js';

export type AddressFamily = 'ipv4' | 'ipv6' | 'sim';

/** Where a datagram comes from or goes to. Drivers hand out frozen instances that callers may keep as keys. */
export interface PeerAddress {
  readonly family: AddressFamily;
  /** An IP literal (no brackets for IPv6) or a simulator node name. */
  readonly host: string;
  readonly port: number;
}

/** The default maximum datagram (the reference's; 1400 is the safe internet value). */
export const DEFAULT_MAX_DATAGRAM = 8192;

/**
 * Receives one datagram. `bytes` is valid only until the handler returns (a driver may reuse its buffer):
 * copy what you keep. `from` may be shared between calls and is immutable.
 */
export type DatagramHandler = (bytes: Uint8Array, from: PeerAddress) => void;

/** Per-port counters. `sent`/`received` count datagrams accepted; every `drop_*` is one datagram not passed on. */
export const PORT_COUNTERS = [
  'sent',
  'sent_bytes',
  'received',
  'received_bytes',
  /** send(): larger than maxDatagramSize. */
  'drop_send_oversize',
  /** send() after close(). */
  'drop_send_closed',
  /** send() to an address this port cannot reach (wrong family, bad port, not the connected peer). */
  'drop_send_address',
  /** The OS refused the datagram (counted when the send completes; those datagrams were also counted in `sent`). */
  'send_error',
  /** Received datagram larger than maxDatagramSize. */
  'drop_recv_oversize',
  /** Received with no handler registered. */
  'drop_recv_no_handler',
  /** The handler threw (UdpPort only; counted in `received` too): the simulator lets it propagate so the test sees it. */
  'recv_handler_error',
  /** Socket-level 'error' events (never rethrown). */
  'socket_error',
] as const;
export type PortCounter = (typeof PORT_COUNTERS)[number];

export function newPortCounters(): CounterSet<PortCounter> {
  return new CounterSet<PortCounter>(PORT_COUNTERS);
}

export interface DatagramPort {
  /** The bound local address (with the real port when bound to port 0). */
  readonly local: PeerAddress;
  readonly maxDatagramSize: number;
  readonly counters: CounterSet<PortCounter>;
  readonly closed: boolean;
  /**
   * Queues `bytes` to `to`. Returns false when the port refused it locally (counted by reason). True means handed
   * to the OS or the simulated network, not delivered: UDP gives no delivery guarantee. The caller may reuse
   * `bytes` as soon as this returns.
   */
  send(bytes: Uint8Array, to: PeerAddress): boolean;
  /** Sets (or, with null, clears) the single receive handler. */
  onDatagram(handler: DatagramHandler | null): void;
  /** Stops sending and receiving and frees the handle. Idempotent: every call returns the same promise. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A canonical string for maps: `1.2.3.4:5`, `[::1]:5`, `sim:name:5`. */
export function addressKey(a: PeerAddress): string {
  switch (a.family) {
    case 'ipv4':
      return `${a.host}:${a.port}`;
    case 'ipv6':
      return `[${a.host.toLowerCase()}]:${a.port}`;
    default:
      return `sim:${a.host}:${a.port}`;
  }
}

/** True when both name the same endpoint (cheap; no string building). */
export function sameAddress(a: PeerAddress, b: PeerAddress): boolean {
  return a === b || (a.port === b.port && a.family === b.family && a.host === b.host);
}

/** A frozen PeerAddress. */
export function peerAddress(family: AddressFamily, host: string, port: number): PeerAddress {
  return Object.freeze({ family, host, port });
}
