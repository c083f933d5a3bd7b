// mesh.route_lookup (issue 6, Performance): the relay's next-hop lookup by the routing header's two id words, in a
// table of 10,000 destinations (half direct, half relayed), against a plain Map<bigint> keyed by the id (what a
// straightforward port would write: a bigint built from the header per packet, then a Map lookup).
// mesh.header_forward: the in-place rewrite of a routed datagram's header (TTL - 1, hop count + 1), against
// copying the datagram into a new buffer and rewriting that (the copy the relay avoids).
import { compareNs, type BenchCase } from '../harness.js';
import { readU32LE } from '../../src/core/index.js';
import { Neighbor, RoutingTable, idWords } from '../../src/mesh/index.js';
import { ROUTING_HEADER_BYTES, RoutingHeader, encodeRoutingHeaderInto, forwardInPlace } from '../../src/wire/index.js';

const DESTS = 10_000;

const cases: BenchCase[] = [
  {
    name: 'mesh.route_lookup',
    async run() {
      const table = new RoutingTable({ maxRoutes: DESTS * 2 });
      const map = new Map<bigint, Neighbor>();
      const vias = Array.from({ length: 16 }, (_, i) => new Neighbor(BigInt(i + 1) * 0x9e37_79b9_7f4a_7c15n % 2n ** 64n, null));
      const dests: bigint[] = [];
      for (let i = 0; i < DESTS; i++) {
        const d = (BigInt(i) * 0x9e37_79b9_7f4a_7c15n + 0x1234n) % 2n ** 64n;
        dests.push(d);
        const via = vias[i % vias.length]!;
        if (i % 2 === 0) table.installDirect(new Neighbor(d, null), 0);
        else table.observe(...idWords(d), via, 3, 0);
        map.set(d, via);
      }
      // Routed datagrams whose headers name the destinations, cycled through.
      const packets = dests.slice(0, 1024).map((d) => {
        const b = new Uint8Array(ROUTING_HEADER_BYTES + 68);
        encodeRoutingHeaderInto(RoutingHeader.from({ ttl: 16, srcId: 1, destId: d }), b, 0);
        return b;
      });
      let i = 0;
      let sink = 0;
      const ns = await compareNs({
        ours: () => {
          const b = packets[i++ & 1023]!;
          if (table.lookup(readU32LE(b, 10), readU32LE(b, 14)) !== null) sink++;
        },
        bigint_map: () => {
          const b = packets[i++ & 1023]!;
          const id = (BigInt(readU32LE(b, 14)) << 32n) | BigInt(readU32LE(b, 10));
          if (map.get(id) !== undefined) sink++;
        },
      });
      if (sink === 0) throw new Error('lookups found nothing');
      return {
        value: Number(ns.ours.toFixed(1)), unit: 'ns', baseline: { bigint_map: Number(ns.bigint_map.toFixed(1)) },
        notes: `${DESTS} destinations (half direct, half relayed), lookup by the routing header's dest words; target <= 200 ns`,
      };
    },
  },
  {
    name: 'mesh.header_forward',
    async run() {
      const pkt = new Uint8Array(1200);
      const h = RoutingHeader.from({ ttl: 255, srcId: 1, destId: 2n });
      encodeRoutingHeaderInto(h, pkt, 0);
      let n = 0;
      const ns = await compareNs({
        in_place: () => {
          // Reset every 15 forwards so the hop limit is never reached.
          if ((++n & 15) === 0) { pkt[2] = 255; pkt[3] = 0; }
          forwardInPlace(pkt, 0);
        },
        copy: () => {
          if ((++n & 15) === 0) { pkt[2] = 255; pkt[3] = 0; }
          const c = new Uint8Array(pkt.length);
          c.set(pkt);
          forwardInPlace(c, 0);
        },
      });
      return {
        value: Number(ns.in_place.toFixed(1)), unit: 'ns', baseline: { copy_1200: Number(ns.copy.toFixed(1)) },
        notes: 'TTL - 1 and hop count + 1 rewritten in the received buffer; the payload is never read; target <= 100 ns',
      };
    },
  },
];
export default cases;
