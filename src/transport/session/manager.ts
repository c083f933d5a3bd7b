/**
 * The sans-I/O session manager (DESIGN.md §2, §5): direct NKpsk0 handshakes with the identity proof, sealed data,
 * authenticated heartbeats, timeouts, retries, simultaneous open, rekey and roaming. Inputs: `receive`, `tick`,
 * `connect`, `send`, `close`, `shutdown`; outputs: the injected `send` callback and `events`. Time comes only
 * from `clock`; a driver arms one timer at `nextDeadline()` and calls `tick()`.
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
import { ClosedError, InvalidArgumentError, type Clock, type Random, type CounterSet } from '../../core/index.js';
import {
  Identity, NoiseInitiator, NoiseResponder, PacketStatus, constantTimeEqual, deriveSessionKeys, netPrologue, prepareNoisePsk,
  type NoisePsk,
} from '../../crypto/index.js';
import {
  DatagramKind, HEADER_BYTES, HeaderFlag, PacketHeader, WireStatus, checkHandshakePacket, classifyDatagram,
  decodeHeaderInto, encodeHandshakePacket, encodeHeaderInto, encodeHeartbeatInto,
} from '../../wire/index.js';
import { addressKey, sameAddress, type PeerAddress } from '../datagram-port.js';
import { newSessionCounters, type SessionCounter } from './counters.js';
import {
  IDENTITY_ACK, IDENTITY_PROOF_BYTES, IDENTITY_SUBPROTOCOL, IdentityProofStatus, encodeIdentityProof, verifyIdentityProof,
} from './identity-proof.js';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionOptions } from './options.js';
import { HandshakeRateLimiter } from './rate-limit.js';
import { Peer, Session, type SessionPeer } from './session.js';

export type SessionDownReason = 'handshake-timeout' | 'timeout' | 'closed' | 'identity-invalid' | 'shutdown';

export interface SessionEvents {
  sessionUp(peer: SessionPeer): void;
  sessionDown(peer: SessionPeer, reason: SessionDownReason): void;
  identityProven(peer: SessionPeer): void;
  /** No identity proof within `identityTimeoutMs`: the peer stays PSK-only. */
  identityUnproven?(peer: SessionPeer): void;
  /** `payload` and `header` are valid only during the call. */
  data(peer: SessionPeer, subprotocolId: number, payload: Uint8Array, header: PacketHeader): void;
}

export interface SessionComponents {
  clock: Clock;
  random: Random;
  identity: Identity;
  send: (bytes: Uint8Array, to: PeerAddress) => void;
  events: SessionEvents;
}

export const SessionSendStatus = { Ok: 0, NotConnected: 1, TooLarge: 2, CounterLimit: 3, Closed: 4 } as const;
export type SessionSendStatus = (typeof SessionSendStatus)[keyof typeof SessionSendStatus];

const ACK_PAYLOAD = new Uint8Array([IDENTITY_ACK]);
const EMPTY = new Uint8Array(0);

export class SessionManager {
  readonly counters: CounterSet<SessionCounter> = newSessionCounters();
  readonly options: ResolvedSessionOptions;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly identity: Identity;
  private readonly out: (bytes: Uint8Array, to: PeerAddress) => void;
  private readonly events: SessionEvents;
  private readonly psk: NoisePsk;
  private readonly peers = new Map<bigint, Peer>();
  private readonly byAddress = new Map<string, Peer>();
  private readonly sessions = new Map<number, Session>();
  private readonly limiter: HandshakeRateLimiter;
  private readonly rx = new PacketHeader();
  private readonly tx = new PacketHeader();
  private readonly txBuf: Uint8Array;
  private readonly hbView: Uint8Array;
  private pendingCount = 0;
  private deadline = Infinity;
  private closed = false;

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
    this.txBuf = new Uint8Array(o.maxDatagramSize);
    this.hbView = this.txBuf.subarray(0, HEADER_BYTES + 16);
    for (const e of o.expectedPeers) this.expect(e.nodeId, e.staticPublicKey, e.address);
  }

  // ---- inspection -------------------------------------------------------------------------------------------

  /** Earliest time (clock ms) at which `tick()` has work; Infinity when none. */
  nextDeadline(): number {
    return this.deadline;
  }
  get pendingHandshakes(): number {
    return this.pendingCount;
  }
  get sessionCount(): number {
    return this.sessions.size;
  }
  get peerCount(): number {
    return this.peers.size;
  }
  get rateLimitSources(): number {
    return this.limiter.size;
  }
  get isShutdown(): boolean {
    return this.closed;
  }
  peer(nodeId: bigint): SessionPeer | undefined {
    return this.peers.get(nodeId);
  }

  // ---- API --------------------------------------------------------------------------------------------------

  /** Accept direct handshakes from `nodeId` (and, with a static key, allow this side to rekey toward it). */
  expect(nodeId: bigint, staticPublicKey?: Uint8Array, address?: PeerAddress): SessionPeer {
    return this.expectPeer(nodeId, staticPublicKey, address);
  }

  private expectPeer(nodeId: bigint, staticPublicKey?: Uint8Array, address?: PeerAddress): Peer {
    if (this.closed) throw new ClosedError('session manager is shut down');
    const p = this.peerFor(nodeId);
    if (staticPublicKey !== undefined) {
      if (!(staticPublicKey instanceof Uint8Array) || staticPublicKey.length !== 32) throw new InvalidArgumentError('static public key must be 32 bytes');
      p.staticPublicKey = staticPublicKey.slice();
    }
    if (address !== undefined && p.current === null) this.setAddress(p, address);
    p.expected = true;
    return p;
  }

  /** Starts (or keeps) a session with `peer`; the manager reconnects after loss until `close(nodeId)`. */
  connect(peer: { address: PeerAddress; staticPublicKey: Uint8Array; nodeId: bigint }): SessionPeer {
    if (peer.nodeId === this.identity.nodeId) throw new InvalidArgumentError('cannot connect to ourselves');
    const p = this.expectPeer(peer.nodeId, peer.staticPublicKey, peer.address);
    p.wanted = true;
    if (p.current === null && p.pending === null && p.candidate === null) this.startHandshake(p, this.clock.nowMs());
    return p;
  }

  /** Seals `payload` under subprotocol `subprotocolId` to `nodeId`'s current session. */
  send(nodeId: bigint, subprotocolId: number, payload: Uint8Array): SessionSendStatus {
    if (this.closed) return SessionSendStatus.Closed;
    const s = this.peers.get(nodeId)?.current;
    if (s === undefined || s === null) return SessionSendStatus.NotConnected;
    if (payload.length > this.txBuf.length - HEADER_BYTES - 16 || (subprotocolId & 0xffff) !== subprotocolId) return SessionSendStatus.TooLarge;
    const st = this.seal(s, 0, subprotocolId, payload);
    if (st === SessionSendStatus.Ok) this.counters.inc('data_sent');
    return st;
  }

  /** Ends every session with `nodeId` and stops reconnecting (`sessionDown(peer, 'closed')` if one was up). */
  close(nodeId: bigint): void {
    const p = this.peers.get(nodeId);
    if (p === undefined) return;
    p.wanted = false;
    this.teardown(p, 'closed');
    this.recomputeDeadline();
  }

  /** Closes everything, wipes keys, leaves no deadline. Sends nothing. */
  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.peers.values()) this.teardown(p, 'shutdown');
    this.peers.clear();
    this.byAddress.clear();
    this.sessions.clear();
    this.limiter.clear();
    this.psk.dispose();
    this.deadline = Infinity;
  }

  /** One whole datagram. Counts it as accepted or under exactly one drop reason. */
  receive(bytes: Uint8Array, from: PeerAddress): void {
    const c = this.counters;
    c.inc('received');
    if (this.closed) return c.inc('drop_closed');
    if (bytes.length < HEADER_BYTES || classifyDatagram(bytes) !== DatagramKind.DIRECT) return c.inc('drop_short');
    const h = this.rx;
    if (decodeHeaderInto(bytes, 0, h) !== WireStatus.OK) return c.inc('drop_bad_header');
    if ((h.flags & HeaderFlag.HANDSHAKE) !== 0) return this.onHandshake(bytes, from);
    this.onSealed(bytes, from);
  }

  /** Runs timers due at the clock's now: retransmissions, give-ups, heartbeats, timeouts, rekeys. */
  tick(): void {
    if (this.closed) return;
    const now = this.clock.nowMs();
    for (const p of this.peers.values()) this.tickPeer(p, now);
    this.recomputeDeadline();
  }

  // ---- handshakes -------------------------------------------------------------------------------------------

  private onHandshake(bytes: Uint8Array, from: PeerAddress): void {
    const c = this.counters;
    if (checkHandshakePacket(bytes, 0, bytes.length) !== WireStatus.OK || bytes.length !== HEADER_BYTES + 48) {
      return c.inc('drop_handshake_invalid');
    }
    const msg = bytes.subarray(HEADER_BYTES);
    const atAddr = this.byAddress.get(addressKey(from));
    // A duplicate or retransmitted msg1 we already answered: resend the same msg2 (same size, no DH).
    const cand = atAddr?.candidate;
    if (cand?.msg1 != null && cand.msg2Packet !== null && constantTimeEqual(cand.msg1, msg)) {
      c.inc('accepted');
      c.inc('msg2_resent');
      this.out(cand.msg2Packet, from);
      return;
    }
    const now = this.clock.nowMs();
    if (!this.limiter.allow(from.family === 'sim' ? from.host : `${from.family}:${from.host}`, now)) {
      return c.inc('drop_handshake_rate_limited');
    }
    // msg1 first (a failed trial costs nothing); only then msg2, which spends our initiator state if wrong.
    let trials = 0;
    let sawExpected = false;
    if (atAddr !== undefined && atAddr.expected) {
      sawExpected = true;
      trials++;
      const r = this.tryMsg1(atAddr, msg);
      if (r !== null) return this.answer(atAddr, r, msg, from, now);
    }
    if (atAddr?.pending != null) return this.onMsg2(atAddr, msg, from, now);
    for (const p of this.peers.values()) {
      if (trials >= this.options.maxHandshakeTrials) break;
      if (p === atAddr || !p.expected) continue;
      sawExpected = true;
      trials++;
      const r = this.tryMsg1(p, msg);
      if (r !== null) return this.answer(p, r, msg, from, now);
    }
    c.inc(sawExpected ? 'drop_handshake_invalid' : 'drop_unexpected_peer');
  }

  private tryMsg1(p: Peer, msg: Uint8Array): NoiseResponder | null {
    const r = new NoiseResponder({ random: this.random }, {
      psk: this.psk, prologue: netPrologue(p.routingId, this.identity.routingId),
      staticPrivateKey: this.identity.staticPrivateKey, staticPublicKey: this.identity.staticPublicKey, maxPayloadBytes: 0,
    });
    try {
      r.readMessage1(msg, 0);
      return r;
    } catch {
      r.dispose();
      return null;
    }
  }

  private answer(p: Peer, r: NoiseResponder, msg: Uint8Array, from: PeerAddress, now: number): void {
    const c = this.counters;
    if (p.pending !== null) {
      if (this.identity.nodeId < p.nodeId) {
        r.dispose();
        return c.inc('drop_handshake_conflict');
      }
      this.clearPending(p); // the lower id's attempt wins: answer it instead of ours
    }
    if (p.candidate === null && this.pendingCount >= this.options.maxPendingHandshakes) {
      r.dispose();
      return c.inc('drop_handshake_table_full');
    }
    const msg2 = r.writeMessage2();
    const hash = r.handshakeHash;
    r.dispose();
    const s = new Session(p, 'responder', deriveSessionKeys(hash, 'responder'), hash, 'candidate', now, this.options.rekeyAfterPackets);
    s.expiresAt = now + this.options.handshakeTimeoutMs;
    s.msg1 = msg.slice();
    s.msg2Packet = encodeHandshakePacket(msg2);
    s.address = from;
    if (p.candidate !== null) this.dropSession(p.candidate);
    p.candidate = s;
    this.pendingCount++;
    this.sessions.set(s.sessionLo, s);
    c.inc('accepted');
    c.inc('msg2_sent');
    this.out(s.msg2Packet, from);
    this.sendProof(s, now);
    this.note(s.expiresAt);
  }

  private onMsg2(p: Peer, msg: Uint8Array, from: PeerAddress, now: number): void {
    const pend = p.pending!;
    const c = this.counters;
    const noise = pend.noise;
    if (noise === null) return c.inc('drop_handshake_invalid');
    try {
      noise.readMessage2(msg, 0);
    } catch {
      noise.dispose();
      pend.noise = null; // spent: the next retransmission starts a fresh msg1
      return c.inc('drop_handshake_invalid');
    }
    const hash = noise.handshakeHash;
    this.clearPending(p);
    c.inc('accepted');
    c.inc('handshakes_completed');
    const s = new Session(p, 'initiator', deriveSessionKeys(hash, 'initiator'), hash, 'next', now, this.options.rekeyAfterPackets);
    this.sessions.set(s.sessionLo, s);
    if (p.current === null) {
      this.install(p, s, from, now);
    } else {
      if (p.next !== null) this.dropSession(p.next);
      p.next = s;
      s.expiresAt = now + this.options.handshakeTimeoutMs;
    }
    this.sendProof(s, now);
  }

  private startHandshake(p: Peer, now: number): void {
    if (this.closed || p.pending !== null || p.address === null || p.staticPublicKey === null) return;
    p.reconnectAt = Infinity;
    if (this.pendingCount >= this.options.maxPendingHandshakes) {
      p.reconnectAt = now + this.options.handshakeTimeoutMs;
      this.note(p.reconnectAt);
      return;
    }
    const o = this.options;
    const rekey = p.current !== null;
    p.pending = {
      noise: null, packet: EMPTY, startedMs: now, giveUpAt: now + o.handshakeTimeoutMs * (o.handshakeRetries + 1),
      nextSendMs: now, retransmits: 0, rekey,
    };
    this.pendingCount++;
    this.counters.inc(rekey ? 'rekeys_started' : 'handshakes_initiated');
    this.sendMsg1(p, now);
  }

  private sendMsg1(p: Peer, now: number): void {
    const pend = p.pending!;
    if (pend.noise === null) {
      pend.noise = new NoiseInitiator({ random: this.random }, {
        psk: this.psk, prologue: netPrologue(this.identity.routingId, p.routingId), responderStatic: p.staticPublicKey!,
        maxPayloadBytes: 0,
      });
      pend.packet = encodeHandshakePacket(pend.noise.writeMessage1());
    }
    const o = this.options;
    const base = Math.min(o.backoffBaseMs * 2 ** pend.retransmits, o.handshakeTimeoutMs);
    pend.nextSendMs = now + base * (1 + o.backoffJitter * this.random.nextFloat());
    this.out(pend.packet, p.address!);
    this.note(Math.min(pend.nextSendMs, pend.giveUpAt));
  }

  private clearPending(p: Peer): void {
    if (p.pending === null) return;
    p.pending.noise?.dispose();
    p.pending = null;
    this.pendingCount--;
  }

  // ---- sealed packets ---------------------------------------------------------------------------------------

  private onSealed(bytes: Uint8Array, from: PeerAddress): void {
    const c = this.counters;
    const h = this.rx;
    const s = this.sessions.get(h.sessionLo);
    if (s === undefined || s.sessionHi !== h.sessionHi) return c.inc('drop_unknown_session');
    switch (s.opener.open(bytes, 0, bytes.length)) {
      case PacketStatus.Ok: break;
      case PacketStatus.AuthFailed: return c.inc('drop_auth_failed');
      case PacketStatus.Replay: case PacketStatus.CounterLimit: return c.inc('drop_replay');
      default: return c.inc('drop_length');
    }
    const now = this.clock.nowMs();
    s.lastRecvMs = now;
    const p = s.peer;
    const heartbeat = (h.flags & HeaderFlag.HEARTBEAT) !== 0;
    const payload = bytes.subarray(HEADER_BYTES, HEADER_BYTES + h.payloadLen);
    if (!heartbeat && h.subprotocolId === IDENTITY_SUBPROTOCOL) return this.onControl(s, payload, from, now);
    if (s.state === 'candidate') {
      if (p.current !== null) return c.inc('drop_unproven_candidate');
      this.promote(s, from, now);
    } else if (s.state === 'next') {
      this.switchToNext(p, now);
    }
    if (s.state === 'current' && !sameAddress(from, p.address!)) this.roam(p, from);
    c.inc('accepted');
    if (heartbeat) return c.inc('heartbeats_received');
    c.inc('data_received');
    this.events.data(p, h.subprotocolId, payload, h);
  }

  private onControl(s: Session, payload: Uint8Array, from: PeerAddress, now: number): void {
    const c = this.counters;
    const p = s.peer;
    if (payload.length === 1 && payload[0] === IDENTITY_ACK) {
      s.ourProofAcked = true;
      c.inc('accepted');
      if (s.state === 'candidate' && p.current === null) this.promote(s, from, now);
      else if (s.state === 'current' && !sameAddress(from, p.address!)) this.roam(p, from);
      return;
    }
    if (payload.length !== IDENTITY_PROOF_BYTES) return c.inc('drop_bad_control');
    if (verifyIdentityProof(payload, s.hash, p.nodeId) !== IdentityProofStatus.Ok) {
      c.inc('drop_identity_proof_invalid');
      if (s === p.current) {
        this.teardown(p, 'identity-invalid');
        if (p.wanted) this.scheduleReconnect(p, now);
      } else {
        this.dropSession(s);
      }
      return;
    }
    c.inc('accepted');
    this.seal(s, 0, IDENTITY_SUBPROTOCOL, ACK_PAYLOAD);
    if (s.peerProven) return;
    s.peerProven = true;
    c.inc('identity_proven');
    if (s.state === 'candidate') this.promote(s, from, now); // a valid proof may replace a live session
    else if (s.state === 'current') {
      if (!sameAddress(from, p.address!)) this.roam(p, from);
      this.events.identityProven(p);
    }
  }

  /** A responder candidate becomes current (first session, or proven replacement of the live one). */
  private promote(s: Session, from: PeerAddress, now: number): void {
    const p = s.peer;
    p.candidate = null;
    this.pendingCount--;
    s.msg1 = s.msg2Packet = null;
    s.expiresAt = Infinity;
    const old = p.current;
    if (old === null) {
      this.install(p, s, from, now);
    } else {
      this.retire(p, old, now);
      s.state = 'current';
      p.current = s;
      if (!sameAddress(from, p.address!)) this.roam(p, from);
      this.counters.inc('rekeys_completed');
      this.heartbeat(s); // tells the initiator to switch its TX to this session
    }
    if (s.peerProven) this.events.identityProven(p);
  }

  private install(p: Peer, s: Session, from: PeerAddress, now: number): void {
    s.state = 'current';
    p.current = s;
    p.reconnectAt = Infinity;
    s.lastRecvMs = now;
    if (p.address === null || !sameAddress(from, p.address)) this.roam(p, from);
    this.counters.inc('sessions_up');
    this.events.sessionUp(p);
    this.note(now);
  }

  private switchToNext(p: Peer, now: number): void {
    const s = p.next!;
    p.next = null;
    if (p.current !== null) this.retire(p, p.current, now);
    s.state = 'current';
    s.expiresAt = Infinity;
    p.current = s;
    this.counters.inc('rekeys_completed');
    if (s.peerProven) this.events.identityProven(p);
  }

  private retire(p: Peer, old: Session, now: number): void {
    if (p.previous !== null) this.dropSession(p.previous);
    old.state = 'previous';
    old.expiresAt = now + this.options.rekeyGraceMs;
    p.previous = old;
    this.note(old.expiresAt);
  }

  private roam(p: Peer, to: PeerAddress): void {
    if (p.address !== null) {
      this.counters.inc('roamed');
      const k = addressKey(p.address);
      if (this.byAddress.get(k) === p) this.byAddress.delete(k);
    }
    this.setAddress(p, to);
  }

  private setAddress(p: Peer, a: PeerAddress): void {
    if (p.address !== null && this.byAddress.get(addressKey(p.address)) === p) this.byAddress.delete(addressKey(p.address));
    p.address = a;
    this.byAddress.set(addressKey(a), p);
  }

  // ---- sending ----------------------------------------------------------------------------------------------

  private seal(s: Session, flags: number, subprotocolId: number, payload: Uint8Array): SessionSendStatus {
    const t = this.tx;
    t.flags = flags;
    t.subprotocolId = subprotocolId;
    t.sessionLo = s.sessionLo;
    t.sessionHi = s.sessionHi;
    t.payloadLen = payload.length;
    const buf = this.txBuf;
    encodeHeaderInto(t, buf, 0);
    buf.set(payload, HEADER_BYTES);
    if (s.sealer.seal(buf, 0, payload.length) !== PacketStatus.Ok) return SessionSendStatus.CounterLimit;
    s.lastSentMs = this.clock.nowMs();
    const to = s.state === 'candidate' ? s.address! : s.peer.address!;
    this.out(payload.length === 0 ? this.hbView : buf.subarray(0, HEADER_BYTES + payload.length + 16), to);
    if (s.sealer.needsRekey) this.note(s.lastSentMs);
    return SessionSendStatus.Ok;
  }

  private heartbeat(s: Session): void {
    encodeHeartbeatInto(s.sessionLo, s.sessionHi, this.txBuf, 0);
    if (s.sealer.seal(this.txBuf, 0, 0) !== PacketStatus.Ok) return;
    s.lastSentMs = this.clock.nowMs();
    this.counters.inc('heartbeats_sent');
    this.out(this.hbView, s.state === 'candidate' ? s.address! : s.peer.address!);
  }

  private sendProof(s: Session, now: number): void {
    this.seal(s, 0, IDENTITY_SUBPROTOCOL, encodeIdentityProof(this.identity, s.hash));
    this.counters.inc('identity_proofs_sent');
    s.proofNextMs = now + this.options.identityRetryMs;
    if (s.proofNextMs >= s.createdMs + this.options.identityTimeoutMs) s.proofNextMs = Infinity;
    this.note(s.proofNextMs);
  }

  // ---- timers -----------------------------------------------------------------------------------------------

  private tickPeer(p: Peer, now: number): void {
    const o = this.options;
    const pend = p.pending;
    if (pend !== null) {
      if (now >= pend.giveUpAt) {
        this.clearPending(p);
        this.counters.inc('handshake_timeouts');
        if (!pend.rekey) {
          this.counters.inc('sessions_down');
          this.events.sessionDown(p, 'handshake-timeout');
          if (p.wanted) this.scheduleReconnect(p, now);
        } else {
          p.rekeyRetryAt = now + o.handshakeTimeoutMs;
        }
      } else if (now >= pend.nextSendMs) {
        pend.retransmits++;
        this.counters.inc('handshake_retransmits');
        this.sendMsg1(p, now);
      }
    }
    if (p.candidate !== null && now >= p.candidate.expiresAt) {
      this.counters.inc('candidates_expired');
      this.dropSession(p.candidate);
    }
    if (p.next !== null && now >= p.next.expiresAt) this.dropSession(p.next);
    if (p.previous !== null && now >= p.previous.expiresAt) this.dropSession(p.previous);
    for (const s of [p.candidate, p.next]) if (s !== null && now >= s.proofNextMs && !s.ourProofAcked) this.sendProof(s, now);
    const s = p.current;
    if (s !== null) {
      if (now - s.lastRecvMs >= o.sessionTimeoutMs) {
        this.counters.inc('session_timeouts');
        this.teardown(p, 'timeout');
        if (p.wanted) this.startHandshake(p, now);
        return;
      }
      if (!s.ourProofAcked && now >= s.proofNextMs) this.sendProof(s, now);
      if (!s.peerProven && !s.identityReported && now >= s.createdMs + o.identityTimeoutMs) {
        s.identityReported = true;
        this.counters.inc('identity_unproven');
        this.events.identityUnproven?.(p);
      }
      if (now - s.lastSentMs >= o.heartbeatMs) this.heartbeat(s);
      if (this.canRekey(p) && now >= p.rekeyRetryAt &&
        (s.sealer.needsRekey || (s.role === 'initiator' && now - s.createdMs >= o.rekeyAfterMs))) {
        this.startHandshake(p, now);
      }
    } else if (p.wanted && p.pending === null && p.candidate === null && now >= p.reconnectAt) {
      this.startHandshake(p, now);
    }
  }

  private canRekey(p: Peer): boolean {
    return p.pending === null && p.next === null && p.candidate === null && p.staticPublicKey !== null && p.address !== null;
  }

  private scheduleReconnect(p: Peer, now: number): void {
    if (this.options.reconnectIntervalMs > 0) p.reconnectAt = now + this.options.reconnectIntervalMs;
  }

  private recomputeDeadline(): void {
    let d = Infinity;
    const o = this.options;
    for (const p of this.peers.values()) {
      if (p.pending !== null) d = Math.min(d, p.pending.nextSendMs, p.pending.giveUpAt);
      if (p.current === null && p.wanted && p.pending === null && p.candidate === null) d = Math.min(d, p.reconnectAt);
      for (const x of [p.candidate, p.next]) if (x !== null) d = Math.min(d, x.expiresAt, x.ourProofAcked ? Infinity : x.proofNextMs);
      if (p.previous !== null) d = Math.min(d, p.previous.expiresAt);
      const s = p.current;
      if (s !== null) {
        d = Math.min(d, s.lastSentMs + o.heartbeatMs, s.lastRecvMs + o.sessionTimeoutMs);
        if (!s.ourProofAcked) d = Math.min(d, s.proofNextMs);
        if (!s.peerProven && !s.identityReported) d = Math.min(d, s.createdMs + o.identityTimeoutMs);
        if (this.canRekey(p)) {
          if (s.sealer.needsRekey) d = Math.min(d, p.rekeyRetryAt);
          else if (s.role === 'initiator') d = Math.min(d, Math.max(p.rekeyRetryAt, s.createdMs + o.rekeyAfterMs));
        }
      }
    }
    this.deadline = d;
  }

  private note(t: number): void {
    if (t < this.deadline) this.deadline = t;
  }

  // ---- teardown ---------------------------------------------------------------------------------------------

  private dropSession(s: Session): void {
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

  private teardown(p: Peer, reason: SessionDownReason): void {
    const wasUp = p.current !== null;
    this.clearPending(p);
    for (const s of [p.current, p.next, p.previous, p.candidate]) if (s !== null) this.dropSession(s);
    p.reconnectAt = Infinity;
    p.rekeyRetryAt = 0;
    if (wasUp) {
      this.counters.inc('sessions_down');
      this.events.sessionDown(p, reason);
    }
  }

  private peerFor(nodeId: bigint): Peer {
    let p = this.peers.get(nodeId);
    if (p === undefined) {
      if (this.peers.size >= this.options.maxPeers) throw new InvalidArgumentError(`peer table full (${this.options.maxPeers})`);
      p = new Peer(nodeId, null);
      this.peers.set(nodeId, p);
    }
    return p;
  }
}
