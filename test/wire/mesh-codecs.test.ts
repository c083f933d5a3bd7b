// The mesh plane's two codecs: the 72-byte pingwave (and its batch payload) and the 16-byte route withdrawal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, ErrorCode } from '../../src/core/index.js';
import {
  PINGWAVE_BYTES, PINGWAVE_LAYOUT, Pingwave, ROUTE_WITHDRAWAL_BYTES, ROUTE_WITHDRAWAL_LAYOUT, RouteWithdrawal,
  WireStatus, decodePingwave, decodePingwaveInto, decodeRouteWithdrawal, decodeRouteWithdrawalInto, encodePingwave,
  encodePingwaveInto, encodeRouteWithdrawal, fieldOffset, layoutBytes, pingwaveBatchCount,
} from '../../src/wire/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { U64_EDGES, assertPrefixesShort, assertStatus, changedOffsets, decoderInputArb, hex, u32, u64Arb, u8 } from './harness.js';

function fullPingwave(): Pingwave {
  const p = Pingwave.from({ origin: 0x0102_0304_0506_0708n, seq: 0x1112_1314_1516_1718n, ttl: 16, hopCount: 3, timestampUs: 0x2122_2324_2526_2728n });
  Object.assign(p, { capabilityHashLo: 0x3334_3536, capabilityHashHi: 0x3132_3334, capabilityVersion: 0x4142_4344, loadLevel: 0x51,
    health: 0x52, gpu: 0x61, modelSlots: 0x62, memoryTier: 0x63, toolsBitmap: 0x64, capabilityFlags: 0x7172_7374 });
  return p;
}

test('pingwave: hand-computed bytes, every field where the layout says', () => {
  const bytes = encodePingwave(fullPingwave());
  assert.equal(bytes.length, PINGWAVE_BYTES);
  assert.equal(layoutBytes(PINGWAVE_LAYOUT), PINGWAVE_BYTES);
  assert.deepEqual(bytes, hex(
    '0807060504030201' + '00'.repeat(24) + '1817161514131211' + '10' + '03' + '2827262524232221' + '3635343334333231' +
    '44434241' + '51' + '52' + '61626364' + '74737271'));
  assert.deepEqual(decodePingwave(bytes), fullPingwave());
  const base = encodePingwave(new Pingwave());
  const set: Record<string, (p: Pingwave) => void> = {
    origin_graph_id: (p) => { p.originHi = 1; }, seq: (p) => { p.seqHi = 1; }, ttl: (p) => { p.ttl = 1; },
    hop_count: (p) => { p.hopCount = 1; }, origin_timestamp_us: (p) => { p.timestampHi = 1; },
    capability_hash: (p) => { p.capabilityHashLo = 1; }, capability_version: (p) => { p.capabilityVersion = 1; },
    load_level: (p) => { p.loadLevel = 1; }, health: (p) => { p.health = 1; }, primary_caps: (p) => { p.capabilityFlags = 1; },
  };
  for (const f of PINGWAVE_LAYOUT) {
    const p = new Pingwave();
    set[f.field]!(p);
    for (const i of changedOffsets(encodePingwave(p), base)) {
      assert.ok(i >= fieldOffset(PINGWAVE_LAYOUT, f.field) && i < f.offset + f.size!, `${f.field}: byte ${i}`);
    }
  }
});

test('pingwave: prefixes are SHORT, a non-zero graph id tail is RESERVED, bad fields are VALUE', () => {
  const bytes = encodePingwave(fullPingwave());
  const out = new Pingwave();
  assertPrefixesShort(bytes, (b, n) => (n < b.length ? decodePingwaveInto(b.subarray(0, n), 0, out) : decodePingwaveInto(b, 0, out)));
  for (let i = 8; i < 32; i++) {
    const bad = bytes.slice();
    bad[i] = 1;
    assert.equal(decodePingwaveInto(bad, 0, out), WireStatus.RESERVED, `graph id byte ${i}`);
  }
  assert.throws(() => decodePingwave(new Uint8Array(PINGWAVE_BYTES + 1)), (e) => e instanceof DecodeError && e.code === ErrorCode.DecodeLong);
  for (const bad of [{ ttl: 256 }, { hopCount: -1 }, { seqLo: 2 ** 32 }, { capabilityFlags: 1.5 }]) {
    assert.equal(encodePingwaveInto(Object.assign(new Pingwave(), bad), new Uint8Array(72), 0), WireStatus.VALUE);
  }
  assert.equal(encodePingwaveInto(new Pingwave(), new Uint8Array(71), 0), WireStatus.SHORT);
  for (const v of U64_EDGES) assert.equal(decodePingwave(encodePingwave(Pingwave.from({ origin: v, seq: v, ttl: 0 }))).seq, v);
});

test('pingwave batch: a non-zero multiple of 72 bytes, at most maxRecords', () => {
  assert.equal(pingwaveBatchCount(72, 4), 1);
  assert.equal(pingwaveBatchCount(288, 4), 4);
  assert.equal(pingwaveBatchCount(360, 4), -WireStatus.LIMIT);
  assert.equal(pingwaveBatchCount(0, 4), -WireStatus.LENGTH);
  assert.equal(pingwaveBatchCount(73, 4), -WireStatus.LENGTH);
});

const pingwaveArb = fc.record({ origin: u64Arb(), seq: u64Arb(), ttl: u8(), hopCount: u8(), timestampUs: u64Arb(), v: u32(), f: u32() })
  .map((r) => Object.assign(Pingwave.from(r), { capabilityVersion: r.v, capabilityFlags: r.f }));

test('pingwave: property — encode/decode round-trips; any input decodes to a known status', () => {
  fc.assert(fc.property(pingwaveArb, (p) => {
    assert.deepEqual(decodePingwave(encodePingwave(p)), p);
  }), fuzzParams(2000));
  const out = new Pingwave();
  fc.assert(fc.property(decoderInputArb(pingwaveArb.map(encodePingwave)), fc.nat({ max: 80 }), (bytes, offset) => {
    const s = decodePingwaveInto(bytes, offset, out);
    assertStatus(s);
    if (s === WireStatus.OK) assert.deepEqual(encodePingwave(out), bytes.subarray(offset, offset + PINGWAVE_BYTES));
  }), fuzzParams());
});

test('route withdrawal: bytes, exact length, property', () => {
  assert.deepEqual(ROUTE_WITHDRAWAL_LAYOUT.map((f) => f.field), ['dest', 'seq']);
  const bytes = encodeRouteWithdrawal(RouteWithdrawal.from(0x0102_0304_0506_0708n, 9n));
  assert.deepEqual(bytes, hex('0807060504030201 0900000000000000'));
  const out = new RouteWithdrawal();
  assertPrefixesShort(bytes, (b, n) => decodeRouteWithdrawalInto(b, 0, n, out));
  assert.equal(decodeRouteWithdrawalInto(new Uint8Array(ROUTE_WITHDRAWAL_BYTES + 1), 0, ROUTE_WITHDRAWAL_BYTES + 1, out), WireStatus.LONG);
  fc.assert(fc.property(u64Arb(), u64Arb(), (d, s) => {
    const w = decodeRouteWithdrawal(encodeRouteWithdrawal(RouteWithdrawal.from(d, s)));
    assert.equal(w.dest, d);
    assert.equal(w.seq, s);
  }), fuzzParams(2000));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
    const s = decodeRouteWithdrawalInto(b, 0, b.length, out);
    assertStatus(s);
    assert.equal(s === WireStatus.OK, b.length === ROUTE_WITHDRAWAL_BYTES);
  }), fuzzParams());
});
