/**
 * Randomness as an injected component: the crypto source in production, a seeded generator in tests and the
 * simulator so that a seed reproduces a run exactly.
 */
import { randomFillSync } from 'node:crypto';

export interface Random {
  /** Fills `out` with random bytes. */
  fill(out: Uint8Array): void;
  /** A uniform integer in [0, 2^32). */
  nextU32(): number;
  /** A uniform float in [0, 1). */
  nextFloat(): number;
}

/** Operating-system randomness (node:crypto's CSPRNG). */
export class CryptoRandom implements Random {
  private readonly word = new Uint32Array(1);

  fill(out: Uint8Array): void {
    randomFillSync(out);
  }
  nextU32(): number {
    randomFillSync(this.word);
    return this.word[0]!;
  }
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }
}

/**
 * Deterministic xoshiro128** seeded through splitmix32. Not for keys: only for tests and simulation, where the
 * same seed must give the same bytes on every run and machine.
 */
export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    return result;
  }

  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  fill(out: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= out.length; i += 4) {
      const w = this.nextU32();
      out[i] = w & 0xff;
      out[i + 1] = (w >>> 8) & 0xff;
      out[i + 2] = (w >>> 16) & 0xff;
      out[i + 3] = w >>> 24;
    }
    if (i < out.length) {
      let w = this.nextU32();
      for (; i < out.length; i++, w >>>= 8) out[i] = w & 0xff;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
