// Permission tokens: issue, verify, delegate, chains rooted at configured roots, revocation by issuer generation,
// the symmetric skew window, and the bounded cache — each refusal typed and counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, SeededRandom, VirtualClock } from '../../src/core/index.js';
import { ChannelName, Identity } from '../../src/crypto/index.js';
import {
  DELEGATION_MAX_TTL_SECS, MAX_CHAIN_DEPTH, MAX_TOKEN_CLOCK_SKEW_SECS, MAX_TOKEN_TTL_SECS, TOKEN_CACHE_DEFAULTS, TokenCache,
  TokenError, TokenScope, checkTimeBounds, decodeTokenChain, delegateToken, encodeToken, encodeTokenChain, issueToken, parseToken,
  verifyTokenBytes, verifyTokenChain, type PermissionToken, type TokenErrorKind,
} from '../../src/trust/index.js';

const id = (b: number): Identity => Identity.fromSeed(new Uint8Array(32).fill(b));
const root = id(40);
const alice = id(41);
const bob = id(42);
const carol = id(43);
const random = new SeededRandom(7);
const CH = ChannelName.parse('prod/deploy');
const NOW = 1_700_000_000;
const { PUBLISH, SUBSCRIBE, DELEGATE, WILDCARD, ADMIN } = TokenScope;

const kind = (k: TokenErrorKind, code?: ErrorCode) => (e: unknown): boolean => e instanceof TokenError && e.kind === k && (code === undefined || e.code === code);
const rootToken = (o: Partial<Parameters<typeof issueToken>[1]> = {}): PermissionToken =>
  issueToken(root, { subject: alice.publicKey, scope: PUBLISH | SUBSCRIBE | DELEGATE, channel: CH, ttlSecs: 3600, delegationDepth: 2, nowSecs: NOW, random, ...o });
const check = (chain: PermissionToken[], o: Partial<Parameters<typeof verifyTokenChain>[1]> = {}): void =>
  verifyTokenChain(chain, { action: SUBSCRIBE, channelHash: CH.hash, presenter: chain[chain.length - 1]!.subject, roots: [root.publicKey], nowSecs: NOW + 10, skewSecs: 60, ...o });

test('issue and verify: 169 bytes, signature over the first 105, flips anywhere are refused', () => {
  const t = rootToken();
  const b = encodeToken(t);
  assert.equal(b.length, 169);
  assert.ok(verifyTokenBytes(b));
  for (let i = 0; i < 169; i++) {
    const f = b.slice();
    f[i]! ^= 0x01;
    assert.equal(verifyTokenBytes(f), false, `bit flip at ${i}`);
  }
  assert.equal(verifyTokenBytes(b.subarray(0, 168)), false);
  assert.equal(verifyTokenBytes(new Uint8Array([...b, 0])), false);
  assert.throws(() => parseToken(b.subarray(0, 100)), kind('invalid_format', ErrorCode.TokenInvalid));
  assert.throws(() => rootToken({ ttlSecs: MAX_TOKEN_TTL_SECS + 1 }), kind('ttl_too_long'));
  assert.throws(() => rootToken({ ttlSecs: 0 }), kind('zero_ttl'));
});

test('symmetric skew window: just inside is valid, just outside is not, on both bounds', () => {
  const t = rootToken(); // valid [NOW, NOW+3600)
  assert.equal(checkTimeBounds(t, NOW - 60, 60), 'ok');
  assert.equal(checkTimeBounds(t, NOW - 61, 60), 'not_yet_valid');
  assert.equal(checkTimeBounds(t, NOW + 3600 + 59, 60), 'ok');
  assert.equal(checkTimeBounds(t, NOW + 3600 + 60, 60), 'expired');
  assert.equal(checkTimeBounds(t, NOW + 3600, 0), 'expired');
  assert.throws(() => check([t], { nowSecs: NOW - 61 }), kind('not_yet_valid', ErrorCode.TokenExpired));
  assert.throws(() => check([t], { nowSecs: NOW + 3660 }), kind('expired', ErrorCode.TokenExpired));
  check([t], { nowSecs: NOW - 60 });
  check([t], { nowSecs: NOW + 3659 });
  // the cache clamps a larger skew to 5 minutes
  const cache = new TokenCache({ clock: new VirtualClock() }, { roots: [root.publicKey], clockSkewSecs: 86400 });
  assert.equal(cache.skewSecs, MAX_TOKEN_CLOCK_SKEW_SECS);
});

test('delegation narrows: scope subset, depth - 1, lifetime capped at 30 days and at the parent', () => {
  const parent = rootToken({ ttlSecs: MAX_TOKEN_TTL_SECS });
  const child = delegateToken(parent, alice, { subject: bob.publicKey, scope: SUBSCRIBE | DELEGATE, nowSecs: NOW + 5, random });
  assert.equal(child.delegationDepth, 1);
  assert.equal(child.notAfter, BigInt(NOW + 5 + DELEGATION_MAX_TTL_SECS), 'a 1-year parent gives a 30-day child');
  check([parent, child]);
  const grand = delegateToken(child, bob, { subject: carol.publicKey, scope: SUBSCRIBE, nowSecs: NOW + 6, ttlSecs: 60, random });
  check([parent, child, grand]);
  assert.throws(() => delegateToken(grand, carol, { subject: alice.publicKey, scope: SUBSCRIBE, nowSecs: NOW + 7 }), kind('delegation_exhausted'));
  // widening requests are refused, not intersected
  assert.throws(() => delegateToken(child, bob, { subject: carol.publicKey, scope: SUBSCRIBE | PUBLISH, nowSecs: NOW + 6 }), kind('scope_widened', ErrorCode.TokenDenied));
  assert.throws(() => delegateToken(parent, alice, { subject: bob.publicKey, scope: SUBSCRIBE | WILDCARD, nowSecs: NOW + 6 }), kind('scope_widened'));
  assert.throws(() => delegateToken(parent, alice, { subject: bob.publicKey, scope: SUBSCRIBE, nowSecs: NOW + 6, ttlSecs: DELEGATION_MAX_TTL_SECS + 1 }), kind('lifetime_widened'));
  assert.throws(() => delegateToken(parent, bob, { subject: carol.publicKey, scope: SUBSCRIBE, nowSecs: NOW + 6 }), kind('not_authorized'), 'only the subject delegates');
  const noDelegate = rootToken({ scope: SUBSCRIBE });
  assert.throws(() => delegateToken(noDelegate, alice, { subject: bob.publicKey, scope: SUBSCRIBE, nowSecs: NOW }), kind('delegation_not_allowed'));
  // a child short of the parent's start (delegator clock behind, within skew) starts with the parent
  const early = delegateToken(parent, alice, { subject: bob.publicKey, scope: SUBSCRIBE, nowSecs: NOW - 30, random });
  assert.equal(early.notBefore, parent.notBefore);
});

test('hand-made widening chains are refused by the verifier (scope, lifetime, depth, issuer link, root, presenter)', () => {
  const parent = rootToken();
  const forge = (o: Partial<PermissionToken>): PermissionToken => {
    const t = { issuer: alice.publicKey, subject: bob.publicKey, scope: SUBSCRIBE, channelHash: CH.hash, issuerGeneration: 0,
      notBefore: BigInt(NOW), notAfter: BigInt(NOW + 100), delegationDepth: 1, nonce: 1n, ...o };
    const signer = o.issuer === undefined ? alice : [root, alice, bob, carol].find((x) => Buffer.compare(x.publicKey, o.issuer!) === 0)!;
    const { signature: _s, ...unsigned } = { ...t, signature: new Uint8Array(64) };
    const payload = encodeToken({ ...unsigned, signature: new Uint8Array(64) }).subarray(0, 105);
    return { ...t, signature: signer.sign(payload) };
  };
  check([parent, forge({})]);
  assert.throws(() => check([parent, forge({ scope: SUBSCRIBE | ADMIN })], { action: SUBSCRIBE }), kind('scope_widened'));
  assert.throws(() => check([parent, forge({ notAfter: BigInt(NOW + 7200) })]), kind('lifetime_widened'));
  assert.throws(() => check([parent, forge({ notBefore: BigInt(NOW - 1) })]), kind('lifetime_widened'));
  assert.throws(() => check([parent, forge({ delegationDepth: 2 })]), kind('delegation_exhausted'));
  assert.throws(() => check([parent, forge({ issuer: bob.publicKey })]), kind('not_authorized'));
  assert.throws(() => check([parent, forge({})], { roots: [carol.publicKey] }), kind('untrusted_root'));
  assert.throws(() => check([parent, forge({})], { presenter: carol.publicKey }), kind('wrong_subject'));
  assert.throws(() => check([parent, forge({})], { action: PUBLISH }), kind('not_authorized'));
  assert.throws(() => check([parent, forge({})], { channelHash: ChannelName.parse('other').hash }), kind('not_authorized'));
  // a self-issued token (not from a root) is refused however it is scoped
  const self = issueToken(bob, { subject: bob.publicKey, scope: SUBSCRIBE | WILDCARD, channel: CH, ttlSecs: 60, nowSecs: NOW, random });
  assert.throws(() => check([self]), kind('untrusted_root'));
  // chain codec: count byte, exact length, depth cap
  const bytes = encodeTokenChain([parent, forge({})]);
  assert.equal(bytes.length, 1 + 2 * 169);
  assert.deepEqual(decodeTokenChain(bytes).map((t) => t.nonce), [parent.nonce, 1n]);
  assert.throws(() => decodeTokenChain(bytes.subarray(0, 300)), kind('invalid_format'));
  const deep = new Uint8Array(1 + 9 * 169);
  deep[0] = MAX_CHAIN_DEPTH + 1;
  assert.throws(() => decodeTokenChain(deep), kind('chain_too_deep'));
});

test('token cache: verify once, check in O(depth), wildcard slot, revocation by generation, sweep, 32 per slot', () => {
  const clock = new VirtualClock(NOW * 1000 + 10_000);
  const cache = new TokenCache({ clock }, { roots: [root.publicKey] });
  const parent = rootToken({ issuerGeneration: 3 });
  const child = delegateToken(parent, alice, { subject: bob.publicKey, scope: SUBSCRIBE, nowSecs: NOW + 5, ttlSecs: 600, random });
  cache.insert([parent, child]);
  assert.equal(cache.check(bob.publicKey, SUBSCRIBE, CH.hash), true);
  assert.equal(cache.check(bob.publicKey, PUBLISH, CH.hash), false);
  assert.equal(cache.check(carol.publicKey, SUBSCRIBE, CH.hash), false, 'another subject');
  assert.throws(() => cache.authorize(bob.publicKey, SUBSCRIBE, 1n), kind('not_authorized'));
  // wildcard tokens live in the channel-0 slot and match any channel
  cache.insert([issueToken(root, { subject: carol.publicKey, scope: SUBSCRIBE | WILDCARD, channel: 0n, ttlSecs: 600, nowSecs: NOW, random })]);
  assert.equal(cache.check(carol.publicKey, SUBSCRIBE, 12345n), true);
  // bumping the root's generation revokes every descendant at the next check
  cache.revocation.revokeBelow(root.publicKey, 4);
  assert.throws(() => cache.authorize(bob.publicKey, SUBSCRIBE, CH.hash), kind('revoked', ErrorCode.TokenRevoked));
  assert.equal(cache.counters.get('token_dropped_by_generation'), 1);
  assert.throws(() => cache.insert([parent, child]), kind('revoked'));
  // expiry: just inside the skew window still passes, just outside does not; the sweep drops it
  const c2 = new TokenCache({ clock }, { roots: [root.publicKey] });
  c2.insert([rootToken({ subject: bob.publicKey, ttlSecs: 60 })]);
  clock.set((NOW + 60 + 59) * 1000 - NOW * 1000 - 10_000);
  assert.equal(c2.check(bob.publicKey, SUBSCRIBE, CH.hash), true);
  clock.advance(1000);
  assert.throws(() => c2.authorize(bob.publicKey, SUBSCRIBE, CH.hash), kind('expired'));
  assert.equal(c2.sweep(), 1);
  assert.equal(c2.size, 0);
  // a slot holds at most 32 distinct scopes' chains; same-scope inserts replace
  const c3 = new TokenCache({ clock: new VirtualClock(NOW * 1000) }, { roots: [root.publicKey], maxPerSlot: 2 });
  const mk = (scope: number): PermissionToken[] => [issueToken(root, { subject: bob.publicKey, scope, channel: CH, ttlSecs: 60, nowSecs: NOW, random })];
  c3.insert(mk(SUBSCRIBE));
  c3.insert(mk(SUBSCRIBE));
  c3.insert(mk(PUBLISH));
  assert.throws(() => c3.insert(mk(ADMIN)), kind('not_authorized'));
  assert.deepEqual([c3.size, c3.counters.get('replaced'), c3.counters.get('slot_full')], [2, 1, 1]);
  assert.equal(TOKEN_CACHE_DEFAULTS.maxPerSlot, 32);
  // self-issued or forged chains never enter
  assert.throws(() => c3.insert([issueToken(bob, { subject: bob.publicKey, scope: SUBSCRIBE, channel: CH, ttlSecs: 60, nowSecs: NOW, random })]), kind('untrusted_root'));
  const tampered = { ...mk(SUBSCRIBE)[0]!, scope: SUBSCRIBE | PUBLISH };
  assert.throws(() => c3.insert([tampered]), kind('invalid_signature'));
  assert.equal(c3.counters.get('rejected'), 2, 'plus one slot_full above');
});
