// Subprotocol registry: registration rules (u16, duplicates, reserved ranges), synchronous dispatch with the
// caller's view, unknown ids and throwing handlers counted and never thrown, the relay hook, and a fuzz of ids
// checking that every dispatch lands in exactly one counter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, InvalidArgumentError } from '../../src/core/index.js';
import {
  DispatchStatus, REGISTRY_DROP_COUNTERS, RESERVED_SUBPROTOCOL_RANGES, Subprotocol, SubprotocolRegistry,
  formatSubprotocolId, isReservedSubprotocol, type SubprotocolRegistration,
} from '../../src/transport/index.js';
import { fuzzParams } from '../support/fuzz.js';

type Ctx = { peer: string };
const CTX: Ctx = { peer: 'a' };
const isInvalid = (pattern: RegExp) => (e: unknown): boolean =>
  e instanceof InvalidArgumentError && e.code === ErrorCode.InvalidArgument && pattern.test(e.message);

function balanced(r: SubprotocolRegistry<Ctx>): boolean {
  const c = r.counters;
  return c.get('received') === c.get('delivered') + c.get('forwarded') + c.sum(REGISTRY_DROP_COUNTERS);
}

test('dispatch calls the handler synchronously with the same view and context', () => {
  const r = new SubprotocolRegistry<Ctx>();
  const seen: [Uint8Array, Ctx][] = [];
  r.register(Subprotocol.STREAM_WINDOW, (p, ctx) => seen.push([p, ctx]));
  const buf = new Uint8Array(64);
  const view = buf.subarray(10, 34);
  assert.equal(r.dispatch(Subprotocol.STREAM_WINDOW, view, CTX), DispatchStatus.Delivered);
  assert.equal(seen.length, 1, 'called before dispatch returned');
  assert.equal(seen[0]![0], view, 'no copy');
  assert.equal(seen[0]![1], CTX);
  assert.deepEqual(r.counters.snapshot(), { received: 1, delivered: 1, forwarded: 0, unknown_subprotocol: 0, handler_error: 0 });
});

test('ids outside u16 and non-integers are refused with ERR_INVALID_ARGUMENT', () => {
  const r = new SubprotocolRegistry();
  for (const id of [-1, 0x10000, 1.5, NaN, Infinity, -0.5, 2 ** 32]) {
    assert.throws(() => r.register(id, () => undefined), isInvalid(/integer in 0\.\.0xffff/), String(id));
  }
  assert.throws(() => r.register(0x2000, 'nope' as unknown as () => void), isInvalid(/must be a function/));
  assert.equal(r.size, 0);
});

test('a second handler for the same id is refused, naming the first', () => {
  const r = new SubprotocolRegistry();
  r.register(0x2000, () => undefined, { name: 'first' });
  assert.throws(() => r.register(0x2000, () => undefined), isInvalid(/0x2000 already has a handler \(first\)/));
  assert.equal(r.size, 1);
});

test('reserved ranges need allowReserved; the transport can register the identity proof', () => {
  const r = new SubprotocolRegistry();
  for (const id of [0x0000, 0x0001, 0x0200, 0x03ff, 0xf000, Subprotocol.IDENTITY_PROOF, 0xf0ff]) {
    assert.ok(isReservedSubprotocol(id), formatSubprotocolId(id));
    assert.throws(() => r.register(id, () => undefined), isInvalid(/is reserved/), formatSubprotocolId(id));
  }
  for (const id of [0x0400, 0x0fff, 0x1000, 0xefff, 0xf100, 0xffff]) {
    assert.ok(!isReservedSubprotocol(id), formatSubprotocolId(id));
    r.register(id, () => undefined).unregister();
  }
  const proof = r.register(Subprotocol.IDENTITY_PROOF, () => undefined, { allowReserved: true });
  assert.equal(proof.name, 'IDENTITY_PROOF');
  assert.equal(proof.id, 0xf001);
  assert.ok(r.has(0xf001));
  assert.deepEqual(RESERVED_SUBPROTOCOL_RANGES.map((x) => [x.from, x.to]), [[0, 0], [1, 0x3ff], [0xf000, 0xf0ff]]);
});

test('every named reference id is registrable without allowReserved, except PLAIN and IDENTITY_PROOF', () => {
  const r = new SubprotocolRegistry();
  for (const [name, id] of Object.entries(Subprotocol)) {
    if (name === 'PLAIN' || name === 'IDENTITY_PROOF') continue;
    assert.equal(r.register(id, () => undefined).name, name);
  }
  assert.equal(new Set(Object.values(Subprotocol)).size, Object.keys(Subprotocol).length, 'ids are distinct');
  assert.deepEqual(r.entries().slice(0, 2), [{ id: 0x0400, name: 'CAUSAL' }, { id: 0x0401, name: 'SNAPSHOT' }]);
});

test('unregister is idempotent and never removes a later registration of the same id', () => {
  const r = new SubprotocolRegistry<Ctx>();
  let a = 0;
  let b = 0;
  const first = r.register(0x3000, () => a++);
  first.unregister();
  first.unregister();
  assert.equal(r.size, 0);
  assert.equal(r.dispatch(0x3000, new Uint8Array(0), CTX), DispatchStatus.UnknownSubprotocol);
  r.register(0x3000, () => b++);
  first.unregister(); // stale handle
  assert.equal(r.dispatch(0x3000, new Uint8Array(0), CTX), DispatchStatus.Delivered);
  assert.deepEqual([a, b, r.size], [0, 1, 1]);
});

test('a handler may unregister itself (or register another) while being dispatched', () => {
  const r = new SubprotocolRegistry<Ctx>();
  let calls = 0;
  const reg: SubprotocolRegistration = r.register(0x3001, () => {
    calls++;
    reg.unregister();
    r.register(0x3002, () => undefined);
  });
  assert.equal(r.dispatch(0x3001, new Uint8Array(1), CTX), DispatchStatus.Delivered);
  assert.equal(r.dispatch(0x3001, new Uint8Array(1), CTX), DispatchStatus.UnknownSubprotocol);
  assert.equal(calls, 1);
  assert.ok(r.has(0x3002));
});

test('unknown ids are counted and dropped; a throwing handler is caught, counted and reported', () => {
  const errors: [number, unknown][] = [];
  const r = new SubprotocolRegistry<Ctx>({ onHandlerError: (id, e) => errors.push([id, e]) });
  const boom = new Error('boom');
  r.register(0x4000, () => {
    throw boom;
  });
  assert.equal(r.dispatch(0x4001, new Uint8Array(3), CTX), DispatchStatus.UnknownSubprotocol);
  assert.equal(r.dispatch(0x4000, new Uint8Array(3), CTX), DispatchStatus.HandlerError);
  assert.equal(r.dispatch(0x4000, new Uint8Array(3), CTX), DispatchStatus.HandlerError);
  assert.deepEqual(errors, [[0x4000, boom], [0x4000, boom]]);
  assert.deepEqual(r.counters.snapshot(), { received: 3, delivered: 0, forwarded: 0, unknown_subprotocol: 1, handler_error: 2 });
});

test('a throwing error hook and a handler throwing a non-Error are survived too', () => {
  const r = new SubprotocolRegistry<Ctx>({
    onHandlerError: () => {
      throw new Error('hook broke');
    },
  });
  r.register(0x4000, () => {
    throw 'a string';
  });
  assert.equal(r.dispatch(0x4000, new Uint8Array(0), CTX), DispatchStatus.HandlerError);
  assert.equal(r.counters.get('handler_error'), 1);
});

test('forwardUnknown: true forwards, false drops, a throw counts as handler_error; registered ids bypass it', () => {
  const forwarded: number[] = [];
  const r = new SubprotocolRegistry<Ctx>({
    forwardUnknown: (id, payload, ctx) => {
      assert.equal(ctx, CTX);
      if (id === 0x6666) throw new Error('relay broke');
      if (payload.length === 0) return false;
      forwarded.push(id);
      return true;
    },
  });
  r.register(0x5000, () => undefined);
  assert.equal(r.dispatch(0x5001, new Uint8Array(4), CTX), DispatchStatus.Forwarded);
  assert.equal(r.dispatch(0x5002, new Uint8Array(0), CTX), DispatchStatus.UnknownSubprotocol);
  assert.equal(r.dispatch(0x6666, new Uint8Array(4), CTX), DispatchStatus.HandlerError);
  assert.equal(r.dispatch(0x5000, new Uint8Array(4), CTX), DispatchStatus.Delivered);
  assert.deepEqual(forwarded, [0x5001]);
  assert.deepEqual(r.counters.snapshot(), { received: 4, delivered: 1, forwarded: 1, unknown_subprotocol: 1, handler_error: 1 });
});

test('fuzz: any id (including non-u16 numbers) dispatches without throwing and lands in exactly one counter', () => {
  const r = new SubprotocolRegistry<Ctx>();
  const hits = new Map<number, number>();
  const registered = [0x0400, 0x0b00, 0x0b01, 0x1100, 0x8000, 0xffff];
  for (const id of registered) r.register(id, () => hits.set(id, (hits.get(id) ?? 0) + 1));
  r.register(Subprotocol.IDENTITY_PROOF, () => {
    throw new Error('x');
  }, { allowReserved: true });
  const expected = { delivered: 0, unknown: 0, error: 0 };
  const idArb = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }),
    fc.constantFrom(...registered, Subprotocol.IDENTITY_PROOF),
    fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 0x10000, NaN, -Infinity)),
  );
  fc.assert(
    fc.property(idArb, fc.uint8Array({ maxLength: 32 }), (id, payload) => {
      const status = r.dispatch(id, payload, CTX);
      if (registered.includes(id)) {
        expected.delivered++;
        return status === DispatchStatus.Delivered;
      }
      if (id === Subprotocol.IDENTITY_PROOF) {
        expected.error++;
        return status === DispatchStatus.HandlerError;
      }
      expected.unknown++;
      return status === DispatchStatus.UnknownSubprotocol;
    }),
    fuzzParams(),
  );
  assert.ok(balanced(r), JSON.stringify(r.counters.snapshot()));
  assert.equal(r.counters.get('delivered'), expected.delivered);
  assert.equal(r.counters.get('unknown_subprotocol'), expected.unknown);
  assert.equal(r.counters.get('handler_error'), expected.error);
  assert.equal([...hits.values()].reduce((a, b) => a + b, 0), expected.delivered);
});

test('fuzz: random register/unregister sequences agree with a Map model', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0x0400, max: 0x0410 })), { maxLength: 60 }),
      (ops) => {
        const r = new SubprotocolRegistry<Ctx>();
        const model = new Map<number, SubprotocolRegistration>();
        for (const [add, id] of ops) {
          if (add) {
            if (model.has(id)) {
              assert.throws(() => r.register(id, () => undefined), InvalidArgumentError);
            } else {
              model.set(id, r.register(id, () => undefined));
            }
          } else {
            model.get(id)?.unregister();
            model.delete(id);
          }
        }
        assert.equal(r.size, model.size);
        assert.deepEqual(r.entries().map((e) => e.id), [...model.keys()].sort((a, b) => a - b));
        for (let id = 0x0400; id <= 0x0410; id++) {
          const want = model.has(id) ? DispatchStatus.Delivered : DispatchStatus.UnknownSubprotocol;
          if (r.dispatch(id, new Uint8Array(0), CTX) !== want) return false;
        }
        return balanced(r);
      },
    ),
    fuzzParams(500),
  );
});
