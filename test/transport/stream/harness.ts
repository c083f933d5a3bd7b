/**
 * A tiny deterministic lossy link between two StreamMux instances: seeded loss, duplication and reordering
 * (per-packet random delay), one VirtualClock, and a loop that advances time to the next packet or deadline.
 * Every packet that crosses is folded into an FNV-1a trace hash, so the same seed must give the same hash.
 */
import { SeededRandom, VirtualClock } from '../../../src/core/index.js';
import { StreamMux, StreamPacket, type StreamMuxOptions } from '../../../src/transport/index.js';

export interface LinkConditions {
  loss: number;
  duplicate: number;
  minDelayMs: number;
  maxDelayMs: number;
}

interface InFlight {
  at: number;
  order: number;
  to: 0 | 1;
  pkt: StreamPacket;
}

export class Pair {
  readonly clock = new VirtualClock();
  readonly muxes: [StreamMux, StreamMux];
  readonly delivered: [Map<bigint, Uint8Array[]>, Map<bigint, Uint8Array[]>] = [new Map(), new Map()];
  readonly resets: [string[], string[]] = [[], []];
  readonly writable: [number, number] = [0, 0];
  /** `fin:<id>:<events delivered on it so far>` and `closed:<id>`, in the order they happened. */
  readonly lifecycle: [string[], string[]] = [[], []];
  /** Side whose outgoing packets vanish (a peer that went away). */
  blackhole: [boolean, boolean] = [false, false];
  /** Drops every control packet one side sends (a peer that never grants credit). */
  dropControl: [boolean, boolean] = [false, false];
  trace = 0x811c9dc5;
  packets = 0;
  private queue: InFlight[] = [];
  private order = 0;
  private readonly rnd: SeededRandom;

  constructor(seed: number, readonly link: LinkConditions, options: StreamMuxOptions = {}) {
    this.rnd = new SeededRandom(seed);
    const make = (side: 0 | 1): StreamMux => new StreamMux({
      clock: this.clock,
      random: new SeededRandom(seed + side + 1),
      send: (p) => {
        this.transmit(side, p);
        return 0;
      },
      events: {
        deliver: (id, batch) => {
          const list = this.delivered[side].get(id) ?? [];
          for (const e of batch) list.push(e.slice());
          this.delivered[side].set(id, list);
        },
        reset: (id, reason) => this.resets[side].push(`${id}:${reason}`),
        writable: () => this.writable[side]++,
        fin: (id) => this.lifecycle[side].push(`fin:${id}:${this.delivered[side].get(id)?.length ?? 0}`),
        closed: (id) => this.lifecycle[side].push(`closed:${id}`),
      },
    }, options);
    this.muxes = [make(0), make(1)];
  }

  private transmit(from: 0 | 1, p: StreamPacket): void {
    this.packets++;
    if (this.blackhole[from]) return;
    if (this.dropControl[from] && p.subprotocolId !== 0) return;
    const copies = this.rnd.nextFloat() < this.link.loss ? 0 : this.rnd.nextFloat() < this.link.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const q = new StreamPacket();
      Object.assign(q, p);
      q.payload = p.payload.slice();
      const delay = this.link.minDelayMs + this.rnd.nextFloat() * (this.link.maxDelayMs - this.link.minDelayMs);
      this.queue.push({ at: this.clock.nowMs() + delay, order: this.order++, to: from === 0 ? 1 : 0, pkt: q });
    }
  }

  private fold(x: number): void {
    this.trace = Math.imul(this.trace ^ (x >>> 0), 0x01000193) >>> 0;
  }

  /** Runs until `done()` or `untilMs` of virtual time; returns false on the time limit. */
  run(untilMs: number, done: () => boolean = () => false): boolean {
    const [a, b] = this.muxes;
    while (!done()) {
      let next = Math.min(a.nextDeadline(), b.nextDeadline());
      let qi = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const f = this.queue[i]!;
        if (qi < 0 || f.at < this.queue[qi]!.at || (f.at === this.queue[qi]!.at && f.order < this.queue[qi]!.order)) qi = i;
      }
      if (qi >= 0) next = Math.min(next, this.queue[qi]!.at);
      if (next === Infinity || next > untilMs) {
        if (untilMs !== Infinity && untilMs > this.clock.nowMs()) this.clock.set(untilMs);
        return done();
      }
      if (next > this.clock.nowMs()) this.clock.set(next);
      const now = this.clock.nowMs();
      if (qi >= 0 && this.queue[qi]!.at <= now) {
        const f = this.queue.splice(qi, 1)[0]!;
        const p = f.pkt;
        this.fold(f.to);
        this.fold(p.subprotocolId);
        this.fold(p.sequence);
        this.fold(p.payload.length);
        this.muxes[f.to].receive(p);
        continue;
      }
      if (a.nextDeadline() <= now) a.tick();
      if (b.nextDeadline() <= now) b.tick();
    }
    return true;
  }
}

/** Event `i` of stream `s`: 64 bytes that name both, so order and identity can be checked. */
export function eventBytes(s: number, i: number, len = 64): Uint8Array {
  const e = new Uint8Array(len);
  const v = new DataView(e.buffer);
  v.setUint32(0, s, true);
  v.setUint32(4, i, true);
  for (let k = 8; k < len; k++) e[k] = (i * 31 + k + s) & 0xff;
  return e;
}

export function eventIndex(e: Uint8Array): [number, number] {
  const v = new DataView(e.buffer, e.byteOffset, e.byteLength);
  return [v.getUint32(0, true), v.getUint32(4, true)];
}
