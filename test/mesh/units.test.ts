// The mesh plane's small machines on their own: routing table, failure detector, circuit breaker, U64Map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../src/core/index.js';
import {
  BreakerState, CircuitBreaker, FailureDetector, Neighbor, NeighborStatus, ObserveResult, RoutingTable, U64Map, Verdict,
  WithdrawResult, idOf, idWords,
} from '../../src/mesh/index.js';
import { fuzzParams } from '../support/fuzz.js';

const nb = (id: bigint): Neighbor => new Neighbor(id, null);
const w = (id: bigint): [number, number] => idWords(id);

test('routing table: direct beats relayed on ties and below; strict-better replacement; removal is honest', () => {
  const t = new RoutingTable({ staleAfterMs: 1000 });
  const r1 = nb(0x1_0000_0001n);
  const r2 = nb(0x2_0000_0001n);
  const d = 0x9_0000_0001n; // same low word as r1 and r2: exercises the collision chain
  assert.equal(t.observe(...w(d), r1, 3, 0), ObserveResult.Installed);
  assert.equal(t.observe(...w(d), r2, 3, 10), ObserveResult.Unchanged, 'equal metric, no RTT known: keep');
  r2.sampleRtt(100);
  r1.sampleRtt(900);
  assert.equal(t.observe(...w(d), r2, 3, 20), ObserveResult.Installed, 'equal metric, lower RTT');
  assert.equal(t.observe(...w(d), r1, 4, 30), ObserveResult.Unchanged);
  assert.equal(t.observe(...w(d), r1, 4, 2000), ObserveResult.Installed, 'the held path went stale');
  assert.equal(t.lookup(...w(d)), r1);
  const dn = nb(d);
  t.installDirect(dn, 2001);
  assert.equal(t.lookup(...w(d)), dn, 'direct (metric 1) wins');
  assert.equal(t.observe(...w(r1.nodeId), r1, 2, 0), ObserveResult.Unchanged, 'a neighbour claiming itself');
  assert.equal(t.withdraw(...w(d), r2), WithdrawResult.NotTheirs);
  assert.equal(t.withdraw(...w(d), r1), WithdrawResult.Removed, 'direct route remains');
  const lost: bigint[] = [];
  t.removeVia(dn, lost);
  assert.deepEqual(lost, [d]);
  assert.equal(t.lookup(...w(d)), null);
  assert.equal(t.size, 0);
  assert.throws(() => new RoutingTable({ maxRoutes: 0 }), InvalidArgumentError);
});

test('routing table: property — bounded, never routes through a removed neighbour, lookups agree with snapshot', () => {
  const ids = [1n, 2n, 0x1_0000_0001n, 0x2_0000_0001n, 3n, 0xffff_ffff_ffff_ffffn];
  const op = fc.oneof(
    fc.record({ k: fc.constant('obs' as const), d: fc.nat({ max: 5 }), v: fc.nat({ max: 3 }), m: fc.integer({ min: 2, max: 18 }), t: fc.nat({ max: 5000 }) }),
    fc.record({ k: fc.constant('direct' as const), v: fc.nat({ max: 3 }) }),
    fc.record({ k: fc.constant('rm' as const), v: fc.nat({ max: 3 }) }),
    fc.record({ k: fc.constant('wd' as const), d: fc.nat({ max: 5 }), v: fc.nat({ max: 3 }) }),
    fc.record({ k: fc.constant('sweep' as const), t: fc.nat({ max: 10_000 }) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
    const t = new RoutingTable({ maxRoutes: 4, staleAfterMs: 1000 });
    let vias = ids.slice(0, 4).map(nb);
    const removed = new Set<Neighbor>();
    for (const o of ops) {
      const v = vias[o.k === 'sweep' ? 0 : o.v]!;
      if (o.k === 'obs') t.observe(...w(ids[o.d]!), v, o.m, o.t);
      else if (o.k === 'direct') t.installDirect(v, 0);
      else if (o.k === 'wd') t.withdraw(...w(ids[o.d]!), v);
      else if (o.k === 'sweep') t.sweepStale(o.t, 1000);
      else {
        t.removeVia(v);
        removed.add(v);
        vias = vias.map((x) => (x === v ? nb(x.nodeId) : x));
      }
      assert.ok(t.size <= 4);
      for (const d of ids) {
        const hop = t.lookup(...w(d));
        assert.ok(hop === null || !removed.has(hop));
      }
      for (const row of t.snapshot(0)) assert.equal(t.lookup(...w(row.dest))?.nodeId, row.nextHop);
    }
  }), fuzzParams(500));
});

test('failure detector: healthy → suspected → failed → recovered on the same incarnation; a new incarnation starts fresh', () => {
  const fd = new FailureDetector({ suspectAfterMs: 200, failAfterMs: 300 });
  const n = nb(5n);
  assert.equal(fd.assess(n, 0, 7, 100), Verdict.None);
  assert.equal(fd.assess(n, 0, 7, 200), Verdict.Suspected);
  assert.equal(fd.assess(n, 0, 7, 250), Verdict.None);
  assert.equal(fd.assess(n, 0, 7, 300), Verdict.Failed);
  assert.equal(fd.assess(n, 0, 7, 900), Verdict.None);
  assert.equal(fd.assess(n, 950, 7, 960), Verdict.Recovered);
  assert.equal(n.status, NeighborStatus.Healthy);
  assert.equal(fd.assess(n, 950, 7, 1200), Verdict.Suspected);
  assert.equal(fd.assess(n, 1190, 8, 1200), Verdict.Reincarnated, 'a verdict about incarnation 7 does not stick to 8');
  assert.equal(fd.nextCheck(n, 1190), 1390);
  assert.throws(() => new FailureDetector({ suspectAfterMs: 300, failAfterMs: 300 }), InvalidArgumentError);
});

test('circuit breaker: opens after 5 failures, lets exactly one probe through, the probe slot is released on every path', () => {
  const b = new CircuitBreaker({ failureThreshold: 5, openMs: 1000 });
  for (let i = 0; i < 4; i++) b.onFailure(i);
  assert.equal(b.state, BreakerState.Closed);
  b.onFailure(4);
  assert.equal(b.state, BreakerState.Open);
  assert.equal(b.allow(500), false);
  assert.equal(b.allow(1004), true, 'the probe');
  assert.equal(b.allow(1005), false, 'only one probe');
  b.release();
  assert.equal(b.allow(1006), true, 'released slot: the next caller probes');
  b.onFailure(1007);
  assert.equal(b.state, BreakerState.Open, 'a failed probe reopens');
  assert.equal(b.allow(2007), true);
  b.onSuccess();
  assert.equal(b.state, BreakerState.Closed);
  assert.equal(b.allow(2008), true);
  assert.equal(b.allow(2008), true);
});

test('U64Map: words in, bigint out, chains on the low word', () => {
  const m = new U64Map<string>();
  for (const id of [1n, 0x1_0000_0001n, 0xffff_ffff_0000_0001n]) m.set(...idWords(id), id.toString(16));
  assert.equal(m.size, 3);
  assert.equal(m.get(...idWords(0x1_0000_0001n)), '100000001');
  assert.equal(m.delete(...idWords(0x1_0000_0001n)), true);
  assert.equal(m.delete(...idWords(0x1_0000_0001n)), false);
  assert.deepEqual([...m.values()].sort(), ['1', 'ffffffff00000001']);
  assert.equal(idOf(...idWords(0xffff_ffff_0000_0001n)), 0xffff_ffff_0000_0001n);
});
