// crypto.replay_admit: one check + commit of the next counter in a 2048-packet window, against a Set-based
// window (what a quick implementation would do: a Set of seen counters pruned below highest - W).
import { compareNs, type BenchCase } from '../harness.js';
import { ReplayWindow } from '../../src/crypto/index.js';

const W = 2048;

const cases: BenchCase[] = [
  {
    name: 'crypto.replay_admit',
    async run() {
      const win = new ReplayWindow({ size: W });
      let n = 0;
      const ours = (): void => {
        // Mostly in order, with a reordered late packet every 16th step, as a lossy link delivers.
        const c = (n & 15) === 15 ? n - 7 : n;
        n++;
        if (win.check(c)) win.commit(c);
      };
      const seen = new Set<number>();
      let highest = -1;
      let m = 0;
      const set = (): void => {
        const c = (m & 15) === 15 ? m - 7 : m;
        m++;
        if (c <= highest - W || seen.has(c)) return;
        seen.add(c);
        if (c > highest) {
          for (let x = highest - W; x <= c - W; x++) seen.delete(x);
          highest = c;
        }
      };
      const ns = await compareNs({ ours, set_window: set });
      return { value: ns.ours, unit: 'ns', baseline: { set_window: ns.set_window }, notes: 'window 2048, 1 in 16 reordered' };
    },
  },
];
export default cases;
