// Our code against the golden fixtures in test/vectors/net/, which an independent Python implementation
// (scripts/fixtures/make_net_fixtures.py: hashlib + cryptography/OpenSSL, written without reading src/) produced
// from the written spec. These freeze every byte of identity, KDF, handshake, header/AAD, sealed packets,
// routing header, NACK, keep-alive and token layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SeededRandom, fromHex, toHex } from '../../src/core/index.js';
import {
  Identity, NoiseInitiator, NoiseResponder, PacketOpener, PacketSealer, PacketStatus, deriveKey, deriveSessionKeys,
  ed25519Sign, ed25519VerifyStrict, ed25519KeyPairFromSeed, netPrologue,
} from '../../src/crypto/index.js';
import {
  HEADER_BYTES, AAD_BYTES, Keepalive, NackPayload, PacketHeader, RoutingHeader, decodeHeader, decodeKeepalive, decodeNack,
  decodeRoutingHeader, decodeToken, encodeHeader, encodeKeepalive, encodeNack, encodeRoutingHeader, encodeToken,
  encodeTokenSignedPayload, writeAad,
} from '../../src/wire/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const load = (name: string): Json => JSON.parse(readFileSync(new URL(`../vectors/net/${name}`, import.meta.url), 'utf8'));
const identity = load('identity.json');
const kdf = load('kdf.json');
const handshake = load('handshake.json');
const packets = load('packets.json');
const tokens = load('token.json');
const random = new SeededRandom(1);

function headerFrom(f: Json): PacketHeader {
  return PacketHeader.from({
    flags: f.flags, priority: f.priority, hopTtl: f.hop_ttl, hopCount: f.hop_count, fragFlags: f.frag_flags,
    subprotocolId: f.subprotocol_id, channelHash: f.channel_hash, nonce: fromHex(f.nonce),
    sessionId: BigInt(f.session_id), streamId: BigInt(f.stream_id), sequence: BigInt(f.sequence),
    originHash: BigInt(f.origin_hash), subnetId: f.subnet_id, fragmentId: f.fragment_id,
    fragmentOffset: f.fragment_offset, payloadLen: f.payload_len, eventCount: f.event_count,
  });
}

test('identity: public key, node_id, origin_hash, routing id, X25519 static key and signature', () => {
  assert.ok(identity.identities.length >= 6);
  for (const v of identity.identities) {
    const id = Identity.fromSeed(fromHex(v.seed));
    assert.equal(toHex(id.publicKey), v.ed25519_public_key, v.name);
    assert.equal(id.nodeId, BigInt(v.node_id), v.name);
    assert.equal(id.originHash, BigInt(v.origin_hash), v.name);
    assert.equal(id.routingId, v.routing_id, v.name);
    assert.equal(toHex(id.staticPrivateKey), v.x25519_private, v.name);
    assert.equal(toHex(id.staticPublicKey), v.x25519_public, v.name);
    assert.equal(toHex(id.sign(fromHex(v.sign_message))), v.signature, v.name);
    id.dispose();
  }
});

test('KDF: tx/rx keys for both roles, session id, nonce prefix', () => {
  for (const c of kdf.cases) {
    const h = fromHex(c.handshake_hash);
    assert.equal(toHex(deriveKey(h, new TextEncoder().encode('initiator-tx'))), c.initiator_tx_key, c.name);
    const i = deriveSessionKeys(h, 'initiator');
    const r = deriveSessionKeys(h, 'responder');
    assert.equal(toHex(i.txKey), c.initiator_tx_key);
    assert.equal(toHex(i.rxKey), c.initiator_rx_key);
    assert.equal(toHex(r.txKey), c.responder_tx_key);
    assert.equal(toHex(r.rxKey), c.responder_rx_key);
    assert.equal(i.sessionId, BigInt(c.session_id));
    assert.equal(i.noncePrefix, c.nonce_prefix_u32);
  }
});

test('handshake: direct and routed NKpsk0 transcripts with fixed ephemerals, byte for byte', () => {
  for (const c of handshake.cases) {
    const prologue = netPrologue(c.initiator_routing_id, c.responder_routing_id);
    assert.equal(toHex(prologue), c.prologue);
    const psk = fromHex(c.psk);
    const init = new NoiseInitiator({ random }, {
      psk, prologue, responderStatic: fromHex(c.responder_static_public), ephemeralPrivateKey: fromHex(c.initiator_ephemeral_private),
    });
    const resp = new NoiseResponder({ random }, {
      psk, prologue, staticPrivateKey: fromHex(c.responder_static_private), ephemeralPrivateKey: fromHex(c.responder_ephemeral_private),
    });
    const payloadLen = fromHex(c.msg1_payload).length;
    const msg1 = init.writeMessage1(fromHex(c.msg1_payload));
    assert.equal(toHex(msg1), c.msg1, `${c.name} msg1`);
    assert.equal(msg1.length, c.msg1_len);
    assert.equal(toHex(resp.readMessage1(msg1, payloadLen)), c.msg1_payload);
    const msg2 = resp.writeMessage2(new Uint8Array(0));
    assert.equal(toHex(msg2), c.msg2, `${c.name} msg2`);
    init.readMessage2(msg2);
    assert.equal(toHex(init.handshakeHash), c.handshake_hash);
    assert.equal(toHex(resp.handshakeHash), c.handshake_hash);
    const ik = deriveSessionKeys(init.handshakeHash, 'initiator');
    const rk = deriveSessionKeys(resp.handshakeHash, 'responder');
    assert.equal(ik.sessionId, BigInt(c.session_id));
    assert.equal(toHex(ik.txKey), c.initiator_tx_key);
    assert.equal(toHex(ik.rxKey), c.initiator_rx_key);
    assert.equal(toHex(rk.txKey), c.responder_tx_key);
    assert.equal(toHex(rk.rxKey), c.responder_rx_key);
    // The identity proof (our extension) signs "net-mesh-identity-v1" ‖ handshake hash.
    const proof = c.identity_proof;
    const initiatorKeys = ed25519KeyPairFromSeed(fromHex(c.initiator_seed));
    assert.equal(toHex(ed25519Sign(initiatorKeys.secretKey, fromHex(proof.signed_message))), proof.initiator.signature);
    assert.ok(ed25519VerifyStrict(initiatorKeys.publicKey, fromHex(proof.signed_message), fromHex(proof.initiator.signature)));
  }
});

test('packet header and AAD: field values to bytes and back', () => {
  for (const v of packets.headers) {
    const h = headerFrom(v.fields);
    const bytes = encodeHeader(h);
    assert.equal(toHex(bytes), v.header, v.name);
    const back = decodeHeader(fromHex(v.header));
    assert.equal(toHex(encodeHeader(back)), v.header);
    assert.equal(back.sequence, BigInt(v.fields.sequence));
    assert.equal(back.sessionId, BigInt(v.fields.session_id));
    const aad = new Uint8Array(AAD_BYTES);
    writeAad(bytes, 0, aad);
    assert.equal(toHex(aad), v.aad, `${v.name} aad`);
  }
});

test('sealed packets: our sealer produces the fixture bytes, our opener opens them', () => {
  const s = packets.session;
  const keys = deriveSessionKeys(fromHex(s.handshake_hash), 'initiator');
  assert.equal(toHex(keys.txKey), s.initiator_tx_key);
  for (const v of packets.sealed) {
    const role = v.key_role === 'initiator_tx' ? 'initiator' : 'responder';
    const tx = deriveSessionKeys(fromHex(s.handshake_hash), role);
    const rx = deriveSessionKeys(fromHex(s.handshake_hash), role === 'initiator' ? 'responder' : 'initiator');
    assert.equal(toHex(tx.txKey), v.key, v.name);
    const plaintext = fromHex(v.plaintext);
    const buf = new Uint8Array(v.packet_len);
    const h = headerFrom(v.fields);
    h.payloadLen = plaintext.length;
    buf.set(encodeHeader(h), 0);
    buf.set(plaintext, HEADER_BYTES);
    const sealer = new PacketSealer(tx, { firstCounter: Number(v.counter) });
    assert.equal(sealer.seal(buf, 0, plaintext.length), PacketStatus.Ok);
    assert.equal(toHex(buf), v.packet, `${v.name} sealed bytes`);
    const opener = new PacketOpener(rx);
    const wire = fromHex(v.packet);
    assert.equal(opener.open(wire, 0, wire.length), PacketStatus.Ok, v.name);
    assert.equal(toHex(wire.subarray(HEADER_BYTES, HEADER_BYTES + plaintext.length)), v.plaintext);
  }
});

test('routing header, NACK and keep-alive layouts', () => {
  for (const v of packets.routing_headers) {
    const f = v.fields;
    const h = RoutingHeader.from({ ttl: f.ttl, hopCount: f.hop_count, flags: f.flags, srcId: f.src_id, destId: BigInt(f.dest_id) });
    assert.equal(toHex(encodeRoutingHeader(h)), v.bytes, v.name);
    const back = decodeRoutingHeader(fromHex(v.bytes));
    assert.equal(back.destId, BigInt(f.dest_id));
    assert.equal(back.srcId, f.src_id);
  }
  for (const v of packets.nacks) {
    assert.equal(toHex(encodeNack(NackPayload.from(BigInt(v.next_expected), BigInt(v.missing_bitmap)))), v.bytes, v.name);
    const back = decodeNack(fromHex(v.bytes));
    assert.equal(back.nextExpected, BigInt(v.next_expected));
    assert.equal(back.missingBitmap, BigInt(v.missing_bitmap));
  }
  for (const v of packets.keepalives) {
    assert.equal(toHex(encodeKeepalive(Keepalive.from(BigInt(v.sender_node_id), v.punch_id))), v.bytes, v.name);
    const back = decodeKeepalive(fromHex(v.bytes));
    assert.equal(back.senderNodeId, BigInt(v.sender_node_id));
    assert.equal(back.punchId, v.punch_id);
  }
});

test('permission tokens: signed payload, signature and 169-byte layout', () => {
  for (const v of tokens.tokens) {
    const f = v.fields;
    const unsigned = {
      issuer: fromHex(f.issuer), subject: fromHex(f.subject), scope: f.scope, channelHash: BigInt(f.channel_hash),
      issuerGeneration: f.issuer_generation, notBefore: BigInt(f.not_before), notAfter: BigInt(f.not_after),
      delegationDepth: f.delegation_depth, nonce: BigInt(f.nonce),
    };
    const signed = encodeTokenSignedPayload(unsigned);
    assert.equal(toHex(signed), v.signed_payload, v.name);
    const keys = ed25519KeyPairFromSeed(fromHex(v.issuer_seed));
    const signature = ed25519Sign(keys.secretKey, signed);
    assert.equal(toHex(signature), v.signature);
    assert.equal(toHex(encodeToken({ ...unsigned, signature })), v.token);
    const back = decodeToken(fromHex(v.token));
    assert.equal(back.notAfter, BigInt(f.not_after));
    assert.equal(back.nonce, BigInt(f.nonce));
    assert.ok(ed25519VerifyStrict(back.issuer, signed, back.signature));
  }
});
