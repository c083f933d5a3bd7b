/**
 * NET's 32-byte CausalLink (ai-2070/net `state/causal.rs`), little-endian:
 *
 *   origin_hash:u64 ‖ horizon_encoded:u64 ‖ sequence:u64 ‖ parent_hash:u64
 *
 * `parent_hash` = xxh3_64(previous link's 32 bytes ‖ previous payload); the genesis link has sequence 0 and
 * parent_hash 0. The chain gives integrity (a changed, dropped or reordered event breaks it), not authenticity:
 * anyone can compute xxh3. Where a chain must be authentic, events are also signed ({@link signCausalEvent}).
 */
import { DecodeError, ErrorCode, InvalidArgumentError, readU64LE, U64_MAX, writeU64LE } from '../../core/index.js';
import { xxh3_64 } from '../../crypto/index.js';

export const CAUSAL_LINK_BYTES = 32;

export interface CausalLink {
  originHash: bigint;
  /** Compressed observed horizon (the reference's 64-bit bloom sketch), opaque here. */
  horizonEncoded: bigint;
  sequence: bigint;
  parentHash: bigint;
}

/** A causal event: its link and its payload. */
export interface CausalEvent {
  link: CausalLink;
  payload: Uint8Array;
}

export function encodeCausalLink(link: CausalLink, out: Uint8Array = new Uint8Array(CAUSAL_LINK_BYTES), off = 0): Uint8Array {
  writeU64LE(out, off, link.originHash);
  writeU64LE(out, off + 8, link.horizonEncoded);
  writeU64LE(out, off + 16, link.sequence);
  writeU64LE(out, off + 24, link.parentHash);
  return out;
}

/** Reads the link at `b[off..off+32]`; throws DecodeError when fewer than 32 bytes remain. */
export function decodeCausalLink(b: Uint8Array, off = 0): CausalLink {
  if (b.length - off < CAUSAL_LINK_BYTES) throw new DecodeError(ErrorCode.DecodeShort, `causal link needs ${CAUSAL_LINK_BYTES} bytes`);
  return {
    originHash: readU64LE(b, off),
    horizonEncoded: readU64LE(b, off + 8),
    sequence: readU64LE(b, off + 16),
    parentHash: readU64LE(b, off + 24),
  };
}

export function genesisLink(originHash: bigint, horizonEncoded = 0n): CausalLink {
  return { originHash, horizonEncoded, sequence: 0n, parentHash: 0n };
}

export function isGenesis(link: CausalLink): boolean {
  return link.sequence === 0n && link.parentHash === 0n;
}

/** xxh3_64(prev link bytes ‖ prev payload): the parent hash of the event after `prev`. */
export function parentHashOf(prev: CausalLink, prevPayload: Uint8Array): bigint {
  const buf = new Uint8Array(CAUSAL_LINK_BYTES + prevPayload.length);
  encodeCausalLink(prev, buf, 0);
  buf.set(prevPayload, CAUSAL_LINK_BYTES);
  return xxh3_64(buf);
}

/** The link after `prev` (whose payload was `prevPayload`). Throws when the sequence would pass u64. */
export function nextLink(prev: CausalLink, prevPayload: Uint8Array, horizonEncoded = 0n): CausalLink {
  if (prev.sequence >= U64_MAX) throw new InvalidArgumentError('causal sequence exhausted');
  return { originHash: prev.originHash, horizonEncoded, sequence: prev.sequence + 1n, parentHash: parentHashOf(prev, prevPayload) };
}

/** Produces a chain: each `append` links the new payload to the previous event. */
export class CausalChainBuilder {
  private head: CausalLink;
  private headPayload: Uint8Array;

  /** Starts at genesis (an empty genesis payload), or resumes from a known head (after a restore). */
  constructor(originHash: bigint, head?: CausalEvent) {
    this.head = head?.link ?? genesisLink(originHash);
    this.headPayload = head?.payload ?? new Uint8Array(0);
    if (head && head.link.originHash !== originHash) throw new InvalidArgumentError('head belongs to another origin');
  }

  /** The next event of the chain (the payload is kept, not copied: do not mutate it afterwards). */
  append(payload: Uint8Array, horizonEncoded = 0n): CausalEvent {
    const link = nextLink(this.head, this.headPayload, horizonEncoded);
    this.head = link;
    this.headPayload = payload;
    return { link, payload };
  }

  get headLink(): CausalLink {
    return this.head;
  }
}
