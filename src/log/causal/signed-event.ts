/**
 * Authentic causal events. A CausalLink proves integrity only; where a chain must be authentic (daemons, admin
 * chains), each event also carries an ed25519 signature by the origin's identity:
 *
 *   signed event = CausalLink (32) ‖ payload ‖ signature (64)
 *   signature    = ed25519("net-mesh-causal-v1" ‖ link ‖ payload)
 *
 * A verifier accepts it only when the signing key derives the link's origin_hash, so a peer cannot sign events
 * into someone else's chain. This framing is net-mesh's own (NET signs at other layers); it never crosses NET's
 * wire formats.
 */
import { DecodeError, ErrorCode } from '../../core/index.js';
import { deriveNodeId, deriveOriginHash, ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, ed25519VerifyStrict,
  type Identity } from '../../crypto/index.js';
import { CAUSAL_LINK_BYTES, decodeCausalLink, encodeCausalLink, type CausalEvent } from './causal-link.js';

const DOMAIN = new TextEncoder().encode('net-mesh-causal-v1');
export const SIGNED_EVENT_OVERHEAD = CAUSAL_LINK_BYTES + ED25519_SIGNATURE_BYTES;

/** Who an event comes from: the public key and the ids NET derives from it (the reference's OriginStamp). */
export interface OriginStamp {
  publicKey: Uint8Array;
  originHash: bigint;
  nodeId: bigint;
}

export function originStamp(publicKey: Uint8Array): OriginStamp {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) throw new DecodeError(ErrorCode.DecodeLength, 'ed25519 public key must be 32 bytes');
  return { publicKey: publicKey.slice(), originHash: deriveOriginHash(publicKey), nodeId: deriveNodeId(publicKey) };
}

function signedMessage(event: CausalEvent): Uint8Array {
  const m = new Uint8Array(DOMAIN.length + CAUSAL_LINK_BYTES + event.payload.length);
  m.set(DOMAIN, 0);
  encodeCausalLink(event.link, m, DOMAIN.length);
  m.set(event.payload, DOMAIN.length + CAUSAL_LINK_BYTES);
  return m;
}

/** Encodes `event` signed by `identity`, whose origin hash must be the link's. */
export function signCausalEvent(identity: Identity, event: CausalEvent): Uint8Array {
  if (identity.originHash !== event.link.originHash) throw new DecodeError(ErrorCode.DecodeValue, 'the signer is not the event origin');
  const sig = identity.sign(signedMessage(event));
  const out = new Uint8Array(SIGNED_EVENT_OVERHEAD + event.payload.length);
  encodeCausalLink(event.link, out, 0);
  out.set(event.payload, CAUSAL_LINK_BYTES);
  out.set(sig, CAUSAL_LINK_BYTES + event.payload.length);
  return out;
}

/** Splits a signed event without checking it. Throws DecodeError when shorter than link + signature. */
export function decodeSignedEvent(bytes: Uint8Array): { event: CausalEvent; signature: Uint8Array } {
  if (bytes.length < SIGNED_EVENT_OVERHEAD) throw new DecodeError(ErrorCode.DecodeShort, `signed event needs at least ${SIGNED_EVENT_OVERHEAD} bytes`);
  const end = bytes.length - ED25519_SIGNATURE_BYTES;
  return {
    event: { link: decodeCausalLink(bytes, 0), payload: bytes.slice(CAUSAL_LINK_BYTES, end) },
    signature: bytes.slice(end),
  };
}

/**
 * The event, when `bytes` is a signed event whose signature verifies (strictly) under `origin`'s key and whose
 * link names `origin`; undefined otherwise. Never throws on malformed input.
 */
export function verifySignedEvent(bytes: Uint8Array, origin: OriginStamp): CausalEvent | undefined {
  if (bytes.length < SIGNED_EVENT_OVERHEAD) return undefined;
  const { event, signature } = decodeSignedEvent(bytes);
  if (event.link.originHash !== origin.originHash) return undefined;
  return ed25519VerifyStrict(origin.publicKey, signedMessage(event), signature) ? event : undefined;
}
