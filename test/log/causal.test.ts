// Causal chains: NET's 32-byte CausalLink and 24-byte EventMeta (goldens and decoder properties), chain
// verification (any changed link field or payload byte breaks it), fork resolution (deterministic and the same
// from both sides), origin stamps and ed25519-signed events.
//
// Golden fixtures: no reference vectors exist for these layouts (upstream-architecture.md §6.3). The byte strings
// were written by hand from ai-2070/net `state/causal.rs` (CausalLink: origin_hash ‖ horizon_encoded ‖ sequence ‖
// parent_hash, u64 LE each) and `cortex/meta.rs` (EventMeta: dispatch ‖ flags ‖ pad(2) ‖ origin_hash:u64 ‖
// seq_or_ts:u64 ‖ checksum:u32) at commit 51641125d. Hash values (parent hash, checksums) were computed with
// hash-wasm's xxh3, whose seed-0 values test/crypto/xxh3.test.ts checks against xxHash's own sanity table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, SeededRandom } from '../../src/core/index.js';
import { Identity, xxh3_64 } from '../../src/crypto/index.js';
import { CausalChainBuilder, decodeCausalLink, decodeEvent, decodeEventMeta, decodeSignedEvent, encodeCausalLink,
  encodeEvent, encodeEventMeta, eventMetaChecksumV1, genesisLink, originStamp, parentHashOf, resolveFork,
  signCausalEvent, verifyChain, verifySignedEvent, type CausalEvent, type CausalLink } from '../../src/log/index.js';
import { fuzzParams } from '../support/fuzz.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const te = new TextEncoder();

test('golden: CausalLink is four little-endian u64s in the reference order', () => {
  const link: CausalLink = { originHash: 0x1122_3344_5566_7788n, horizonEncoded: 0x0102_0304_0506_0708n, sequence: 1n, parentHash: 0xdead_beef_0000_0001n };
  assert.equal(hex(encodeCausalLink(link)), '8877665544332211' + '0807060504030201' + '0100000000000000' + '01000000efbeadde');
  assert.deepEqual(decodeCausalLink(encodeCausalLink(link)), link);
  // parent hash = xxh3_64(prev link bytes ‖ prev payload)
  const g = genesisLink(0x1122_3344_5566_7788n);
  const bytes = new Uint8Array([...encodeCausalLink(g), ...te.encode('abc')]);
  assert.equal(parentHashOf(g, te.encode('abc')), xxh3_64(bytes));
});

test('golden: EventMeta is dispatch ‖ flags ‖ zero pad ‖ origin ‖ seq_or_ts ‖ checksum over the zeroed header and tail', () => {
  const ev = encodeEvent({ dispatch: 0x80, flags: 1, originHash: 0x1122_3344_5566_7788n, seqOrTs: 42n }, te.encode('abc'));
  assert.equal(hex(ev.subarray(0, 20)), '80010000' + '8877665544332211' + '2a00000000000000');
  const zeroed = ev.slice();
  zeroed.fill(0, 20, 24);
  assert.equal(decodeEventMeta(ev).checksum, Number(xxh3_64(zeroed) & 0xffff_ffffn));
  assert.equal(decodeEvent(ev).checksumVersion, 2);
  // A legacy (v1) record: checksum = xxh3_64(tail) as u32, still accepted.
  const legacy = encodeEventMeta({ dispatch: 0x80, flags: 0, originHash: 1n, seqOrTs: 2n, checksum: eventMetaChecksumV1(te.encode('abc')) });
  assert.equal(decodeEvent(new Uint8Array([...legacy, ...te.encode('abc')])).checksumVersion, 1);
});

test('property: CausalLink and EventMeta round-trip; short input or a set pad is a DecodeError; no other throw', () => {
  const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
  fc.assert(fc.property(u64, u64, u64, u64, (originHash, horizonEncoded, sequence, parentHash) => {
    const l = { originHash, horizonEncoded, sequence, parentHash };
    assert.deepEqual(decodeCausalLink(encodeCausalLink(l)), l);
  }), fuzzParams());
  fc.assert(fc.property(fc.nat({ max: 255 }), fc.nat({ max: 255 }), u64, u64, fc.nat({ max: 0xffff_ffff }), (dispatch, flags, originHash, seqOrTs, checksum) => {
    const m = { dispatch, flags, originHash, seqOrTs, checksum };
    assert.deepEqual(decodeEventMeta(encodeEventMeta(m)), m);
  }), fuzzParams());
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
    for (const f of [() => decodeCausalLink(bytes), () => decodeEventMeta(bytes), () => decodeEvent(bytes), () => decodeSignedEvent(bytes)]) {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof DecodeError, String(e));
      }
    }
  }), fuzzParams());
});

test('property: any one flipped bit in a checksummed event (header or tail) is detected', () => {
  fc.assert(fc.property(fc.nat({ max: 255 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), (dispatch, seq, tail, bitSeed) => {
    const ev = encodeEvent({ dispatch, flags: 0, originHash: 7n, seqOrTs: seq }, tail);
    const bit = bitSeed % (ev.length * 8);
    if ((bit >> 3) === 2 || (bit >> 3) === 3) return; // the pad: refused by the decoder anyway
    const c = ev.slice();
    c[bit >> 3]! ^= 1 << (bit & 7);
    assert.throws(() => decodeEvent(c), DecodeError);
  }), fuzzParams());
});

function chain(origin: bigint, payloads: string[], builder = new CausalChainBuilder(origin)): CausalEvent[] {
  return payloads.map((p) => builder.append(te.encode(p)));
}

test('verifyChain accepts a built chain and names the first event whose origin, sequence or parent is wrong', () => {
  const events = chain(9n, ['a', 'b', 'c', 'd']);
  assert.deepEqual(verifyChain(events, { origin: 9n, startSeq: 1n }), { ok: true });
  const tamper = (i: number, f: (e: CausalEvent) => CausalEvent) => events.map((e, j) => (j === i ? f(e) : e));
  assert.deepEqual(verifyChain(tamper(2, (e) => ({ ...e, link: { ...e.link, originHash: 8n } }))), { ok: false, index: 2, fault: 'origin' });
  assert.deepEqual(verifyChain(tamper(2, (e) => ({ ...e, link: { ...e.link, sequence: 9n } }))), { ok: false, index: 2, fault: 'sequence' });
  assert.deepEqual(verifyChain(tamper(2, (e) => ({ ...e, link: { ...e.link, parentHash: 1n } }))), { ok: false, index: 2, fault: 'parent' });
  // A changed payload breaks the next link.
  assert.deepEqual(verifyChain(tamper(1, (e) => ({ ...e, payload: te.encode('B') }))), { ok: false, index: 2, fault: 'parent' });
  assert.deepEqual(verifyChain(events, { origin: 8n }), { ok: false, index: 0, fault: 'origin' });
  assert.deepEqual(verifyChain(events.slice(1), { startSeq: 1n }), { ok: false, index: 0, fault: 'sequence' });
});

test('resolveFork: catch-up, convergence, longest branch wins, invalid chains never win', () => {
  const base = new CausalChainBuilder(5n);
  const common = chain(5n, ['x'], base);
  const split = base.headLink;
  const branch = (ps: string[]) => chain(5n, ps, new CausalChainBuilder(5n, { link: split, payload: common[0]!.payload }));
  const a = branch(['a1', 'a2', 'a3']);
  const b = branch(['b1', 'b2']);
  assert.deepEqual(resolveFork(5n, 2n, a, a), { kind: 'converged' });
  assert.deepEqual(resolveFork(5n, 2n, a.slice(0, 1), a), { kind: 'catchup', behind: 'ours', missing: a.slice(1) });
  const f = resolveFork(5n, 2n, a, b);
  assert.equal(f.kind, 'fork');
  if (f.kind === 'fork') {
    assert.equal(f.winner, 'ours');
    assert.equal(f.record.forkSeq, 2n);
    assert.equal(f.record.losingEvents.length, 2);
  }
  const forged = b.map((e, i) => (i === 1 ? { ...e, link: { ...e.link, parentHash: 3n } } : e));
  assert.equal(resolveFork(5n, 2n, a.slice(0, 1), [...forged, ...forged]).kind, 'invalid');
  assert.equal(resolveFork(6n, 2n, a, b).kind, 'invalid', 'a chain of another origin');
});

test('property: equal-length forks resolve to the same branch from both sides', () => {
  const r = new SeededRandom(3);
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 6 }), { minLength: 1, maxLength: 4 }), fc.array(fc.uint8Array({ maxLength: 6 }), { minLength: 1, maxLength: 4 }), (pa, pb) => {
    const n = Math.min(pa.length, pb.length);
    const origin = BigInt(r.nextU32());
    const a = new CausalChainBuilder(origin);
    const b = new CausalChainBuilder(origin);
    const ea = pa.slice(0, n).map((p) => a.append(p));
    const eb = pb.slice(0, n).map((p) => b.append(p));
    const x = resolveFork(origin, 1n, ea, eb);
    const y = resolveFork(origin, 1n, eb, ea);
    if (x.kind !== 'fork' || y.kind !== 'fork') {
      assert.equal(x.kind, y.kind);
      return;
    }
    assert.notEqual(x.winner, y.winner, 'the same branch wins from both sides');
    assert.deepEqual(x.record.losingEvents.length, y.record.losingEvents.length);
  }), fuzzParams(2000));
});

test('signed events: verify under the origin key; another key, another origin or one changed byte fails', () => {
  const id = Identity.fromSeed(new Uint8Array(32).fill(1));
  const other = Identity.fromSeed(new Uint8Array(32).fill(2));
  const stamp = originStamp(id.publicKey);
  assert.equal(stamp.originHash, id.originHash);
  assert.equal(stamp.nodeId, id.nodeId);
  const events = chain(id.originHash, ['one', 'two']);
  const signed = signCausalEvent(id, events[1]!);
  assert.deepEqual(verifySignedEvent(signed, stamp), events[1]);
  assert.equal(verifySignedEvent(signed, originStamp(other.publicKey)), undefined);
  assert.throws(() => signCausalEvent(other, events[1]!), DecodeError, 'a key cannot sign into another origin\'s chain');
  for (let i = 0; i < signed.length; i++) {
    const c = signed.slice();
    c[i]! ^= 0x40;
    assert.equal(verifySignedEvent(c, stamp), undefined, `byte ${i}`);
  }
  assert.equal(verifySignedEvent(signed.subarray(0, 50), stamp), undefined);
});
