// Child process for the flood tests: 49 UDP ports on 127.0.0.2 … 127.0.0.50 send to the target until killed.
// argv: <target port> <initiator routing id> <responder routing id> <responder static key hex> [garbage]
// - default: a well-formed msg1 under a wrong PSK from each port every 10 ms (4,900 msg1/s, 20x each source's
//   allowance);
// - `garbage`: as fast as the loop runs, random bytes, truncated and bit-flipped copies of a msg1, and forged
//   data packets with the "NE" magic, lengths 0 … 1,500.
import { randomBytes } from 'node:crypto';
import { CryptoRandom } from '../../src/core/index.js';
import { NoiseInitiator, netPrologue } from '../../src/crypto/index.js';
import { encodeHandshakePacket } from '../../src/wire/index.js';
import { UdpPort, peerAddress } from '../../src/transport/index.js';

const [port, src, dst, key, mode] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const target = peerAddress('ipv4', '127.0.0.1', Number(port));
const random = new CryptoRandom();
const packets = Array.from({ length: 8 }, () => encodeHandshakePacket(new NoiseInitiator({ random }, {
  psk: randomBytes(32), prologue: netPrologue(Number(src), Number(dst)), responderStatic: Buffer.from(key, 'hex'),
}).writeMessage1()));
const ports = await Promise.all(Array.from({ length: 49 }, (_, i) => UdpPort.open({ host: `127.0.0.${i + 2}` })));
let sent = 0;
if (mode === 'garbage') {
  const junk = Array.from({ length: 64 }, (_, i) => {
    const base = packets[i & 7]!;
    switch (i % 4) {
      case 0: return randomBytes(i * 23 % 1500);
      case 1: return base.subarray(0, i % base.length);
      case 2: { const c = Uint8Array.from(base); c[i % c.length]! ^= 1 << (i % 8); return c; }
      default: { const c = randomBytes(84 + (i * 37) % 1400); c[0] = 0x45; c[1] = 0x4e; c[2] = 1; return c; }
    }
  });
  const blast = (): void => {
    for (let k = 0; k < 4; k++) for (const p of ports) p.send(junk[sent++ & 63]!, target);
    setImmediate(blast);
  };
  blast();
} else {
  setInterval(() => {
    for (const p of ports) p.send(packets[sent++ & 7]!, target);
  }, 10);
}
setInterval(() => process.stdout.write(`${sent}\n`), 100);
