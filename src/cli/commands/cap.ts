/**
 * `net-mesh cap show|query`: signed capability announcements in local files (the JSON bytes a node sends).
 * `show` decodes one, checks its signature and node-id binding and validates its tags; `query` indexes several
 * through the same intake rules a node applies and evaluates a predicate or filter over them.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, VirtualClock, SystemClock, toHex } from '../../core/index.js';
import {
  CapabilityError, CapabilityIndex, decodeAnnouncement, predicateDebugReport, predicateFromRpcHeader, renderDebugReport,
  validateCapabilities, verifyAnnouncement, type Predicate,
} from '../../trust/index.js';
import { formatJson, formatRows, type CliIO } from '../output.js';

const hex16 = (n: bigint): string => n.toString(16).padStart(16, '0');

export function registerCapCommands(program: Command, io: CliIO): void {
  const cap = program.command('cap').description('inspect and query signed capability announcements (local files)');

  cap.command('show')
    .description('decode an announcement, check its signature and node id, validate its tags')
    .argument('<file>', 'announcement file (JSON bytes)')
    .option('--json', 'print JSON', false)
    .action(async (file: string, o: { json: boolean }) => {
      const a = decodeAnnouncement(new Uint8Array(await readFile(resolve(file))));
      const verdict = verifyAnnouncement(a);
      const report = validateCapabilities(a);
      const summary = {
        node_id: hex16(a.nodeId), entity_id: toHex(a.entityId), version: a.version.toString(), ttl_secs: a.ttlSecs,
        timestamp_ns: a.timestampNs.toString(), hop_count: a.hopCount, signature: verdict, tags: [...a.tags].sort(), metadata: a.metadata,
        allowed_nodes: a.allowedNodes.map(hex16), allowed_subnets: a.allowedSubnets, allowed_groups: a.allowedGroups,
        validation: report,
      };
      if (o.json) io.stdout(formatJson(summary));
      else {
        io.stdout(formatRows([
          ['node_id', summary.node_id], ['entity_id', summary.entity_id], ['version', summary.version], ['ttl_secs', String(a.ttlSecs)],
          ['signature', verdict], ['tags', summary.tags.join(' ') || '-'], ['metadata', JSON.stringify(a.metadata)],
          ['allowed_nodes', summary.allowed_nodes.join(' ') || '(anyone)'], ['allowed_subnets', a.allowedSubnets.join(' ') || '-'],
          ['allowed_groups', a.allowedGroups.join(' ') || '-'],
          ['validation', `${report.errors.length} error(s), ${report.warnings.length} warning(s)`],
        ]));
        for (const e of [...report.errors, ...report.warnings]) io.stdout(`  ${JSON.stringify(e)}\n`);
      }
      if (verdict !== 'ok') throw new CapabilityError(verdict, `${file}: ${verdict.replace(/_/g, ' ')}`);
    });

  cap.command('query')
    .description('index announcement files (with the receive rules) and list the nodes that match')
    .argument('<files...>', 'announcement files')
    .option('--where <json>', 'a predicate in its wire JSON (the net-where header form), or @file')
    .option('--tag <tag>', 'a tag every match must carry, exactly (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--report', 'print a per-clause debug report of the predicate', false)
    .option('--json', 'print JSON', false)
    .action(async (files: string[], o: { where?: string; tag: string[]; report: boolean; json: boolean }) => {
      const wall = new SystemClock();
      const idx = new CapabilityIndex({ clock: new VirtualClock(wall.wallMs()) });
      const refused: { file: string; reason: string }[] = [];
      for (const f of files) {
        const r = idx.receive(new Uint8Array(await readFile(resolve(f))));
        if (r.status === 'rejected') refused.push({ file: f, reason: r.reason });
      }
      let pred: Predicate | undefined;
      if (o.where !== undefined) pred = predicateFromRpcHeader(o.where.startsWith('@') ? await readFile(resolve(o.where.slice(1)), 'utf8') : o.where);
      if (pred === undefined && o.tag.length === 0) throw new InvalidArgumentError('give --where or --tag');
      const matches = idx.findNodes(pred ?? { requireTags: o.tag })
        .filter((id) => o.tag.every((t) => idx.get(id)!.ctx.hasTag(t))).map(hex16);
      const report = o.report && pred !== undefined ? predicateDebugReport(pred, [...idx.nodes.values()].map((n) => n.ctx)) : undefined;
      if (o.json) io.stdout(formatJson({ indexed: idx.size, refused, matches, report }));
      else {
        for (const m of matches) io.stdout(`${m}\n`);
        for (const r of refused) io.stderr(`net-mesh: refused ${r.file}: ${r.reason}\n`);
        if (report !== undefined) io.stdout('\n' + renderDebugReport(report));
      }
    });
}
