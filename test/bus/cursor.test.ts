// Composite cursors: round trip, cross-backend refusal, and arbitrary strings give typed errors only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CursorBackendError, decodeCursor, encodeCursor } from '../../src/bus/index.js';
import { DecodeError } from '../../src/core/index.js';
import { fuzzParams } from '../support/fuzz.js';

const id = fc.oneof(fc.nat().map(String), fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a}-${b}`));
const positions = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 65535 }), id), { selector: (p) => p[0], maxLength: 20 });

test('cursor round-trips and is opaque base64url', () => {
  fc.assert(
    fc.property(fc.constantFrom('memory', 'redis', 'jetstream'), positions, (backend, pos) => {
      const c = encodeCursor(backend, new Map(pos));
      assert.match(c, /^[A-Za-z0-9_-]+$/);
      const d = decodeCursor(c, backend);
      assert.equal(d.backend, backend);
      assert.deepEqual([...d.positions].sort((a, b) => a[0] - b[0]), [...pos].sort((a, b) => a[0] - b[0]));
    }),
    fuzzParams(),
  );
});

test('a cursor from another backend is refused with CursorBackendError', () => {
  const c = encodeCursor('redis', new Map([[0, '1700-0']]));
  assert.throws(() => decodeCursor(c, 'jetstream'), (e: unknown) => e instanceof CursorBackendError && e.code === 'ERR_CURSOR_BACKEND');
});

test('arbitrary strings decode or fail with a DecodeError, never anything else', () => {
  const text = fc.oneof(
    fc.string(),
    fc.string().map((s) => Buffer.from(s).toString('base64url')),
    fc.string().map((s) => Buffer.from(`nmc1|redis|${s}`).toString('base64url')),
  );
  fc.assert(
    fc.property(text, (s) => {
      try {
        const d = decodeCursor(s);
        assert.equal(encodeCursor(d.backend, d.positions).length > 0, true);
      } catch (e) {
        assert.ok(e instanceof DecodeError, String(e));
      }
    }),
    fuzzParams(),
  );
});
