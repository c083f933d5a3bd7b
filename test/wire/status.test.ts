import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodeError, ErrorCode } from '../../src/core/index.js';
import { WIRE_STATUS_COUNT, WireStatus, throwIfNotOk, wireError, wireStatusCode, wireStatusName } from '../../src/wire/index.js';

test('statuses are 0..N-1 with names and error codes', () => {
  const values = Object.values(WireStatus).sort((a, b) => a - b);
  assert.deepEqual(values, [...Array(WIRE_STATUS_COUNT).keys()]);
  for (const [name, v] of Object.entries(WireStatus)) assert.equal(wireStatusName(v), name);
  assert.equal(wireStatusCode(WireStatus.OK), null);
  const want: Record<string, string> = {
    SHORT: ErrorCode.DecodeShort, LONG: ErrorCode.DecodeLong, BAD_MAGIC: ErrorCode.DecodeBadMagic,
    BAD_VERSION: ErrorCode.DecodeBadVersion, LENGTH: ErrorCode.DecodeLength, LIMIT: ErrorCode.DecodeLimit,
    RESERVED: ErrorCode.DecodeReserved, VALUE: ErrorCode.DecodeValue, COUNT: ErrorCode.DecodeLength,
    EXPIRED: ErrorCode.DecodeLimit, HOPS: ErrorCode.DecodeLimit,
  };
  for (const [name, code] of Object.entries(want)) assert.equal(wireStatusCode(WireStatus[name as keyof typeof WireStatus]), code);
  assert.equal(wireStatusName(99 as WireStatus), 'UNKNOWN(99)');
  assert.equal(wireStatusCode(99 as WireStatus), ErrorCode.DecodeValue);
});

test('wireError and throwIfNotOk', () => {
  const e = wireError(WireStatus.LONG, 'thing');
  assert.ok(e instanceof DecodeError);
  assert.equal(e.code, ErrorCode.DecodeLong);
  assert.match(e.message, /thing: LONG/);
  assert.doesNotThrow(() => throwIfNotOk(WireStatus.OK, 'x'));
  assert.throws(() => throwIfNotOk(WireStatus.RESERVED, 'x'), (err) => err instanceof DecodeError && err.code === ErrorCode.DecodeReserved);
});
