/**
 * The fold contract: a CortEX model is a pure function from (state, event) to state, applied in log order, plus
 * a codec for its state so snapshots can carry it. `apply` mutates the state in place (the adapter owns it).
 */
import { readU64LE } from '../../core/index.js';

/** One event as a fold sees it. The adapter reuses this object; nothing in it is valid after `apply` returns. */
export interface CortexEvent {
  /** The RedEX seq of the record. */
  seq: number;
  /** EventMeta dispatch byte (0x00..0x7F CortEX-internal, 0x80..0xFF application). */
  dispatch: number;
  /** EventMeta flags. */
  flags: number;
  /** The whole record, `EventMeta ‖ payload` (a view). */
  record: Uint8Array;
  /** The bytes after the 24-byte EventMeta (a view). */
  payload: Uint8Array;
}

/** The origin hash in an event's EventMeta (a bigint: call it only where needed). */
export function eventOrigin(e: CortexEvent): bigint {
  return readU64LE(e.record, 4);
}

export interface CortexFold<S> {
  /** Model name, written into snapshots and checked when one is restored. At most 64 bytes. */
  readonly model: string;
  /** A fresh, empty state. */
  initial(): S;
  /**
   * Applies one event to `state`. Throw `FoldDecodeError` for an event it cannot decode (the error policy
   * decides); any other exception stops the fold whatever the policy, since the state may be half-updated.
   * An unknown dispatch should be ignored (newer writers), not thrown.
   */
  apply(state: S, event: CortexEvent): void;
  /** The state as bytes, for snapshots. */
  encodeState(state: S): Uint8Array;
  /** The inverse of `encodeState`; throws (any error) on bytes it does not accept. */
  decodeState(bytes: Uint8Array): S;
}
