/**
 * The simulator's trace: what happened to every datagram, in order, and a 64-bit FNV-1a hash over it so a test
 * can assert that the same seed reproduces the same run. FNV is enough here (it detects divergence, it does not
 * resist anyone) and keeps the simulator free of the crypto plane's async initialisation.
 */

export type TraceEvent =
  | 'send' | 'deliver' | 'duplicate' | 'corrupt' | 'reorder'
  | 'drop_loss' | 'drop_partition' | 'drop_queue_full' | 'drop_no_destination' | 'drop_port_closed';

export interface TraceRecord {
  readonly timeMs: number;
  readonly from: string;
  readonly to: string;
  readonly length: number;
  readonly event: TraceEvent;
}

/** Incremental FNV-1a 64 over bytes, kept as two u32 words so no bigint is built per byte. */
export class Fnv1a64 {
  private lo = 0x84222325;
  private hi = 0xcbf29ce4;

  byte(b: number): void {
    const lo = (this.lo ^ (b & 0xff)) >>> 0;
    // h * 0x100000001b3 mod 2^64 = h * 0x1b3 + (h << 40).
    const loProd = lo * 0x1b3; // < 2^41: exact in a double
    const carry = Math.floor(loProd / 4294967296);
    this.lo = loProd >>> 0;
    this.hi = (Math.imul(this.hi, 0x1b3) + carry + (lo << 8)) >>> 0;
  }

  bytes(b: Uint8Array): void {
    for (let i = 0; i < b.length; i++) this.byte(b[i]!);
  }

  u32(v: number): void {
    this.byte(v);
    this.byte(v >>> 8);
    this.byte(v >>> 16);
    this.byte(v >>> 24);
  }

  string(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.byte(c);
      this.byte(c >>> 8);
    }
    this.byte(0xff); // terminator, so ("ab","c") and ("a","bc") differ
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/** Records trace entries (up to `limit`; the hash keeps covering everything past it). */
export class Trace {
  readonly records: TraceRecord[] = [];
  private readonly hash = new Fnv1a64();
  private readonly f64 = new Float64Array(1);
  private readonly f64Bytes = new Uint8Array(this.f64.buffer);
  /** Entries seen, including those not stored past the limit. */
  count = 0;

  constructor(readonly limit = 100_000) {}

  add(timeMs: number, from: string, to: string, length: number, event: TraceEvent): void {
    this.count++;
    if (this.records.length < this.limit) this.records.push({ timeMs, from, to, length, event });
    this.f64[0] = timeMs;
    this.hash.bytes(this.f64Bytes);
    this.hash.string(from);
    this.hash.string(to);
    this.hash.u32(length);
    this.hash.string(event);
  }

  get value(): bigint {
    return this.hash.value;
  }
}
