/**
 * The `net-mesh` command line: builds the commander program and runs it, turning every failure into one line
 * on stderr and a documented exit code (exit-codes.ts). `NET_MESH_DEBUG=1` adds the stack and causes.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerCapCommands } from './commands/cap.js';
import { registerBusCommands } from './commands/bus.js';
import { registerConfigCommands } from './commands/config.js';
import { registerIdentityCommands } from './commands/identity.js';
import { registerNodeCommands } from './commands/node.js';
import { registerTokenCommands } from './commands/token.js';
import { registerLogCommands } from './commands/log.js';
import { registerNetDbCommands } from './commands/netdb.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { processIO, type CliIO } from './output.js';

export function buildProgram(io: CliIO = processIO): Command {
  const program = new Command('net-mesh')
    .description('net-mesh: an encrypted UDP mesh (Noise NKpsk0, ChaCha20-Poly1305)')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(`net-mesh: ${s}`),
    })
    .showSuggestionAfterError(true);
  registerIdentityCommands(program, io);
  registerConfigCommands(program, io);
  registerNodeCommands(program, io);
  registerTokenCommands(program, io);
  registerCapCommands(program, io);
  registerLogCommands(program, io);
  registerNetDbCommands(program, io);
  registerBusCommands(program, io);
  return program;
}

/** Runs the command line `argv` (user arguments only, without node and the script) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIO = processIO): Promise<ExitCode> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.Ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander printed its message (or the help or version) already
      return e.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    reportError(io, e);
    return exitCodeFor(e);
  }
}

function reportError(io: CliIO, e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  io.stderr(`net-mesh: error: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (io.env.NET_MESH_DEBUG === '1') {
    let cur: unknown = e;
    for (let depth = 0; cur !== undefined && depth < 8; depth++) {
      io.stderr(`${depth === 0 ? '' : 'caused by: '}${cur instanceof Error ? (cur.stack ?? cur.message) : String(cur)}\n`);
      cur = cur instanceof Error ? cur.cause : undefined;
    }
  }
}

/** The version in package.json, found by walking up from this file (src/cli/ or dist/src/cli/). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'net-mesh' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: keep walking up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
