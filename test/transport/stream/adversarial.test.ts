// A hostile or broken peer: forged and replayed grants, NACKs and acks for sequences never sent, fragment bombs,
// stream floods, a peer that never grants. State stays bounded, drops are counted by exact reason, and other
// streams keep flowing. Also: fragmentation round trips, batching, and fairness weights.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRandom, VirtualClock, writeU32LE } from '../../../src/core/index.js';
import {
  STREAM_DROP_COUNTERS, StreamMux, StreamPacket, StreamSendStatus,
} from '../../../src/transport/index.js';
import {
  CONTROL_STREAM_ID_WORD, FRAG_FLAG_MORE, HeaderFlag, StreamAckRanges, StreamNack, StreamWindow, SUBPROTOCOL_STREAM_ACK,
  SUBPROTOCOL_STREAM_NACK, SUBPROTOCOL_STREAM_WINDOW, encodeFragmentPrefixInto, encodeStreamAckRanges, encodeStreamNack,
  encodeStreamWindow,
} from '../../../src/wire/index.js';
import { Pair, eventBytes, eventIndex } from './harness.js';

interface Solo {
  mux: StreamMux;
  clock: VirtualClock;
  sent: StreamPacket[];
  delivered: Uint8Array[][];
}

function solo(options = {}): Solo {
  const clock = new VirtualClock();
  const sent: StreamPacket[] = [];
  const delivered: Uint8Array[][] = [];
  const mux = new StreamMux({
    clock, random: new SeededRandom(1),
    send: (p) => {
      sent.push(Object.assign(new StreamPacket(), p, { payload: p.payload.slice() }));
      return 0;
    },
    events: { deliver: (_id, batch) => delivered.push(batch.map((e) => e.slice())) },
  }, options);
  return { mux, clock, sent, delivered };
}

function control(sub: number, msg: Uint8Array): StreamPacket {
  const payload = new Uint8Array(4 + msg.length);
  writeU32LE(payload, 0, msg.length);
  payload.set(msg, 4);
  return Object.assign(new StreamPacket(), { streamLo: CONTROL_STREAM_ID_WORD, streamHi: CONTROL_STREAM_ID_WORD, subprotocolId: sub, eventCount: 1, payload });
}

function data(stream: number, seq: number, payload: Uint8Array, extra: Partial<StreamPacket> = {}): StreamPacket {
  return Object.assign(new StreamPacket(), { streamLo: stream, sequence: seq, flags: HeaderFlag.RELIABLE, payload }, extra);
}

function balance(m: StreamMux): void {
  assert.equal(m.counters.get('received'), m.counters.get('accepted') + m.counters.sum(STREAM_DROP_COUNTERS));
}

test('forged and replayed grants, NACKs and acks for unsent sequences: ignored and counted by reason', () => {
  const s = solo({ windowBytes: 1024 });
  s.mux.openStream({ streamId: 1n });
  for (let i = 0; i < 4; i++) assert.equal(s.mux.send(1n, [eventBytes(1, i, 100)]), StreamSendStatus.Ok);
  s.mux.flush();
  const sentBytes = 4 * 104;
  const grant = (consumed: bigint, ack: bigint): void => s.mux.receive(control(SUBPROTOCOL_STREAM_WINDOW, encodeStreamWindow(StreamWindow.from(1n, consumed, ack))));
  grant(BigInt(sentBytes) + 1n, 1n); // more than was ever sent
  grant(2n ** 60n, 0n); // absurd
  grant(0n, 5n); // acks a sequence never sent
  assert.equal(s.mux.counters.get('drop_grant_forged'), 3);
  assert.equal(s.mux.bufferedBytes(1n), sentBytes, 'no credit was created');
  grant(BigInt(sentBytes), 1n);
  assert.equal(s.mux.bufferedBytes(1n), 0);
  grant(100n, 1n); // replayed older grant
  assert.equal(s.mux.counters.get('drop_grant_stale'), 1);
  assert.equal(s.mux.bufferedBytes(1n), 0);
  s.mux.receive(control(SUBPROTOCOL_STREAM_NACK, encodeStreamNack(StreamNack.from(1n, 10n, 0n))));
  s.mux.receive(control(SUBPROTOCOL_STREAM_NACK, encodeStreamNack(StreamNack.from(1n, 2n ** 62n, 1n))));
  s.mux.receive(control(SUBPROTOCOL_STREAM_ACK, encodeStreamAckRanges(StreamAckRanges.from(1n, 0n, [[5n, 9n]]))));
  assert.equal(s.mux.counters.get('drop_ack_unsent'), 3);
  s.mux.receive(control(SUBPROTOCOL_STREAM_NACK, encodeStreamNack(StreamNack.from(99n, 0n, 0n))));
  assert.equal(s.mux.counters.get('drop_unknown_stream'), 1);
  s.mux.receive(control(SUBPROTOCOL_STREAM_WINDOW, new Uint8Array(23)));
  s.mux.receive(Object.assign(control(SUBPROTOCOL_STREAM_WINDOW, new Uint8Array(24)), { eventCount: 2 }));
  s.mux.receive(Object.assign(new StreamPacket(), { subprotocolId: 0x0b04 }));
  assert.equal(s.mux.counters.get('drop_malformed'), 2);
  assert.equal(s.mux.counters.get('drop_unknown_subprotocol'), 1);
  assert.equal(s.mux.counters.get('retransmits_nack'), 0, 'nothing was resent for a forged NACK');
  balance(s.mux);
});

test('fragment bombs: huge totals, offsets and counts, duplicates, too many reassemblies: bounded and counted', () => {
  const s = solo({ maxEventBytes: 10_000, maxReassemblies: 2, maxReassemblyBytes: 15_000, reassemblyTimeoutMs: 100 });
  const frag = (total: number, at: number, chunk: number): Uint8Array => {
    const p = new Uint8Array(8 + chunk);
    encodeFragmentPrefixInto(total, at, p, 0);
    return p;
  };
  const ff = { flags: 0 };
  let seq = 0;
  const send = (id: number, index: number, more: boolean, payload: Uint8Array, count = 0): void =>
    s.mux.receive(data(5, seq++, payload, { ...ff, fragmentId: id, fragmentOffset: index, fragFlags: more ? FRAG_FLAG_MORE : 0, eventCount: count }));
  send(1, 0, true, frag(0xffff_ffff, 0, 100)); // 4 GiB declared
  assert.equal(s.mux.counters.get('drop_fragment_too_large'), 1);
  send(2, 65535, true, frag(10_000, 65535 * 100, 100)); // offset far past the total
  send(2, 3, true, frag(10_000, 300, 100), 1); // a fragment that also declares events
  send(2, 0, true, frag(1000, 0, 0)); // empty chunk
  send(3, 0, true, frag(8000, 0, 100));
  send(3, 1, true, frag(8000, 100, 100));
  send(3, 1, true, frag(8000, 100, 100)); // duplicate index (new sequence)
  send(3, 2, true, frag(8000, 250, 100)); // wrong position for the chunk size
  send(3, 3, true, frag(9000, 300, 100)); // total changed mid-event
  send(4, 0, true, frag(8000, 0, 100)); // second reassembly: 16 000 bytes > 15 000
  send(5, 0, true, frag(5000, 0, 100)); // fits the bytes: second reassembly
  send(6, 0, true, frag(100, 0, 50)); // a third: over the count
  const c = s.mux.counters;
  assert.equal(c.get('drop_fragment_invalid'), 4);
  assert.equal(c.get('drop_bad_header'), 1);
  assert.equal(c.get('drop_fragment_duplicate'), 1);
  assert.equal(c.get('drop_reassembly_limit'), 2);
  s.clock.advance(100);
  s.mux.tick();
  assert.equal(c.get('reassemblies_expired'), 2);
  send(6, 0, true, frag(100, 0, 50));
  send(6, 1, false, frag(100, 50, 50));
  assert.equal(s.delivered.length, 1);
  assert.equal(s.delivered[0]![0]!.length, 100);
  balance(s.mux);
});

test('stream floods are bounded: idle streams are evicted, busy ones refuse new streams', () => {
  const s = solo({ maxStreams: 4, windowBytes: 0 });
  for (let i = 0; i < 100; i++) s.mux.receive(data(1000 + i, 0, new Uint8Array(0), { flags: 0 }));
  assert.equal(s.mux.streamCount, 4);
  assert.equal(s.mux.counters.get('streams_evicted'), 96);
  // now hold a packet in each stream's reorder buffer: nothing is idle
  for (let i = 0; i < 4; i++) s.mux.receive(data(2000 + i, 5, new Uint8Array(0)));
  s.mux.receive(data(3000, 0, new Uint8Array(0)));
  assert.equal(s.mux.counters.get('drop_stream_limit'), 1);
  assert.throws(() => s.mux.openStream({ streamId: 1n }), /stream limit/);
  balance(s.mux);
});

test('a peer that never grants credit stalls only its stream; the others flow', () => {
  const p = new Pair(3, { loss: 0, duplicate: 0, minDelayMs: 1, maxDelayMs: 2 }, { windowBytes: 2048 });
  const [a, b] = p.muxes;
  a.openStream({ streamId: 1n });
  a.openStream({ streamId: 2n, reliability: 'fire_and_forget' });
  b.pauseReceive(1n);
  b.openStream({ streamId: 1n });
  b.pauseReceive(1n);
  let sent1 = 0;
  let sent2 = 0;
  for (let r = 0; r < 200; r++) {
    if (a.send(1n, [eventBytes(1, sent1)]) === StreamSendStatus.Ok) sent1++;
    if (a.send(2n, [eventBytes(2, sent2)]) === StreamSendStatus.Ok) sent2++;
    a.flush();
    p.run(p.clock.nowMs() + 5);
  }
  assert.ok(sent1 * 68 <= 2048, `stream 1 stopped at its window (${sent1})`);
  assert.equal(sent2, 200);
  assert.equal(p.delivered[1].get(2n)?.length, 200);
  assert.ok(a.bufferedBytes(1n) <= 2048);
  assert.ok(b.streamStats(1n)!.inboundPending > 0n);
});

test('large events are fragmented and reassembled through loss; small events share packets', () => {
  const p = new Pair(21, { loss: 0.2, duplicate: 0.05, minDelayMs: 1, maxDelayMs: 8 }, { maxPayloadBytes: 1316, windowBytes: 65_536, maxRetries: 20 });
  const [a] = p.muxes;
  a.openStream({ streamId: 4n });
  const big = eventBytes(4, 0, 20_000);
  assert.equal(a.send(4n, [big, eventBytes(4, 1)]), StreamSendStatus.Ok);
  a.flush();
  assert.equal(a.counters.get('fragments_sent'), 16);
  p.run(60_000, () => (p.delivered[1].get(4n)?.length ?? 0) === 2);
  const got = p.delivered[1].get(4n)!;
  assert.deepEqual(got[0], big);
  assert.deepEqual(eventIndex(got[1]!), [4, 1]);
  const q = new Pair(22, { loss: 0, duplicate: 0, minDelayMs: 1, maxDelayMs: 1 });
  q.muxes[0].openStream({ streamId: 1n });
  const batch = Array.from({ length: 100 }, (_, i) => eventBytes(1, i));
  assert.equal(q.muxes[0].send(1n, batch), StreamSendStatus.Ok);
  q.muxes[0].flush();
  assert.equal(q.muxes[0].counters.get('packets_sent'), 1, '100 × 64-byte events in one packet');
  assert.equal(q.muxes[0].send(1n, [new Uint8Array(2_000_000)]), StreamSendStatus.TooLarge);
});

test('fairness: when a flush is budget-bound, streams get packets in proportion to their weights', () => {
  const s = solo({ maxPacketsPerFlush: 40, windowBytes: 0, maxPayloadBytes: 128 });
  s.mux.openStream({ streamId: 1n, reliability: 'fire_and_forget', fairnessWeight: 1 });
  s.mux.openStream({ streamId: 2n, reliability: 'fire_and_forget', fairnessWeight: 3 });
  for (let i = 0; i < 100; i++) {
    s.mux.send(1n, [eventBytes(1, i, 100)]);
    s.mux.send(2n, [eventBytes(2, i, 100)]);
  }
  s.mux.flush();
  const per = [0, 0];
  for (const p of s.sent) per[p.streamLo - 1]!++;
  assert.deepEqual(per, [10, 30]);
  assert.equal(s.mux.nextDeadline(), s.clock.nowMs(), 'more to send: due now');
});
