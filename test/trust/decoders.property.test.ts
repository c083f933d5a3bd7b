// fast-check properties for every trust-plane decoder: random, truncated, extended and bit-flipped announcements,
// tokens, token chains and predicate headers are refused with a typed NetError (or, for the intake, a counted
// status), never a crash; anything accepted re-encodes to what was signed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NetError, SeededRandom, VirtualClock } from '../../src/core/index.js';
import { Identity } from '../../src/crypto/index.js';
import {
  CapabilityIndex, INTAKE_COUNTERS, TokenScope, createAnnouncement, decodeAnnouncement, decodeTokenChain, delegateToken,
  encodeAnnouncement, encodeAnnouncementJson, encodeToken, encodeTokenChain, issueToken, p, parseJson, predicateFromRpcHeader,
  predicateToRpcHeader, verifyAnnouncement, verifyTokenBytes,
} from '../../src/trust/index.js';
import { fuzzParams } from '../support/fuzz.js';
import { decoderInputArb } from '../wire/harness.js';

const alice = Identity.fromSeed(new Uint8Array(32).fill(1));
const bob = Identity.fromSeed(new Uint8Array(32).fill(2));
const clock = new VirtualClock();
const validAnn = encodeAnnouncement(createAnnouncement(alice, {
  version: 3n, timestampNs: BigInt(clock.wallMs()) * 1_000_000n, tags: ['nrpc:echo', 'hardware.memory_gb=64'],
  metadata: { team: 'a' }, allowedNodes: [1n, 2n], allowedSubnets: ['ab'.repeat(16)],
}));
const random = new SeededRandom(3);
const rootTok = issueToken(alice, { subject: bob.publicKey, scope: TokenScope.SUBSCRIBE | TokenScope.DELEGATE, channel: 'a/b', ttlSecs: 600, delegationDepth: 1, nowSecs: 1_700_000_000, random });
const validToken = encodeToken(rootTok);
const validChain = encodeTokenChain([rootTok, delegateToken(rootTok, bob, { subject: alice.publicKey, scope: TokenScope.SUBSCRIBE, nowSecs: 1_700_000_001, random })]);
const validHeader = new TextEncoder().encode(predicateToRpcHeader(p.and(p.exists('hardware.gpu'), p.not(p.metadataEquals('a', 'b')), p.numericInRange('hardware.memory_gb', 1.5, 1e300))));

/** Runs `fn`: returns normally or throws a NetError; anything else fails the property. */
function typedOnly(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    assert.ok(e instanceof NetError, `untyped throw: ${String(e)}`);
    return false;
  }
}

test('announcement decoder and intake: hostile bytes give a typed error or a counted refusal', () => {
  const idx = new CapabilityIndex({ clock });
  let accepted = 0;
  fc.assert(fc.property(decoderInputArb(fc.constant(validAnn), 512), (b) => {
    typedOnly(() => void decodeAnnouncement(b));
    const r = idx.receive(b);
    if (r.status === 'accepted') {
      accepted++;
      // whatever was accepted verifies, and its canonical form is what the signer signed
      assert.equal(verifyAnnouncement(r.forward ?? r.announcement) === 'ok' || r.forward === undefined, true);
    }
  }), fuzzParams(3000));
  const c = idx.counters.snapshot();
  const outcomes = INTAKE_COUNTERS.filter((n) => !['received', 'expired_evicted', 'subnet_parse_collapsed_multi_tag', 'capability_denied'].includes(n))
    .reduce((s, n) => s + c[n], 0);
  assert.equal(outcomes, c.received, 'every received announcement ends in exactly one counted outcome');
  assert.ok(accepted <= 1, 'only the one genuine version can be accepted');
});

test('every single-bit flip and every truncation of a signed announcement is refused', () => {
  for (let i = 0; i < validAnn.length; i++) {
    const idx = new CapabilityIndex({ clock });
    const t = idx.receive(validAnn.subarray(0, i));
    assert.equal(t.status, 'rejected', `truncated to ${i}`);
    for (let bit = 0; bit < 8; bit += 3) {
      const f = validAnn.slice();
      f[i]! ^= 1 << bit;
      const r = new CapabilityIndex({ clock }).receive(f);
      // A flip may land in insignificant JSON (e.g. a hex digit's case): then it must re-encode to the signed bytes.
      if (r.status === 'accepted') assert.equal(encodeAnnouncementJson(decodeAnnouncement(f)), encodeAnnouncementJson(decodeAnnouncement(validAnn)));
    }
  }
});

test('token bytes and chains: random, truncated, oversized and mutated inputs never verify unless unchanged', () => {
  fc.assert(fc.property(decoderInputArb(fc.constant(validToken), 300), (b) => {
    const same = b.length === validToken.length && b.every((x, i) => x === validToken[i]);
    assert.equal(verifyTokenBytes(b), same);
  }), fuzzParams(2000));
  fc.assert(fc.property(decoderInputArb(fc.constant(validChain), 600), (b) => {
    typedOnly(() => void decodeTokenChain(b));
  }), fuzzParams(5000));
});

test('predicate headers and the JSON parser: hostile text gives a typed error; decoded predicates re-encode', () => {
  fc.assert(fc.property(decoderInputArb(fc.constant(validHeader), 256), (b) => {
    typedOnly(() => {
      const pred = predicateFromRpcHeader(b);
      assert.equal(typeof predicateToRpcHeader(pred), 'string');
    });
  }), fuzzParams(5000));
  fc.assert(fc.property(fc.string({ maxLength: 64 }), (s) => void typedOnly(() => void parseJson(s))), fuzzParams(5000));
  // nesting is capped before the stack is at risk
  assert.equal(typedOnly(() => void parseJson('['.repeat(100000) + ']'.repeat(100000))), false);
  assert.equal(typedOnly(() => void predicateFromRpcHeader(`{"nodes":[${'{"kind":"not","child":0},'.repeat(300)}],"root_idx":0}`)), false);
});
