/**
 * The session manager's public types: its injected components, the events it delivers and the status `send`
 * returns.
 */
import type { Clock, Random } from '../../core/index.js';
import type { Identity } from '../../crypto/index.js';
import type { PacketHeader } from '../../wire/index.js';
import type { PeerAddress } from '../datagram-port.js';
import type { SessionPeer } from './session.js';

export type SessionDownReason = 'handshake-timeout' | 'timeout' | 'closed' | 'identity-invalid' | 'integrity-limit' | 'shutdown';

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

/** `BadHeader`: a caller's header field is out of range, or sets a flag only the session layer may set. */
export const SessionSendStatus = { Ok: 0, NotConnected: 1, TooLarge: 2, CounterLimit: 3, Closed: 4, BadHeader: 5 } as const;
export type SessionSendStatus = (typeof SessionSendStatus)[keyof typeof SessionSendStatus];
