/**
 * Handshake packets in: msg1 from expected peers (the peer last seen at the source address first, then up to
 * `maxHandshakeTrials` others; the prologue names the initiator, so a wrong guess fails the MAC), duplicate msg1
 * answered with the same msg2, the per-source rate limit, the simultaneous-open tie-break (the lower node id's
 * initiator wins when both dial each other's real address), and the bounded candidate table. msg2 is tried first
 * (non-destructively) by initiator.ts.
 *
 * Routed-framed handshakes (DESIGN.md §5, reference `connect_via`): msg1 is 56 bytes and its encrypted payload
 * is the initiator's node id, which must project to the routing header's src_id (also bound by the prologue).
 * When `acceptRouted` is on (a started node), any PSK holder is answered; the node id it claims is PSK-
 * authenticated only, so it becomes a candidate like any other: it never replaces a live session without the
 * identity proof, and the peer record it created is forgotten when the candidate expires.
 */
import { copyBytes, readU32LE } from '../../core/index.js';
import { NoiseResponder, constantTimeEqual, deriveSessionKeys, netPrologue } from '../../crypto/index.js';
import {
  HANDSHAKE_MSG1_DIRECT_BYTES, HANDSHAKE_MSG1_ROUTED_BYTES, HANDSHAKE_MSG2_BYTES, HEADER_BYTES, WireStatus,
  checkHandshakePacket, encodeHandshakePacket,
} from '../../wire/index.js';
import { addressKey, sameAddress, type PeerAddress } from '../datagram-port.js';
import type { ManagerCore } from './core.js';
import { tryMsg2 } from './initiator.js';
import { Session, type Peer } from './session.js';

export function onHandshake(m: ManagerCore, bytes: Uint8Array, from: PeerAddress): void {
  const c = m.counters;
  if (checkHandshakePacket(bytes, 0, bytes.length) !== WireStatus.OK || bytes.length !== HEADER_BYTES + HANDSHAKE_MSG1_DIRECT_BYTES) {
    return c.inc('drop_handshake_invalid');
  }
  const msg = bytes.subarray(HEADER_BYTES);
  const atAddr = m.byAddress.get(addressKey(from));
  // A duplicate or retransmitted msg1 we already answered: resend the same msg2 (same size, no DH).
  const cand = atAddr?.candidate;
  if (cand?.msg1 != null && cand.msg2Packet !== null && constantTimeEqual(cand.msg1, msg)) {
    c.inc('accepted');
    c.inc('msg2_resent');
    m.out(cand.msg2Packet, from);
    return;
  }
  const now = m.clock.nowMs();
  if (!allowSource(m, from, now)) return c.inc('drop_handshake_rate_limited');
  // An answer to our own attempt first (the common case; the trial leaves our attempt intact when it is not),
  // then msg1 from the peer at this address, then from the other expected peers.
  if (atAddr?.pending != null && tryMsg2(m, atAddr, msg, from, now, false)) return;
  let trials = 0;
  let sawExpected = atAddr?.pending != null;
  if (atAddr !== undefined && atAddr.expected) {
    sawExpected = true;
    trials++;
    const r = tryMsg1(m, atAddr.routingId, msg, 0);
    if (r !== null) return answer(m, atAddr, r.responder, msg, from, now, false);
  }
  for (const p of m.peers.values()) {
    if (trials >= m.options.maxHandshakeTrials) break;
    if (p === atAddr || !p.expected) continue;
    sawExpected = true;
    trials++;
    const r = tryMsg1(m, p.routingId, msg, 0);
    if (r !== null) return answer(m, p, r.responder, msg, from, now, false);
  }
  c.inc(sawExpected ? 'drop_handshake_invalid' : 'drop_unexpected_peer');
}

/**
 * A handshake packet that arrived behind a routing header addressed to us; `bytes` is the packet after the
 * header, `srcId` the header's source routing id. msg2 answers our routed attempt; msg1 is a routed initiator.
 */
export function onRoutedHandshake(m: ManagerCore, bytes: Uint8Array, srcId: number, from: PeerAddress): void {
  const c = m.counters;
  if (checkHandshakePacket(bytes, 0, bytes.length) !== WireStatus.OK) return c.inc('drop_handshake_invalid');
  const msg = bytes.subarray(HEADER_BYTES);
  const known = m.byRoutingId.get(srcId);
  if (msg.length === HANDSHAKE_MSG2_BYTES) {
    const now = m.clock.nowMs();
    if (known?.pending == null || !allowSource(m, from, now)) return c.inc(known?.pending == null ? 'drop_handshake_invalid' : 'drop_handshake_rate_limited');
    if (!tryMsg2(m, known, msg, from, now, true)) c.inc('drop_handshake_invalid');
    return;
  }
  if (msg.length !== HANDSHAKE_MSG1_ROUTED_BYTES) return c.inc('drop_handshake_invalid');
  const cand = known?.candidate;
  if (cand?.msg1 != null && cand.msg2Packet !== null && cand.routed && constantTimeEqual(cand.msg1, msg)) {
    c.inc('accepted');
    c.inc('msg2_resent');
    m.out(cand.msg2Packet, from);
    return;
  }
  if (!m.acceptRouted && known?.expected !== true) return c.inc('drop_unexpected_peer');
  const now = m.clock.nowMs();
  if (!allowSource(m, from, now)) return c.inc('drop_handshake_rate_limited');
  const m1 = tryMsg1(m, srcId, msg, 8);
  if (m1 === null) return c.inc('drop_handshake_invalid');
  const r = m1.responder;
  const claimed = m1.payload;
  const lo = readU32LE(claimed, 0);
  const nodeId = (BigInt(readU32LE(claimed, 4)) << 32n) | BigInt(lo);
  // The prologue already binds src_id; the payload must name a node with that projection, and not us.
  if (lo !== srcId || nodeId === m.identity.nodeId) {
    r.dispose();
    return c.inc('drop_handshake_invalid');
  }
  let p = m.peers.get(nodeId);
  if (p === undefined) {
    if (m.peers.size >= m.options.maxPeers || m.pendingCount >= m.options.maxPendingHandshakes) {
      r.dispose();
      return c.inc('drop_handshake_table_full');
    }
    p = m.peerFor(nodeId);
  }
  answer(m, p, r, msg, from, now, true);
  m.forgetIfIdle(p); // the answer may have refused it (conflict, full table)
}

function allowSource(m: ManagerCore, from: PeerAddress, now: number): boolean {
  return m.limiter.allow(from.family === 'sim' ? from.host : `${from.family}:${from.host}`, now);
}

interface Msg1 {
  responder: NoiseResponder;
  /** The decrypted msg1 payload: empty (direct) or the initiator's node id (routed). */
  payload: Uint8Array;
}

/** Reads msg1 as from the initiator with routing id `initiatorRoutingId`; null when it does not verify. */
function tryMsg1(m: ManagerCore, initiatorRoutingId: number, msg: Uint8Array, payloadBytes: 0 | 8): Msg1 | null {
  const responder = new NoiseResponder({ random: m.random }, {
    psk: m.psk, prologue: netPrologue(initiatorRoutingId, m.identity.routingId),
    staticPrivateKey: m.identity.staticPrivateKey, staticPublicKey: m.identity.staticPublicKey, maxPayloadBytes: payloadBytes,
  });
  try {
    return { responder, payload: responder.readMessage1(msg, payloadBytes) };
  } catch {
    responder.dispose();
    return null;
  }
}

/** msg1 verified for `p`: answer with msg2 and our proof, and hold the result as `p`'s candidate. */
function answer(m: ManagerCore, p: Peer, r: NoiseResponder, msg: Uint8Array, from: PeerAddress, now: number, routed: boolean): void {
  const c = m.counters;
  if (p.pending !== null) {
    // Our attempt wins only where it can meet theirs: when we dial the address this msg1 came from. A peer that
    // reaches us from elsewhere (a NAT, a restart on a new port, a stale configured address) is answered.
    if (m.identity.nodeId < p.nodeId && p.address !== null && sameAddress(p.address, from)) {
      r.dispose();
      return c.inc('drop_handshake_conflict');
    }
    m.clearPending(p); // the lower id's attempt wins: answer it instead of ours
  }
  if (p.candidate === null && m.pendingCount >= m.options.maxPendingHandshakes) {
    r.dispose();
    return c.inc('drop_handshake_table_full');
  }
  const msg2 = r.writeMessage2();
  const hash = r.handshakeHash;
  r.dispose();
  const s = new Session(p, 'responder', deriveSessionKeys(hash, 'responder'), hash, 'candidate', now, m.options.rekeyAfterPackets);
  s.expiresAt = now + m.options.handshakeTimeoutMs;
  s.routed = routed;
  s.msg1 = copyBytes(msg);
  s.msg2Packet = routed ? m.routedFrame(p.nodeId, encodeHandshakePacket(msg2)) : encodeHandshakePacket(msg2);
  s.address = from;
  if (p.candidate !== null) m.dropSession(p.candidate);
  p.candidate = s;
  m.pendingCount++;
  m.sessions.set(s.sessionLo, s);
  c.inc('accepted');
  c.inc('msg2_sent');
  m.out(s.msg2Packet, from);
  m.sendProof(s, now);
  m.note(s.expiresAt);
}
