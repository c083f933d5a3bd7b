// transport.subprotocol_dispatch: one SubprotocolRegistry.dispatch (lookup, handler call, counter) over a mix of
// eight registered ids and one unknown id in sixteen, against the same registry logic over a Map.
import { compareNs, type BenchCase } from '../harness.js';
import { SubprotocolRegistry } from '../../src/transport/index.js';

const IDS = [0x0400, 0x0a00, 0x0b00, 0x0b01, 0x0c00, 0x0e00, 0x1100, 0xf101];
const SEQ: number[] = [];
for (let i = 0; i < 1024; i++) SEQ.push(i % 16 === 15 ? 0x2222 : IDS[i % IDS.length]!);

/** The obvious alternative: a Map from id to handler, with the same counting. */
class MapRegistry {
  private readonly handlers = new Map<number, (p: Uint8Array, c: unknown) => void>();
  readonly counts = new Float64Array(4);
  register(id: number, h: (p: Uint8Array, c: unknown) => void): void {
    this.handlers.set(id, h);
  }
  dispatch(id: number, p: Uint8Array, c: unknown): number {
    this.counts[0]!++;
    const h = this.handlers.get(id);
    if (h === undefined) {
      this.counts[2]!++;
      return 2;
    }
    try {
      h(p, c);
    } catch {
      this.counts[3]!++;
      return 3;
    }
    this.counts[1]!++;
    return 0;
  }
}

const cases: BenchCase[] = [
  {
    name: 'transport.subprotocol_dispatch',
    async run() {
      let sink = 0;
      const ours = new SubprotocolRegistry();
      const map = new MapRegistry();
      IDS.forEach((id, k) => {
        ours.register(id, (p) => (sink += p.length + k));
        map.register(id, (p) => (sink += p.length + k));
      });
      const payload = new Uint8Array(64);
      const ns = await compareNs({
        ours: () => {
          for (const id of SEQ) ours.dispatch(id, payload, null);
        },
        map: () => {
          for (const id of SEQ) map.dispatch(id, payload, null);
        },
      });
      if (sink < 0) throw new Error('unreachable');
      const per = (v: number): number => v / SEQ.length;
      return { value: per(ns.ours), unit: 'ns', baseline: { map: per(ns.map) }, notes: '8 ids registered, 1 in 16 unknown' };
    },
  },
];
export default cases;
