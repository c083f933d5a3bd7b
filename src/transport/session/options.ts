/**
 * Session manager options and their defaults (reference §5.11 where the reference has one). Defaults are listed
 * here so that tests and the composition root (`MeshNode.create`) read one table; the manager itself only
 * resolves what the caller left out.
 */
import { InvalidArgumentError } from '../../core/index.js';
import type { PeerAddress } from '../datagram-port.js';

/** A peer this node accepts direct-framed handshakes from (DESIGN.md §5), or connects to. */
export interface ExpectedPeer {
  readonly nodeId: bigint;
  /** Its Noise static X25519 public key; needed to connect to it (and for the responder side to rekey). */
  readonly staticPublicKey?: Uint8Array;
  /** Its last known address; a msg1 from this address is tried against this peer first. */
  readonly address?: PeerAddress;
}

export interface SessionOptions {
  /** The mesh PSK, 32 bytes (prepared once with `prepareNoisePsk`; the manager disposes its prepared copy). */
  psk: Uint8Array;
  /** Authenticated heartbeat after this much TX silence (default 5000 ms). */
  heartbeatMs?: number;
  /** Session ends (`'timeout'`) after this much RX silence (default 30000 ms). */
  sessionTimeoutMs?: number;
  /** One handshake attempt's length (default 5000 ms); also the life of an unconfirmed responder candidate. */
  handshakeTimeoutMs?: number;
  /** Attempts after the first before `'handshake-timeout'` (default 3): budget = timeout × (retries + 1). */
  handshakeRetries?: number;
  /** First msg1 retransmission delay; doubles per retransmission, capped at handshakeTimeoutMs (default 100 ms). */
  backoffBaseMs?: number;
  /** Random extra fraction added to each backoff, uniform in [0, jitter) (default 0.25). */
  backoffJitter?: number;
  /** After a session loss or a failed handshake, a connected peer is retried after this (default 5000 ms; 0 = never). */
  reconnectIntervalMs?: number;
  /** The peer stays PSK-only when its identity proof has not arrived after this (default 5000 ms). */
  identityTimeoutMs?: number;
  /** Our identity proof is resent at this interval until the peer acknowledges it (default 1000 ms). */
  identityRetryMs?: number;
  /** Rekey once the TX counter reaches this (default 2^48). */
  rekeyAfterPackets?: number;
  /** The session's initiator rekeys after this age (default 120000 ms). */
  rekeyAfterMs?: number;
  /** Keys of the previous session are still accepted for this long after a switch (default 5000 ms). */
  rekeyGraceMs?: number;
  /**
   * Integrity limit: after this many packets fail authentication under one session's keys, the session is
   * rekeyed (or closed, where this side cannot rekey) so forgery attempts against one key stay bounded
   * (default 2^36, RFC 9001 §6.6 for AEAD_CHACHA20_POLY1305).
   */
  aeadFailureLimit?: number;
  /** Bound on handshakes in flight: our initiator attempts plus responder candidates (default 256). */
  maxPendingHandshakes?: number;
  /** Bound on known peers (expected + connected) (default 4096). */
  maxPeers?: number;
  /** Per source host: msg1 token bucket rate (default 20 / s) and burst (default 5). */
  handshakeRatePerSource?: number;
  handshakeBurstPerSource?: number;
  /** Bound on the per-source bucket LRU map (default 1024). */
  maxRateLimitSources?: number;
  /** Global msg1 bucket (default 1000 / s, burst 100). */
  handshakeRateGlobal?: number;
  handshakeBurstGlobal?: number;
  /** A msg1 from an unknown address is tried against at most this many expected peers (default 8). */
  maxHandshakeTrials?: number;
  /** Peers accepted as responders for direct-framed handshakes. `connect` adds its peer too. */
  expectedPeers?: readonly ExpectedPeer[];
  /** Largest datagram sent (default 8192). */
  maxDatagramSize?: number;
  /**
   * Answer routed-framed msg1 from any PSK holder (DESIGN.md §5: a started node does). Default false: only
   * expected peers are answered. `SessionManager.acceptRouted` changes it at run time.
   */
  acceptRoutedHandshakes?: boolean;
}

export type ResolvedSessionOptions = Required<Omit<SessionOptions, 'expectedPeers' | 'acceptRoutedHandshakes'>> & {
  expectedPeers: readonly ExpectedPeer[];
};

export const SESSION_DEFAULTS = Object.freeze({
  heartbeatMs: 5000,
  sessionTimeoutMs: 30000,
  handshakeTimeoutMs: 5000,
  handshakeRetries: 3,
  backoffBaseMs: 100,
  backoffJitter: 0.25,
  reconnectIntervalMs: 5000,
  identityTimeoutMs: 5000,
  identityRetryMs: 1000,
  rekeyAfterPackets: 2 ** 48,
  rekeyAfterMs: 120000,
  rekeyGraceMs: 5000,
  aeadFailureLimit: 2 ** 36,
  maxPendingHandshakes: 256,
  maxPeers: 4096,
  handshakeRatePerSource: 5,
  handshakeBurstPerSource: 5,
  maxRateLimitSources: 1024,
  handshakeRateGlobal: 1000,
  handshakeBurstGlobal: 100,
  maxHandshakeTrials: 8,
  maxDatagramSize: 8192,
});

export function resolveSessionOptions(o: SessionOptions): ResolvedSessionOptions {
  if (!(o.psk instanceof Uint8Array) || o.psk.length !== 32) throw new InvalidArgumentError('psk must be 32 bytes');
  const r = { ...SESSION_DEFAULTS, expectedPeers: [] as readonly ExpectedPeer[] } as ResolvedSessionOptions;
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined && k !== 'acceptRoutedHandshakes') (r as unknown as Record<string, unknown>)[k] = v;
  }
  if (o.acceptRoutedHandshakes !== undefined && typeof o.acceptRoutedHandshakes !== 'boolean') {
    throw new InvalidArgumentError('acceptRoutedHandshakes must be a boolean');
  }
  for (const k of Object.keys(SESSION_DEFAULTS) as (keyof typeof SESSION_DEFAULTS)[]) {
    const v = r[k];
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`${k} must be a finite number >= 0`);
  }
  if (r.maxDatagramSize < 84 || r.maxDatagramSize > 65507) throw new InvalidArgumentError('maxDatagramSize out of range');
  if (r.maxPendingHandshakes < 1 || r.maxPeers < 1 || r.maxRateLimitSources < 1) throw new InvalidArgumentError('table bounds must be >= 1');
  if (r.rekeyAfterPackets < 1) throw new InvalidArgumentError('rekeyAfterPackets must be >= 1');
  if (r.aeadFailureLimit < 1) throw new InvalidArgumentError('aeadFailureLimit must be >= 1');
  return r;
}
