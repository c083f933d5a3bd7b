/** `net-mesh config check <file>`: validates a node configuration with its flags and prints it, secrets redacted. */
import type { Command } from 'commander';
import { toHex } from '../../core/index.js';
import { wipe } from '../../crypto/index.js';
import { formatSocketAddress } from '../../transport/index.js';
import { loadNodeConfig, type ConfigOverrides, type NodeConfig } from '../config.js';
import { formatJson, formatRows, type CliIO } from '../output.js';
import { defaultIdentityPath } from '../paths.js';
import { PSK_BYTES, loadPskFile } from '../psk-file.js';
import { formatNodeId, loadIdentityForCli, summarizeIdentity, type IdentitySummary } from './identity.js';

/** Options every command that starts or describes a node takes (`config check` now, `node` later). */
export interface NodeFlags {
  bind?: string;
  identity?: string;
  pskFile?: string;
  peer: string[];
}

/** Adds `--bind`, `--identity`, `--psk-file` and the repeatable `--peer` to `cmd`. */
export function addNodeFlags(cmd: Command): Command {
  return cmd
    .option('--bind <host:port>', 'UDP address to bind (overrides [node] bind)')
    .option('--identity <path>', 'identity file (overrides [node] identity)')
    .option('--psk-file <path>', 'PSK file: 32 raw bytes or 64 hex digits, mode 0600 (overrides [node] psk_file)')
    .option(
      '--peer <address,static_key,node_id>',
      'a seed peer; repeatable; replaces the file\'s [[peers]]',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    );
}

export function nodeFlagsToOverrides(flags: NodeFlags): ConfigOverrides {
  return { bind: flags.bind, identity: flags.identity, pskFile: flags.pskFile, peers: flags.peer };
}

/** The resolved configuration as printed: public values only, the PSK replaced by its length. */
export interface ResolvedConfigReport {
  config: string | null;
  bind: string;
  identity: IdentitySummary;
  psk_file: { path: string; psk: string };
  peers: { address: string; static_key: string; node_id: string }[];
}

export function registerConfigCommands(program: Command, io: CliIO): void {
  const config = program.command('config').description('validate configuration files');
  addNodeFlags(
    config
      .command('check')
      .description('validate a node configuration file (with any flags applied) and print the result, secrets redacted')
      .argument('<file>', 'TOML configuration file'),
  )
    .option('--json', 'print JSON', false)
    .action(async (file: string, opts: NodeFlags & { json: boolean }) => {
      const resolved = await loadNodeConfig(file, nodeFlagsToOverrides(opts), { defaultIdentity: defaultIdentityPath(io.env) });
      const report = await checkSecrets(resolved);
      io.stdout(opts.json ? formatJson(report) : formatReport(report));
    });
}

/** Loads the identity and PSK files the configuration names, so their problems surface now. */
async function checkSecrets(c: NodeConfig): Promise<ResolvedConfigReport> {
  const id = await loadIdentityForCli(c.identity);
  let identity: IdentitySummary;
  try {
    identity = summarizeIdentity(c.identity, id);
  } finally {
    id.dispose();
  }
  wipe(await loadPskFile(c.pskFile));
  return {
    config: c.source ?? null,
    bind: formatSocketAddress(c.bind),
    identity,
    psk_file: { path: c.pskFile, psk: `<redacted: ${PSK_BYTES} bytes>` },
    peers: c.peers.map((p) => ({ address: formatSocketAddress(p.address), static_key: toHex(p.staticKey), node_id: formatNodeId(p.nodeId) })),
  };
}

function formatReport(r: ResolvedConfigReport): string {
  const rows: [string, string][] = [
    ['config', r.config ?? '(none)'],
    ['bind', r.bind],
    ['identity', r.identity.path],
    ['  node_id', r.identity.node_id],
    ['  static_key', r.identity.static_key],
    ['psk_file', r.psk_file.path],
    ['  psk', r.psk_file.psk],
    ['peers', String(r.peers.length)],
  ];
  r.peers.forEach((p, i) => {
    rows.push([`  [${i}] address`, p.address], [`  [${i}] static_key`, p.static_key], [`  [${i}] node_id`, p.node_id]);
  });
  return `${formatRows(rows)}\nconfiguration OK\n`;
}
