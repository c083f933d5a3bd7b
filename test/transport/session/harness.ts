// Simulator harness for session tests: nodes = Identity + SessionManager + SessionDriver on a SimPort, all on one
// VirtualScheduler, with an event log and the `received = accepted + Σ drops` check.
import assert from 'node:assert/strict';
import { SeededRandom, type Random } from '../../../src/core/index.js';
import { Identity, type Identity as IdentityT } from '../../../src/crypto/index.js';
import type { PacketHeader } from '../../../src/wire/index.js';
import {
  SESSION_DROP_COUNTERS, SessionDriver, SessionManager, SimNetwork, type PeerAddress, type SessionOptions, type SessionPeer,
  type SimPort,
} from '../../../src/transport/index.js';

export const PSK = new Uint8Array(32).fill(7);

export interface Received {
  from: bigint;
  sub: number;
  bytes: Uint8Array;
  /** Stream-layer header fields as received (authenticated with the packet). */
  stream: { flags: number; streamId: bigint; sequence: bigint; eventCount: number; fragmentId: number; fragmentOffset: number };
}

export interface TestNode {
  name: string;
  id: IdentityT;
  mgr: SessionManager;
  port: SimPort;
  driver: SessionDriver;
  log: string[];
  got: Received[];
  /** Every datagram this node's manager sent (copies), with destination. */
  sent: { bytes: Uint8Array; to: PeerAddress }[];
  /** When set, outgoing datagrams go through this filter (return false to drop). */
  filter: ((bytes: Uint8Array, to: PeerAddress) => boolean) | null;
  /** Send through this port instead (NAT rebinding). */
  via: SimPort | null;
}

export function identityOf(n: number): IdentityT {
  return Identity.fromSeed(new Uint8Array(32).fill(n));
}

/**
 * Mallory: a PSK holder who claims `claimed`'s node id with her own keys (seed 9). Her identity proof carries a
 * key that does not derive the id she claims.
 */
export function impostorOf(claimed: IdentityT): IdentityT {
  const mallory = Identity.fromSeed(new Uint8Array(32).fill(9));
  return {
    nodeId: claimed.nodeId, routingId: claimed.routingId, publicKey: mallory.publicKey, staticPublicKey: mallory.staticPublicKey,
    staticPrivateKey: mallory.staticPrivateKey, sign: (m: Uint8Array) => mallory.sign(m),
  } as unknown as IdentityT;
}

export function makeNode(net: SimNetwork, name: string, idSeed: number, options: Partial<SessionOptions> = {},
  identity?: IdentityT, random?: Random): TestNode {
  const port = net.port(name);
  const id = identity ?? identityOf(idSeed);
  const node = { name, id, port, log: [] as string[], got: [] as Received[], sent: [], filter: null, via: null } as unknown as TestNode;
  const short = (p: SessionPeer): string => `${p.nodeId === 0n ? '?' : p.nodeId.toString(16).slice(0, 4)}`;
  const mgr = new SessionManager({
    clock: net.scheduler.clock,
    random: random ?? new SeededRandom(idSeed * 7919 + 1),
    identity: id,
    send: (bytes, to) => {
      node.sent.push({ bytes: bytes.slice(), to });
      if (node.filter !== null && !node.filter(bytes, to)) return;
      (node.via ?? port).send(bytes, to);
    },
    events: {
      sessionUp: (p) => node.log.push(`up ${short(p)}`),
      sessionDown: (p, r) => node.log.push(`down ${short(p)} ${r}`),
      identityProven: (p) => node.log.push(`proven ${short(p)}`),
      identityUnproven: (p) => node.log.push(`unproven ${short(p)}`),
      data: (p: SessionPeer, sub: number, payload: Uint8Array, h: PacketHeader) => {
        node.got.push({
          from: p.nodeId, sub, bytes: payload.slice(),
          stream: {
            flags: h.flags, streamId: h.streamId, sequence: h.sequence, eventCount: h.eventCount,
            fragmentId: h.fragmentId, fragmentOffset: h.fragmentOffset,
          },
        });
      },
    },
  }, { psk: PSK, ...options });
  node.mgr = mgr;
  node.driver = new SessionDriver(port, mgr, net.scheduler, net.scheduler.clock);
  return node;
}

/** Makes `a` connect to `b` (and `b` expect `a`). */
export function link(a: TestNode, b: TestNode, connect = true): void {
  b.mgr.expect(a.id.nodeId, a.id.staticPublicKey, a.port.local);
  if (connect) {
    a.mgr.connect({ nodeId: b.id.nodeId, staticPublicKey: b.id.staticPublicKey, address: b.port.local });
    a.driver.arm();
  } else {
    a.mgr.expect(b.id.nodeId, b.id.staticPublicKey, b.port.local);
  }
  b.driver.arm();
}

export function assertBalanced(...nodes: TestNode[]): void {
  for (const n of nodes) {
    const c = n.mgr.counters;
    assert.equal(c.get('received'), c.get('accepted') + c.sum(SESSION_DROP_COUNTERS), `${n.name}: ${JSON.stringify(c.snapshot())}`);
  }
}

export function drops(n: TestNode): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of SESSION_DROP_COUNTERS) {
    const v = n.mgr.counters.get(k);
    if (v !== 0) out[k] = v;
  }
  return out;
}

export function newNet(seed: number, defaults: ConstructorParameters<typeof SimNetwork>[0] = {}): SimNetwork {
  return new SimNetwork({ seed, ...defaults });
}
