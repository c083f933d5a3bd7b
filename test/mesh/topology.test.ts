// Many nodes in a random sparse topology (seeded): discovery reaches every pair along loop-free paths, the same
// seed gives the same trace, a partition heals, and a crashed relay is routed around.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/index.js';
import { assertBalanced, crash, join, meshNode, newNet, path, type MeshTestNode } from './harness.js';

const MESH = { pingwaveIntervalMs: 1000, maxPingwavesPerPacket: 100 };
const SESSION = { heartbeatMs: 1000 };

/** A connected random graph: a random spanning tree plus `extra` random edges. */
function sparse(n: number, extra: number, seed: number): [number, number][] {
  const rnd = new SeededRandom(seed);
  const pick = (k: number): number => rnd.nextU32() % k;
  const edges = new Set<string>();
  const out: [number, number][] = [];
  const add = (x: number, y: number): void => {
    const key = x < y ? `${x}-${y}` : `${y}-${x}`;
    if (x === y || edges.has(key)) return;
    edges.add(key);
    out.push([x, y]);
  };
  for (let i = 1; i < n; i++) add(i, pick(i));
  while (out.length < n - 1 + extra) add(pick(n), pick(n));
  return out;
}

function mesh(n: number, extra: number, seed: number, trace = false) {
  const net = newNet(seed, trace);
  const nodes: MeshTestNode[] = [];
  for (let i = 0; i < n; i++) nodes.push(meshNode(net, `n${i}`, 100 + i, { mesh: MESH, session: SESSION }));
  const byId = new Map(nodes.map((x) => [x.id.nodeId, x]));
  const edges = sparse(n, extra, seed);
  const adjacent = new Set(edges.flatMap(([x, y]) => [`${x}-${y}`, `${y}-${x}`]));
  // Only edges carry traffic: every other pair is blocked, so a route must go through relays.
  const applyTopology = (): void => {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && !adjacent.has(`${i}-${j}`)) net.block(`n${i}`, `n${j}`);
  };
  applyTopology();
  for (const [x, y] of edges) join(nodes[x]!, nodes[y]!);
  return { net, nodes, byId, edges, applyTopology };
}

function unreachablePairs(nodes: MeshTestNode[], byId: Map<bigint, MeshTestNode>): number {
  let missing = 0;
  for (const s of nodes) for (const d of nodes) if (s !== d && path(byId, s, d) === null) missing++;
  return missing;
}

test('100 nodes, sparse random topology: every pair routes along a loop-free path; same seed, same trace', () => {
  const run = () => {
    const m = mesh(100, 40, 4242, true);
    m.net.scheduler.runFor(6000);
    return m;
  };
  const m = run();
  assert.equal(unreachablePairs(m.nodes, m.byId), 0);
  let longest = 0;
  for (const s of m.nodes) for (const d of m.nodes) if (s !== d) longest = Math.max(longest, path(m.byId, s, d)!.length - 1);
  assert.ok(longest <= 16, `longest path ${longest} hops`);
  for (const x of m.nodes) assert.equal(x.router.table.size, 99);
  assertBalanced(...m.nodes);
  assert.equal(run().net.traceHash(), m.net.traceHash());
});

test('partition and heal: routes across the cut are withdrawn, then return', () => {
  const { net, nodes, byId, applyTopology } = mesh(30, 10, 77);
  net.scheduler.runFor(5000);
  assert.equal(unreachablePairs(nodes, byId), 0);
  const left = nodes.slice(0, 15).map((x) => x.name);
  const right = nodes.slice(15).map((x) => x.name);
  net.partition(left, right);
  net.scheduler.runFor(nodes[0]!.router.rerouteBoundMs + 3 * 1000 + 1000);
  for (const s of nodes.slice(0, 15)) {
    for (const d of nodes.slice(15)) assert.equal(s.router.nextHop(d.id.nodeId), null, 'no route across the partition');
  }
  net.heal();
  applyTopology();
  net.scheduler.runFor(8000);
  assert.equal(unreachablePairs(nodes, byId), 0);
  assertBalanced(...nodes);
});

test('a crashed relay is routed around within the bound plus one pingwave interval', () => {
  // A diamond: s–r1–d and s–r2–d, plus a tail so r1 and r2 differ.
  const net = newNet(91);
  const [s, r1, r2, d] = ['s', 'r1', 'r2', 'd'].map((name, i) => meshNode(net, name, 300 + i, { mesh: MESH, session: SESSION }));
  for (const [x, y] of [['s', 'd'], ['r1', 'r2']] as const) {
    net.block(x, y);
    net.block(y, x);
  }
  join(s!, r1!);
  join(s!, r2!);
  join(r1!, d!);
  join(r2!, d!);
  net.scheduler.runFor(4000);
  const via = s!.router.nextHop(d!.id.nodeId)!;
  const dead = via.nodeId === r1!.id.nodeId ? r1! : r2!;
  const alive = dead === r1 ? r2! : r1!;
  const t0 = net.scheduler.clock.nowMs();
  crash(net, dead, [s!, r1!, r2!, d!]);
  let movedAt = -1;
  for (let t = 0; t < 30_000 && movedAt < 0; t += 50) {
    net.scheduler.runFor(50);
    if (s!.router.nextHop(d!.id.nodeId)?.nodeId === alive.id.nodeId) movedAt = net.scheduler.clock.nowMs() - t0;
  }
  assert.ok(movedAt > 0, 'never rerouted');
  assert.ok(movedAt <= s!.router.rerouteBoundMs + 1000 + 100, `rerouted after ${movedAt} ms`);
  assertBalanced(s!, alive, d!);
});
