// Runs the CLI as a real child process (`node --import tsx src/cli/main.ts …`, about 0.7 s of CPU each) or
// in-process through the same `run()` the executable calls (milliseconds), and captures its output.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/program.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = join(REPO, 'src/cli/main.ts');
/** tsx's loader by URL, so the child finds it from any working directory. */
const TSX = import.meta.resolve('tsx');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `net-mesh …args` in `cwd` with `env` added to a clean environment (HOME and XDG_CONFIG_HOME pinned). */
export function cli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const home = opts.cwd ?? tmpdir();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'xdg'),
    ...opts.env,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, MAIN, ...args],
      { cwd: opts.cwd ?? REPO, env, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Like {@link cli}, in this process: `run(args)` with captured output and the same pinned environment. */
export async function runCli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const home = opts.cwd ?? tmpdir();
  let stdout = '';
  let stderr = '';
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'xdg'), ...opts.env };
  const code = await run(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `net-mesh-cli-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The one stderr line of a failed run (and a check that there is exactly one, with no stack). */
export function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  if (lines.length !== 1) throw new Error(`expected one stderr line, got ${lines.length}: ${stderr}`);
  if (/\n\s+at /.test(stderr)) throw new Error(`stack trace on stderr: ${stderr}`);
  return lines[0]!;
}
