// One end of the cross-process `transport.handshakes` benchmark, used by the parent and by the child process
// (handshake-peer.ts): a responder SessionManager on its own UdpPort, plus `initiators` SessionManagers (one UdpPort
// each) that dial the other end's responder, and close and redial as soon as the responder's identity proof
// verifies, so every handshake also replaces a live session by proof at the responder (the costliest path).
// Each end configures the other end's initiator addresses, as a deployment lists its peers, so a msg1 is matched by
// address rather than tried against up to maxHandshakeTrials candidates.
import { CryptoRandom, RealTimers, SystemClock } from '../../src/core/index.js';
import { SessionDriver, SessionManager, UdpPort, peerAddress } from '../../src/transport/index.js';
import { BENCH_PSK, BENCH_SESSION_OPTIONS, HANDSHAKE_FIRST_INITIATOR, benchIdentity } from './bench-peers.js';

export type HandshakeSide = 0 | 1;

/** Where an end listens: its responder's port and its initiators' ports, all on 127.0.0.1. */
export interface HandshakeEndPorts { responder: number; initiators: number[] }

/** Identity proofs verified: as responder (one per completed handshake) and as initiator. */
export interface HandshakeCounts { asResponder: number; asInitiator: number; cpuUs: number }

const responderIdentity = (side: HandshakeSide) => benchIdentity(2 + side);
const initiatorIdentity = (side: HandshakeSide, k: number) => benchIdentity(HANDSHAKE_FIRST_INITIATOR + side * 64 + k);
export const MAX_INITIATORS_PER_SIDE = 64;

export class HandshakeEnd {
  private readonly clock = new SystemClock();
  private readonly random = new CryptoRandom();
  private readonly drivers: SessionDriver[] = [];
  private readonly starters: (() => void)[] = [];
  private counts = { asResponder: 0, asInitiator: 0 };
  private readonly responder: SessionManager;

  private constructor(private readonly side: HandshakeSide, private readonly udp: UdpPort[]) {
    const [rport] = udp;
    this.responder = new SessionManager({
      clock: this.clock, random: this.random, identity: responderIdentity(side), send: SessionDriver.output(rport!),
      events: { sessionUp: () => {}, sessionDown: () => {}, data: () => {}, identityProven: () => { this.counts.asResponder++; } },
    }, { psk: BENCH_PSK, ...BENCH_SESSION_OPTIONS });
    this.drive(rport!, this.responder);
  }

  static async open(side: HandshakeSide, initiators: number): Promise<HandshakeEnd> {
    if (initiators > MAX_INITIATORS_PER_SIDE) throw new Error(`at most ${MAX_INITIATORS_PER_SIDE} initiators per side`);
    const udp: UdpPort[] = [];
    try {
      for (let k = 0; k <= initiators; k++) {
        udp.push(await UdpPort.open({ host: '127.0.0.1', port: 0, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 }));
      }
    } catch (e) {
      for (const u of udp) await u.close();
      throw e;
    }
    return new HandshakeEnd(side, udp);
  }

  get ports(): HandshakeEndPorts {
    return { responder: this.udp[0]!.local.port, initiators: this.udp.slice(1).map((u) => u.local.port) };
  }

  /** Lets the other end's initiators in and points this end's initiators at the other end's responder. */
  pair(other: HandshakeEndPorts): void {
    const otherSide = (1 - this.side) as HandshakeSide;
    other.initiators.forEach((p, k) => {
      const id = initiatorIdentity(otherSide, k);
      this.responder.expect(id.nodeId, id.staticPublicKey, peerAddress('ipv4', '127.0.0.1', p));
    });
    const rid = responderIdentity(otherSide);
    const target = { nodeId: rid.nodeId, staticPublicKey: rid.staticPublicKey, address: peerAddress('ipv4', '127.0.0.1', other.responder) };
    for (let k = 1; k < this.udp.length; k++) {
      const port = this.udp[k]!;
      const redial = (): void => {
        if (mgr.isShutdown) return;
        mgr.close(target.nodeId);
        mgr.connect(target);
        driver.arm();
      };
      const mgr: SessionManager = new SessionManager({
        clock: this.clock, random: this.random, identity: initiatorIdentity(this.side, k - 1), send: SessionDriver.output(port),
        events: {
          sessionUp: () => {}, sessionDown: () => {}, data: () => {},
          identityProven: () => { this.counts.asInitiator++; setImmediate(redial); },
        },
      }, { psk: BENCH_PSK, ...BENCH_SESSION_OPTIONS });
      const driver = this.drive(port, mgr);
      this.starters.push(() => { mgr.connect(target); driver.arm(); });
    }
  }

  /** Starts every initiator (after both ends have paired). */
  start(): void {
    for (const s of this.starters.splice(0)) s();
  }

  count(): HandshakeCounts {
    const u = process.cpuUsage();
    if (process.env.BENCH_HS_DEBUG) {
      const nz = Object.entries(this.responder.counters.snapshot()).filter(([, v]) => v !== 0);
      console.error(`side ${this.side} responder`, JSON.stringify(Object.fromEntries(nz)));
    }
    return { ...this.counts, cpuUs: u.user + u.system };
  }

  async close(): Promise<void> {
    for (const d of this.drivers) d.stop();
    for (const u of this.udp) await u.close();
  }

  private drive(port: UdpPort, mgr: SessionManager): SessionDriver {
    const d = new SessionDriver(port, mgr, new RealTimers(), this.clock);
    d.arm();
    this.drivers.push(d);
    return d;
  }
}
