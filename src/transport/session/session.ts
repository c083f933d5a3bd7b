/**
 * One session's keys and timers, and the per-peer record that holds up to four of them: `current` (sends and
 * receives), `next` (our rekey handshake finished; receives, and becomes current on the peer's first heartbeat or
 * data under it), `previous` (receive-only for a grace window after a switch) and `candidate` (a responder
 * handshake finished; receives, awaiting key confirmation or, when a live session exists, the identity proof).
 */
import { PacketOpener, PacketSealer, wipe, type SessionKeys } from '../../crypto/index.js';
import type { PeerAddress } from '../datagram-port.js';

export type SessionState = 'candidate' | 'next' | 'current' | 'previous';
export type SessionRole = 'initiator' | 'responder';

/** What events see of a peer. The object is the manager's own record: read it, do not keep it across calls. */
export interface SessionPeer {
  readonly nodeId: bigint;
  /** Last authenticated address (or the configured one before any session). */
  readonly address: PeerAddress | null;
  /** True while a session is up. */
  readonly connected: boolean;
  /** True when the current session's peer proved its ed25519 identity; false means PSK-only. */
  readonly identityProven: boolean;
  /** When the current session last authenticated a packet from the peer (heartbeats count); -Infinity without one. */
  readonly lastHeardMs: number;
  /**
   * Low u32 word of the current session's id, 0 without one: the incarnation a failure verdict belongs to. A new
   * handshake (peer restart, rekey) gives a new value, so a verdict about an old session never touches a new one.
   */
  readonly incarnation: number;
  /** The current session is routed-framed: its address is a next hop (a relay), not the peer itself. */
  readonly viaRelay: boolean;
}

export class Session {
  readonly sealer: PacketSealer;
  readonly opener: PacketOpener;
  readonly sessionLo: number;
  readonly sessionHi: number;
  readonly hash: Uint8Array;
  state: SessionState;
  lastRecvMs: number;
  lastSentMs: number;
  /** Candidate / next: dropped at this time unless confirmed. Previous: dropped at this time. */
  expiresAt = Infinity;
  /** Packets that failed authentication under this session's keys (the integrity limit counts these). */
  authFailures = 0;
  /** We verified the peer's identity proof on this session. */
  peerProven = false;
  /** The peer acknowledged our proof. */
  ourProofAcked = false;
  proofNextMs: number;
  identityReported = false;
  /** Candidate only: the msg1 it answered and the msg2 packet, resent to a duplicate of that msg1. */
  msg1: Uint8Array | null = null;
  msg2Packet: Uint8Array | null = null;
  /** Candidate only: where the msg1 came from (the peer's address moves only on authenticated packets). */
  address: PeerAddress | null = null;
  /** Packets of this session carry the 18-byte routing header (the handshake was routed-framed). */
  routed = false;
  disposed = false;

  constructor(
    readonly peer: Peer,
    readonly role: SessionRole,
    keys: SessionKeys,
    hash: Uint8Array,
    state: SessionState,
    readonly createdMs: number,
    rekeyAfterPackets: number,
  ) {
    this.sealer = new PacketSealer(keys, { rekeyAfterPackets });
    this.opener = new PacketOpener(keys);
    this.sessionLo = keys.sessionIdLo;
    this.sessionHi = keys.sessionIdHi;
    keys.dispose();
    this.hash = hash;
    this.state = state;
    this.lastRecvMs = createdMs;
    this.lastSentMs = createdMs;
    this.proofNextMs = createdMs;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sealer.dispose();
    this.opener.dispose();
    wipe(this.hash);
    this.msg1 = this.msg2Packet = null;
  }
}

/** Our own handshake in flight toward a peer. */
export interface PendingInitiator {
  /** null after a msg2 failed to verify (the Noise machine is spent): the next retransmission starts afresh. */
  noise: import('../../crypto/index.js').NoiseInitiator | null;
  packet: Uint8Array;
  startedMs: number;
  giveUpAt: number;
  nextSendMs: number;
  retransmits: number;
  rekey: boolean;
  /** msg1 went routed-framed; only a routed msg2 completes it. */
  routed: boolean;
}

export class Peer implements SessionPeer {
  readonly routingId: number;
  address: PeerAddress | null;
  staticPublicKey: Uint8Array | null = null;
  /** Accept direct msg1 from it. */
  expected = false;
  /** We want a session: reconnect after loss. */
  wanted = false;
  /** Our handshakes to it are routed-framed (`connect` with `routed`), so its address is a next hop. */
  routed = false;
  current: Session | null = null;
  next: Session | null = null;
  previous: Session | null = null;
  candidate: Session | null = null;
  pending: PendingInitiator | null = null;
  reconnectAt = Infinity;
  rekeyRetryAt = 0;

  /** High u32 word of the node id (the routing header's dest_id is the full id). */
  readonly nodeIdHi: number;

  constructor(readonly nodeId: bigint, address: PeerAddress | null) {
    this.routingId = Number(nodeId & 0xffff_ffffn);
    this.nodeIdHi = Number(nodeId >> 32n);
    this.address = address;
  }

  get connected(): boolean {
    return this.current !== null;
  }

  get identityProven(): boolean {
    return this.current !== null && this.current.peerProven;
  }

  get lastHeardMs(): number {
    return this.current === null ? -Infinity : this.current.lastRecvMs;
  }

  get incarnation(): number {
    return this.current === null ? 0 : this.current.sessionLo;
  }

  get viaRelay(): boolean {
    return this.current === null ? this.routed : this.current.routed;
  }
}
