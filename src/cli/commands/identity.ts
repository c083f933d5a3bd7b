/** `net-mesh identity generate|show`: the node's ed25519 seed file and the public values peers need. */
import { lstat, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, IdentityError, isNetError, toHex } from '../../core/index.js';
import { Identity, loadIdentity, saveIdentity } from '../../crypto/index.js';
import { formatJson, formatRows, type CliIO } from '../output.js';
import { defaultIdentityPath } from '../paths.js';

/** The public facts of an identity, under the names the config file uses. */
export interface IdentitySummary {
  path: string;
  node_id: string;
  public_key: string;
  static_key: string;
}

export function summarizeIdentity(path: string, id: Identity): IdentitySummary {
  return {
    path,
    node_id: formatNodeId(id.nodeId),
    public_key: toHex(id.publicKey),
    static_key: toHex(id.staticPublicKey),
  };
}

export function formatNodeId(nodeId: bigint): string {
  return nodeId.toString(16).padStart(16, '0');
}

function printIdentity(io: CliIO, s: IdentitySummary, json: boolean): void {
  if (json) {
    io.stdout(formatJson(s));
    return;
  }
  io.stdout(formatRows([['path', s.path], ['node_id', s.node_id], ['public_key', s.public_key], ['static_key', s.static_key]]));
  io.stdout(`\npeers connect to this node with: --peer <address>,${s.static_key},${s.node_id}\n`);
}

/** Loads an identity, turning a permission refusal into a message that says how to fix it. */
export async function loadIdentityForCli(path: string): Promise<Identity> {
  try {
    return await loadIdentity(path);
  } catch (e) {
    if (isNetError(e, ErrorCode.IdentityPermissions)) {
      const mode = /\(mode (\d+)\)/.exec(e.message)?.[1];
      throw new IdentityError(
        ErrorCode.IdentityPermissions,
        `identity file ${path} is accessible by group or others${mode === undefined ? '' : ` (mode ${mode})`}; fix it with: chmod 600 ${path}`,
        { cause: e },
      );
    }
    throw e;
  }
}

export function registerIdentityCommands(program: Command, io: CliIO): void {
  const identity = program.command('identity').description('create and inspect node identity files');

  identity
    .command('generate')
    .description('create a new identity (an ed25519 seed, file mode 0600) and print its public values')
    .option('--out <path>', 'where to write it (default: $XDG_CONFIG_HOME/net-mesh/identity)')
    .option('--force', 'replace an existing file (the old identity is lost)', false)
    .option('--json', 'print JSON', false)
    .action(async (opts: { out?: string; force: boolean; json: boolean }) => {
      const path = resolve(opts.out ?? defaultIdentityPath(io.env));
      if (!opts.force && (await exists(path))) {
        throw new IdentityError(ErrorCode.IdentityFile, `${path} already exists; pass --force to replace it (the old identity is lost)`);
      }
      if (opts.out === undefined) await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const id = Identity.generate();
      try {
        await saveIdentity(path, id, { overwrite: opts.force });
        printIdentity(io, summarizeIdentity(path, id), opts.json);
      } finally {
        id.dispose();
      }
    });

  identity
    .command('show')
    .description('print the public values of an identity file')
    .argument('[path]', 'identity file (default: $XDG_CONFIG_HOME/net-mesh/identity)')
    .option('--json', 'print JSON', false)
    .action(async (file: string | undefined, opts: { json: boolean }) => {
      const path = resolve(file ?? defaultIdentityPath(io.env));
      const id = await loadIdentityForCli(path);
      try {
        printIdentity(io, summarizeIdentity(path, id), opts.json);
      } finally {
        id.dispose();
      }
    });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
