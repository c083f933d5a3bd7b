/**
 * The mesh plane's counters. Two balances hold exactly and are checked in tests:
 * - relay: `relay_received = relay_forwarded + Σ relay_drop_*` (routed datagrams for another node);
 * - pingwaves: `pingwaves_received = pingwaves_accepted + Σ pingwave_drop_*` (records, not packets), after
 *   `pingwave_packets_received = packets parsed + Σ pingwave_packets_drop_*`.
 */
import { CounterSet } from '../core/index.js';

export const MESH_COUNTERS = [
  'relay_received',
  'relay_forwarded',
  'relay_drop_bad_header',
  'relay_drop_no_route',
  'relay_drop_ttl_expired',
  'relay_drop_hops_exceeded',
  'relay_drop_loop',
  'relay_drop_rate_limited',
  'drop_bare_pingwave',
  'pingwave_packets_received',
  'pingwave_packets_drop_not_neighbor',
  'pingwave_packets_drop_bad_length',
  'pingwaves_received',
  'pingwaves_accepted',
  'pingwave_drop_bad',
  'pingwave_drop_own_origin',
  'pingwave_drop_hops',
  'pingwave_drop_duplicate',
  'pingwave_drop_stale',
  'pingwave_drop_worse',
  'pingwave_drop_graph_full',
  'pingwave_drop_routes_full',
  'pingwaves_originated',
  'pingwave_packets_sent',
  'withdrawals_received',
  'withdrawals_applied',
  'withdrawals_ignored',
  'withdrawals_bad',
  'withdrawals_sent',
  'withdrawals_damped',
  'neighbors_suspected',
  'neighbors_failed',
  'neighbors_recovered',
  'routes_installed',
  'routes_lost',
] as const;
export type MeshCounter = (typeof MESH_COUNTERS)[number];

export const RELAY_DROP_COUNTERS: readonly MeshCounter[] = MESH_COUNTERS.filter((n) => n.startsWith('relay_drop_'));
export const PINGWAVE_DROP_COUNTERS: readonly MeshCounter[] = MESH_COUNTERS.filter((n) => n.startsWith('pingwave_drop_'));

export function newMeshCounters(): CounterSet<MeshCounter> {
  return new CounterSet(MESH_COUNTERS);
}
