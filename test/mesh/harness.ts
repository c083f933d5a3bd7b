// Simulator harness for the mesh plane: each node is an Identity + SessionManager + SessionDriver (with the relay
// intercepting routed datagrams for other nodes) + MeshRouter + MeshDriver, all on one VirtualScheduler.
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/index.js';
import { Identity } from '../../src/crypto/index.js';
import { MeshDriver, MeshRouter, PINGWAVE_DROP_COUNTERS, RELAY_DROP_COUNTERS, type MeshRouterOptions } from '../../src/mesh/index.js';
import {
  SESSION_DROP_COUNTERS, SessionDriver, SessionManager, SimNetwork, type SessionOptions, type SimPort,
} from '../../src/transport/index.js';
import { SUBPROTOCOL_PINGWAVE, SUBPROTOCOL_ROUTE_WITHDRAW } from '../../src/wire/index.js';

export const PSK = new Uint8Array(32).fill(7);

export interface MeshTestNode {
  name: string;
  id: Identity;
  port: SimPort;
  mgr: SessionManager;
  driver: SessionDriver;
  router: MeshRouter;
  mesh: MeshDriver;
  got: { from: bigint; sub: number; bytes: Uint8Array }[];
  log: string[];
}

export function identityOf(n: number): Identity {
  const seed = new Uint8Array(32);
  new DataView(seed.buffer).setUint32(0, n + 1, true);
  return Identity.fromSeed(seed);
}

export function meshNode(net: SimNetwork, name: string, n: number, options: { session?: Partial<SessionOptions>; mesh?: MeshRouterOptions } = {}): MeshTestNode {
  const port = net.port(name);
  const id = identityOf(n);
  const node = { name, id, port, got: [], log: [] } as unknown as MeshTestNode;
  const clock = net.scheduler.clock;
  const mgr = new SessionManager({
    clock, random: new SeededRandom(n * 7919 + 3), identity: id,
    send: (bytes, to) => { port.send(bytes, to); },
    events: {
      sessionUp: () => {},
      sessionDown: (p) => { node.router.neighborDown(p.nodeId); node.mesh.arm(); },
      identityProven: (p) => { node.router.neighborUp(p); node.mesh.arm(); },
      data: (p, sub, payload) => {
        if (sub === SUBPROTOCOL_PINGWAVE) node.router.onPingwaves(p, payload);
        else if (sub === SUBPROTOCOL_ROUTE_WITHDRAW) node.router.onWithdrawal(p, payload);
        else node.got.push({ from: p.nodeId, sub, bytes: payload.slice() });
      },
    },
  }, { psk: PSK, acceptRoutedHandshakes: true, ...options.session });
  const router = new MeshRouter({
    clock, nodeId: id.nodeId,
    sendTo: (to, sub, payload) => mgr.send(to, sub, payload) === 0,
    sendDatagram: (bytes, to) => { port.send(bytes, to); },
    peer: (nodeId) => mgr.peer(nodeId),
    events: {
      neighborSuspected: (x) => node.log.push(`suspected ${short(x)} @${clock.nowMs()}`),
      neighborFailed: (x) => node.log.push(`failed ${short(x)} @${clock.nowMs()}`),
      neighborRecovered: (x) => node.log.push(`recovered ${short(x)} @${clock.nowMs()}`),
      routeLost: (x) => node.log.push(`lost ${short(x)} @${clock.nowMs()}`),
    },
  }, options.mesh);
  Object.assign(node, {
    mgr, router,
    driver: new SessionDriver(port, mgr, net.scheduler, clock, (b, f) => router.relay.intercept(b, f)),
    mesh: new MeshDriver(router, net.scheduler, clock),
  });
  node.mesh.arm();
  return node;
}

export const short = (x: bigint): string => x.toString(16).padStart(16, '0').slice(0, 6);

/** A direct session between two nodes (b expects a; a dials b). */
export function join(a: MeshTestNode, b: MeshTestNode): void {
  b.mgr.expect(a.id.nodeId, a.id.staticPublicKey, a.port.local);
  a.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: b.port.local });
  a.driver.arm();
  b.driver.arm();
}

/** A stopped node: drivers stopped and every link to it blocked both ways (a crash). */
export function crash(net: SimNetwork, x: MeshTestNode, all: MeshTestNode[]): void {
  for (const o of all) {
    if (o === x) continue;
    net.block(x.name, o.name);
    net.block(o.name, x.name);
  }
  x.mesh.stop();
  x.driver.stop();
}

/** received = accepted + Σ drops for sessions, the relay and pingwave records. */
export function assertBalanced(...nodes: MeshTestNode[]): void {
  for (const n of nodes) {
    const s = n.mgr.counters;
    assert.equal(s.get('received'), s.get('accepted') + s.sum(SESSION_DROP_COUNTERS), `${n.name} sessions`);
    const m = n.router.counters;
    assert.equal(m.get('relay_received'), m.get('relay_forwarded') + m.sum(RELAY_DROP_COUNTERS), `${n.name} relay`);
    assert.equal(m.get('pingwaves_received'), m.get('pingwaves_accepted') + m.sum(PINGWAVE_DROP_COUNTERS),
      `${n.name} pingwaves ${JSON.stringify(m.snapshot())}`);
  }
}

/** Follows next hops from `src` towards `dst`; returns the path of names, or null on a missing route or a loop. */
export function path(nodes: Map<bigint, MeshTestNode>, src: MeshTestNode, dst: MeshTestNode): string[] | null {
  const out = [src.name];
  let at = src;
  for (let i = 0; i < 32; i++) {
    if (at === dst) return out;
    const hop = at.router.nextHop(dst.id.nodeId);
    if (hop === null) return null;
    at = nodes.get(hop.nodeId)!;
    out.push(at.name);
  }
  return null;
}

export function newNet(seed: number, trace = false): SimNetwork {
  return new SimNetwork({ seed, trace, traceLimit: 0 });
}
