/**
 * Our side of a handshake: start (first connect, reconnect or rekey), msg1 with retransmission backoff and
 * jitter, and msg2 completing it. A finished first handshake installs the session; a finished rekey becomes
 * `next` until the peer uses it (established.ts switches).
 */
import { writeU32LE } from '../../core/index.js';
import { NoiseInitiator, deriveSessionKeys, netPrologue } from '../../crypto/index.js';
import { encodeHandshakePacket } from '../../wire/index.js';
import type { PeerAddress } from '../datagram-port.js';
import type { ManagerCore } from './core.js';
import { Session, type Peer } from './session.js';

const EMPTY = new Uint8Array(0);

export function startHandshake(m: ManagerCore, p: Peer, now: number): void {
  if (m.closed || p.pending !== null || p.address === null || p.staticPublicKey === null) return;
  p.reconnectAt = Infinity;
  if (m.pendingCount >= m.options.maxPendingHandshakes) {
    p.reconnectAt = now + m.options.handshakeTimeoutMs;
    m.note(p.reconnectAt);
    return;
  }
  const o = m.options;
  const rekey = p.current !== null;
  p.pending = {
    noise: null, packet: EMPTY, startedMs: now, giveUpAt: now + o.handshakeTimeoutMs * (o.handshakeRetries + 1),
    nextSendMs: now, retransmits: 0, rekey, routed: p.routed,
  };
  m.pendingCount++;
  m.counters.inc(rekey ? 'rekeys_started' : 'handshakes_initiated');
  sendMsg1(m, p, now);
}

/** Sends (or resends) msg1, building a fresh Noise machine if the last one was spent, and schedules the next try. */
export function sendMsg1(m: ManagerCore, p: Peer, now: number): void {
  const pend = p.pending!;
  if (pend.noise === null) {
    pend.noise = new NoiseInitiator({ random: m.random }, {
      psk: m.psk, prologue: netPrologue(m.identity.routingId, p.routingId), responderStatic: p.staticPublicKey!,
      maxPayloadBytes: p.routed ? 8 : 0,
    });
    pend.routed = p.routed;
    pend.packet = p.routed
      ? m.routedFrame(p.nodeId, encodeHandshakePacket(pend.noise.writeMessage1(ownNodeIdBytes(m))))
      : encodeHandshakePacket(pend.noise.writeMessage1());
  }
  const o = m.options;
  const base = Math.min(o.backoffBaseMs * 2 ** pend.retransmits, o.handshakeTimeoutMs);
  pend.nextSendMs = now + base * (1 + o.backoffJitter * m.random.nextFloat());
  m.out(pend.packet, p.address!);
  m.note(Math.min(pend.nextSendMs, pend.giveUpAt));
}

/**
 * Tries `msg` as the msg2 answering our pending handshake with `p`. Non-destructive: a message that is not our
 * msg2 (a simultaneous-open msg1, a forgery) leaves the attempt intact and returns false, counting nothing.
 */
export function tryMsg2(m: ManagerCore, p: Peer, msg: Uint8Array, from: PeerAddress, now: number, routed: boolean): boolean {
  const noise = p.pending?.noise;
  // A reply comes framed the way we asked: a direct msg2 never completes a routed attempt, nor the reverse.
  if (noise == null || p.pending!.routed !== routed || noise.tryReadMessage2(msg, 0) === null) return false;
  const c = m.counters;
  const hash = noise.handshakeHash;
  m.clearPending(p);
  c.inc('accepted');
  c.inc('handshakes_completed');
  const s = new Session(p, 'initiator', deriveSessionKeys(hash, 'initiator'), hash, 'next', now, m.options.rekeyAfterPackets);
  s.routed = routed;
  m.sessions.set(s.sessionLo, s);
  if (p.current === null) {
    m.install(p, s, from, now);
  } else {
    if (p.next !== null) m.dropSession(p.next);
    p.next = s;
    s.expiresAt = now + m.options.handshakeTimeoutMs;
  }
  m.sendProof(s, now);
  return true;
}

/** The routed msg1 payload: our node id, u64 little-endian (the responder checks it against the routing header). */
function ownNodeIdBytes(m: ManagerCore): Uint8Array {
  const b = new Uint8Array(8);
  writeU32LE(b, 0, m.identity.routingId);
  writeU32LE(b, 4, Number(m.identity.nodeId >> 32n));
  return b;
}
