import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { CryptoError, DecodeError, ErrorCode, SeededRandom, readU16LE, readU32LE, writeU32LE } from '../../src/core/index.js';
import {
  PacketOpener, PacketSealer, PacketStatus, MIN_PACKET_BYTES, deriveSessionKeys, packetStatusError, type SessionKeys,
} from '../../src/crypto/index.js';
import { FUZZ_SEED, fuzzRuns } from '../support/fuzz.js';

const LIMIT = 2 ** 53;

function session(seed: number): { ini: SessionKeys; res: SessionKeys } {
  const h = new Uint8Array(32);
  new SeededRandom(seed).fill(h);
  return { ini: deriveSessionKeys(h, 'initiator'), res: deriveSessionKeys(h, 'responder') };
}

/** A header with every field non-zero (magic 0x4E45, version 1, session id from the keys), then the payload. */
function packet(keys: SessionKeys, payload: Uint8Array, headerOffset = 0, slack = 0): Uint8Array {
  const buf = new Uint8Array(headerOffset + 68 + payload.length + 16 + slack);
  for (let i = 0; i < 68; i++) buf[headerOffset + i] = (i * 37 + 11) & 0xff;
  buf[headerOffset] = 0x45;
  buf[headerOffset + 1] = 0x4e;
  buf[headerOffset + 2] = 1;
  writeU32LE(buf, headerOffset + 24, keys.sessionIdLo);
  writeU32LE(buf, headerOffset + 28, keys.sessionIdHi);
  buf.set(payload, headerOffset + 68);
  return buf;
}

function counterOf(pkt: Uint8Array, off = 0): number {
  return readU32LE(pkt, off + 20) * 2 ** 32 + readU32LE(pkt, off + 16);
}

/** The AAD rebuilt independently from upstream §5.2: header minus nonce (12..24), hop_count (6) zeroed. */
function referenceAad(pkt: Uint8Array, off = 0): Uint8Array {
  const aad = new Uint8Array(56);
  aad.set(pkt.subarray(off, off + 12), 0);
  aad[6] = 0;
  aad.set(pkt.subarray(off + 24, off + 68), 12);
  return aad;
}

const payload = Uint8Array.from({ length: 100 }, (_, i) => i ^ 0x5a);

test('seal / open round trip, direct and behind an 18-byte routing header', () => {
  const { ini, res } = session(1);
  const sealer = new PacketSealer(ini);
  const opener = new PacketOpener(res);
  for (const off of [0, 18]) {
    const pkt = packet(ini, payload, off);
    assert.equal(sealer.seal(pkt, off, payload.length), PacketStatus.Ok);
    assert.equal(readU32LE(pkt, off + 12), ini.noncePrefix, 'nonce prefix');
    assert.equal(readU16LE(pkt, off + 64), payload.length, 'payload_len');
    assert.notDeepEqual(pkt.subarray(off + 68, off + 168), payload);
    assert.equal(opener.open(pkt, off, pkt.length - off), PacketStatus.Ok);
    assert.deepEqual(pkt.subarray(off + 68, off + 168), payload);
    assert.equal(opener.lastCounter, counterOf(pkt, off));
  }
  assert.equal(sealer.nextCounter, 2);
  assert.equal(opener.highestCounter, 1);
});

test('the sealed bytes match an independent @noble ChaCha20-Poly1305 with the upstream nonce and AAD', () => {
  const { ini } = session(2);
  const sealer = new PacketSealer(ini, { firstCounter: 0x1_2345_6789 });
  const pkt = packet(ini, payload);
  sealer.seal(pkt, 0, payload.length);
  const nonce = new Uint8Array(12);
  writeU32LE(nonce, 0, (ini.sessionIdLo ^ ini.sessionIdHi) >>> 0);
  writeU32LE(nonce, 4, 0x2345_6789);
  writeU32LE(nonce, 8, 1);
  assert.deepEqual(pkt.subarray(12, 24), nonce);
  const expected = chacha20poly1305(ini.txKey, nonce, referenceAad(pkt)).encrypt(payload);
  assert.deepEqual(pkt.subarray(68), expected);
});

test('84-byte heartbeat (empty payload) round trip', () => {
  const { ini, res } = session(3);
  const sealer = new PacketSealer(res);
  const opener = new PacketOpener(ini);
  const hb = packet(res, new Uint8Array(0));
  assert.equal(hb.length, MIN_PACKET_BYTES);
  assert.equal(MIN_PACKET_BYTES, 84);
  assert.equal(sealer.seal(hb, 0, 0), PacketStatus.Ok);
  assert.equal(opener.open(hb, 0, 84), PacketStatus.Ok);
  hb[70]! ^= 1;
  assert.equal(new PacketOpener(ini).open(hb, 0, 84), PacketStatus.AuthFailed, 'tampered heartbeat tag');
});

test('tampering: every header byte but the nonce prefix and hop_count, every counter, ciphertext and tag byte (R9)', () => {
  const { ini, res } = session(4);
  const sealer = new PacketSealer(ini);
  const opener = new PacketOpener(res);
  const len = 68 + 20 + 16;
  for (let i = 0; i < len; i++) {
    for (const mask of [0x01, 0x80]) {
      const pkt = packet(ini, payload.subarray(0, 20));
      assert.equal(sealer.seal(pkt, 0, 20), PacketStatus.Ok);
      const n = counterOf(pkt);
      const before = opener.highestCounter;
      pkt[i]! ^= mask;
      const status = opener.open(pkt, 0, len);
      const ignored = i === 6 || (i >= 12 && i < 16);
      if (ignored) {
        assert.equal(status, PacketStatus.Ok, `byte ${i} is not authenticated and must not matter`);
        assert.deepEqual(pkt.subarray(68, 88), payload.subarray(0, 20));
        assert.equal(opener.highestCounter, n);
      } else {
        assert.notEqual(status, PacketStatus.Ok, `byte ${i} ^ ${mask} must fail`);
        if (i === 64 || i === 65) assert.equal(status, PacketStatus.Length);
        else if (i >= 16 && i < 24) assert.ok(([PacketStatus.AuthFailed, PacketStatus.CounterLimit] as number[]).includes(status));
        else assert.equal(status, PacketStatus.AuthFailed, `byte ${i}`);
        assert.equal(opener.highestCounter, before, 'a failed open never moves the window');
      }
    }
  }
});

test('the wire nonce prefix is never trusted: the opener uses its own session prefix', () => {
  const { ini, res } = session(5);
  const pkt = packet(ini, payload);
  new PacketSealer(ini).seal(pkt, 0, payload.length);
  const other = { rxKey: res.rxKey, noncePrefix: (res.noncePrefix ^ 1) >>> 0 };
  assert.equal(new PacketOpener(other).open(pkt.slice(), 0, pkt.length), PacketStatus.AuthFailed);
  assert.equal(new PacketOpener(res).open(pkt, 0, pkt.length), PacketStatus.Ok);
});

test('a replayed packet is refused with REPLAY and leaves the window unchanged (R4)', () => {
  const { ini, res } = session(6);
  const sealer = new PacketSealer(ini);
  const opener = new PacketOpener(res);
  const pkts = [0, 1, 2].map(() => {
    const p = packet(ini, payload);
    sealer.seal(p, 0, payload.length);
    return p;
  });
  const copies = pkts.map((p) => p.slice());
  assert.equal(opener.open(pkts[2]!, 0, pkts[2]!.length), PacketStatus.Ok);
  assert.equal(opener.open(pkts[0]!, 0, pkts[0]!.length), PacketStatus.Ok, 'reordered within the window');
  for (const i of [0, 2]) {
    const again = copies[i]!.slice();
    assert.equal(opener.open(again, 0, again.length), PacketStatus.Replay);
    assert.deepEqual(again, copies[i], 'a refused packet is left untouched');
  }
  assert.equal(opener.highestCounter, 2);
  assert.equal(opener.lastCounter, 0);
  assert.equal(opener.open(pkts[1]!, 0, pkts[1]!.length), PacketStatus.Ok);
});

test('a forged packet with counter 2^53 - 1 does not advance the window (R5)', () => {
  const { ini, res } = session(7);
  const sealer = new PacketSealer(ini);
  const opener = new PacketOpener(res);
  const forged = packet(ini, payload);
  forged[64] = payload.length;
  forged[65] = 0;
  writeU32LE(forged, 16, 0xffff_ffff);
  writeU32LE(forged, 20, 0x1f_ffff);
  assert.equal(counterOf(forged), LIMIT - 1);
  assert.equal(opener.open(forged, 0, forged.length), PacketStatus.AuthFailed);
  assert.equal(opener.highestCounter, 0);
  for (let i = 0; i < 5; i++) {
    const p = packet(ini, payload);
    sealer.seal(p, 0, payload.length);
    assert.equal(opener.open(p, 0, p.length), PacketStatus.Ok);
  }
});

test('counters at or above 2^53 are refused on both sides', () => {
  const { ini, res } = session(8);
  const sealer = new PacketSealer(ini, { firstCounter: LIMIT - 2 });
  const opener = new PacketOpener(res);
  for (const expected of [LIMIT - 2, LIMIT - 1]) {
    const p = packet(ini, payload);
    assert.equal(sealer.seal(p, 0, payload.length), PacketStatus.Ok);
    assert.equal(counterOf(p), expected);
    assert.equal(opener.open(p, 0, p.length), PacketStatus.Ok);
  }
  assert.ok(sealer.exhausted);
  const p = packet(ini, payload);
  const before = p.slice();
  assert.equal(sealer.seal(p, 0, payload.length), PacketStatus.CounterLimit);
  assert.deepEqual(p, before, 'nothing written');
  assert.equal(sealer.nextCounter, LIMIT);
  for (const hi of [0x20_0000, 0x7fff_ffff, 0xffff_ffff]) {
    const q = packet(ini, payload);
    q[64] = payload.length;
    q[65] = 0;
    writeU32LE(q, 20, hi);
    assert.equal(opener.open(q, 0, q.length), PacketStatus.CounterLimit);
  }
  const err = packetStatusError(PacketStatus.CounterLimit);
  assert.ok(err instanceof CryptoError && err.code === ErrorCode.CounterExhausted);
  assert.throws(() => new PacketSealer(ini, { firstCounter: -1 }));
});

test('needsRekey turns true at the configured threshold', () => {
  const { ini } = session(9);
  const sealer = new PacketSealer(ini, { rekeyAfterPackets: 3 });
  for (let i = 0; i < 3; i++) {
    assert.ok(!sealer.needsRekey);
    sealer.seal(packet(ini, payload), 0, payload.length);
  }
  assert.ok(sealer.needsRekey);
  assert.ok(!new PacketSealer(ini).needsRekey);
});

test('SHORT and LENGTH statuses; sizes are checked before anything is touched', () => {
  const { ini, res } = session(10);
  const sealer = new PacketSealer(ini);
  const opener = new PacketOpener(res);
  const small = packet(ini, payload);
  assert.equal(sealer.seal(small, 0, payload.length + 1), PacketStatus.Short);
  assert.equal(sealer.seal(small, 1, payload.length), PacketStatus.Short);
  assert.equal(sealer.seal(small, 0, 70_000), PacketStatus.Length);
  assert.equal(sealer.seal(small, 0, -1), PacketStatus.Length);
  assert.equal(sealer.nextCounter, 0, 'refused seals use no counter');
  const p = packet(ini, payload, 0, 10);
  sealer.seal(p, 0, payload.length);
  assert.equal(opener.open(p, 0, 83), PacketStatus.Short);
  assert.equal(opener.open(p, 0, p.length + 1), PacketStatus.Short);
  assert.equal(opener.open(p, 0, p.length), PacketStatus.Length, 'trailing bytes');
  assert.equal(opener.open(p, 0, p.length - 11), PacketStatus.Length);
  assert.equal(opener.open(p, 0, p.length - 10), PacketStatus.Ok);
  assert.ok(packetStatusError(PacketStatus.Short) instanceof DecodeError);
  assert.equal(packetStatusError(PacketStatus.Length)!.code, ErrorCode.DecodeLength);
  assert.equal(packetStatusError(PacketStatus.AuthFailed)!.code, ErrorCode.AuthFailed);
  assert.equal(packetStatusError(PacketStatus.Replay)!.code, ErrorCode.Replay);
  assert.equal(packetStatusError(PacketStatus.Ok), null);
});

test('packets of another session, or under a disposed key, fail authentication', () => {
  const a = session(11);
  const b = session(12);
  const p = packet(a.ini, payload);
  new PacketSealer(a.ini).seal(p, 0, payload.length);
  assert.equal(new PacketOpener(b.res).open(p.slice(), 0, p.length), PacketStatus.AuthFailed);
  assert.equal(new PacketOpener(a.ini).open(p.slice(), 0, p.length), PacketStatus.AuthFailed, 'own TX key is not the RX key');
  const opener = new PacketOpener(a.res);
  opener.dispose();
  assert.equal(opener.open(p.slice(), 0, p.length), PacketStatus.AuthFailed);
  const sealer = new PacketSealer(a.ini);
  sealer.dispose();
  assert.equal(sealer.seal(packet(a.ini, payload), 0, payload.length), PacketStatus.CounterLimit);
});

test('open never throws and never accepts random bytes', () => {
  const { ini, res } = session(13);
  const opener = new PacketOpener(res);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(20), (bytes, off) => {
      const status = opener.open(bytes, Math.min(off, bytes.length), bytes.length - Math.min(off, bytes.length));
      assert.notEqual(status, PacketStatus.Ok);
    }),
    { numRuns: fuzzRuns(), seed: FUZZ_SEED },
  );
  void ini;
});
