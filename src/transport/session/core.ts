/**
 * The session manager's state and the primitives every path shares: the peer, address and session tables,
 * sealing and sending (data, heartbeats, identity proofs), installing and retiring sessions, teardown, and the
 * cached earliest deadline. The protocol paths (inbound.ts, initiator.ts, established.ts, timers.ts) are free
 * functions over this object; manager.ts is the public façade. Internal: not exported from the plane.
 */
import { InvalidArgumentError, type Clock, type Random, type CounterSet } from '../../core/index.js';
import { Identity, PacketStatus, prepareNoisePsk, type NoisePsk } from '../../crypto/index.js';
import {
  HEADER_BYTES, MAX_TTL, PacketHeader, ROUTING_HEADER_BYTES, RoutingHeader, WireStatus, encodeHeaderInto,
  encodeHeartbeatInto, encodeRoutingHeaderInto,
} from '../../wire/index.js';
import { addressKey, sameAddress, type PeerAddress } from '../datagram-port.js';
import { SessionSendStatus, type SessionComponents, type SessionDownReason, type SessionEvents } from './api.js';
import { newSessionCounters, type SessionCounter } from './counters.js';
import { IDENTITY_SUBPROTOCOL, encodeIdentityProof } from './identity-proof.js';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionOptions } from './options.js';
import { HandshakeRateLimiter } from './rate-limit.js';
import { Peer, type Session } from './session.js';

const TAG_BYTES = 16;
/** Headroom before the packet in the TX buffer, where a routed session's routing header goes. */
const R = ROUTING_HEADER_BYTES;

export class ManagerCore {
  readonly counters: CounterSet<SessionCounter> = newSessionCounters();
  readonly options: ResolvedSessionOptions;
  readonly clock: Clock;
  readonly random: Random;
  readonly identity: Identity;
  readonly out: (bytes: Uint8Array, to: PeerAddress) => void;
  readonly events: SessionEvents;
  readonly psk: NoisePsk;
  readonly peers = new Map<bigint, Peer>();
  readonly byAddress = new Map<string, Peer>();
  readonly sessions = new Map<number, Session>();
  /** Peers by 32-bit routing id: how a routed msg2 or duplicate routed msg1 finds its peer (latest wins on a collision). */
  readonly byRoutingId = new Map<number, Peer>();
  /** Answer routed-framed msg1 from any PSK holder. */
  acceptRouted: boolean;
  /** High u32 word of our node id: a routed packet is ours when dest_id equals (routingId, ownIdHi). */
  readonly ownIdHi: number;
  readonly limiter: HandshakeRateLimiter;
  /** Headers decoded by `receive`; valid during one receive call. */
  readonly rx = new PacketHeader();
  readonly rxRoute = new RoutingHeader();
  private readonly tx = new PacketHeader();
  private readonly txRoute = new RoutingHeader();
  /** The packet is sealed at txBuf[R..]; a routed session also sends the routing header written at txBuf[0..R]. */
  private readonly txBuf: Uint8Array;
  private readonly hbView: Uint8Array;
  private readonly hbRoutedView: Uint8Array;
  /** The last sealed-packet views of txBuf, reused while the sealed length repeats (no subarray per send). */
  private txView: Uint8Array;
  private txRoutedView: Uint8Array;
  /** Our initiator attempts plus responder candidates. */
  pendingCount = 0;
  /** Earliest time at which `tick` has work (a lower bound: `note` only lowers it, `tick` recomputes it). */
  deadline = Infinity;
  closed = false;
  /** True while `tick` walks the peers; `reentered` records an API call made from an event during that walk. */
  ticking = false;
  reentered = false;

  constructor(components: SessionComponents, options: SessionOptions) {
    this.options = resolveSessionOptions(options);
    this.clock = components.clock;
    this.random = components.random;
    this.identity = components.identity;
    this.out = components.send;
    this.events = components.events;
    this.psk = prepareNoisePsk(options.psk);
    const o = this.options;
    this.limiter = new HandshakeRateLimiter(o.handshakeRatePerSource, o.handshakeBurstPerSource, o.maxRateLimitSources,
      o.handshakeRateGlobal, o.handshakeBurstGlobal, this.clock.nowMs());
    this.acceptRouted = options.acceptRoutedHandshakes ?? false;
    this.ownIdHi = Number(this.identity.nodeId >> 32n);
    this.txBuf = new Uint8Array(R + o.maxDatagramSize);
    this.hbView = this.txBuf.subarray(R, R + HEADER_BYTES + TAG_BYTES);
    this.hbRoutedView = this.txBuf.subarray(0, R + HEADER_BYTES + TAG_BYTES);
    this.txView = this.hbView;
    this.txRoutedView = this.hbRoutedView;
    this.txRoute.ttl = MAX_TTL;
    this.txRoute.srcId = this.identity.routingId;
  }

  /** Largest payload `seal` accepts for a direct session (a routed one: {@link ROUTING_HEADER_BYTES} less). */
  get maxPayload(): number {
    return this.options.maxDatagramSize - HEADER_BYTES - TAG_BYTES;
  }

  /** Prefixes `packet` (a handshake packet) with our routing header toward `nodeId`. Handshake path: allocates. */
  routedFrame(nodeId: bigint, packet: Uint8Array): Uint8Array {
    const out = new Uint8Array(R + packet.length);
    this.txRoute.destId = nodeId;
    encodeRoutingHeaderInto(this.txRoute, out, 0);
    out.set(packet, R);
    return out;
  }

  /** Lowers the cached deadline to `t`. */
  note(t: number): void {
    if (t < this.deadline) this.deadline = t;
  }

  // ---- sending ----------------------------------------------------------------------------------------------

  seal(s: Session, flags: number, subprotocolId: number, payload: Uint8Array): SessionSendStatus {
    const t = this.tx;
    t.flags = flags;
    t.subprotocolId = subprotocolId;
    return this.sealWith(s, t, payload);
  }

  /**
   * Seals `payload` under header `t` (its stream, sequence, fragment, event-count, priority and channel fields are
   * the caller's; session, payload length and nonce are set here, in `t` too).
   */
  sealWith(s: Session, t: PacketHeader, payload: Uint8Array): SessionSendStatus {
    t.sessionLo = s.sessionLo;
    t.sessionHi = s.sessionHi;
    t.payloadLen = payload.length;
    const buf = this.txBuf;
    if (encodeHeaderInto(t, buf, R) !== WireStatus.OK) return SessionSendStatus.BadHeader;
    buf.set(payload, R + HEADER_BYTES);
    if (s.sealer.seal(buf, R, payload.length) !== PacketStatus.Ok) return SessionSendStatus.CounterLimit;
    s.lastSentMs = this.clock.nowMs();
    const to = s.state === 'candidate' ? s.address! : s.peer.address!;
    const len = HEADER_BYTES + payload.length + TAG_BYTES;
    let view: Uint8Array;
    if (s.routed) {
      this.writeRoute(s);
      view = this.txRoutedView;
      if (view.length !== R + len) this.txRoutedView = view = buf.subarray(0, R + len);
    } else {
      view = this.txView;
      if (view.length !== len) this.txView = view = buf.subarray(R, R + len);
    }
    this.out(view, to);
    if (s.sealer.needsRekey) this.note(s.lastSentMs);
    return SessionSendStatus.Ok;
  }

  private writeRoute(s: Session): void {
    const h = this.txRoute;
    const id = s.peer;
    h.destLo = id.routingId;
    h.destHi = id.nodeIdHi;
    encodeRoutingHeaderInto(h, this.txBuf, 0);
  }

  heartbeat(s: Session): void {
    encodeHeartbeatInto(s.sessionLo, s.sessionHi, this.txBuf, R);
    if (s.sealer.seal(this.txBuf, R, 0) !== PacketStatus.Ok) return;
    s.lastSentMs = this.clock.nowMs();
    this.counters.inc('heartbeats_sent');
    if (s.routed) this.writeRoute(s);
    this.out(s.routed ? this.hbRoutedView : this.hbView, s.state === 'candidate' ? s.address! : s.peer.address!);
  }

  sendProof(s: Session, now: number): void {
    this.seal(s, 0, IDENTITY_SUBPROTOCOL, encodeIdentityProof(this.identity, s.hash));
    this.counters.inc('identity_proofs_sent');
    s.proofNextMs = now + this.options.identityRetryMs;
    if (s.proofNextMs >= s.createdMs + this.options.identityTimeoutMs) s.proofNextMs = Infinity;
    this.note(s.proofNextMs);
  }

  // ---- session table ----------------------------------------------------------------------------------------

  install(p: Peer, s: Session, from: PeerAddress, now: number): void {
    p.routed = s.routed;
    s.state = 'current';
    p.current = s;
    p.reconnectAt = Infinity;
    s.lastRecvMs = now;
    if (p.address === null || !sameAddress(from, p.address)) this.roam(p, from);
    this.counters.inc('sessions_up');
    this.events.sessionUp(p);
    this.note(now);
  }

  retire(p: Peer, old: Session, now: number): void {
    if (p.previous !== null) this.dropSession(p.previous);
    old.state = 'previous';
    old.expiresAt = now + this.options.rekeyGraceMs;
    p.previous = old;
    this.note(old.expiresAt);
  }

  roam(p: Peer, to: PeerAddress): void {
    if (p.address !== null) this.counters.inc('roamed');
    this.setAddress(p, to);
  }

  /**
   * Moves `p` to address `a`. The address index serves direct handshakes only: a routed peer's address is a next
   * hop (a relay) shared by many peers, so it is not indexed.
   */
  setAddress(p: Peer, a: PeerAddress): void {
    if (p.address !== null && this.byAddress.get(addressKey(p.address)) === p) this.byAddress.delete(addressKey(p.address));
    p.address = a;
    if (!p.routed) this.byAddress.set(addressKey(a), p);
  }

  peerFor(nodeId: bigint): Peer {
    let p = this.peers.get(nodeId);
    if (p === undefined) {
      if (this.peers.size >= this.options.maxPeers) throw new InvalidArgumentError(`peer table full (${this.options.maxPeers})`);
      p = new Peer(nodeId, null);
      this.peers.set(nodeId, p);
      this.byRoutingId.set(p.routingId, p);
    }
    return p;
  }

  /**
   * Forgets a peer that nothing holds any more: not expected, not wanted, no session, no handshake. Peers learnt
   * from routed msg1 are such peers once their candidate expires or their session ends, so the table does not
   * keep what a PSK holder claimed.
   */
  forgetIfIdle(p: Peer): void {
    if (p.expected || p.wanted || p.current !== null || p.next !== null || p.previous !== null ||
      p.candidate !== null || p.pending !== null || this.peers.get(p.nodeId) !== p) return;
    this.peers.delete(p.nodeId);
    if (this.byRoutingId.get(p.routingId) === p) this.byRoutingId.delete(p.routingId);
    if (p.address !== null && this.byAddress.get(addressKey(p.address)) === p) this.byAddress.delete(addressKey(p.address));
    this.counters.inc('peers_forgotten');
  }

  canRekey(p: Peer): boolean {
    return p.pending === null && p.next === null && p.candidate === null && p.staticPublicKey !== null && p.address !== null;
  }

  scheduleReconnect(p: Peer, now: number): void {
    if (this.options.reconnectIntervalMs > 0) p.reconnectAt = now + this.options.reconnectIntervalMs;
  }

  // ---- teardown ---------------------------------------------------------------------------------------------

  clearPending(p: Peer): void {
    if (p.pending === null) return;
    p.pending.noise?.dispose();
    p.pending = null;
    this.pendingCount--;
  }

  dropSession(s: Session): void {
    const p = s.peer;
    if (p.candidate === s) {
      p.candidate = null;
      this.pendingCount--;
    }
    if (p.next === s) p.next = null;
    if (p.previous === s) p.previous = null;
    if (p.current === s) p.current = null;
    if (this.sessions.get(s.sessionLo) === s) this.sessions.delete(s.sessionLo);
    s.dispose();
  }

  teardown(p: Peer, reason: SessionDownReason): void {
    const wasUp = p.current !== null;
    this.clearPending(p);
    if (p.current !== null) this.dropSession(p.current);
    if (p.next !== null) this.dropSession(p.next);
    if (p.previous !== null) this.dropSession(p.previous);
    if (p.candidate !== null) this.dropSession(p.candidate);
    p.reconnectAt = Infinity;
    p.rekeyRetryAt = 0;
    if (wasUp) {
      this.counters.inc('sessions_down');
      this.events.sessionDown(p, reason);
    }
  }
}
