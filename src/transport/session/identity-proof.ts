/**
 * The identity proof (net-mesh's extension, DESIGN.md §5; invisible to NET peers): right after a handshake each
 * side sends, as its first sealed packet on subprotocol 0xF001, `version:u8 (1) ‖ ed25519 public key (32) ‖
 * signature (64)` over `"net-mesh-identity-v1" ‖ handshake hash`. The receiver verifies strictly and checks that
 * the key derives the node id it expects. A 1-byte `0x81` on the same subprotocol acknowledges a verified proof,
 * so the sender stops resending it.
 */
import { concatBytes, utf8 } from '../../core/index.js';
import { Identity, ed25519VerifyStrict } from '../../crypto/index.js';

export const IDENTITY_SUBPROTOCOL = 0xf001;
export const IDENTITY_PROOF_VERSION = 1;
export const IDENTITY_PROOF_BYTES = 97;
export const IDENTITY_ACK = 0x81;
export const IDENTITY_ACK_BYTES = 1;
const LABEL = utf8('net-mesh-identity-v1');

export const IdentityProofStatus = {
  Ok: 0,
  /** Not 97 bytes. */
  Length: 1,
  /** Version byte is not 1. */
  Version: 2,
  /** Signature does not verify strictly. */
  Signature: 3,
  /** The key does not derive the expected node id. */
  NodeId: 4,
} as const;
export type IdentityProofStatus = (typeof IdentityProofStatus)[keyof typeof IdentityProofStatus];

/** The signed message: `"net-mesh-identity-v1" ‖ handshakeHash`. */
export function identityProofMessage(handshakeHash: Uint8Array): Uint8Array {
  return concatBytes(LABEL, handshakeHash);
}

/** The 97-byte proof of `identity` for a handshake. */
export function encodeIdentityProof(identity: Identity, handshakeHash: Uint8Array): Uint8Array {
  const out = new Uint8Array(IDENTITY_PROOF_BYTES);
  out[0] = IDENTITY_PROOF_VERSION;
  out.set(identity.publicKey, 1);
  out.set(identity.sign(identityProofMessage(handshakeHash)), 33);
  return out;
}

/** Verifies a proof for `handshakeHash` claimed by `expectedNodeId`. Never throws. */
export function verifyIdentityProof(payload: Uint8Array, handshakeHash: Uint8Array, expectedNodeId: bigint): IdentityProofStatus {
  if (payload.length !== IDENTITY_PROOF_BYTES) return IdentityProofStatus.Length;
  if (payload[0] !== IDENTITY_PROOF_VERSION) return IdentityProofStatus.Version;
  const key = payload.subarray(1, 33);
  if (!ed25519VerifyStrict(key, identityProofMessage(handshakeHash), payload.subarray(33, 97))) return IdentityProofStatus.Signature;
  return Identity.publicKeyMatchesNodeId(key, expectedNodeId) ? IdentityProofStatus.Ok : IdentityProofStatus.NodeId;
}
