/**
 * The mesh plane inside a `MeshNode`: one `MeshRouter` fed by the node's session events and its subprotocol
 * registry (pingwave batches on 0xF004, withdrawals on 0x0C01), a `MeshDriver` on real timers, and the relay's
 * intercept for the session driver. Defaults chosen here: the pingwave interval follows the heartbeat interval,
 * a pingwave batch fills what the datagram size allows, and the first pingwave sequence is the wall clock in
 * microseconds so a restarted node starts above what it sent before.
 */
import type { Clock, Timers } from '../core/index.js';
import { MeshDriver, MeshRouter, type MeshRouterOptions, type RouteRow } from '../mesh/index.js';
import {
  SessionSendStatus, type DatagramPort, type PeerAddress, type SessionManager, type SessionPeer, type SubprotocolRegistry,
} from '../transport/index.js';
import { HEADER_BYTES, PINGWAVE_BYTES, SUBPROTOCOL_PINGWAVE, SUBPROTOCOL_ROUTE_WITHDRAW } from '../wire/index.js';

export interface NodeMeshComponents {
  clock: Clock;
  timers: Timers;
  nodeId: bigint;
  sessions: SessionManager;
  port: DatagramPort;
  registry: SubprotocolRegistry<SessionPeer>;
}

export interface NodeMeshSettings {
  heartbeatMs: number;
  maxDatagramSize: number;
  options?: MeshRouterOptions;
}

export class NodeMesh {
  readonly router: MeshRouter;
  private readonly driver: MeshDriver;

  constructor(c: NodeMeshComponents, s: NodeMeshSettings) {
    const perPacket = Math.max(1, Math.floor((s.maxDatagramSize - HEADER_BYTES - 16) / PINGWAVE_BYTES));
    this.router = new MeshRouter({
      clock: c.clock,
      nodeId: c.nodeId,
      sendTo: (to, sub, payload) => c.sessions.send(to, sub, payload) === SessionSendStatus.Ok,
      sendDatagram: (bytes, to) => { c.port.send(bytes, to); },
      peer: (nodeId) => c.sessions.peer(nodeId),
    }, {
      pingwaveIntervalMs: s.heartbeatMs,
      maxPingwavesPerPacket: perPacket,
      firstSeq: BigInt(Date.now()) * 1000n,
      ...s.options,
    });
    this.driver = new MeshDriver(this.router, c.timers, c.clock);
    c.registry.register(SUBPROTOCOL_PINGWAVE, (payload, peer) => this.fed(() => this.router.onPingwaves(peer, payload)),
      { name: 'pingwave', allowReserved: true });
    c.registry.register(SUBPROTOCOL_ROUTE_WITHDRAW, (payload, peer) => this.fed(() => this.router.onWithdrawal(peer, payload)),
      { name: 'route-withdraw' });
    this.driver.arm();
  }

  /** For the session driver: takes routed datagrams for other nodes (and bare pingwaves) before the sessions. */
  readonly intercept = (bytes: Uint8Array, from: PeerAddress): boolean => this.router.relay.intercept(bytes, from);

  identityProven(peer: SessionPeer): void {
    this.fed(() => this.router.neighborUp(peer));
  }

  sessionDown(nodeId: bigint): void {
    this.fed(() => this.router.neighborDown(nodeId));
  }

  routes(): RouteRow[] {
    return this.router.routes();
  }

  stop(): void {
    this.driver.stop();
  }

  private fed(f: () => void): void {
    f();
    this.driver.arm();
  }
}
