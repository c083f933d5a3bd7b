// Child process for handshake-flood.test.ts: 49 UDP ports on 127.0.0.2 … 127.0.0.50, each sending a well-formed
// msg1 under a wrong PSK to the target every 10 ms (4,900 msg1/s in all, 20x each source's allowance) until
// killed. argv: <target port> <initiator routing id> <responder routing id> <responder static key hex>
import { randomBytes } from 'node:crypto';
import { CryptoRandom } from '../../src/core/index.js';
import { NoiseInitiator, netPrologue } from '../../src/crypto/index.js';
import { encodeHandshakePacket } from '../../src/wire/index.js';
import { UdpPort, peerAddress } from '../../src/transport/index.js';

const [port, src, dst, key] = process.argv.slice(2) as [string, string, string, string];
const target = peerAddress('ipv4', '127.0.0.1', Number(port));
const random = new CryptoRandom();
const packets = Array.from({ length: 8 }, () => encodeHandshakePacket(new NoiseInitiator({ random }, {
  psk: randomBytes(32), prologue: netPrologue(Number(src), Number(dst)), responderStatic: Buffer.from(key, 'hex'),
}).writeMessage1()));
const ports = await Promise.all(Array.from({ length: 49 }, (_, i) => UdpPort.open({ host: `127.0.0.${i + 2}` })));
let sent = 0;
setInterval(() => {
  for (const p of ports) p.send(packets[sent++ & 7]!, target);
}, 10);
setInterval(() => process.stdout.write(`${sent}\n`), 100);
