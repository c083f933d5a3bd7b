/**
 * `net-mesh node`: runs a node from a configuration file and flags until SIGINT/SIGTERM, printing session
 * events. `net-mesh ping <node_id>`: connects to a configured peer with this identity and measures round trips.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/index.js';
import { MeshNode, type MeshPeer } from '../../node/index.js';
import { formatSocketAddress } from '../../transport/index.js';
import { loadNodeConfig, type NodeConfig } from '../config.js';
import type { CliIO } from '../output.js';
import { defaultIdentityPath } from '../paths.js';
import { loadPskFile } from '../psk-file.js';
import { addNodeFlags, nodeFlagsToOverrides, type NodeFlags } from './config.js';
import { formatNodeId, loadIdentityForCli } from './identity.js';

function meshPeers(config: NodeConfig): MeshPeer[] {
  return config.peers.map((p) => ({ address: formatSocketAddress(p.address), publicKey: p.staticKey, nodeId: p.nodeId }));
}

async function openNode(config: NodeConfig, bindAddr: string, seeds: boolean): Promise<MeshNode> {
  const identity = await loadIdentityForCli(config.identity);
  const psk = await loadPskFile(config.pskFile);
  try {
    const peers = meshPeers(config);
    return await MeshNode.create({ bindAddr, psk, identity, expectedPeers: peers, ...(seeds ? { seedPeers: peers } : {}) });
  } finally {
    psk.fill(0);
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function registerNodeCommands(program: Command, io: CliIO): void {
  addNodeFlags(
    program
      .command('node')
      .description('run a node: bind, answer configured peers, dial them, print session events until Ctrl-C')
      .argument('[config]', 'TOML configuration file'),
  ).action(async (file: string | undefined, opts: NodeFlags) => {
    const config = await loadNodeConfig(file, nodeFlagsToOverrides(opts), { defaultIdentity: defaultIdentityPath(io.env) });
    const node = await openNode(config, formatSocketAddress(config.bind), true);
    const signal = untilSignal();
    node.onPeerEvent((e) => {
      const id = formatNodeId(e.nodeId);
      if (e.type === 'up') io.stdout(`peer ${id} up at ${e.address ?? '?'}\n`);
      else if (e.type === 'down') io.stdout(`peer ${id} down (${e.reason})\n`);
      else if (e.type === 'identity-proven') io.stdout(`peer ${id} proved its identity\n`);
      else io.stdout(`peer ${id} sent no identity proof: PSK-only\n`);
    });
    await node.start();
    io.stdout(`node ${formatNodeId(node.nodeId())} listening on ${node.localAddress()}\n`);
    io.stdout(`static key ${node.publicKey()} (peers connect with --peer ${node.localAddress()},${node.publicKey()},${formatNodeId(node.nodeId())})\n`);
    io.stdout(`${config.peers.length} configured peer(s); Ctrl-C to stop\n`);
    const sig = await signal;
    io.stdout(`${sig}: shutting down\n`);
    const m = node.metrics();
    await node.shutdown();
    io.stdout(`received ${m.sessions.received} datagrams, accepted ${m.sessions.accepted}, sessions up ${m.sessions.sessions_up}\n`);
  });

  addNodeFlags(
    program
      .command('ping')
      .description('connect to a configured peer with this identity and measure round-trip times')
      .argument('<node_id>', 'the peer\'s node id (16 hex digits), one of the configured peers')
      .argument('[config]', 'TOML configuration file'),
  )
    .option('-c, --count <n>', 'pings to send', '4')
    .option('-i, --interval <ms>', 'time between pings', '1000')
    .option('--timeout <ms>', 'connect and per-reply timeout', '5000')
    .action(async (target: string, file: string | undefined, opts: NodeFlags & { count: string; interval: string; timeout: string }) => {
      const count = positiveInt(opts.count, '--count');
      const interval = nonNegativeInt(opts.interval, '--interval');
      const timeoutMs = positiveInt(opts.timeout, '--timeout');
      if (!/^[0-9a-fA-F]{16}$/.test(target)) throw new InvalidArgumentError(`node id must be 16 hex digits, got ${JSON.stringify(target)}`);
      const nodeId = BigInt(`0x${target}`);
      const config = await loadNodeConfig(file, nodeFlagsToOverrides(opts), { defaultIdentity: defaultIdentityPath(io.env) });
      const peer = config.peers.find((p) => p.nodeId === nodeId);
      if (peer === undefined) throw new InvalidArgumentError(`${target} is not a configured peer (add it with --peer or [[peers]])`);
      // Bind an ephemeral port on the configured host, so a running `net-mesh node` keeps its own port.
      const bind = formatSocketAddress({ ...config.bind, port: 0 });
      const node = await openNode(config, bind, false);
      try {
        const t0 = performance.now();
        await node.connect(formatSocketAddress(peer.address), peer.staticKey, nodeId, { timeoutMs });
        io.stdout(`session with ${target} at ${formatSocketAddress(peer.address)} in ${(performance.now() - t0).toFixed(1)} ms\n`);
        const rtts: number[] = [];
        for (let i = 0; i < count; i++) {
          if (i > 0 && interval > 0) await new Promise((r) => setTimeout(r, interval));
          const rtt = await node.ping(nodeId, { timeoutMs });
          rtts.push(rtt);
          io.stdout(`reply from ${target}: seq=${i} time=${rtt.toFixed(3)} ms\n`);
        }
        const avg = rtts.reduce((s, x) => s + x, 0) / rtts.length;
        io.stdout(`${count} sent, ${rtts.length} received; min/avg/max = ${Math.min(...rtts).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...rtts).toFixed(3)} ms\n`);
      } finally {
        await node.shutdown();
      }
    });
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return n;
}
