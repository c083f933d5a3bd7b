// Child process for the cross-process `transport.handshakes` benchmark: one responder SessionManager on a UdpPort
// at 127.0.0.1 port 0 that expects the initiators `benchIdentity(HANDSHAKE_FIRST_INITIATOR + k)` for k < count
// (argv[2]). Sends `{ port }` over IPC when ready, answers `count` with `{ proven }` (identity proofs it verified),
// exits when the parent disconnects.
import { CryptoRandom, RealTimers, SystemClock } from '../../src/core/index.js';
import { SessionDriver, SessionManager, UdpPort } from '../../src/transport/index.js';
import { BENCH_PSK, BENCH_SESSION_OPTIONS, HANDSHAKE_FIRST_INITIATOR, benchIdentity } from './bench-peers.js';

const initiators = Number(process.argv[2]);
const clock = new SystemClock();
const port = await UdpPort.open({ host: '127.0.0.1', port: 0, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
let proven = 0;
const mgr = new SessionManager({
  clock, random: new CryptoRandom(), identity: benchIdentity(2), send: SessionDriver.output(port),
  events: { sessionUp: () => {}, sessionDown: () => {}, identityProven: () => { proven++; }, data: () => {} },
}, { psk: BENCH_PSK, ...BENCH_SESSION_OPTIONS });
for (let k = 0; k < initiators; k++) {
  const id = benchIdentity(HANDSHAKE_FIRST_INITIATOR + k);
  mgr.expect(id.nodeId, id.staticPublicKey);
}
const driver = new SessionDriver(port, mgr, new RealTimers(), clock);
driver.arm();

process.on('message', (m: unknown) => {
  if (m === 'count') process.send!({ proven });
});
process.on('disconnect', () => {
  driver.stop();
  void port.close().then(() => process.exit(0));
});
process.send!({ port: port.local.port });
