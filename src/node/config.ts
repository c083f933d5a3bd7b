/**
 * `MeshNode` configuration: a plain object with documented defaults (the reference SDK's `MeshNodeConfig`
 * names where it has them). Defaults are chosen here, at the composition root, and nowhere below.
 */
import { InvalidArgumentError, copyBytes, fromHex } from '../core/index.js';
import { NOISE_PSK_BYTES, type Identity } from '../crypto/index.js';
import type { SessionOptions } from '../transport/index.js';
import type { NodeStreamsOptions } from './node-streams.js';
import type { MeshRouterOptions } from '../mesh/index.js';

/** A peer as the API takes it: address `host:port`, X25519 static key (hex or bytes), node id. */
export interface MeshPeer {
  /** `1.2.3.4:9000` or `[::1]:9000`; may be omitted for a peer that only connects to us. */
  address?: string;
  /** The peer's X25519 static public key: 64 hex characters or 32 bytes (`net-mesh identity show` prints it). */
  publicKey?: string | Uint8Array;
  nodeId: bigint;
}

export interface MeshNodeConfig {
  /** Address to bind, `host:port` with an IP literal (default `127.0.0.1:0`: loopback, any free port). */
  bindAddr?: string;
  /** The mesh-wide pre-shared key: 32 bytes or 64 hex characters. Required. */
  psk: string | Uint8Array;
  /** This node's identity; generated when neither it nor `identitySeed` is given. */
  identity?: Identity;
  /** A 32-byte ed25519 seed giving a stable identity. */
  identitySeed?: Uint8Array;
  /** Heartbeat interval (default 5,000 ms). */
  heartbeatIntervalMs?: number;
  /** Silence after which a session is dropped (default 30,000 ms). */
  sessionTimeoutMs?: number;
  /** One handshake attempt's timeout (default 5,000 ms). */
  handshakeTimeoutMs?: number;
  /** Attempts after the first (default 3). */
  handshakeRetries?: number;
  /** Peers `start()` connects to (and keeps reconnecting to until shutdown). */
  seedPeers?: readonly MeshPeer[];
  /** Peers allowed to open sessions to us (seed peers are expected too). */
  expectedPeers?: readonly MeshPeer[];
  /** Messages buffered per `receive()` iterator before new ones are dropped (default 1,024). */
  receiveQueueCapacity?: number;
  /** Largest datagram sent or accepted (default 8,192, as the reference). */
  maxDatagramSize?: number;
  /** SO_RCVBUF and SO_SNDBUF of the UDP socket in bytes (OS default when omitted; the kernel caps them). */
  socketBufferBytes?: number;
  /** Further session settings (rekey, rate limits, table bounds); see `SESSION_DEFAULTS`. */
  session?: Omit<SessionOptions, 'psk' | 'expectedPeers'>;
  /**
   * Stream settings (window, limits, retransmission; see `STREAM_DEFAULTS`) and `inboxBatches`, the batches a
   * stream's inbox holds before the stream is paused (default 256). `maxPayloadBytes` follows `maxDatagramSize`.
   */
  streams?: Omit<NodeStreamsOptions, 'maxPayloadBytes'>;
  /**
   * Mesh routing (pingwave interval: the heartbeat interval by default; failure thresholds 2 and 3 intervals;
   * table and graph caps). See docs/LIMITS.md.
   */
  mesh?: MeshRouterOptions;
}

export const MESH_NODE_DEFAULTS = Object.freeze({
  bindAddr: '127.0.0.1:0',
  receiveQueueCapacity: 1024,
  maxDatagramSize: 8192,
});

/** A 32-byte key given as 64 hex characters or as bytes, copied. */
function decodeKey32(key: string | Uint8Array, what: string): Uint8Array {
  if (typeof key === 'string') {
    if (!/^[0-9a-fA-F]{64}$/.test(key)) throw new InvalidArgumentError(`${what} must be 64 hex characters or 32 bytes`);
    return fromHex(key);
  }
  if (!(key instanceof Uint8Array) || key.length !== NOISE_PSK_BYTES) throw new InvalidArgumentError(`${what} must be 32 bytes`);
  return copyBytes(key);
}

/** Decodes a PSK given as 32 bytes or 64 hex characters into a fresh copy. */
export function decodeMeshPsk(psk: string | Uint8Array): Uint8Array {
  return decodeKey32(psk, 'psk');
}

/** Decodes a peer's static key given as hex or bytes; undefined stays undefined. */
export function decodeStaticKey(key: string | Uint8Array | undefined): Uint8Array | undefined {
  return key === undefined ? undefined : decodeKey32(key, 'peer public key');
}
