import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { NetError, SeededRandom } from '../../src/core/index.js';
import { UdpPort, addressKey, type PeerAddress } from '../../src/transport/index.js';

/** Resolves with the next `n` datagrams, or rejects after `ms` (so a lost datagram fails the test, not hangs it). */
function next(port: UdpPort, n = 1, ms = 2000): Promise<{ bytes: Uint8Array; from: PeerAddress }[]> {
  return new Promise((resolve, reject) => {
    const got: { bytes: Uint8Array; from: PeerAddress }[] = [];
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} datagrams, got ${got.length}`)), ms);
    port.onDatagram((bytes, from) => {
      got.push({ bytes: new Uint8Array(bytes), from });
      if (got.length === n) {
        clearTimeout(timer);
        port.onDatagram(null);
        resolve(got);
      }
    });
  });
}

function udpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}

test('two IPv4 ports exchange datagrams both ways', async () => {
  const before = udpSockets();
  await using a = await UdpPort.open({ host: '127.0.0.1' });
  await using b = await UdpPort.open({ host: '127.0.0.1', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
  assert.ok(a.local.port > 0 && a.local.port !== b.local.port);
  assert.equal(a.local.family, 'ipv4');
  assert.equal(udpSockets(), before + 2);

  const toB = next(b, 3);
  for (let i = 0; i < 3; i++) assert.ok(a.send(Uint8Array.of(i, 42), b.local));
  const atB = await toB;
  assert.deepEqual(atB.map((d) => d.bytes[0]).sort(), [0, 1, 2]);
  assert.equal(addressKey(atB[0]!.from), addressKey(a.local));
  assert.equal(atB[0]!.from, atB[1]!.from, 'a steady peer reuses its address object');

  const toA = next(a);
  assert.ok(b.send(Uint8Array.of(7), atB[0]!.from));
  assert.deepEqual((await toA)[0]!.bytes, Uint8Array.of(7));
  assert.equal(a.counters.get('sent'), 3);
  assert.equal(b.counters.get('received'), 3);
  assert.equal(b.counters.get('received_bytes'), 6);
});

test('the caller may reuse its buffer as soon as send returns (several sends in one tick)', async () => {
  await using a = await UdpPort.open({ host: '127.0.0.1' });
  await using b = await UdpPort.open({ host: '127.0.0.1' });
  await using c = await UdpPort.open({ host: '127.0.0.1', connect: { host: '127.0.0.1', port: b.local.port } });
  const buf = new Uint8Array(4);
  const atB = next(b, 6);
  for (let i = 0; i < 3; i++) {
    buf[0] = i;
    assert.ok(a.send(buf, b.local));
    buf[0] = 10 + i;
    assert.ok(c.send(buf, b.local));
  }
  buf.fill(99);
  assert.deepEqual((await atB).map((d) => d.bytes[0]).sort((x, y) => x! - y!), [0, 1, 2, 10, 11, 12]);
});

test('IPv6 on ::1', async (t) => {
  let a: UdpPort;
  try {
    a = await UdpPort.open({ host: '::1' });
  } catch (e) {
    t.skip(`IPv6 loopback unavailable here: ${(e as Error).message}`);
    return;
  }
  await using b = await UdpPort.open({ host: '::1', ipv6Only: true });
  assert.equal(a.local.family, 'ipv6');
  const toB = next(b);
  assert.ok(a.send(Uint8Array.of(6, 6), b.local));
  const [d] = await toB;
  assert.equal(d!.from.family, 'ipv6');
  assert.equal(addressKey(d!.from), `[::1]:${a.local.port}`);
  assert.equal(a.send(Uint8Array.of(1), { family: 'ipv4', host: '127.0.0.1', port: 9 }), false);
  assert.equal(a.counters.get('drop_send_address'), 1);
  await a.close();
});

test('oversize datagrams are refused on send and dropped on receive, both counted', async () => {
  await using a = await UdpPort.open({ maxDatagramSize: 2000 });
  await using b = await UdpPort.open({ maxDatagramSize: 1000 });
  assert.equal(a.send(new Uint8Array(2001), b.local), false);
  assert.equal(a.counters.get('drop_send_oversize'), 1);
  const got = next(b);
  a.send(new Uint8Array(1500), b.local); // fits a's limit, not b's
  a.send(new Uint8Array(1000), b.local); // UDP on loopback keeps order
  const [d] = await got;
  assert.equal(d!.bytes.length, 1000);
  assert.equal(b.counters.get('drop_recv_oversize'), 1);
  assert.equal(b.counters.get('received'), 1);
});

test('garbage in, bad addresses out and a throwing handler never throw', async () => {
  await using a = await UdpPort.open();
  await using b = await UdpPort.open();
  const r = new SeededRandom(5);
  const raw = createSocket('udp4');
  try {
    // In bursts of 20, so the loopback receive buffer never overflows and every datagram is accounted for.
    for (let burst = 0; burst < 10; burst++) {
      const got = next(b, 20);
      for (let i = 0; i < 20; i++) {
        const junk = new Uint8Array(r.nextU32() % 1500);
        r.fill(junk);
        raw.send(junk, b.local.port, '127.0.0.1');
      }
      await got;
    }
  } finally {
    raw.close();
  }
  assert.equal(b.counters.get('received'), 200);

  for (const to of [
    { family: 'ipv4', host: '127.0.0.1', port: 0 },
    { family: 'ipv4', host: '127.0.0.1', port: 70000 },
    { family: 'ipv4', host: 'not an address', port: 5 },
    { family: 'ipv6', host: '::1', port: 5 },
    { family: 'sim', host: 'x', port: 1 },
  ] as PeerAddress[]) {
    assert.doesNotThrow(() => a.send(Uint8Array.of(1), to));
  }
  assert.equal(a.counters.get('drop_send_address'), 5);
  // An error the OS reports later (broadcast without SO_BROADCAST) is counted when the send completes.
  assert.ok(a.send(Uint8Array.of(1), { family: 'ipv4', host: '255.255.255.255', port: 9 }));

  // A handler that throws is counted, not crashed on; the port keeps working.
  const bad = new Promise<void>((resolve) => {
    b.onDatagram(() => {
      resolve();
      throw new Error('handler bug');
    });
  });
  a.send(Uint8Array.of(1), b.local);
  await bad;
  const ok = next(b);
  a.send(Uint8Array.of(2), b.local);
  await ok;
  assert.equal(b.counters.get('recv_handler_error'), 1);
  await waitFor(() => a.counters.get('send_error') === 1);
  assert.equal(a.counters.get('socket_error'), 0);
});

test('a connected port talks to its peer only', async () => {
  await using b = await UdpPort.open();
  await using a = await UdpPort.open({ connect: { host: '127.0.0.1', port: b.local.port } });
  await using other = await UdpPort.open();
  assert.equal(addressKey(a.remote!), addressKey(b.local));
  const got = next(b);
  assert.ok(a.send(Uint8Array.of(1, 2), b.local));
  assert.deepEqual((await got)[0]!.bytes, Uint8Array.of(1, 2));
  assert.equal(a.send(Uint8Array.of(3), other.local), false);
  assert.equal(a.counters.get('drop_send_address'), 1);
  // The kernel filters datagrams from anyone but the peer, so only b's reaches a.
  const back = next(a);
  other.send(Uint8Array.of(9), a.local);
  b.send(Uint8Array.of(8), a.local);
  assert.deepEqual((await back)[0]!.bytes, Uint8Array.of(8));
});

test('open refuses bad options with a NetError', async () => {
  await assert.rejects(UdpPort.open({ host: 'localhost' }), NetError);
  await assert.rejects(UdpPort.open({ host: '::1', family: 'ipv4' }), NetError);
  await assert.rejects(UdpPort.open({ port: 70000 }), NetError);
  await assert.rejects(UdpPort.open({ maxDatagramSize: 0 }), NetError);
  await using a = await UdpPort.open();
  await assert.rejects(UdpPort.open({ port: a.local.port }), NetError); // address in use
});

test('close is idempotent, frees the handle and refuses later sends', async () => {
  const before = udpSockets();
  const a = await UdpPort.open();
  assert.equal(udpSockets(), before + 1);
  const p1 = a.close();
  assert.equal(a.close(), p1);
  await p1;
  assert.equal(a.closed, true);
  assert.equal(udpSockets(), before);
  assert.equal(a.send(Uint8Array.of(1), a.local), false);
  assert.equal(a.counters.get('drop_send_closed'), 1);
});

test('a process that opens, uses and closes ports exits on its own', () => {
  const script = `
    import { UdpPort } from './src/transport/index.ts';
    const a = await UdpPort.open(); const b = await UdpPort.open();
    const got = new Promise((r) => b.onDatagram(r));
    a.send(Uint8Array.of(1), b.local); await got;
    await a.close(); await b.close();`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 8000, encoding: 'utf8' });
  assert.equal(r.signal, null, 'the process had to be killed: a handle was left open');
  assert.equal(r.status, 0, r.stderr);
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise<void>((r) => setImmediate(r));
  }
}
