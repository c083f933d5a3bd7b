import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { blake2s as nobleBlake2s } from '@noble/hashes/blake2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { CryptoError, ErrorCode, HandshakeError, SeededRandom, concatBytes, fromHex, toHex, utf8 } from '../../src/core/index.js';
import {
  NoiseInitiator, NoiseResponder, deriveSessionKeys, netPrologue, prepareNoisePsk, x25519PublicKey, NOISE_PROTOCOL_NAME,
} from '../../src/crypto/index.js';
import { FUZZ_SEED, fuzzRuns } from '../support/fuzz.js';
import fc from 'fast-check';

interface NoiseVector {
  protocol_name: string;
  init_prologue: string;
  init_psks: string[];
  init_ephemeral: string;
  init_remote_static: string;
  resp_prologue: string;
  resp_psks: string[];
  resp_static: string;
  resp_ephemeral: string;
  handshake_hash: string;
  messages: { payload: string; ciphertext: string }[];
}

const vectorFile = new URL('../vectors/noise/cacophony_nkpsk0_nk_xx.json', import.meta.url);
const vectors = (JSON.parse(readFileSync(vectorFile, 'utf8')) as { vectors: NoiseVector[] }).vectors;

function isHandshakeError(code: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof HandshakeError && e.code === code;
}
const failed = isHandshakeError(ErrorCode.HandshakeFailed);
const badState = isHandshakeError(ErrorCode.HandshakeState);

test('cacophony Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s, byte for byte (H1)', () => {
  const v = vectors.find((x) => x.protocol_name === NOISE_PROTOCOL_NAME);
  assert.ok(v, 'vector present');
  const random = new SeededRandom(1);
  assert.equal(toHex(x25519PublicKey(fromHex(v.resp_static))), v.init_remote_static);
  const ini = new NoiseInitiator({ random }, {
    responderStatic: fromHex(v.init_remote_static), psk: fromHex(v.init_psks[0]!), prologue: fromHex(v.init_prologue),
    ephemeralPrivateKey: fromHex(v.init_ephemeral), maxPayloadBytes: 64, allowSplit: true,
  });
  const res = new NoiseResponder({ random }, {
    staticPrivateKey: fromHex(v.resp_static), psk: fromHex(v.resp_psks[0]!), prologue: fromHex(v.resp_prologue),
    ephemeralPrivateKey: fromHex(v.resp_ephemeral), maxPayloadBytes: 64, allowSplit: true,
  });
  const m = v.messages;
  const msg1 = ini.writeMessage1(fromHex(m[0]!.payload));
  assert.equal(toHex(msg1), m[0]!.ciphertext);
  assert.equal(toHex(res.readMessage1(msg1)), m[0]!.payload);
  const msg2 = res.writeMessage2(fromHex(m[1]!.payload));
  assert.equal(toHex(msg2), m[1]!.ciphertext);
  assert.equal(toHex(ini.readMessage2(msg2)), m[1]!.payload);
  assert.equal(toHex(ini.handshakeHash), v.handshake_hash);
  assert.equal(toHex(res.handshakeHash), v.handshake_hash);
  assert.equal(toHex(ini.remoteStatic), v.init_remote_static);

  const [iSend, iRecv] = ini.split();
  const [rRecv, rSend] = res.split();
  const empty = new Uint8Array(0);
  for (let i = 2; i < m.length; i++) {
    const [send, recv] = i % 2 === 0 ? [iSend, rRecv] : [rSend, iRecv];
    const ct = send.encryptWithAd(empty, fromHex(m[i]!.payload));
    assert.equal(toHex(ct), m[i]!.ciphertext, `transport message ${i}`);
    assert.equal(toHex(recv.decryptWithAd(empty, ct)!), m[i]!.payload);
  }
  assert.throws(() => ini.split(), badState, 'split only once');
});

test('cacophony negatives: a flipped byte, another PSK or another prologue fail msg1', () => {
  const v = vectors.find((x) => x.protocol_name === NOISE_PROTOCOL_NAME)!;
  const make = (psk: string, prologue: string): NoiseResponder => new NoiseResponder({ random: new SeededRandom(2) }, {
    staticPrivateKey: fromHex(v.resp_static), psk: fromHex(psk), prologue: fromHex(prologue), maxPayloadBytes: 64,
  });
  const msg1 = fromHex(v.messages[0]!.ciphertext);
  const flipped = msg1.slice();
  flipped[40]! ^= 1;
  assert.throws(() => make(v.resp_psks[0]!, v.resp_prologue).readMessage1(flipped), failed);
  assert.throws(() => make('00'.repeat(32), v.resp_prologue).readMessage1(msg1), failed);
  assert.throws(() => make(v.resp_psks[0]!, '4a6f686e2047616c75').readMessage1(msg1), failed);
});

// ---- mesh handshakes ----

const psk = new Uint8Array(32).fill(7);
function staticPair(seed: number): { priv: Uint8Array; pub: Uint8Array } {
  const priv = new Uint8Array(32);
  new SeededRandom(seed).fill(priv);
  return { priv, pub: x25519PublicKey(priv) };
}
const A = { id: 0x1122_3344, ...staticPair(100) };
const B = { id: 0xfedc_ba98, ...staticPair(200) };

function pair(from: typeof A, to: typeof A, seed = 5, over: { iniPsk?: Uint8Array; rs?: Uint8Array; iniPrologue?: Uint8Array } = {}) {
  const ini = new NoiseInitiator({ random: new SeededRandom(seed) }, {
    responderStatic: over.rs ?? to.pub, psk: over.iniPsk ?? psk, prologue: over.iniPrologue ?? netPrologue(from.id, to.id),
  });
  const res = new NoiseResponder({ random: new SeededRandom(seed + 1) }, {
    staticPrivateKey: to.priv, staticPublicKey: to.pub, psk, prologue: netPrologue(from.id, to.id),
  });
  return { ini, res };
}

test('netPrologue layout: label, then src and dst routing ids as u64 LE', () => {
  const p = netPrologue(0x1122_3344, 0xfedc_ba98);
  assert.equal(toHex(p), toHex(utf8('net-handshake-v1')) + '4433221100000000' + '98badcfe00000000');
  assert.throws(() => netPrologue(2 ** 32, 0));
  assert.throws(() => netPrologue(-1, 0));
  assert.throws(() => netPrologue(1.5, 0));
});

for (const [name, from, to] of [['A -> B', A, B], ['B -> A', B, A]] as const) {
  for (const routed of [false, true]) {
    test(`mesh handshake ${name} (${routed ? 'routed, 56-byte msg1' : 'direct, 48-byte msg1'}) and session keys`, () => {
      const { ini, res } = pair(from, to);
      const nodeId = routed ? fromHex('0102030405060708') : new Uint8Array(0);
      const msg1 = ini.writeMessage1(nodeId);
      assert.equal(msg1.length, routed ? 56 : 48);
      assert.deepEqual(res.readMessage1(msg1, nodeId.length), nodeId);
      const msg2 = res.writeMessage2();
      assert.equal(msg2.length, 48);
      assert.equal(ini.readMessage2(msg2, 0).length, 0);
      assert.ok(ini.isComplete && res.isComplete);
      assert.deepEqual(ini.handshakeHash, res.handshakeHash);
      assert.deepEqual(ini.remoteStatic, to.pub);
      const ik = deriveSessionKeys(ini.handshakeHash, 'initiator');
      const rk = deriveSessionKeys(res.handshakeHash, 'responder');
      assert.deepEqual(ik.txKey, rk.rxKey);
      assert.deepEqual(ik.rxKey, rk.txKey);
      assert.notDeepEqual(ik.txKey, ik.rxKey);
      assert.equal(ik.sessionId, rk.sessionId);
      assert.equal(ik.noncePrefix, rk.noncePrefix);
      assert.throws(() => ini.split(), badState, 'no split without allowSplit');
    });
  }
}

test('the same seeds give the same messages; different ephemerals give different hashes', () => {
  const run = (seed: number): Uint8Array => {
    const { ini, res } = pair(A, B, seed);
    const m1 = ini.writeMessage1();
    res.readMessage1(m1);
    ini.readMessage2(res.writeMessage2());
    return concatBytes(m1, ini.handshakeHash);
  };
  assert.deepEqual(run(9), run(9));
  assert.notDeepEqual(run(9), run(10));
});

test('wrong PSK, wrong responder static, swapped or wrong prologue ids fail at msg1 (H3)', () => {
  const other = staticPair(300);
  const cases = [
    pair(A, B, 5, { iniPsk: new Uint8Array(32).fill(8) }),
    pair(A, B, 5, { rs: other.pub }),
    pair(A, B, 5, { iniPrologue: netPrologue(B.id, A.id) }),
    pair(A, B, 5, { iniPrologue: netPrologue(A.id, (B.id ^ 1) >>> 0) }),
  ];
  for (const { ini, res } of cases) {
    const msg1 = ini.writeMessage1();
    assert.throws(() => res.readMessage1(msg1), failed);
    assert.ok(!res.isComplete);
    assert.throws(() => res.writeMessage2(), badState);
    assert.throws(() => res.handshakeHash, badState);
  }
});

test('every flipped byte of msg1 and msg2, truncation and extension fail (H2)', () => {
  const { ini: i0, res: r0 } = pair(A, B, 11);
  const msg1 = i0.writeMessage1(new Uint8Array(8));
  r0.readMessage1(msg1);
  const msg2 = r0.writeMessage2();
  for (const mask of [0x01, 0x80, 0xff]) {
    for (let i = 0; i < msg1.length; i++) {
      const { res } = pair(A, B, 11);
      const bad = msg1.slice();
      bad[i]! ^= mask;
      assert.throws(() => res.readMessage1(bad), failed, `msg1 byte ${i} ^ ${mask}`);
      assert.throws(() => res.writeMessage2(), badState);
    }
    for (let i = 0; i < msg2.length; i++) {
      const { ini, res } = pair(A, B, 11);
      res.readMessage1(ini.writeMessage1(new Uint8Array(8)));
      assert.deepEqual(res.writeMessage2(), msg2);
      const bad = msg2.slice();
      bad[i]! ^= mask;
      assert.throws(() => ini.readMessage2(bad), failed, `msg2 byte ${i} ^ ${mask}`);
      assert.throws(() => ini.handshakeHash, badState);
      assert.throws(() => ini.readMessage2(msg2), badState, 'a failed handshake stays failed');
    }
  }
  for (const len of [0, 1, 31, 32, 47, 55, 57, 64, 1000]) {
    const { res } = pair(A, B, 11);
    const m = new Uint8Array(len);
    m.set(msg1.subarray(0, Math.min(len, msg1.length)));
    assert.throws(() => res.readMessage1(m), failed, `msg1 length ${len}`);
  }
  // a 48-byte msg1 where 56 is expected, and the reverse
  assert.throws(() => pair(A, B, 11).res.readMessage1(msg1, 0), failed);
  for (const len of [0, 47, 49, 56]) {
    const { ini, res } = pair(A, B, 11);
    res.readMessage1(ini.writeMessage1(new Uint8Array(8)));
    const m = new Uint8Array(len);
    m.set(res.writeMessage2().subarray(0, Math.min(len, 48)));
    assert.throws(() => ini.readMessage2(m, 0), failed, `msg2 length ${len}`);
  }
});

// Wycheproof x25519_test.json: the 14 public values whose shared secret is all zero (order 1, 2, 4, 8 and
// their non-canonical encodings).
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000080',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
];

test('low-order ephemerals in msg1 and msg2 are refused (H4)', () => {
  for (const hex of LOW_ORDER) {
    const { ini, res } = pair(A, B, 21);
    const m1 = ini.writeMessage1();
    m1.set(fromHex(hex), 0);
    assert.throws(() => res.readMessage1(m1),
      (e: unknown) => failed(e) && (e as Error).cause instanceof CryptoError && ((e as Error).cause as CryptoError).code === ErrorCode.BadKey, hex);
    const p = pair(A, B, 22);
    p.res.readMessage1(p.ini.writeMessage1());
    const m2 = p.res.writeMessage2();
    m2.set(fromHex(hex), 0);
    assert.throws(() => p.ini.readMessage2(m2), failed, hex);
  }
});

test('state order is enforced (ERR_HANDSHAKE_STATE)', () => {
  const { ini, res } = pair(A, B);
  assert.throws(() => ini.readMessage2(new Uint8Array(48)), badState);
  assert.throws(() => res.writeMessage2(), badState);
  assert.throws(() => ini.handshakeHash, badState);
  const m1 = ini.writeMessage1();
  assert.throws(() => ini.writeMessage1(), badState);
  res.readMessage1(m1);
  assert.throws(() => res.readMessage1(m1), badState);
  const m2 = res.writeMessage2();
  assert.throws(() => res.writeMessage2(), badState);
  ini.readMessage2(m2);
  assert.throws(() => ini.readMessage2(m2), badState);
  ini.dispose();
  assert.throws(() => ini.handshakeHash, badState);
  assert.throws(() => new NoiseInitiator({ random: new SeededRandom(1) }, { responderStatic: B.pub, psk: new Uint8Array(31), prologue: new Uint8Array(0) }),
    (e: unknown) => e instanceof Error && (e as { code?: string }).code === ErrorCode.InvalidArgument);
});

test('a fixed ephemeral key option is copied, not wiped in the caller', () => {
  const eph = new Uint8Array(32).fill(3);
  const ini = new NoiseInitiator({ random: new SeededRandom(1) }, { responderStatic: B.pub, psk, prologue: netPrologue(A.id, B.id), ephemeralPrivateKey: eph });
  const res = new NoiseResponder({ random: new SeededRandom(2) }, { staticPrivateKey: B.priv, psk, prologue: netPrologue(A.id, B.id) });
  res.readMessage1(ini.writeMessage1());
  ini.readMessage2(res.writeMessage2());
  assert.deepEqual(eph, new Uint8Array(32).fill(3));
});

// ---- an independent NKpsk0 on @noble (tests only) pins the mesh handshake and key schedule ----

function nobleNkpsk0(prologue: Uint8Array, rsPriv: Uint8Array, ie: Uint8Array, re: Uint8Array, payload1: Uint8Array) {
  const H = (...p: Uint8Array[]): Uint8Array => nobleBlake2s(concatBytes(...p));
  const HM = (k: Uint8Array, ...p: Uint8Array[]): Uint8Array => hmac(nobleBlake2s, k, concatBytes(...p));
  const hkdf = (ck: Uint8Array, ikm: Uint8Array, n: number): Uint8Array[] => {
    const t = HM(ck, ikm);
    const o1 = HM(t, Uint8Array.of(1));
    const o2 = HM(t, o1, Uint8Array.of(2));
    return n === 2 ? [o1, o2] : [o1, o2, HM(t, o2, Uint8Array.of(3))];
  };
  const nonce0 = new Uint8Array(12);
  let h: Uint8Array = H(utf8(NOISE_PROTOCOL_NAME));
  let ck: Uint8Array = h;
  let k: Uint8Array;
  h = H(h, prologue);
  const rs = nobleX25519.getPublicKey(rsPriv);
  h = H(h, rs);
  const [ck1, th, k1] = hkdf(ck, psk, 3) as [Uint8Array, Uint8Array, Uint8Array];
  ck = ck1; h = H(h, th); k = k1;
  const iePub = nobleX25519.getPublicKey(ie);
  h = H(h, iePub);
  [ck, k] = hkdf(ck, iePub, 2) as [Uint8Array, Uint8Array];
  [ck, k] = hkdf(ck, nobleX25519.getSharedSecret(ie, rs), 2) as [Uint8Array, Uint8Array];
  const c1 = chacha20poly1305(k, nonce0, h).encrypt(payload1);
  h = H(h, c1);
  const rePub = nobleX25519.getPublicKey(re);
  h = H(h, rePub);
  [ck, k] = hkdf(ck, rePub, 2) as [Uint8Array, Uint8Array];
  [ck, k] = hkdf(ck, nobleX25519.getSharedSecret(re, iePub), 2) as [Uint8Array, Uint8Array];
  const c2 = chacha20poly1305(k, nonce0, h).encrypt(new Uint8Array(0));
  h = H(h, c2);
  return { msg1: concatBytes(iePub, c1), msg2: concatBytes(rePub, c2), h };
}

test('mesh handshake with the NET prologue matches an independent @noble implementation', () => {
  const ie = new Uint8Array(32).fill(0x41);
  const re = new Uint8Array(32).fill(0x52);
  const prologue = netPrologue(A.id, B.id);
  const payload = fromHex('0807060504030201');
  const ref = nobleNkpsk0(prologue, B.priv, ie, re, payload);
  const ini = new NoiseInitiator({ random: new SeededRandom(0) }, { responderStatic: B.pub, psk, prologue, ephemeralPrivateKey: ie });
  const res = new NoiseResponder({ random: new SeededRandom(0) }, { staticPrivateKey: B.priv, psk, prologue, ephemeralPrivateKey: re });
  const m1 = ini.writeMessage1(payload);
  assert.deepEqual(m1, ref.msg1);
  res.readMessage1(m1, 8);
  const m2 = res.writeMessage2();
  assert.deepEqual(m2, ref.msg2);
  ini.readMessage2(m2, 0);
  assert.deepEqual(ini.handshakeHash, ref.h);
  assert.deepEqual(res.handshakeHash, ref.h);
});

test('a prepared PSK gives the same handshake as the raw PSK, and a disposed one is refused', () => {
  const prepared = prepareNoisePsk(psk);
  const run = (p: Uint8Array | ReturnType<typeof prepareNoisePsk>): Uint8Array => {
    const prologue = netPrologue(A.id, B.id);
    const ini = new NoiseInitiator({ random: new SeededRandom(31) }, { responderStatic: B.pub, psk: p, prologue });
    const res = new NoiseResponder({ random: new SeededRandom(32) }, { staticPrivateKey: B.priv, psk: p, prologue });
    const m1 = ini.writeMessage1();
    res.readMessage1(m1);
    const m2 = res.writeMessage2();
    ini.readMessage2(m2);
    assert.deepEqual(ini.handshakeHash, res.handshakeHash);
    return concatBytes(m1, m2, ini.handshakeHash);
  };
  assert.deepEqual(run(prepared), run(psk));
  // mixed: prepared on one side, raw on the other
  const prologue = netPrologue(A.id, B.id);
  const ini = new NoiseInitiator({ random: new SeededRandom(33) }, { responderStatic: B.pub, psk: prepared, prologue });
  const res = new NoiseResponder({ random: new SeededRandom(34) }, { staticPrivateKey: B.priv, psk, prologue });
  res.readMessage1(ini.writeMessage1());
  ini.readMessage2(res.writeMessage2());
  prepared.dispose();
  const late = new NoiseInitiator({ random: new SeededRandom(35) }, { responderStatic: B.pub, psk: prepared, prologue });
  assert.throws(() => late.writeMessage1(), (e: unknown) => (e as { code?: string }).code === ErrorCode.InvalidArgument);
});

test('random msg1 / msg2 bytes only ever fail with ERR_HANDSHAKE_FAILED', () => {
  const prepared = prepareNoisePsk(psk);
  const prologue = netPrologue(A.id, B.id);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 70 }), fc.boolean(), (bytes, second) => {
      if (!second) {
        const res = new NoiseResponder({ random: new SeededRandom(1) }, { staticPrivateKey: B.priv, staticPublicKey: B.pub, psk: prepared, prologue });
        assert.throws(() => res.readMessage1(bytes), failed);
      } else {
        const ini = new NoiseInitiator({ random: new SeededRandom(1) }, { responderStatic: B.pub, psk: prepared, prologue });
        ini.writeMessage1();
        assert.throws(() => ini.readMessage2(bytes), failed);
      }
    }),
    { numRuns: fuzzRuns(), seed: FUZZ_SEED },
  );
});

test('tryReadMessage2 leaves the attempt intact for anything but our msg2', () => {
  const { ini, res } = pair(A, B, 11);
  res.readMessage1(ini.writeMessage1(), 0);
  const msg2 = res.writeMessage2();
  // The peer's own msg1 in a simultaneous open looks like a msg2: 48 bytes, an e key and a tag.
  const theirs = pair(B, A, 21).ini.writeMessage1();
  assert.equal(theirs.length, msg2.length);
  assert.equal(ini.tryReadMessage2(theirs, 0), null);
  const flipped = msg2.slice();
  flipped[40]! ^= 1;
  assert.equal(ini.tryReadMessage2(flipped, 0), null);
  assert.equal(ini.tryReadMessage2(msg2.subarray(0, 47), 0), null);
  const lowOrder = msg2.slice();
  lowOrder.fill(0, 0, 32);
  assert.equal(ini.tryReadMessage2(lowOrder, 0), null);
  assert.equal(ini.isComplete, false);
  // After four failed trials the real msg2 still completes the same handshake.
  assert.deepEqual(ini.tryReadMessage2(msg2, 0), new Uint8Array(0));
  assert.ok(ini.isComplete);
  assert.equal(toHex(ini.handshakeHash), toHex(res.handshakeHash));
  assert.throws(() => ini.tryReadMessage2(msg2, 0), badState);
});

test('messages that arrive as Buffers (datagram views) are never written to, and transcripts still agree', () => {
  // Buffer#slice is a view: a "copy" made with it and decrypted in place would overwrite the received ciphertext
  // before it is hashed, and the two sides' transcripts would differ (the bug behind routed handshakes over UDP).
  const { ini, res } = pair(A, B);
  const msg1 = Buffer.from(ini.writeMessage1(fromHex('0102030405060708')));
  const before1 = Buffer.from(msg1);
  assert.deepEqual(res.readMessage1(msg1, 8), fromHex('0102030405060708'));
  assert.deepEqual(msg1, before1);
  const msg2 = Buffer.from(res.writeMessage2());
  const before2 = Buffer.from(msg2);
  assert.notEqual(ini.tryReadMessage2(msg2, 0), null);
  assert.deepEqual(msg2, before2);
  assert.deepEqual(ini.handshakeHash, res.handshakeHash);
  res.dispose();
  assert.deepEqual(msg1, before1, 'dispose wipes only its own copies');
});
