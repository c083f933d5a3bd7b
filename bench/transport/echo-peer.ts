// Child process for bench/transport/session.bench.ts: a SessionManager on a UdpPort plus a raw node:dgram socket,
// both on 127.0.0.1 port 0. Mode `echo` sends every datagram back (ours: the same payload on the same
// subprotocol); mode `sink` only counts. Talks to the parent over IPC: sends `{ ours, raw }` ports when ready,
// answers `count` with `{ ours, raw, auth }`, exits when the parent disconnects.
import { createSocket } from 'node:dgram';
import { CryptoRandom, RealTimers, SystemClock } from '../../src/core/index.js';
import { Identity } from '../../src/crypto/index.js';
import { SessionDriver, SessionManager, UdpPort } from '../../src/transport/index.js';
import { BENCH_PSK, benchIdentity, BENCH_SESSION_OPTIONS } from './bench-peers.js';

const mode = process.argv[2] === 'sink' ? 'sink' : 'echo';
const parent = benchIdentity(1);
const id: Identity = benchIdentity(2);
const clock = new SystemClock();
const port = await UdpPort.open({ host: '127.0.0.1', port: 0, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
let ours = 0;
let raw = 0;
const mgr: SessionManager = new SessionManager({
  clock, random: new CryptoRandom(), identity: id, send: SessionDriver.output(port),
  events: {
    sessionUp: () => {},
    sessionDown: () => {},
    identityProven: () => {},
    data: mode === 'echo'
      ? (p, sub, payload) => { mgr.send(p.nodeId, sub, payload); }
      : () => { ours++; },
  },
}, { psk: BENCH_PSK, ...BENCH_SESSION_OPTIONS });
const driver = new SessionDriver(port, mgr, new RealTimers(), clock);
mgr.expect(parent.nodeId, parent.staticPublicKey);
driver.arm();

const sock = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
if (mode === 'echo') sock.on('message', (msg, r) => sock.send(msg, r.port, r.address));
else sock.on('message', () => { raw++; });
await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));

process.on('message', (m: unknown) => {
  if (m === 'count') process.send!({ ours, raw, auth: mgr.counters.get('drop_auth_failed') });
});
process.on('disconnect', () => {
  driver.stop();
  sock.close();
  void port.close().then(() => process.exit(0));
});
process.send!({ ours: port.local.port, raw: sock.address().port });
