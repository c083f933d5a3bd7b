/** Shared helpers for views tests: in-memory logs, a tiny counter fold, raw record builders. */
import { readU32LE, VirtualClock, VirtualScheduler, writeU32LE } from '../../src/core/index.js';
import { encodeEvent, RedexFile } from '../../src/log/index.js';
import { FoldDecodeError, type CortexFold } from '../../src/views/index.js';

export const clock = new VirtualClock();
export const timers = new VirtualScheduler(clock);

export async function memLog(channel = 'test/view'): Promise<RedexFile> {
  return RedexFile.open({ clock }, { channel });
}

/**
 * A fold over events whose payload is one u32 `k`: dispatch 0x80 adds k to `sum` and appends k to `items`;
 * dispatch 0x81 with k = 0xdead throws FoldDecodeError; 0x82 throws a plain Error (fatal).
 */
export interface CounterState {
  sum: number;
  items: number[];
}

export const counterFold: CortexFold<CounterState> = {
  model: 'counter',
  initial: () => ({ sum: 0, items: [] }),
  apply(s, e) {
    if (e.payload.length !== 4) throw new FoldDecodeError('counter payload must be 4 bytes');
    const k = readU32LE(e.payload, 0);
    if (e.dispatch === 0x81) throw new FoldDecodeError(`bad ${k}`);
    if (e.dispatch === 0x82) throw new Error('fold bug');
    if (e.dispatch !== 0x80) return;
    s.sum += k;
    s.items.push(k);
  },
  encodeState(s) {
    const out = new Uint8Array(4 * (s.items.length + 1));
    writeU32LE(out, 0, s.items.length);
    s.items.forEach((k, i) => writeU32LE(out, 4 + 4 * i, k));
    return out;
  },
  decodeState(b) {
    const n = readU32LE(b, 0);
    if (b.length !== 4 + 4 * n) throw new Error('bad counter state');
    const items: number[] = [];
    for (let i = 0; i < n; i++) items.push(readU32LE(b, 4 + 4 * i));
    return { sum: items.reduce((a, x) => a + x, 0), items };
  },
};

export function u32(k: number): Uint8Array {
  const b = new Uint8Array(4);
  writeU32LE(b, 0, k);
  return b;
}

/** A well-formed CortEX record (v2 checksum) with dispatch `d` and payload u32 `k`. */
export function record(d: number, k: number): Uint8Array {
  return encodeEvent({ dispatch: d, flags: 0, originHash: 7n, seqOrTs: 0n }, u32(k));
}
