/**
 * The sans-I/O session manager (DESIGN.md §2, §5): direct NKpsk0 handshakes with the identity proof, sealed data,
 * authenticated heartbeats, timeouts, retries, simultaneous open, rekey and roaming. Inputs: `receive`, `tick`,
 * `connect`, `send`, `close`, `shutdown`; outputs: the injected `send` callback and `events`. Time comes only
 * from `clock`; a driver arms one timer at `nextDeadline()` and calls `tick()`.
 *
 * This class is the façade: it holds the state ({@link ManagerCore}) and delegates to one module per concept:
 * inbound.ts (msg1, candidates, rate limit, tie-break), initiator.ts (our handshakes, retries, msg2),
 * established.ts (data, heartbeats, identity proof, promotion, rekey switch, roaming), timers.ts (tick and
 * deadlines).
 *
 * Rules (documented choices):
 * - A direct msg1 is tried only against expected peers (configured or `connect`ed): first the peer last seen at
 *   the source address, then up to `maxHandshakeTrials` others (the prologue names the initiator, so a wrong
 *   guess fails the MAC).
 * - A finished responder handshake is a *candidate* in the bounded pending table. With no live session it is
 *   promoted by the first authenticated packet (key confirmation: a replayed msg1 never gets one). With a live
 *   session it is promoted only by a valid identity proof for the same node id, so neither a replayed msg1 nor a
 *   second PSK holder can replace it; other packets on it are dropped (`drop_unproven_candidate`). Unconfirmed
 *   candidates expire after `handshakeTimeoutMs`.
 * - Simultaneous open: the lower node id's initiator wins; the higher side drops its own attempt and answers.
 * - Rekey: the new initiator session is `next` until the peer's first heartbeat/data under it (the responder
 *   sends a heartbeat when it promotes), then becomes current; old keys stay readable for `rekeyGraceMs`.
 */
import { ClosedError, copyBytes, InvalidArgumentError, type CounterSet } from '../../core/index.js';
import {
  DatagramKind, HEADER_BYTES, HeaderFlag, ROUTING_HEADER_BYTES, WireStatus, classifyDatagram, decodeHeaderInto,
  decodeRoutingHeaderInto, type PacketHeader,
} from '../../wire/index.js';
import { IDENTITY_SUBPROTOCOL } from './identity-proof.js';
import type { PeerAddress } from '../datagram-port.js';
import { SessionSendStatus, type SessionComponents } from './api.js';
import { ManagerCore } from './core.js';
import type { SessionCounter } from './counters.js';
import { onSealed } from './established.js';
import { onHandshake, onRoutedHandshake } from './inbound.js';
import { startHandshake } from './initiator.js';
import type { ResolvedSessionOptions, SessionOptions } from './options.js';
import type { Peer, SessionPeer } from './session.js';
import { recomputeDeadline, tickAll } from './timers.js';

/** Header flags a caller of `sendWith` may set: the stream layer's. HANDSHAKE and HEARTBEAT are the session's. */
const STREAM_FLAGS = HeaderFlag.RELIABLE | HeaderFlag.NACK | HeaderFlag.PRIORITY | HeaderFlag.FIN;

export class SessionManager {
  readonly counters: CounterSet<SessionCounter>;
  readonly options: ResolvedSessionOptions;
  private readonly m: ManagerCore;

  constructor(components: SessionComponents, options: SessionOptions) {
    this.m = new ManagerCore(components, options);
    this.counters = this.m.counters;
    this.options = this.m.options;
    for (const e of this.options.expectedPeers) this.expect(e.nodeId, e.staticPublicKey, e.address);
  }

  // ---- inspection -------------------------------------------------------------------------------------------

  /** Earliest time (clock ms) at which `tick()` has work; Infinity when none. */
  nextDeadline(): number {
    return this.m.deadline;
  }
  get pendingHandshakes(): number {
    return this.m.pendingCount;
  }
  get sessionCount(): number {
    return this.m.sessions.size;
  }
  get peerCount(): number {
    return this.m.peers.size;
  }
  get rateLimitSources(): number {
    return this.m.limiter.size;
  }
  get isShutdown(): boolean {
    return this.m.closed;
  }
  peer(nodeId: bigint): SessionPeer | undefined {
    return this.m.peers.get(nodeId);
  }

  // ---- API --------------------------------------------------------------------------------------------------

  /** Accept direct handshakes from `nodeId` (and, with a static key, allow this side to rekey toward it). */
  expect(nodeId: bigint, staticPublicKey?: Uint8Array, address?: PeerAddress): SessionPeer {
    return this.expectPeer(nodeId, staticPublicKey, address);
  }

  private expectPeer(nodeId: bigint, staticPublicKey?: Uint8Array, address?: PeerAddress): Peer {
    const m = this.m;
    if (m.closed) throw new ClosedError('session manager is shut down');
    m.reentered ||= m.ticking;
    const p = m.peerFor(nodeId);
    if (staticPublicKey !== undefined) {
      if (!(staticPublicKey instanceof Uint8Array) || staticPublicKey.length !== 32) throw new InvalidArgumentError('static public key must be 32 bytes');
      p.staticPublicKey = copyBytes(staticPublicKey);
    }
    if (address !== undefined && p.current === null) m.setAddress(p, address);
    p.expected = true;
    return p;
  }

  /**
   * Starts (or keeps) a session with `peer`; the manager reconnects after loss until `close(nodeId)`. With
   * `routed`, handshakes and packets carry the routing header and `address` is the next hop (a relay, or the
   * peer itself); the framing applies from the next handshake on.
   */
  connect(peer: { address: PeerAddress; staticPublicKey: Uint8Array; nodeId: bigint; routed?: boolean }): SessionPeer {
    if (this.m.closed) throw new ClosedError('session manager is shut down');
    if (peer.nodeId === this.m.identity.nodeId) throw new InvalidArgumentError('cannot connect to ourselves');
    const p = this.m.peerFor(peer.nodeId);
    if (p.current === null && p.pending === null && peer.routed !== undefined) p.routed = peer.routed;
    this.expectPeer(peer.nodeId, peer.staticPublicKey, peer.address);
    p.wanted = true;
    if (p.current === null && p.pending === null && p.candidate === null) startHandshake(this.m, p, this.m.clock.nowMs());
    return p;
  }

  /** Seals `payload` under subprotocol `subprotocolId` to `nodeId`'s current session. */
  send(nodeId: bigint, subprotocolId: number, payload: Uint8Array): SessionSendStatus {
    const m = this.m;
    if (m.closed) return SessionSendStatus.Closed;
    const s = m.peers.get(nodeId)?.current;
    if (s === undefined || s === null) return SessionSendStatus.NotConnected;
    if (payload.length > m.maxPayload - (s.routed ? ROUTING_HEADER_BYTES : 0) || (subprotocolId & 0xffff) !== subprotocolId) {
      return SessionSendStatus.TooLarge;
    }
    m.reentered ||= m.ticking;
    const st = m.seal(s, 0, subprotocolId, payload);
    if (st === SessionSendStatus.Ok) m.counters.inc('data_sent');
    return st;
  }

  /**
   * Seals `payload` to `nodeId`'s current session under header `header`: the caller sets the stream, sequence,
   * fragment, event count, priority, channel, origin, subprotocol and the flags RELIABLE, NACK, PRIORITY and FIN
   * (the stream layer's fields); session id, payload length and nonce are filled in here (and written to
   * `header`). Reuse one header object per caller: nothing is allocated.
   */
  sendWith(nodeId: bigint, header: PacketHeader, payload: Uint8Array): SessionSendStatus {
    const m = this.m;
    if (m.closed) return SessionSendStatus.Closed;
    const s = m.peers.get(nodeId)?.current;
    if (s === undefined || s === null) return SessionSendStatus.NotConnected;
    if (payload.length > m.maxPayload - (s.routed ? ROUTING_HEADER_BYTES : 0)) return SessionSendStatus.TooLarge;
    if ((header.flags & ~STREAM_FLAGS) !== 0 || header.subprotocolId === IDENTITY_SUBPROTOCOL) return SessionSendStatus.BadHeader;
    m.reentered ||= m.ticking;
    const st = m.sealWith(s, header, payload);
    if (st === SessionSendStatus.Ok) m.counters.inc('data_sent');
    return st;
  }

  /** Ends every session with `nodeId` and stops reconnecting (`sessionDown(peer, 'closed')` if one was up). */
  close(nodeId: bigint): void {
    const m = this.m;
    const p = m.peers.get(nodeId);
    if (p === undefined) return;
    m.reentered ||= m.ticking;
    p.wanted = false;
    m.teardown(p, 'closed');
    recomputeDeadline(m);
  }

  /** Closes everything, wipes keys, leaves no deadline. Sends nothing. */
  shutdown(): void {
    const m = this.m;
    if (m.closed) return;
    m.closed = true;
    for (const p of m.peers.values()) m.teardown(p, 'shutdown');
    m.peers.clear();
    m.byAddress.clear();
    m.byRoutingId.clear();
    m.sessions.clear();
    m.limiter.clear();
    m.psk.dispose();
    m.deadline = Infinity;
  }

  /** Answer routed-framed msg1 from any PSK holder (a started node does, DESIGN.md §5). */
  acceptRouted(on: boolean): void {
    this.m.acceptRouted = on;
  }

  /**
   * One whole datagram, direct or routed-framed to us. Counts it as accepted or under exactly one drop reason.
   * A routed packet for another node is `drop_not_for_us` here: forwarding is the relay's job, before this.
   */
  receive(bytes: Uint8Array, from: PeerAddress): void {
    const m = this.m;
    const c = m.counters;
    c.inc('received');
    if (m.closed) return c.inc('drop_closed');
    const kind = bytes.length < HEADER_BYTES ? DatagramKind.UNKNOWN : classifyDatagram(bytes);
    let pkt = bytes;
    let srcId = -1;
    if (kind === DatagramKind.ROUTED) {
      const r = m.rxRoute;
      if (decodeRoutingHeaderInto(bytes, 0, r) !== WireStatus.OK) return c.inc('drop_bad_header');
      if (r.destLo !== m.identity.routingId || r.destHi !== m.ownIdHi) return c.inc('drop_not_for_us');
      srcId = r.srcId;
      pkt = bytes.subarray(ROUTING_HEADER_BYTES);
    } else if (kind !== DatagramKind.DIRECT) {
      return c.inc('drop_short');
    }
    const h = m.rx;
    if (decodeHeaderInto(pkt, 0, h) !== WireStatus.OK) return c.inc('drop_bad_header');
    m.reentered ||= m.ticking;
    if ((h.flags & HeaderFlag.HANDSHAKE) !== 0) {
      return srcId < 0 ? onHandshake(m, pkt, from) : onRoutedHandshake(m, pkt, srcId, from);
    }
    onSealed(m, pkt, from);
  }

  /** Runs timers due at the clock's now: retransmissions, give-ups, heartbeats, timeouts, rekeys. */
  tick(): void {
    if (this.m.closed) return;
    tickAll(this.m, this.m.clock.nowMs());
  }
}
