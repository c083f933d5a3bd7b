/**
 * The session manager's counters. Every datagram given to `receive` lands in exactly one of `accepted` and the
 * `drop_*` reasons, so `received === accepted + Σ SESSION_DROP_COUNTERS` always holds. The other counters
 * count events (handshakes, heartbeats, proofs), not datagrams.
 */
import { CounterSet } from '../../core/index.js';

export const SESSION_COUNTERS = [
  'received',
  'accepted',
  /** Neither a direct nor a routed Net packet, or shorter than a header. */
  'drop_short',
  /** Routed packet whose routing header names another node (forwarding happens before the session layer). */
  'drop_not_for_us',
  /** Packet or routing header fails to decode (magic, version, reserved flags, limits). */
  'drop_bad_header',
  /** Handshake packet malformed, or its Noise message failed (MAC, low-order key, wrong peer). */
  'drop_handshake_invalid',
  /** msg1 refused by the per-source or the global token bucket. */
  'drop_handshake_rate_limited',
  /** msg1 refused because the pending-handshake table is full. */
  'drop_handshake_table_full',
  /** msg1 from a peer whose own msg1 loses the simultaneous-open tie-break to ours. */
  'drop_handshake_conflict',
  /** msg1 that matches no expected peer (none configured, or none with a trial slot), or a routed msg1 while
   * routed handshakes are not accepted. */
  'drop_unexpected_peer',
  /** Sealed packet whose session id is not ours. */
  'drop_unknown_session',
  /** payload_len disagrees with the datagram length, or the packet is under 84 bytes. */
  'drop_length',
  'drop_auth_failed',
  'drop_replay',
  /** Authenticated packet on a candidate session that may not deliver yet (a live session exists, no proof). */
  'drop_unproven_candidate',
  /** Identity proof whose signature or node-id derivation fails: the session is closed. */
  'drop_identity_proof_invalid',
  /** Malformed control payload on the identity subprotocol. */
  'drop_bad_control',
  /** Received after shutdown. */
  'drop_closed',
  // events
  'handshakes_initiated',
  'handshake_retransmits',
  'handshake_timeouts',
  'handshakes_completed',
  'msg2_sent',
  'msg2_resent',
  'sessions_up',
  'sessions_down',
  'session_timeouts',
  'candidates_expired',
  'rekeys_started',
  'rekeys_completed',
  'heartbeats_sent',
  'heartbeats_received',
  'identity_proofs_sent',
  'identity_proven',
  'identity_unproven',
  'roamed',
  /** Sessions that reached the AEAD failure limit (rekeyed, or closed where this side cannot rekey). */
  'integrity_limits',
  /** Peer records dropped because nothing holds them (a routed initiator whose candidate or session ended). */
  'peers_forgotten',
  'data_sent',
  'data_received',
] as const;
export type SessionCounter = (typeof SESSION_COUNTERS)[number];

export const SESSION_DROP_COUNTERS: readonly SessionCounter[] = SESSION_COUNTERS.filter((n) => n.startsWith('drop_'));

export function newSessionCounters(): CounterSet<SessionCounter> {
  return new CounterSet<SessionCounter>(SESSION_COUNTERS);
}
