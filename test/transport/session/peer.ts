// One OS process of process.test.ts: Identity + SessionManager + SessionDriver on a UdpPort (127.0.0.1, port 0),
// driven over IPC by the test. argv: <identity seed> <options JSON>. Messages in: `peer` (connect or expect),
// `send` (n data packets, sequence-numbered), `expect-data` (report when this many have arrived), `shutdown`.
// Messages out: `ready`, `event` (up / proven / down reason), `got`, `done` (counters). Exits on its own once the
// test disconnects and the port is closed: no process.exit.
import { CryptoRandom, RealTimers, SystemClock } from '../../../src/core/index.js';
import { Identity } from '../../../src/crypto/index.js';
import { SessionDriver, SessionManager, UdpPort, peerAddress, type SessionOptions } from '../../../src/transport/index.js';

export type ToPeer =
  | { type: 'peer'; port: number; nodeId: string; staticKey: string; connect: boolean }
  | { type: 'send'; n: number }
  | { type: 'expect-data'; n: number }
  | { type: 'shutdown' };
export type FromPeer =
  | { type: 'ready'; port: number; nodeId: string; staticKey: string }
  | { type: 'event'; what: string }
  | { type: 'got'; n: number }
  | { type: 'done'; counters: Record<string, number>; seqOk: boolean };

const SUB = 0x42;
const send = (m: FromPeer): void => { process.send!(m); };
const id = Identity.fromSeed(new Uint8Array(32).fill(Number(process.argv[2])));
const options = JSON.parse(process.argv[3] ?? '{}') as Partial<SessionOptions>;
const psk = new Uint8Array(32).fill(0x33);
const clock = new SystemClock();
const port = await UdpPort.open({ host: '127.0.0.1', port: 0 });
let remote = 0n;
let got = 0;
let want = Infinity;
let sent = 0;
const seen = new Uint8Array(1 << 16);
let seqOk = true;
const mgr = new SessionManager({
  clock, random: new CryptoRandom(), identity: id, send: SessionDriver.output(port),
  events: {
    sessionUp: () => send({ type: 'event', what: 'up' }),
    sessionDown: (_p, reason) => send({ type: 'event', what: `down ${reason}` }),
    identityProven: () => send({ type: 'event', what: 'proven' }),
    data: (_p, sub, payload) => {
      const seq = payload.length === 64 && sub === SUB ? new DataView(payload.buffer, payload.byteOffset).getUint32(0, true) : -1;
      if (seq < 0 || seq >= seen.length || seen[seq] !== 0) seqOk = false;
      else seen[seq] = 1;
      if (++got === want) send({ type: 'got', n: got });
    },
  },
}, { psk, ...options });
const driver = new SessionDriver(port, mgr, new RealTimers(), clock);
const payload = new Uint8Array(64);
const view = new DataView(payload.buffer);

process.on('message', (raw: unknown) => {
  const m = raw as ToPeer;
  switch (m.type) {
    case 'peer': {
      remote = BigInt(`0x${m.nodeId}`);
      const key = Uint8Array.from(Buffer.from(m.staticKey, 'hex'));
      const address = peerAddress('ipv4', '127.0.0.1', m.port);
      if (m.connect) mgr.connect({ nodeId: remote, staticPublicKey: key, address });
      else mgr.expect(remote, key, address);
      break;
    }
    case 'send':
      for (let i = 0; i < m.n; i++) {
        view.setUint32(0, sent++, true);
        if (mgr.send(remote, SUB, payload) !== 0) seqOk = false;
      }
      break;
    case 'expect-data':
      want = m.n;
      if (got >= want) send({ type: 'got', n: got });
      break;
    case 'shutdown':
      driver.stop();
      void port.close().then(() => {
        const done: FromPeer = { type: 'done', counters: mgr.counters.snapshot() as Record<string, number>, seqOk };
        process.send!(done, () => process.disconnect());
      });
      return;
  }
  driver.arm();
});
// The test went away (or disconnected after `done`): close everything so the process can exit.
process.on('disconnect', () => {
  driver.stop();
  void port.close();
});
send({ type: 'ready', port: port.local.port, nodeId: id.nodeId.toString(16), staticKey: Buffer.from(id.staticPublicKey).toString('hex') });
