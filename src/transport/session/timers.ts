/**
 * Time-driven work, one peer at a time: msg1 retransmission and give-up, candidate / next / previous expiry,
 * proof resends, identity timeout, heartbeats, session timeout, rekey by counter and by age, reconnects; and the
 * peer's earliest deadline, folded by `tick` into the manager's cached one.
 */
import type { ManagerCore } from './core.js';
import { sendMsg1, startHandshake } from './initiator.js';
import type { Peer, Session } from './session.js';

/** Runs everything due for `p` at `now`. Touches only `p` (and the shared pending count). */
export function tickPeer(m: ManagerCore, p: Peer, now: number): void {
  const o = m.options;
  const pend = p.pending;
  if (pend !== null) {
    if (now >= pend.giveUpAt) {
      m.clearPending(p);
      m.counters.inc('handshake_timeouts');
      if (!pend.rekey) {
        m.counters.inc('sessions_down');
        m.events.sessionDown(p, 'handshake-timeout');
        if (p.wanted) m.scheduleReconnect(p, now);
      } else {
        p.rekeyRetryAt = now + o.handshakeTimeoutMs;
      }
    } else if (now >= pend.nextSendMs) {
      pend.retransmits++;
      m.counters.inc('handshake_retransmits');
      sendMsg1(m, p, now);
    }
  }
  if (p.candidate !== null && now >= p.candidate.expiresAt) {
    m.counters.inc('candidates_expired');
    m.dropSession(p.candidate);
  }
  if (p.next !== null && now >= p.next.expiresAt) m.dropSession(p.next);
  if (p.previous !== null && now >= p.previous.expiresAt) m.dropSession(p.previous);
  const cand = p.candidate;
  const next = p.next;
  if (cand !== null && now >= cand.proofNextMs && !cand.ourProofAcked) m.sendProof(cand, now);
  if (next !== null && now >= next.proofNextMs && !next.ourProofAcked) m.sendProof(next, now);
  const s = p.current;
  if (s !== null) {
    if (now - s.lastRecvMs >= o.sessionTimeoutMs) {
      m.counters.inc('session_timeouts');
      m.teardown(p, 'timeout');
      if (p.wanted) startHandshake(m, p, now);
      m.forgetIfIdle(p);
      return;
    }
    if (!s.ourProofAcked && now >= s.proofNextMs) m.sendProof(s, now);
    if (!s.peerProven && !s.identityReported && now >= s.createdMs + o.identityTimeoutMs) {
      s.identityReported = true;
      m.counters.inc('identity_unproven');
      m.events.identityUnproven?.(p);
    }
    if (now - s.lastSentMs >= o.heartbeatMs) m.heartbeat(s);
    if (m.canRekey(p) && now >= p.rekeyRetryAt &&
      (s.sealer.needsRekey || (s.role === 'initiator' && now - s.createdMs >= o.rekeyAfterMs))) {
      startHandshake(m, p, now);
    }
  } else if (p.wanted && p.pending === null && p.candidate === null && now >= p.reconnectAt) {
    startHandshake(m, p, now);
  }
  m.forgetIfIdle(p);
}

function pendingSessionDeadline(x: Session | null): number {
  if (x === null) return Infinity;
  return Math.min(x.expiresAt, x.ourProofAcked ? Infinity : x.proofNextMs);
}

/** The earliest time at which `tickPeer(p)` has work. */
export function peerDeadline(m: ManagerCore, p: Peer): number {
  const o = m.options;
  let d = Math.min(pendingSessionDeadline(p.candidate), pendingSessionDeadline(p.next));
  if (p.pending !== null) d = Math.min(d, p.pending.nextSendMs, p.pending.giveUpAt);
  if (p.current === null && p.wanted && p.pending === null && p.candidate === null) d = Math.min(d, p.reconnectAt);
  if (p.previous !== null) d = Math.min(d, p.previous.expiresAt);
  const s = p.current;
  if (s !== null) {
    d = Math.min(d, s.lastSentMs + o.heartbeatMs, s.lastRecvMs + o.sessionTimeoutMs);
    if (!s.ourProofAcked) d = Math.min(d, s.proofNextMs);
    if (!s.peerProven && !s.identityReported) d = Math.min(d, s.createdMs + o.identityTimeoutMs);
    if (m.canRekey(p)) {
      if (s.sealer.needsRekey) d = Math.min(d, p.rekeyRetryAt);
      else if (s.role === 'initiator') d = Math.min(d, Math.max(p.rekeyRetryAt, s.createdMs + o.rekeyAfterMs));
    }
  }
  return d;
}

/**
 * Runs every peer's due work and recomputes the cached deadline in the same walk (one pass, not two). An event
 * handler that calls back into the manager during the walk may change a peer already visited: then the walk's
 * fold is stale and the deadline is recomputed from scratch.
 */
export function tickAll(m: ManagerCore, now: number): void {
  let d = Infinity;
  m.ticking = true;
  m.reentered = false;
  try {
    for (const p of m.peers.values()) {
      tickPeer(m, p, now);
      const pd = peerDeadline(m, p);
      if (pd < d) d = pd;
    }
  } finally {
    m.ticking = false;
  }
  if (m.reentered) recomputeDeadline(m);
  else m.deadline = d;
}

/** Recomputes the cached deadline from scratch (after `close`, which may remove the earliest one). */
export function recomputeDeadline(m: ManagerCore): void {
  let d = Infinity;
  for (const p of m.peers.values()) {
    const pd = peerDeadline(m, p);
    if (pd < d) d = pd;
  }
  m.deadline = d;
}
