/**
 * Handshake packets in: msg1 from expected peers (the peer last seen at the source address first, then up to
 * `maxHandshakeTrials` others; the prologue names the initiator, so a wrong guess fails the MAC), duplicate msg1
 * answered with the same msg2, the per-source rate limit, the simultaneous-open tie-break (the lower node id's
 * initiator wins when both dial each other's real address), and the bounded candidate table. msg2 is tried first
 * (non-destructively) by initiator.ts.
 */
import { NoiseResponder, constantTimeEqual, deriveSessionKeys, netPrologue } from '../../crypto/index.js';
import { HEADER_BYTES, WireStatus, checkHandshakePacket, encodeHandshakePacket } from '../../wire/index.js';
import { addressKey, sameAddress, type PeerAddress } from '../datagram-port.js';
import type { ManagerCore } from './core.js';
import { tryMsg2 } from './initiator.js';
import { Session, type Peer } from './session.js';

export function onHandshake(m: ManagerCore, bytes: Uint8Array, from: PeerAddress): void {
  const c = m.counters;
  if (checkHandshakePacket(bytes, 0, bytes.length) !== WireStatus.OK || bytes.length !== HEADER_BYTES + 48) {
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
  if (!m.limiter.allow(from.family === 'sim' ? from.host : `${from.family}:${from.host}`, now)) {
    return c.inc('drop_handshake_rate_limited');
  }
  // An answer to our own attempt first (the common case; the trial leaves our attempt intact when it is not),
  // then msg1 from the peer at this address, then from the other expected peers.
  if (atAddr?.pending != null && tryMsg2(m, atAddr, msg, from, now)) return;
  let trials = 0;
  let sawExpected = atAddr?.pending != null;
  if (atAddr !== undefined && atAddr.expected) {
    sawExpected = true;
    trials++;
    const r = tryMsg1(m, atAddr, msg);
    if (r !== null) return answer(m, atAddr, r, msg, from, now);
  }
  for (const p of m.peers.values()) {
    if (trials >= m.options.maxHandshakeTrials) break;
    if (p === atAddr || !p.expected) continue;
    sawExpected = true;
    trials++;
    const r = tryMsg1(m, p, msg);
    if (r !== null) return answer(m, p, r, msg, from, now);
  }
  c.inc(sawExpected ? 'drop_handshake_invalid' : 'drop_unexpected_peer');
}

function tryMsg1(m: ManagerCore, p: Peer, msg: Uint8Array): NoiseResponder | null {
  const r = new NoiseResponder({ random: m.random }, {
    psk: m.psk, prologue: netPrologue(p.routingId, m.identity.routingId),
    staticPrivateKey: m.identity.staticPrivateKey, staticPublicKey: m.identity.staticPublicKey, maxPayloadBytes: 0,
  });
  try {
    r.readMessage1(msg, 0);
    return r;
  } catch {
    r.dispose();
    return null;
  }
}

/** msg1 verified for `p`: answer with msg2 and our proof, and hold the result as `p`'s candidate. */
function answer(m: ManagerCore, p: Peer, r: NoiseResponder, msg: Uint8Array, from: PeerAddress, now: number): void {
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
  s.msg1 = msg.slice();
  s.msg2Packet = encodeHandshakePacket(msg2);
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
