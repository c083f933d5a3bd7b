/**
 * Reassembly of fragmented events for one stream, bounded by the number of concurrent events, their total
 * declared bytes and age. Every fragment after the first must agree with what the first said (total size, chunk
 * size, position), so fragments never overlap and a completed buffer holds exactly what was sent.
 */
import { FRAG_FLAG_MORE, FragmentPrefix, WireStatus, decodeFragmentPrefixInto } from '../../wire/index.js';
import type { StreamCounter } from './counters.js';
import type { ResolvedStreamMuxOptions } from './options.js';

class Partial {
  filled = 0;
  /** Chunk size of non-last fragments (0 until one arrives). */
  chunk = 0;
  readonly seen = new Set<number>();

  constructor(readonly buf: Uint8Array, readonly startedAtMs: number) {}
}

export class Reassembly {
  /** The completed event after `add` returned null with `completed` set. */
  completed: Uint8Array | null = null;
  private readonly partials = new Map<number, Partial>();
  private bytes = 0;
  private readonly prefix = new FragmentPrefix();

  constructor(private readonly o: ResolvedStreamMuxOptions) {}

  get size(): number {
    return this.partials.size;
  }

  /**
   * One fragment packet's payload. Returns the drop reason, or null when accepted (`completed` is then the whole
   * event if this fragment finished it).
   */
  add(fragmentId: number, index: number, fragFlags: number, payload: Uint8Array, now: number): StreamCounter | null {
    this.completed = null;
    const f = this.prefix;
    if (decodeFragmentPrefixInto(payload, 0, payload.length, f) !== WireStatus.OK || (fragFlags & ~FRAG_FLAG_MORE) !== 0) {
      return 'drop_fragment_invalid';
    }
    if (f.totalLen > this.o.maxEventBytes) return 'drop_fragment_too_large';
    const more = (fragFlags & FRAG_FLAG_MORE) !== 0;
    let p = this.partials.get(fragmentId);
    if (p !== undefined && p.buf.length !== f.totalLen) return 'drop_fragment_invalid';
    if (more ? f.byteOffset + f.chunkLength >= f.totalLen : f.byteOffset + f.chunkLength !== f.totalLen) return 'drop_fragment_invalid';
    const chunk = more ? f.chunkLength : (p?.chunk ?? 0);
    if (p !== undefined && more && p.chunk !== 0 && p.chunk !== chunk) return 'drop_fragment_invalid';
    // a last fragment that comes before any full-size one is placed by its byte offset and checked later
    if (chunk !== 0 && f.byteOffset !== index * chunk) return 'drop_fragment_invalid';
    if (p === undefined) {
      if (this.partials.size >= this.o.maxReassemblies || this.bytes + f.totalLen > this.o.maxReassemblyBytes) {
        return 'drop_reassembly_limit';
      }
      p = new Partial(new Uint8Array(f.totalLen), now);
      this.partials.set(fragmentId, p);
      this.bytes += f.totalLen;
    }
    if (p.seen.has(index)) return 'drop_fragment_duplicate';
    if (more && p.chunk === 0) {
      p.chunk = chunk;
      if (!this.positionsAgree(p)) {
        this.discard(fragmentId, p);
        return 'drop_fragment_invalid';
      }
    }
    p.seen.add(index);
    p.buf.set(payload.subarray(f.chunkOffset, f.chunkOffset + f.chunkLength), f.byteOffset);
    p.filled += f.chunkLength;
    if (p.filled === p.buf.length) {
      this.discard(fragmentId, p);
      this.completed = p.buf;
    }
    return null;
  }

  /** Once the chunk size is known, a last fragment seen earlier must sit at `index * chunk`. */
  private positionsAgree(p: Partial): boolean {
    const n = Math.ceil(p.buf.length / p.chunk);
    for (const i of p.seen) if (i >= n) return false;
    return true;
  }

  private discard(id: number, p: Partial): void {
    this.partials.delete(id);
    this.bytes -= p.buf.length;
  }

  /** Drops reassemblies older than the timeout; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const [id, p] of this.partials) {
      if (now - p.startedAtMs >= this.o.reassemblyTimeoutMs) {
        this.discard(id, p);
        n++;
      }
    }
    return n;
  }

  /** When the oldest reassembly expires (Infinity when none). */
  deadline(): number {
    let d = Infinity;
    for (const p of this.partials.values()) d = Math.min(d, p.startedAtMs + this.o.reassemblyTimeoutMs);
    return d;
  }

  clear(): void {
    this.partials.clear();
    this.bytes = 0;
  }
}
