/**
 * Sealed packets in: open under the session named by the header, then heartbeats, data, the identity proof and
 * its ack (subprotocol 0xF001), candidate promotion, the switch to a rekeyed `next` session, and roaming (the
 * peer's address moves only on an authenticated packet).
 *
 * A responder candidate with no live session is promoted by its first authenticated packet (key confirmation: a
 * replayed msg1 never gets one). With a live session it is promoted only by a valid identity proof for the same
 * node id, so neither a replayed msg1 nor a second PSK holder can replace it; other packets on it are dropped
 * (`drop_unproven_candidate`).
 */
import { PacketStatus } from '../../crypto/index.js';
import { HEADER_BYTES, HeaderFlag } from '../../wire/index.js';
import { sameAddress, type PeerAddress } from '../datagram-port.js';
import type { ManagerCore } from './core.js';
import { startHandshake } from './initiator.js';
import { IDENTITY_ACK, IDENTITY_PROOF_BYTES, IDENTITY_SUBPROTOCOL, IdentityProofStatus, verifyIdentityProof } from './identity-proof.js';
import type { Peer, Session } from './session.js';

const ACK_PAYLOAD = new Uint8Array([IDENTITY_ACK]);

export function onSealed(m: ManagerCore, bytes: Uint8Array, from: PeerAddress): void {
  const c = m.counters;
  const h = m.rx;
  const s = m.sessions.get(h.sessionLo);
  if (s === undefined || s.sessionHi !== h.sessionHi) return c.inc('drop_unknown_session');
  switch (s.opener.open(bytes, 0, bytes.length)) {
    case PacketStatus.Ok: break;
    case PacketStatus.AuthFailed:
      if (++s.authFailures === m.options.aeadFailureLimit) integrityLimit(m, s);
      return c.inc('drop_auth_failed');
    case PacketStatus.Replay: case PacketStatus.CounterLimit: return c.inc('drop_replay');
    default: return c.inc('drop_length');
  }
  const now = m.clock.nowMs();
  s.lastRecvMs = now;
  const p = s.peer;
  const heartbeat = (h.flags & HeaderFlag.HEARTBEAT) !== 0;
  const payload = bytes.subarray(HEADER_BYTES, HEADER_BYTES + h.payloadLen);
  if (!heartbeat && h.subprotocolId === IDENTITY_SUBPROTOCOL) return onControl(m, s, payload, from, now);
  if (s.state === 'candidate') {
    if (p.current !== null) return c.inc('drop_unproven_candidate');
    promote(m, s, from, now);
  } else if (s.state === 'next') {
    switchToNext(m, p, now);
  }
  if (s.state === 'current' && !sameAddress(from, p.address!)) m.roam(p, from);
  c.inc('accepted');
  if (heartbeat) return c.inc('heartbeats_received');
  c.inc('data_received');
  m.events.data(p, h.subprotocolId, payload, h);
}

function onControl(m: ManagerCore, s: Session, payload: Uint8Array, from: PeerAddress, now: number): void {
  const c = m.counters;
  const p = s.peer;
  if (payload.length === 1 && payload[0] === IDENTITY_ACK) {
    s.ourProofAcked = true;
    c.inc('accepted');
    if (s.state === 'candidate' && p.current === null) promote(m, s, from, now);
    else if (s.state === 'current' && !sameAddress(from, p.address!)) m.roam(p, from);
    return;
  }
  if (payload.length !== IDENTITY_PROOF_BYTES) return c.inc('drop_bad_control');
  if (verifyIdentityProof(payload, s.hash, p.nodeId) !== IdentityProofStatus.Ok) {
    c.inc('drop_identity_proof_invalid');
    if (s === p.current) {
      m.teardown(p, 'identity-invalid');
      if (p.wanted) m.scheduleReconnect(p, now);
    } else {
      m.dropSession(s);
    }
    m.forgetIfIdle(p);
    return;
  }
  c.inc('accepted');
  m.seal(s, 0, IDENTITY_SUBPROTOCOL, ACK_PAYLOAD);
  if (s.peerProven) return;
  s.peerProven = true;
  c.inc('identity_proven');
  if (s.state === 'candidate') promote(m, s, from, now); // a valid proof may replace a live session
  else if (s.state === 'current') {
    if (!sameAddress(from, p.address!)) m.roam(p, from);
    m.events.identityProven(p);
  }
}

/**
 * Too many forgeries tried against one session's keys: retire them. The current session is rekeyed where this
 * side can (the old keys stay readable for the grace window, then go), else closed and, if wanted, redialled; a
 * candidate, next or previous session is dropped.
 */
function integrityLimit(m: ManagerCore, s: Session): void {
  const p = s.peer;
  const now = m.clock.nowMs();
  m.counters.inc('integrity_limits');
  if (s !== p.current) {
    m.dropSession(s);
    m.forgetIfIdle(p);
    return;
  }
  if (m.canRekey(p)) {
    startHandshake(m, p, now);
    return;
  }
  m.teardown(p, 'integrity-limit');
  if (p.wanted) m.scheduleReconnect(p, now);
  m.forgetIfIdle(p);
}

/** A responder candidate becomes current (first session, or proven replacement of the live one). */
function promote(m: ManagerCore, s: Session, from: PeerAddress, now: number): void {
  const p = s.peer;
  p.candidate = null;
  m.pendingCount--;
  s.msg1 = s.msg2Packet = null;
  s.expiresAt = Infinity;
  const old = p.current;
  if (old === null) {
    m.install(p, s, from, now);
  } else {
    m.retire(p, old, now);
    s.state = 'current';
    p.current = s;
    p.routed = s.routed;
    if (!sameAddress(from, p.address!)) m.roam(p, from);
    m.counters.inc('rekeys_completed');
    m.heartbeat(s); // tells the initiator to switch its TX to this session
  }
  if (s.peerProven) m.events.identityProven(p);
}

/** Our rekeyed session is in use by the peer: it becomes current, the old one previous. */
function switchToNext(m: ManagerCore, p: Peer, now: number): void {
  const s = p.next!;
  p.next = null;
  if (p.current !== null) m.retire(p, p.current, now);
  s.state = 'current';
  s.expiresAt = Infinity;
  p.current = s;
  p.routed = s.routed;
  m.counters.inc('rekeys_completed');
  if (s.peerProven) m.events.identityProven(p);
}
