// Graceful close (FIN after the data, `closed` when the peer acknowledged it, `fin` after the last event), the
// idle timeout and its interplay with LRU eviction, and a hostile peer's FINs: for a stream never opened, data
// after a FIN, FIN replays and conflicting FINs. Counters always balance: received = accepted + drops.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRandom, VirtualClock } from '../../../src/core/index.js';
import { STREAM_DEFAULTS, STREAM_DROP_COUNTERS, StreamMux, StreamPacket, StreamSendStatus } from '../../../src/transport/index.js';
import { HeaderFlag, encodeEventFrames } from '../../../src/wire/index.js';
import { Pair, eventBytes, eventIndex } from './harness.js';

const LOSSY = { loss: 0.3, duplicate: 0.1, minDelayMs: 1, maxDelayMs: 15 };
const CLEAN = { loss: 0, duplicate: 0, minDelayMs: 1, maxDelayMs: 1 };

function balance(m: StreamMux): void {
  assert.equal(m.counters.get('received'), m.counters.get('accepted') + m.counters.sum(STREAM_DROP_COUNTERS));
}

interface Solo { mux: StreamMux; clock: VirtualClock; delivered: number[]; log: string[] }

function solo(options = {}): Solo {
  const clock = new VirtualClock();
  const delivered: number[] = [];
  const log: string[] = [];
  const mux = new StreamMux({
    clock, random: new SeededRandom(1), send: () => 0,
    events: {
      deliver: (_id, batch) => { for (const e of batch) delivered.push(eventIndex(e)[1]); },
      fin: (id) => log.push(`fin:${id}:${delivered.length}`),
      reset: (id, reason) => log.push(`reset:${id}:${reason}`),
    },
  }, options);
  return { mux, clock, delivered, log };
}

/** A reliable data packet of stream `stream` at `seq` carrying events `first..first+n-1`, optionally with FIN. */
function pkt(stream: number, seq: number, first: number, n: number, fin = false): StreamPacket {
  const events = Array.from({ length: n }, (_, i) => eventBytes(stream, first + i));
  return Object.assign(new StreamPacket(), {
    streamLo: stream, sequence: seq, flags: HeaderFlag.RELIABLE | (fin ? HeaderFlag.FIN : 0),
    eventCount: n, payload: encodeEventFrames(events),
  });
}

test('graceful close under 30% loss, duplication and reordering: every event once, in order, then fin; closed at the sender', () => {
  const p = new Pair(11, LOSSY);
  const [a, b] = p.muxes;
  a.openStream({ streamId: 1n });
  const N = 400;
  let sent = 0;
  let finishing = false;
  const ok = p.run(120_000, () => {
    while (sent < N && a.send(1n, [eventBytes(1, sent)]) === StreamSendStatus.Ok) sent++;
    a.flush();
    if (sent === N && !finishing) {
      assert.equal(a.finishStream(1n), true);
      assert.equal(a.finishStream(1n), false, 'a second finish is refused');
      assert.equal(a.send(1n, [eventBytes(1, N)]), StreamSendStatus.NoStream, 'no sends after finish');
      finishing = true;
    }
    return p.lifecycle[0].includes('closed:1');
  });
  assert.ok(ok, 'the graceful close completed');
  const got = (p.delivered[1].get(1n) ?? []).map((e) => eventIndex(e)[1]);
  assert.deepEqual(got, Array.from({ length: N }, (_, i) => i));
  assert.deepEqual(p.lifecycle[1], [`fin:1:${N}`], 'fin exactly once, after the last event');
  assert.deepEqual(p.lifecycle[0], ['closed:1']);
  assert.equal(a.streamCount, 0, 'the closed stream is dropped by the side that never received on it');
  assert.equal(b.streamCount, 1, 'the receiver keeps the finished stream so a retransmitted FIN is still acked');
  assert.equal(a.counters.get('closes_completed'), 1);
  assert.equal(b.counters.get('fins_received'), 1);
  assert.deepEqual(p.resets, [[], []]);
  balance(a);
  balance(b);
  // the finished stream is idle: it goes at the idle timeout, not before
  const t = p.clock.nowMs();
  p.run(t + STREAM_DEFAULTS.streamIdleTimeoutMs - 1000);
  assert.equal(b.streamCount, 1);
  p.run(t + STREAM_DEFAULTS.streamIdleTimeoutMs + 1000);
  assert.equal(b.streamCount, 0);
  assert.deepEqual(p.resets[1], ['1:idle-timeout']);
  assert.equal(b.counters.get('streams_expired'), 1);
});

test('fire-and-forget close: the FIN goes out after the data and closes at once; the receiver ends after the last event', () => {
  const p = new Pair(3, CLEAN);
  const [a] = p.muxes;
  a.openStream({ streamId: 5n, reliability: 'fire_and_forget' });
  for (let i = 0; i < 10; i++) assert.equal(a.send(5n, [eventBytes(5, i)]), StreamSendStatus.Ok);
  assert.equal(a.finishStream(5n), true);
  a.flush();
  assert.deepEqual(p.lifecycle[0], ['closed:5']);
  p.run(1000);
  assert.deepEqual(p.lifecycle[1], ['fin:5:10']);
});

test('a receiver whose consumer is paused holds the FIN behind the data: fin only after everything was delivered', () => {
  const p = new Pair(5, CLEAN, { windowBytes: 4096 });
  const [a, b] = p.muxes;
  a.openStream({ streamId: 2n });
  b.openStream({ streamId: 2n });
  b.pauseReceive(2n);
  for (let i = 0; i < 20; i++) assert.equal(a.send(2n, [eventBytes(2, i)]), StreamSendStatus.Ok);
  a.finishStream(2n);
  a.flush();
  p.run(500);
  assert.deepEqual(p.lifecycle[1], [], 'nothing delivered, no fin while paused');
  // as the reference's close_stream_graceful: closed means every packet up to the FIN is acknowledged (held by
  // the receiver's stream), not that its application has read it
  assert.deepEqual(p.lifecycle[0], ['closed:2']);
  b.resumeReceive(2n);
  assert.deepEqual(p.lifecycle[1], ['fin:2:20']);
  assert.equal(a.streamCount, 0, 'the sender never received on it: nothing to keep');
});

test('attack: a FIN for a stream never opened opens nothing; a FIN at sequence 0 is an empty stream', () => {
  const s = solo();
  s.mux.receive(pkt(9, 5, 0, 0, true));
  s.mux.receive(pkt(10, 1_000_000, 0, 2, true));
  assert.equal(s.mux.streamCount, 0);
  assert.equal(s.mux.counters.get('drop_fin_unknown_stream'), 2);
  s.mux.receive(pkt(11, 0, 0, 0, true));
  assert.equal(s.mux.streamCount, 1);
  assert.deepEqual(s.log, ['fin:11:0']);
  balance(s.mux);
});

test('attack: data after a FIN, FIN replay and a conflicting later FIN are dropped; fin fires once', () => {
  const s = solo();
  s.mux.receive(pkt(1, 0, 0, 2));
  s.mux.receive(pkt(1, 1, 2, 2, true));
  assert.deepEqual(s.delivered, [0, 1, 2, 3]);
  assert.deepEqual(s.log, ['fin:1:4']);
  s.mux.receive(pkt(1, 2, 4, 2)); // data after the FIN
  s.mux.receive(pkt(1, 1, 2, 2, true)); // the FIN replayed
  s.mux.receive(pkt(1, 7, 9, 1, true)); // another, later FIN
  s.mux.receive(pkt(1, 0, 0, 2)); // old data replayed
  assert.deepEqual(s.delivered, [0, 1, 2, 3]);
  assert.deepEqual(s.log, ['fin:1:4']);
  assert.equal(s.mux.counters.get('drop_after_fin'), 2);
  assert.equal(s.mux.counters.get('drop_duplicate'), 2);
  assert.equal(s.mux.streamStats(1n)!.rxSeq, 2n, 'the ack stays at the FIN');
  balance(s.mux);
});

test('attack: a FIN that arrives out of order cuts off data held beyond it; the lowest FIN wins', () => {
  const s = solo();
  s.mux.receive(pkt(3, 4, 40, 1)); // held, beyond the FIN that comes next
  s.mux.receive(pkt(3, 6, 60, 1, true)); // a higher FIN, held
  s.mux.receive(pkt(3, 2, 20, 1, true)); // the FIN that wins
  s.mux.receive(pkt(3, 5, 50, 1)); // refused at once: after the known FIN
  s.mux.receive(pkt(3, 1, 10, 1));
  s.mux.receive(pkt(3, 0, 0, 1));
  assert.deepEqual(s.delivered, [0, 10, 20]);
  assert.deepEqual(s.log, ['fin:3:3']);
  assert.equal(s.mux.counters.get('drop_after_fin'), 3, 'seq 5 at arrival; seq 4 and the FIN at 6 when the FIN at 2 was delivered');
  assert.equal(s.mux.streamStats(3n)!.inboundPending, 0n, 'nothing held after the FIN');
  balance(s.mux);
});

test('idle timeout: idle streams expire at 300 s (reference default), busy ones do not; LRU eviction takes the oldest idle one', () => {
  const s = solo({ maxStreams: 3 });
  const m = s.mux;
  m.openStream({ streamId: 1n });
  s.clock.advance(10);
  m.openStream({ streamId: 2n });
  m.pauseReceive(2n);
  m.receive(pkt(2, 0, 0, 1)); // held while paused: stream 2 is not idle
  s.clock.advance(10);
  m.openStream({ streamId: 3n });
  // at the limit: the least recently active idle stream (1) makes room; 2 is busy, 3 is newer
  m.openStream({ streamId: 4n });
  assert.equal(m.streamStats(1n), null);
  assert.equal(m.counters.get('streams_evicted'), 1);
  const expire = (): void => {
    while (m.nextDeadline() <= s.clock.nowMs()) m.tick();
  };
  s.clock.set(STREAM_DEFAULTS.streamIdleTimeoutMs + 10 - 1);
  expire();
  assert.equal(m.streamCount, 3, 'nothing expires early');
  assert.ok(m.nextDeadline() <= STREAM_DEFAULTS.streamIdleTimeoutMs + 20, 'the idle expiry is a deadline');
  s.clock.set(STREAM_DEFAULTS.streamIdleTimeoutMs + 20);
  expire();
  assert.equal(m.streamCount, 1, 'streams 3 and 4 expired');
  assert.notEqual(m.streamStats(2n), null, 'stream 2 holds data: not idle, kept');
  assert.deepEqual(s.log.filter((l) => l.startsWith('reset')), ['reset:3:idle-timeout', 'reset:4:idle-timeout']);
  m.resumeReceive(2n);
  assert.deepEqual(s.delivered, [0]);
  expire();
  s.clock.advance(STREAM_DEFAULTS.streamIdleTimeoutMs);
  expire();
  assert.equal(m.streamCount, 0);
});
