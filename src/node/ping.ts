/**
 * Echo on subprotocol 0xF002 (net-mesh's reserved block): `kind:u8 (0 ping, 1 pong) ‖ id:u32 LE`. Every node
 * answers pings; `MeshNode.ping` measures the round trip. Exact length required; anything else is dropped.
 */
import { readU32LE, writeU32LE } from '../core/index.js';

export const PING_SUBPROTOCOL = 0xf002;
export const PING_BYTES = 5;
export const PingKind = { Ping: 0, Pong: 1 } as const;

export function encodePing(kind: number, id: number, out: Uint8Array = new Uint8Array(PING_BYTES)): Uint8Array {
  out[0] = kind;
  writeU32LE(out, 1, id);
  return out;
}

/** Returns `[kind, id]`, or null for anything that is not a well-formed ping or pong. */
export function decodePing(payload: Uint8Array): [number, number] | null {
  if (payload.length !== PING_BYTES) return null;
  const kind = payload[0]!;
  if (kind !== PingKind.Ping && kind !== PingKind.Pong) return null;
  return [kind, readU32LE(payload, 1)];
}
