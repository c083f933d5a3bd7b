// Stream control codecs (subprotocols 0x0B00..0x0B03) and the fragment prefix: hand-computed bytes, exact
// lengths, the strict SACK range rules, and fast-check round trips plus "any bytes → a status, never a throw".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, ErrorCode, InvalidArgumentError } from '../../src/core/index.js';
import {
  FRAGMENT_PREFIX_BYTES, FragmentPrefix, MAX_ACK_RANGES, STREAM_ACK_MAX_BYTES, STREAM_NACK_BYTES, STREAM_RESET_BYTES,
  STREAM_WINDOW_BYTES, StreamAckRanges, StreamNack, StreamReset, StreamWindow, WireStatus, decodeFragmentPrefixInto,
  decodeStreamAckRanges, decodeStreamAckRangesInto, decodeStreamNack, decodeStreamNackInto, decodeStreamReset,
  decodeStreamResetInto, decodeStreamWindow, decodeStreamWindowInto, encodeFragmentPrefixInto, encodeStreamAckRanges,
  encodeStreamAckRangesInto, encodeStreamNack, encodeStreamNackInto, encodeStreamReset, encodeStreamResetInto,
  encodeStreamWindow, encodeStreamWindowInto,
} from '../../src/wire/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { U64_EDGES, assertPrefixesShort, assertStatus, decoderInputArb, hex, u64Arb } from './harness.js';

test('stream window: the reference test vector layout, exact length, u64 edges', () => {
  const w = StreamWindow.from(0xdead_beef_cafe_f00dn, 0x0102_0304_0506_0708n, 0x1122_3344_5566_7788n);
  const bytes = encodeStreamWindow(w);
  assert.deepEqual(bytes, hex('0df0fecaefbeadde 0807060504030201 8877665544332211'));
  assert.deepEqual(decodeStreamWindow(bytes), w);
  const out = new StreamWindow();
  assertPrefixesShort(bytes, (b, n) => decodeStreamWindowInto(b, 0, n, out));
  assert.throws(() => decodeStreamWindow(new Uint8Array(STREAM_WINDOW_BYTES + 1)), (e) => e instanceof DecodeError && e.code === ErrorCode.DecodeLong);
  for (const v of U64_EDGES) assert.deepEqual(decodeStreamWindow(encodeStreamWindow(StreamWindow.from(v, v, v))), StreamWindow.from(v, v, v));
  assert.equal(encodeStreamWindowInto(Object.assign(new StreamWindow(), { ackHi: -1 }), new Uint8Array(24), 0), WireStatus.VALUE);
  assert.equal(encodeStreamWindowInto(w, new Uint8Array(23), 0), WireStatus.SHORT);
  assert.throws(() => encodeStreamWindow(Object.assign(new StreamWindow(), { consumedLo: 2 ** 32 })), InvalidArgumentError);
});

test('stream nack and reset: layouts, exact lengths', () => {
  const n = StreamNack.from(0xabcdn, 7n, 0b1010n);
  const nb = encodeStreamNack(n);
  assert.deepEqual(nb, hex('cdab000000000000 0700000000000000 0a00000000000000'));
  assert.deepEqual(decodeStreamNack(nb), n);
  assert.equal(n.isMissingAfter(1), true);
  assert.equal(n.isMissingAfter(0), false);
  assert.equal(n.isMissingAfter(64), false);
  assert.equal(StreamNack.from(0n, 0n, 2n ** 63n).isMissingAfter(63), true);
  const outN = new StreamNack();
  assertPrefixesShort(nb, (b, len) => decodeStreamNackInto(b, 0, len, outN));
  assert.equal(decodeStreamNackInto(new Uint8Array(STREAM_NACK_BYTES + 1), 0, STREAM_NACK_BYTES + 1, outN), WireStatus.LONG);
  assert.equal(encodeStreamNackInto(Object.assign(new StreamNack(), { nextLo: 1.5 }), new Uint8Array(24), 0), WireStatus.VALUE);
  assert.throws(() => encodeStreamNack(Object.assign(new StreamNack(), { streamHi: -1 })), InvalidArgumentError);

  const r = StreamReset.from(0x2000_0000_0000_0001n);
  const rb = encodeStreamReset(r);
  assert.deepEqual(rb, hex('0100000000000020'));
  assert.deepEqual(decodeStreamReset(rb), r);
  const outR = new StreamReset();
  assertPrefixesShort(rb, (b, len) => decodeStreamResetInto(b, 0, len, outR));
  assert.equal(decodeStreamResetInto(new Uint8Array(9), 0, 9, outR), WireStatus.LONG);
  assert.equal(encodeStreamResetInto(Object.assign(new StreamReset(), { streamLo: -1 }), new Uint8Array(8), 0), WireStatus.VALUE);
  assert.throws(() => decodeStreamReset(new Uint8Array(STREAM_RESET_BYTES - 1)), DecodeError);
});

test('stream ack ranges: layout and the strict range rules', () => {
  const m = StreamAckRanges.from(5n, 10n, [[20n, 25n], [12n, 15n]]);
  const b = encodeStreamAckRanges(m);
  assert.deepEqual(b, hex('0500000000000000 0a00000000000000 1400000000000000 1900000000000000 0c00000000000000 0f00000000000000'));
  assert.deepEqual(decodeStreamAckRanges(b).ranges, [[20n, 25n], [12n, 15n]]);
  const out = new StreamAckRanges();
  const status = (ranges: [bigint, bigint][], ack = 10n): number => {
    const bytes = new Uint8Array(16 + 16 * ranges.length);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(8, ack, true);
    ranges.forEach(([s, e], i) => { v.setBigUint64(16 + 16 * i, s, true); v.setBigUint64(24 + 16 * i, e, true); });
    return decodeStreamAckRangesInto(bytes, 0, bytes.length, out);
  };
  assert.equal(status([]), WireStatus.SHORT, 'a rangeless message is refused');
  assert.equal(status([[11n, 12n]]), WireStatus.OK);
  assert.equal(status([[10n, 12n]]), WireStatus.VALUE, 'start must be strictly above ack_seq');
  assert.equal(status([[12n, 12n]]), WireStatus.VALUE, 'empty');
  assert.equal(status([[13n, 12n]]), WireStatus.VALUE, 'inverted');
  assert.equal(status([[12n, 15n], [20n, 25n]]), WireStatus.VALUE, 'ascending');
  assert.equal(status([[20n, 25n], [12n, 20n]]), WireStatus.VALUE, 'adjacent: not merged');
  assert.equal(status([[20n, 25n], [12n, 19n]]), WireStatus.OK);
  assert.equal(status([[2n ** 64n - 2n, 2n ** 64n - 1n]], 2n ** 63n), WireStatus.OK);
  const many: [bigint, bigint][] = [];
  for (let i = MAX_ACK_RANGES; i >= 0; i--) many.push([100n + 3n * BigInt(i), 101n + 3n * BigInt(i)]);
  assert.equal(status(many), WireStatus.LIMIT);
  assert.equal(status(many.slice(1)), WireStatus.OK);
  assert.equal(decodeStreamAckRangesInto(new Uint8Array(40), 0, 40, out), WireStatus.LENGTH);
  assertPrefixesShort(b.subarray(0, 32), (x, len) => decodeStreamAckRangesInto(x, 0, len, out));
  assert.equal(encodeStreamAckRangesInto(new StreamAckRanges(), new Uint8Array(300), 0), -WireStatus.LIMIT);
  assert.equal(encodeStreamAckRangesInto(m, new Uint8Array(47), 0), -WireStatus.SHORT);
  assert.throws(() => encodeStreamAckRanges(StreamAckRanges.from(1n, 10n, [[5n, 6n]])), InvalidArgumentError);
  assert.throws(() => StreamAckRanges.from(1n, 1n, many), InvalidArgumentError);
  const safe = new StreamAckRanges();
  safe.count = 1;
  safe.setRange(0, 2 ** 40, 2 ** 40 + 3);
  assert.deepEqual(decodeStreamAckRanges(encodeStreamAckRanges(safe)).ranges, [[2n ** 40n, 2n ** 40n + 3n]]);
  assert.equal(decodeStreamAckRanges(b.slice()).byteLength, b.length);
  assert.ok(STREAM_ACK_MAX_BYTES === 272);
});

test('fragment prefix: bounds', () => {
  const buf = new Uint8Array(20);
  assert.equal(encodeFragmentPrefixInto(100, 90, buf, 0), WireStatus.OK);
  const out = new FragmentPrefix();
  assert.equal(decodeFragmentPrefixInto(buf, 0, 18, out), WireStatus.OK);
  assert.deepEqual({ ...out }, { totalLen: 100, byteOffset: 90, chunkOffset: 8, chunkLength: 10 });
  assert.equal(decodeFragmentPrefixInto(buf, 0, 19, out), WireStatus.VALUE, 'runs past total_len');
  assert.equal(decodeFragmentPrefixInto(buf, 0, FRAGMENT_PREFIX_BYTES, out), WireStatus.VALUE, 'empty chunk');
  assert.equal(decodeFragmentPrefixInto(buf, 0, 7, out), WireStatus.SHORT);
  assert.equal(decodeFragmentPrefixInto(buf, 15, 8, out), WireStatus.SHORT);
  assert.equal(encodeFragmentPrefixInto(-1, 0, buf, 0), WireStatus.VALUE);
  assert.equal(encodeFragmentPrefixInto(1, 0, buf, 13), WireStatus.SHORT);
});

test('stream control codecs: property round trips, any bytes give a status', () => {
  const win = fc.tuple(u64Arb(), u64Arb(), u64Arb()).map(([a, b, c]) => StreamWindow.from(a, b, c));
  const nack = fc.tuple(u64Arb(), u64Arb(), u64Arb()).map(([a, b, c]) => StreamNack.from(a, b, c));
  const reset = u64Arb().map((a) => StreamReset.from(a));
  const sack = fc.tuple(u64Arb(), fc.bigInt({ min: 0n, max: 2n ** 63n }), fc.array(fc.bigInt({ min: 1n, max: 2n ** 20n }), { minLength: 2, maxLength: 2 * MAX_ACK_RANGES }))
    .map(([id, ack, steps]) => {
      // ascending cut points above ack, paired into ranges with gaps, then newest first
      const cuts: bigint[] = [];
      let at = ack;
      for (const s of steps) cuts.push((at += s));
      const ranges: [bigint, bigint][] = [];
      for (let i = 0; i + 1 < cuts.length; i += 2) ranges.push([cuts[i]!, cuts[i + 1]!]);
      return StreamAckRanges.from(id, ack, ranges.reverse());
    });
  const wOut = new StreamWindow();
  const nOut = new StreamNack();
  const rOut = new StreamReset();
  const sOut = new StreamAckRanges();
  fc.assert(fc.property(win, nack, reset, sack, (w, n, r, s) => {
    assert.deepEqual(decodeStreamWindow(encodeStreamWindow(w)), w);
    assert.deepEqual(decodeStreamNack(encodeStreamNack(n)), n);
    assert.deepEqual(decodeStreamReset(encodeStreamReset(r)), r);
    const back = decodeStreamAckRanges(encodeStreamAckRanges(s));
    assert.deepEqual([back.streamId, back.ackSeq, back.ranges], [s.streamId, s.ackSeq, s.ranges]);
  }), fuzzParams(2000));
  const checks: [fc.Arbitrary<Uint8Array>, (b: Uint8Array) => number, (b: Uint8Array) => Uint8Array][] = [
    [win.map(encodeStreamWindow), (b) => decodeStreamWindowInto(b, 0, b.length, wOut), () => encodeStreamWindow(wOut)],
    [nack.map(encodeStreamNack), (b) => decodeStreamNackInto(b, 0, b.length, nOut), () => encodeStreamNack(nOut)],
    [reset.map(encodeStreamReset), (b) => decodeStreamResetInto(b, 0, b.length, rOut), () => encodeStreamReset(rOut)],
    [sack.map(encodeStreamAckRanges), (b) => decodeStreamAckRangesInto(b, 0, b.length, sOut), () => encodeStreamAckRanges(sOut)],
  ];
  for (const [valid, decode, reencode] of checks) {
    fc.assert(fc.property(decoderInputArb(valid, 300), (b) => {
      const st = decode(b);
      assertStatus(st);
      if (st === WireStatus.OK) assert.deepEqual(reencode(b), b);
    }), fuzzParams(3000));
  }
  const fOut = new FragmentPrefix();
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
    const st = decodeFragmentPrefixInto(b, 0, b.length, fOut);
    assertStatus(st);
    if (st === WireStatus.OK) assert.ok(fOut.byteOffset + fOut.chunkLength <= fOut.totalLen && fOut.chunkLength > 0);
  }), fuzzParams(3000));
});
