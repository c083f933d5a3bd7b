/**
 * `net-mesh token issue|delegate|inspect`: permission-token chains in local files. A chain file holds the wire
 * form `count:u8 ‖ count × 169-byte token` (root first); `issue` writes a chain of one, `delegate` appends a
 * narrower token signed by the last token's subject, `inspect` prints every link and checks the chain.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, fromHex, toHex } from '../../core/index.js';
import {
  TokenError, TokenScope, decodeTokenChain, delegateToken, encodeTokenChain, issueToken, verifyTokenChain, verifyTokenSignature,
  type PermissionToken,
} from '../../trust/index.js';
import { formatJson, formatRows, type CliIO } from '../output.js';
import { defaultIdentityPath } from '../paths.js';
import { loadIdentityForCli } from './identity.js';

const SCOPE_NAMES: Record<string, number> = {
  publish: TokenScope.PUBLISH, subscribe: TokenScope.SUBSCRIBE, admin: TokenScope.ADMIN, delegate: TokenScope.DELEGATE, wildcard: TokenScope.WILDCARD,
};

export function parseScope(text: string): number {
  let scope = 0;
  for (const part of text.split(',').map((s) => s.trim().toLowerCase())) {
    const bit = SCOPE_NAMES[part];
    if (bit === undefined) throw new InvalidArgumentError(`unknown scope ${JSON.stringify(part)} (use ${Object.keys(SCOPE_NAMES).join(', ')})`);
    scope |= bit;
  }
  return scope;
}

export function scopeNames(scope: number): string {
  return Object.entries(SCOPE_NAMES).filter(([, b]) => (scope & b) !== 0).map(([n]) => n).join(',') || 'none';
}

export function parseKeyHex(text: string, what: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new InvalidArgumentError(`${what} must be a 64-hex-digit ed25519 public key, got ${JSON.stringify(text)}`);
  return fromHex(text.toLowerCase());
}

function intOpt(text: string | undefined, what: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > max) throw new InvalidArgumentError(`${what} must be an integer in 0..${max}`);
  return Number(text);
}

const nowSecs = (): number => Math.floor(Date.now() / 1000);

function tokenRow(t: PermissionToken, i: number, now: number): Record<string, string | number | boolean> {
  return {
    index: i, issuer: toHex(t.issuer), subject: toHex(t.subject), scope: scopeNames(t.scope), channel_hash: t.channelHash.toString(16).padStart(16, '0'),
    issuer_generation: t.issuerGeneration, not_before: Number(t.notBefore), not_after: Number(t.notAfter), delegation_depth: t.delegationDepth,
    signature_ok: verifyTokenSignature(t), expires_in_secs: Number(t.notAfter) - now,
  };
}

async function readChain(path: string): Promise<PermissionToken[]> {
  return decodeTokenChain(new Uint8Array(await readFile(path)));
}

async function writeChain(io: CliIO, chain: PermissionToken[], out: string | undefined, json: boolean): Promise<void> {
  const bytes = encodeTokenChain(chain);
  if (out !== undefined) await writeFile(resolve(out), bytes, { mode: 0o600 });
  else if (!json) io.stdout(`${toHex(bytes)}\n`);
  const leaf = chain[chain.length - 1]!;
  if (json) io.stdout(formatJson({ path: out === undefined ? null : resolve(out), chain_hex: toHex(bytes), tokens: chain.map((t, i) => tokenRow(t, i, nowSecs())) }));
  else if (out !== undefined) {
    io.stdout(formatRows([['path', resolve(out)], ['links', String(chain.length)], ['subject', toHex(leaf.subject)], ['scope', scopeNames(leaf.scope)],
      ['not_after', String(leaf.notAfter)], ['delegation_depth', String(leaf.delegationDepth)]]));
  }
}

interface IssueFlags { identity?: string; subject: string; channel?: string; wildcard: boolean; scope: string; ttl: string; depth?: string; generation?: string; out?: string; json: boolean }
interface DelegateFlags { identity?: string; subject: string; scope: string; ttl?: string; out?: string; json: boolean }

export function registerTokenCommands(program: Command, io: CliIO): void {
  const token = program.command('token').description('issue, delegate and inspect permission-token chains (local files)');

  token.command('issue')
    .description('issue a root token signed by this identity (a chain of one)')
    .requiredOption('--subject <hex>', 'the holder: a 64-hex-digit ed25519 public key')
    .option('--channel <name>', 'the channel the token is for')
    .option('--wildcard', 'valid on every channel (adds the wildcard scope)', false)
    .requiredOption('--scope <list>', 'comma list of publish, subscribe, admin, delegate, wildcard')
    .requiredOption('--ttl <secs>', 'lifetime in seconds (at most one year)')
    .option('--depth <n>', 'further delegations allowed (0..255)', '0')
    .option('--generation <n>', 'issuer generation stamped on the token', '0')
    .option('--identity <path>', 'issuer identity file (default: $XDG_CONFIG_HOME/net-mesh/identity)')
    .option('--out <path>', 'write the chain file here (mode 0600) instead of printing it as hex')
    .option('--json', 'print JSON', false)
    .action(async (o: IssueFlags) => {
      let scope = parseScope(o.scope);
      if (o.wildcard) scope |= TokenScope.WILDCARD;
      if (o.channel === undefined && (scope & TokenScope.WILDCARD) === 0) throw new InvalidArgumentError('give --channel or --wildcard');
      const id = await loadIdentityForCli(resolve(o.identity ?? defaultIdentityPath(io.env)));
      try {
        const t = issueToken(id, {
          subject: parseKeyHex(o.subject, '--subject'), scope, channel: o.channel ?? 0n, ttlSecs: intOpt(o.ttl, '--ttl', Number.MAX_SAFE_INTEGER)!,
          delegationDepth: intOpt(o.depth, '--depth', 255), issuerGeneration: intOpt(o.generation, '--generation', 0xffff_ffff), nowSecs: nowSecs(),
        });
        await writeChain(io, [t], o.out, o.json);
      } finally {
        id.dispose();
      }
    });

  token.command('delegate')
    .description('append a narrower token for a new subject, signed by this identity (the chain\'s current subject)')
    .argument('<chain>', 'chain file to extend')
    .requiredOption('--subject <hex>', 'the new holder: a 64-hex-digit ed25519 public key')
    .requiredOption('--scope <list>', 'a subset of the current scope')
    .option('--ttl <secs>', 'lifetime in seconds (at most 30 days; default 30 days, never past the parent)')
    .option('--identity <path>', 'delegator identity file (default: $XDG_CONFIG_HOME/net-mesh/identity)')
    .option('--out <path>', 'write the longer chain here (default: print it as hex)')
    .option('--json', 'print JSON', false)
    .action(async (file: string, o: DelegateFlags) => {
      const chain = await readChain(resolve(file));
      const id = await loadIdentityForCli(resolve(o.identity ?? defaultIdentityPath(io.env)));
      try {
        const child = delegateToken(chain[chain.length - 1]!, id, {
          subject: parseKeyHex(o.subject, '--subject'), scope: parseScope(o.scope), ttlSecs: intOpt(o.ttl, '--ttl', Number.MAX_SAFE_INTEGER), nowSecs: nowSecs(),
        });
        await writeChain(io, [...chain, child], o.out, o.json);
      } finally {
        id.dispose();
      }
    });

  token.command('inspect')
    .description('print every token of a chain file; with --root, check the chain as a channel would')
    .argument('<chain>', 'chain file (binary) or a file holding its hex')
    .option('--root <hex>', 'a trusted root key (repeatable); the chain must start at one', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'print JSON', false)
    .action(async (file: string, o: { root: string[]; json: boolean }) => {
      const raw = new Uint8Array(await readFile(resolve(file)));
      const text = Buffer.from(raw).toString('latin1').trim();
      const chain = decodeTokenChain(/^([0-9a-f]{2})+$/i.test(text) ? fromHex(text.toLowerCase()) : raw);
      const now = nowSecs();
      const rows = chain.map((t, i) => tokenRow(t, i, now));
      let verdict = 'signatures checked; no --root given, so the chain was not checked against roots';
      let failure: TokenError | undefined;
      if (o.root.length > 0) {
        const leaf = chain[chain.length - 1]!;
        try {
          verifyTokenChain(chain, {
            action: leaf.scope & ~TokenScope.WILDCARD, channelHash: leaf.channelHash, presenter: leaf.subject,
            roots: o.root.map((r) => parseKeyHex(r, '--root')), nowSecs: now, skewSecs: 60,
          });
          verdict = 'valid: roots at a given key, narrows at every link, within its lifetime';
        } catch (e) {
          if (!(e instanceof TokenError)) throw e;
          failure = e;
          verdict = `refused: ${e.message}`;
        }
      }
      if (o.json) io.stdout(formatJson({ tokens: rows, verdict }));
      else {
        for (const r of rows) io.stdout(formatRows(Object.entries(r).map(([k, v]) => [k, String(v)])) + '\n');
        io.stdout(`${verdict}\n`);
      }
      if (failure !== undefined) throw failure;
      if (rows.some((r) => r.signature_ok !== true)) throw new TokenError('invalid_signature', 'a token in the chain does not verify');
    });
}
