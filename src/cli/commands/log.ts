/** `net-mesh log tail|stats|compact`: inspect and maintain a RedEX log on disk (one writer at a time: the lock). */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, RealTimers, SystemClock, toHex } from '../../core/index.js';
import { channelDirName, NodeFileIO, RedexFile, type RedexEvent } from '../../log/index.js';
import { NetDbError } from '../../views/index.js';
import { formatJson, formatRows, type CliIO } from '../output.js';
import { dataDir } from '../paths.js';

export function defaultLogDir(env: NodeJS.ProcessEnv): string {
  return join(dataDir(env), 'logs');
}

/** Opens an existing log; a channel with no log there is `ERR_NOT_FOUND` (exit 6), not a new empty log. */
export async function openExistingLog(dir: string, channel: string): Promise<RedexFile> {
  const io = new NodeFileIO();
  const path = join(dir, channelDirName(channel));
  if (!(await io.exists(path))) throw new NetDbError('not-found', `no log for channel ${channel} in ${dir}`);
  return RedexFile.open({ clock: new SystemClock(), timers: new RealTimers(), fileIO: io }, { channel, dir, durability: { mode: 'never' }, autoCompact: false });
}

export function parseCount(v: string, what: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`${what} must be a non-negative integer, got ${v}`);
  return Number(v);
}

function printable(p: Uint8Array): string {
  const s = Buffer.from(p).toString('utf8');
  return /^[\x20-\x7e]*$/.test(s) ? JSON.stringify(s) : `0x${toHex(p.subarray(0, 32))}${p.length > 32 ? '…' : ''}`;
}

function line(e: RedexEvent, json: boolean): string {
  if (json) return `${JSON.stringify({ seq: e.seq, ts: new Date(e.timestampMs).toISOString(), len: e.payload.length, hex: toHex(e.payload) })}\n`;
  return `${e.seq}  ${new Date(e.timestampMs).toISOString()}  ${e.payload.length} B  ${printable(e.payload)}\n`;
}

export function registerLogCommands(program: Command, io: CliIO): void {
  const log = program.command('log').description('inspect and maintain RedEX logs on disk');
  const dirOpt = '--dir <path>';
  const dirHelp = 'base directory of the logs (default: $XDG_DATA_HOME/net-mesh/logs)';

  log
    .command('tail')
    .description('print records of a log from a seq on; with --follow, keep printing new ones until interrupted')
    .argument('<channel>', 'channel name, e.g. app/events or netdb/tasks')
    .option(dirOpt, dirHelp)
    .option('--from <seq>', 'first seq to print (default: the oldest retained)')
    .option('-n, --limit <n>', 'print at most this many records')
    .option('-f, --follow', 'wait for new records (Ctrl-C to stop)', false)
    .option('--json', 'one JSON object per line (payload as hex)', false)
    .action(async (channel: string, opts: { dir?: string; from?: string; limit?: string; follow: boolean; json: boolean }) => {
      const f = await openExistingLog(resolve(opts.dir ?? defaultLogDir(io.env)), channel);
      const limit = opts.limit === undefined ? Infinity : parseCount(opts.limit, '--limit');
      let seq = opts.from === undefined ? f.firstSeq : Math.max(parseCount(opts.from, '--from'), f.firstSeq);
      let printed = 0;
      try {
        while (seq < f.nextSeq && printed < limit) {
          for (const e of f.range(seq, f.nextSeq, { maxRecords: Math.min(1024, limit - printed) })) {
            io.stdout(line(e, opts.json));
            printed++;
          }
          seq = Math.min(f.nextSeq, seq + 1024);
        }
        if (opts.follow && printed < limit) {
          const ac = new AbortController();
          const stop = (): void => ac.abort();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          try {
            for await (const e of f.tail(seq, { signal: ac.signal })) {
              io.stdout(line(e, opts.json));
              if (++printed >= limit) break;
            }
          } catch (e) {
            if (!ac.signal.aborted) throw e;
          } finally {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
          }
        }
      } finally {
        await f.close();
      }
    });

  log
    .command('stats')
    .description('print a log\'s extent, size, generation and what opening it recovered')
    .argument('<channel>', 'channel name')
    .option(dirOpt, dirHelp)
    .option('--json', 'print JSON', false)
    .action(async (channel: string, opts: { dir?: string; json: boolean }) => {
      const f = await openExistingLog(resolve(opts.dir ?? defaultLogDir(io.env)), channel);
      try {
        const r = f.recovery;
        const s = {
          channel, first_seq: f.firstSeq, next_seq: f.nextSeq, records: f.count, payload_bytes: f.bytes, generation: f.generation,
          manifest_fallback: r.manifestFallback, orphans_removed: r.orphansRemoved,
          truncated: r.truncated, corruption: r.corruption,
        };
        if (opts.json) io.stdout(formatJson(s));
        else {
          io.stdout(formatRows([
            ['channel', channel], ['first_seq', String(s.first_seq)], ['next_seq', String(s.next_seq)], ['records', String(s.records)],
            ['payload_bytes', String(s.payload_bytes)], ['generation', String(s.generation)],
            ['recovered', r.corruption ? `stopped at seq ${r.corruption.seq}: ${r.corruption.reason}` : r.truncated ? 'torn tail cut' : 'clean'],
          ]));
        }
      } finally {
        await f.close();
      }
    });

  log
    .command('compact')
    .description('rewrite a log\'s retained records into a new generation and switch to it atomically')
    .argument('<channel>', 'channel name')
    .option(dirOpt, dirHelp)
    .option('--json', 'print JSON', false)
    .action(async (channel: string, opts: { dir?: string; json: boolean }) => {
      const f = await openExistingLog(resolve(opts.dir ?? defaultLogDir(io.env)), channel);
      try {
        const before = f.generation;
        io.stderr(`compacting ${channel}: ${f.count} records, ${f.bytes} payload bytes…\n`);
        await f.compact();
        const s = { channel, generation_before: before, generation: f.generation, records: f.count, first_seq: f.firstSeq, next_seq: f.nextSeq };
        if (opts.json) io.stdout(formatJson(s));
        else io.stdout(formatRows(Object.entries(s).map(([k, v]) => [k, String(v)] as const)));
      } finally {
        await f.close();
      }
    });
}
