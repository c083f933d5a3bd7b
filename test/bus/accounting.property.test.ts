// Property: under any interleaving of emits, flushes, scaling, adapter failures, time and shutdown,
// ingested = dispatched + dropped + buffered + inFlight at every step; after a flush or shutdown the last two
// are 0, and the adapter stored exactly what was dispatched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventBus, type BackpressureMode } from '../../src/bus/index.js';
import { SeededRandom, VirtualScheduler } from '../../src/core/index.js';
import { FakeAdapter, tick } from './fake-adapter.js';
import { fuzzParams } from '../support/fuzz.js';

type Op =
  | { k: 'emit'; n: number; size: number; keyed: boolean }
  | { k: 'flush' }
  | { k: 'add' }
  | { k: 'remove' }
  | { k: 'advance'; ms: number }
  | { k: 'fail'; what: ('t' | 'f' | 'h')[] }
  | { k: 'shutdown'; deadlineMs: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('emit' as const), n: fc.integer({ min: 1, max: 60 }), size: fc.integer({ min: 0, max: 40 }), keyed: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('flush' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('add' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('remove' as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fail' as const), what: fc.array(fc.constantFrom('t' as const, 'f' as const, 'h' as const), { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('shutdown' as const), deadlineMs: fc.integer({ min: 0, max: 2000 }) }) },
);
const modeArb: fc.Arbitrary<BackpressureMode> = fc.constantFrom<BackpressureMode>('drop_newest', 'drop_oldest', 'fail_producer', { mode: 'sample', rate: 0.5 });

test('accounting invariant holds under random push/flush/scale/fail/shutdown interleavings', async () => {
  await fc.assert(
    fc.asyncProperty(modeArb, fc.integer({ min: 1, max: 3 }), fc.array(opArb, { maxLength: 40 }), async (mode, shards, ops) => {
      const sched = new VirtualScheduler();
      const adapter = new FakeAdapter(sched);
      adapter.delayMs = 3;
      const bus = new EventBus(
        { adapter, clock: sched.clock, timers: sched, random: new SeededRandom(1) },
        { shards, ringBytes: 512, backpressure: mode, adapterTimeoutMs: 50, maxDispatchAttempts: 3, retryBackoffMs: 5, batch: { maxSize: 16, maxDelayMs: 2 }, scaling: { maxShards: 4, cooldownMs: 100 } },
      );
      const check = (): void => {
        const s = bus.stats();
        assert.equal(s.eventsIngested, s.eventsDispatched + s.eventsDropped + s.eventsBuffered + s.eventsInFlight);
      };
      // Runs `p` to completion, moving virtual time so timers (delays, timeouts, backoff) fire.
      const drive = async (p: Promise<unknown>): Promise<void> => {
        let done = false;
        void p.then(() => (done = true), () => (done = true));
        for (let i = 0; i < 10_000 && !done; i++) {
          await tick(1);
          sched.runFor(10);
        }
        assert.ok(done, 'operation finished');
      };
      let shut = false;
      for (const op of ops) {
        switch (op.k) {
          case 'emit':
            for (let i = 0; i < op.n; i++) {
              try {
                bus.emitBuffer(new Uint8Array(op.size), op.keyed ? `k${i % 7}` : undefined);
              } catch (e) {
                assert.ok(shut || mode === 'fail_producer', String(e));
              }
            }
            break;
          case 'flush':
            if (!shut) {
              await drive(bus.flush());
              const s = bus.stats();
              assert.equal(s.eventsBuffered + s.eventsInFlight, 0);
              assert.equal(s.eventsIngested, s.eventsDispatched + s.eventsDropped);
            }
            break;
          case 'add':
            try { bus.addShard(); } catch { /* at max or shut down: refused */ }
            break;
          case 'remove':
            try { bus.removeShard(); } catch { /* last shard: refused */ }
            break;
          case 'advance':
            await tick(1);
            sched.runFor(op.ms);
            await tick(1);
            break;
          case 'fail':
            adapter.script.push(...op.what);
            break;
          case 'shutdown':
            await drive(bus.shutdown({ deadlineMs: op.deadlineMs }));
            shut = true;
            break;
        }
        check();
      }
      await drive(bus.shutdown({ deadlineMs: 500 }));
      const s = bus.stats();
      assert.equal(s.eventsIngested, s.eventsDispatched + s.eventsDropped, 'ingested = dispatched + dropped');
      assert.equal(s.eventsBuffered + s.eventsInFlight, 0);
      assert.equal(adapter.stored, s.eventsDispatched, 'dispatched = acknowledged by the adapter');
      assert.equal(s.shutdownWasLossy, s.droppedByReason.shutdown > 0);
    }),
    fuzzParams(300),
  );
});
