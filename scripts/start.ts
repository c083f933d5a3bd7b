/**
 * `npm start`: the main job as it stands (until the mesh demo exists). Two endpoints in this process, each with
 * its own UDP socket on 127.0.0.1, perform a real Noise NKpsk0 handshake over the wire format, then exchange
 * sealed packets, and print timings next to a raw dgram echo measured in the same run.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { CryptoRandom } from '../src/core/index.js';
import {
  Identity, NoiseInitiator, NoiseResponder, PacketOpener, PacketSealer, PacketStatus, deriveSessionKeys, netPrologue,
  prepareNoisePsk,
} from '../src/crypto/index.js';
import {
  DatagramKind, EventFrameWriter, HEADER_BYTES, HeaderFlag, PacketHeader, TAG_BYTES, WireStatus, checkHandshakePacket,
  classifyDatagram, decodeHeaderInto, encodeHandshakePacket, encodeHeaderInto, forEachEvent,
} from '../src/wire/index.js';

const ROUND_TRIPS = Number(process.env.ROUND_TRIPS ?? 2000);
const EVENT_BYTES = 64;
const random = new CryptoRandom();

async function bind(): Promise<Socket> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  return s;
}

async function connectPair(a: Socket, b: Socket): Promise<void> {
  a.connect(b.address().port, '127.0.0.1');
  b.connect(a.address().port, '127.0.0.1');
  await Promise.all([once(a, 'connect'), once(b, 'connect')]);
}

function nextMessage(s: Socket): Promise<Buffer> {
  return new Promise((resolve) => s.once('message', (m: Buffer) => resolve(m)));
}

function stats(samplesUs: number[]): { median: number; p99: number } {
  const s = [...samplesUs].sort((x, y) => x - y);
  return { median: s[Math.floor(s.length / 2)]!, p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]! };
}

const fmt = (us: number): string => `${us.toFixed(1)} µs`;

async function rawEcho(a: Socket, b: Socket): Promise<{ median: number; p99: number }> {
  const onB = (m: Buffer): void => b.send(m);
  b.on('message', onB);
  const payload = Buffer.alloc(EVENT_BYTES);
  const samples: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t0 = performance.now();
    const reply = nextMessage(a);
    a.send(payload);
    await reply;
    samples.push((performance.now() - t0) * 1000);
  }
  b.off('message', onB);
  return stats(samples.slice(Math.floor(ROUND_TRIPS / 10)));
}

async function main(): Promise<void> {
  const alice = Identity.generate(random);
  const bob = Identity.generate(random);
  const pskBytes = new Uint8Array(32);
  random.fill(pskBytes);
  const psk = prepareNoisePsk(pskBytes);
  console.log('net-mesh: two endpoints over UDP on 127.0.0.1');
  console.log(`  alice node_id ${alice.nodeId.toString(16).padStart(16, '0')}`);
  console.log(`  bob   node_id ${bob.nodeId.toString(16).padStart(16, '0')}`);

  const [sa, sb] = await Promise.all([bind(), bind()]);
  await connectPair(sa, sb);

  // Handshake: alice initiates towards bob, whose static key she knows out of band.
  const prologue = netPrologue(alice.routingId, bob.routingId);
  const t0 = performance.now();
  const initiator = new NoiseInitiator({ random }, { psk, prologue, responderStatic: bob.staticPublicKey });
  const atBob = nextMessage(sb);
  sa.send(encodeHandshakePacket(initiator.writeMessage1()));
  const msg1Packet = await atBob;
  if (classifyDatagram(msg1Packet) !== DatagramKind.DIRECT || checkHandshakePacket(msg1Packet, 0, msg1Packet.length) !== WireStatus.OK) {
    throw new Error('bob: not a handshake packet');
  }
  const responder = new NoiseResponder({ random }, { psk, prologue, staticPrivateKey: bob.staticPrivateKey });
  responder.readMessage1(msg1Packet.subarray(HEADER_BYTES), 0);
  const atAlice = nextMessage(sa);
  sb.send(encodeHandshakePacket(responder.writeMessage2()));
  const msg2Packet = await atAlice;
  if (checkHandshakePacket(msg2Packet, 0, msg2Packet.length) !== WireStatus.OK) throw new Error('alice: bad msg2 packet');
  initiator.readMessage2(msg2Packet.subarray(HEADER_BYTES));
  const handshakeMs = performance.now() - t0;

  const aliceKeys = deriveSessionKeys(initiator.handshakeHash, 'initiator');
  const bobKeys = deriveSessionKeys(responder.handshakeHash, 'responder');
  console.log(`\nhandshake (NKpsk0, 48 B + 48 B over UDP): ${handshakeMs.toFixed(2)} ms, session ${aliceKeys.sessionId.toString(16)}`);

  // Sealed ping-pong: each side seals with its tx key and opens with its rx key and replay window.
  const aliceTx = new PacketSealer(aliceKeys);
  const aliceRx = new PacketOpener(aliceKeys);
  const bobTx = new PacketSealer(bobKeys);
  const bobRx = new PacketOpener(bobKeys);
  const header = new PacketHeader();
  header.sessionId = aliceKeys.sessionId;
  header.originHash = alice.originHash;
  header.flags = HeaderFlag.RELIABLE;
  header.eventCount = 1;
  const aliceBuf = new Uint8Array(HEADER_BYTES + 4 + EVENT_BYTES + TAG_BYTES);
  const bobBuf = new Uint8Array(aliceBuf.length);
  const writer = new EventFrameWriter();
  const event = new TextEncoder().encode('hello from alice'.padEnd(EVENT_BYTES, '.'));
  const seen = new PacketHeader();

  const onBob = (m: Buffer): void => {
    if (decodeHeaderInto(m, 0, seen) !== WireStatus.OK || bobRx.open(m, 0, m.length) !== PacketStatus.Ok) {
      console.error('bob dropped a packet');
      return;
    }
    // Echo the events back under bob's own key and counter.
    bobBuf.set(m.subarray(0, HEADER_BYTES + seen.payloadLen));
    if (bobTx.seal(bobBuf, 0, seen.payloadLen) === PacketStatus.Ok) sb.send(bobBuf.subarray(0, HEADER_BYTES + seen.payloadLen + TAG_BYTES));
  };
  sb.on('message', onBob);

  let firstEcho = '';
  const samples: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    header.sequence = BigInt(i);
    writer.reset(aliceBuf, HEADER_BYTES, 4 + EVENT_BYTES);
    writer.append(event);
    header.payloadLen = writer.length;
    encodeHeaderInto(header, aliceBuf, 0);
    const t = performance.now();
    const reply = nextMessage(sa);
    if (aliceTx.seal(aliceBuf, 0, writer.length) !== PacketStatus.Ok) throw new Error('seal failed');
    sa.send(aliceBuf);
    const m = await reply;
    if (aliceRx.open(m, 0, m.length) !== PacketStatus.Ok) throw new Error('alice could not open the echo');
    samples.push((performance.now() - t) * 1000);
    if (i === 0) {
      forEachEvent(m.subarray(HEADER_BYTES, m.length - TAG_BYTES), 1, (e) => (firstEcho = new TextDecoder().decode(e).replace(/\.+$/, '')));
    }
  }
  sb.off('message', onBob);
  const sealed = stats(samples.slice(Math.floor(ROUND_TRIPS / 10)));
  const raw = await rawEcho(sa, sb);

  console.log(`first echo opened by alice: "${firstEcho}"`);
  console.log(`\n${ROUND_TRIPS} round trips, ${EVENT_BYTES}-byte event, one process (first 10 % dropped as warm-up):`);
  console.log(`  sealed (ChaCha20-Poly1305, replay window): median ${fmt(sealed.median)}  p99 ${fmt(sealed.p99)}`);
  console.log(`  raw dgram echo, same sockets:            median ${fmt(raw.median)}  p99 ${fmt(raw.p99)}`);
  console.log(`  ratio (median): ${(sealed.median / raw.median).toFixed(2)}x`);

  for (const x of [aliceTx, aliceRx, bobTx, bobRx, aliceKeys, bobKeys, psk, alice, bob]) x.dispose();
  sa.close();
  sb.close();
}

await main();
