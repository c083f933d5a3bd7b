/**
 * The relay's hot path: a routed datagram addressed to another node is forwarded to the next hop with the
 * routing header's TTL and hop count rewritten in place. The payload behind the header is neither decrypted nor
 * copied; the relay holds no key that could open it. Every routed datagram it takes lands in exactly one counter.
 */
import { readU32LE, type CounterSet } from '../core/index.js';
import type { PeerAddress } from '../transport/index.js';
import {
  DatagramKind, MIN_ROUTED_BYTES, PINGWAVE_BYTES, ROUTING_MAGIC, WireStatus, classifyDatagram, forwardInPlace,
} from '../wire/index.js';
import type { MeshCounter } from './counters.js';
import type { RoutingTable } from './routing-table.js';

const MAGIC_LO = ROUTING_MAGIC & 0xff;
const MAGIC_HI = ROUTING_MAGIC >>> 8;

export class Relay {
  private readonly sReceived: number;
  private readonly sForwarded: number;
  private readonly sNoRoute: number;
  private readonly sLoop: number;

  constructor(
    private readonly table: RoutingTable,
    private readonly self: { readonly lo: number; readonly hi: number },
    private readonly send: (bytes: Uint8Array, to: PeerAddress) => void,
    private readonly counters: CounterSet<MeshCounter>,
  ) {
    this.sReceived = counters.slot('relay_received');
    this.sForwarded = counters.slot('relay_forwarded');
    this.sNoRoute = counters.slot('relay_drop_no_route');
    this.sLoop = counters.slot('relay_drop_loop');
  }

  /**
   * Takes the datagram when it is routed to another node (forwarded or dropped, and counted) or a bare pingwave
   * (dropped: pingwaves travel inside sessions). Returns false for everything the session layer must see.
   */
  intercept(bytes: Uint8Array, from: PeerAddress): boolean {
    if (bytes.length < MIN_ROUTED_BYTES || bytes[0] !== MAGIC_LO || bytes[1] !== MAGIC_HI) {
      if (bytes.length === PINGWAVE_BYTES && classifyDatagram(bytes) === DatagramKind.PINGWAVE) {
        this.counters.inc('drop_bare_pingwave');
        return true;
      }
      return false;
    }
    const lo = readU32LE(bytes, 10);
    const hi = readU32LE(bytes, 14);
    if (lo === this.self.lo && hi === this.self.hi) return false;
    const c = this.counters;
    c.incSlot(this.sReceived);
    if (readU32LE(bytes, 6) === this.self.lo) {
      // Our own packet came back around a loop.
      c.incSlot(this.sLoop);
      return true;
    }
    const next = this.table.lookup(lo, hi);
    if (next === null || next.address === null) {
      c.incSlot(this.sNoRoute);
      return true;
    }
    const to = next.address;
    if (to.port === from.port && to.host === from.host) {
      // The best way on is back where it came from: forwarding would ping-pong it until its TTL ran out.
      c.incSlot(this.sLoop);
      return true;
    }
    const status = forwardInPlace(bytes, 0);
    if (status !== WireStatus.OK) {
      c.inc(status === WireStatus.EXPIRED ? 'relay_drop_ttl_expired' : status === WireStatus.HOPS ? 'relay_drop_hops_exceeded' : 'relay_drop_bad_header');
      return true;
    }
    this.send(bytes, to);
    c.incSlot(this.sForwarded);
    return true;
  }
}
