// docs/WIRE.md cannot drift from the code: every layout table, the constants and the status codes are parsed
// from the Markdown and compared with what src/wire exports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as wire from '../../src/wire/index.js';
import type { Layout } from '../../src/wire/index.js';

const DOC = readFileSync(new URL('../../docs/WIRE.md', import.meta.url), 'utf8');

/** The rows of the first table under `## heading`, as arrays of trimmed cells without backticks. */
function tableUnder(heading: string): { header: string[]; rows: string[][] } {
  const lines = DOC.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  assert.ok(start >= 0, `WIRE.md has no heading "## ${heading}"`);
  const cells = (line: string): string[] => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim().replace(/`/g, ''));
  let i = start + 1;
  while (i < lines.length && !lines[i]!.startsWith('|') && !lines[i]!.startsWith('## ')) i++;
  assert.ok(i < lines.length && lines[i]!.startsWith('|'), `no table under "## ${heading}"`);
  const header = cells(lines[i]!);
  const rows: string[][] = [];
  for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(cells(lines[i]!));
  return { header, rows };
}

const LAYOUTS: Record<string, Layout> = {
  'Packet header (68 bytes)': wire.PACKET_HEADER_LAYOUT,
  'AAD (56 bytes)': wire.AAD_LAYOUT,
  'Routing header (18 bytes)': wire.ROUTING_HEADER_LAYOUT,
  'Event frame': wire.EVENT_FRAME_LAYOUT,
  'NACK payload (16 bytes)': wire.NACK_LAYOUT,
  'Handshake packet': wire.HANDSHAKE_PACKET_LAYOUT,
  'Heartbeat packet (84 bytes)': wire.HEARTBEAT_PACKET_LAYOUT,
  'Permission token (169 bytes)': wire.TOKEN_LAYOUT,
  'Punch keep-alive (14 bytes)': wire.KEEPALIVE_LAYOUT,
  'Pingwave (72 bytes)': wire.PINGWAVE_LAYOUT,
  'Route withdrawal (16 bytes)': wire.ROUTE_WITHDRAWAL_LAYOUT,
  'Stream window grant (24 bytes)': wire.STREAM_WINDOW_LAYOUT,
  'Stream NACK (24 bytes)': wire.STREAM_NACK_LAYOUT,
  'Stream reset (8 bytes)': wire.STREAM_RESET_LAYOUT,
  'Stream ack ranges': wire.STREAM_ACK_RANGES_LAYOUT,
  'Stream fragment prefix': wire.FRAGMENT_PREFIX_LAYOUT,
};

test('every exported layout is documented', () => {
  const exported = Object.entries(wire).filter(([k]) => k.endsWith('_LAYOUT')).map(([, v]) => v);
  const documented = new Set(Object.values(LAYOUTS));
  for (const l of exported) assert.ok(documented.has(l as Layout), 'an exported *_LAYOUT has no WIRE.md table');
});

test('layout tables match the code', () => {
  for (const [heading, layout] of Object.entries(LAYOUTS)) {
    const { header, rows } = tableUnder(heading);
    assert.deepEqual(header, ['offset', 'size', 'field', 'notes'], heading);
    const fromDoc = rows.map(([offset, size, field]) => ({
      field: field!, offset: Number(offset), size: size === 'var' ? null : Number(size),
    }));
    assert.deepEqual(fromDoc, layout.map((f) => ({ ...f })), heading);
    const bytes = heading.match(/\((\d+) bytes\)/);
    if (bytes) assert.equal(wire.layoutBytes(layout), Number(bytes[1]), `${heading}: size in the heading`);
  }
});

test('constants table matches the code', () => {
  const { header, rows } = tableUnder('Constants');
  assert.deepEqual(header, ['name', 'value', 'notes']);
  assert.ok(rows.length >= 20);
  for (const [name, value] of rows) {
    const actual = (wire as Record<string, unknown>)[name!];
    assert.equal(typeof actual, 'number', `${name} is not an exported number`);
    assert.equal(Number(value), actual, name);
  }
});

test('status table matches WireStatus and wireStatusCode', () => {
  const { rows } = tableUnder('Status codes');
  assert.equal(rows.length, wire.WIRE_STATUS_COUNT);
  for (const [name, value, code] of rows) {
    const status = wire.WireStatus[name as keyof typeof wire.WireStatus];
    assert.equal(status, Number(value), name);
    assert.equal(wire.wireStatusCode(status) ?? '(none)', code, name);
  }
});

test('classification table matches DatagramKind', () => {
  const { rows } = tableUnder('Datagram classification');
  for (const [, kind] of rows) {
    const m = kind!.match(/^(\w+) \((\d+)\)$/);
    assert.ok(m, kind);
    assert.equal(wire.DatagramKind[m[1] as keyof typeof wire.DatagramKind], Number(m[2]));
  }
  assert.equal(rows.length, Object.keys(wire.DatagramKind).length);
});
