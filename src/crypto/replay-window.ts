/**
 * Anti-replay window with WireGuard semantics (wireguard-go `replay.Filter`, RFC 6479 bitmap ring): any forward
 * jump is allowed (a jump past the window simply clears it), a counter more than `size` below the highest one
 * seen is refused, and no counter is accepted twice. `check` is pure; `commit` records a counter and is called
 * only after the packet's AEAD tag verified, so forged packets never move the window.
 *
 * Window: with `highest` the largest committed counter, a counter `c` is fresh when `c > highest`, or when
 * `highest - c <= size` and `c` was not committed. So `size + 1` counters (`highest - size .. highest`) are
 * tracked, as in WireGuard. Counters are JS numbers, refused at or above 2^53.
 */
import { InvalidArgumentError, SAFE_COUNTER_LIMIT } from '../core/index.js';

export const DEFAULT_REPLAY_WINDOW = 2048;
const BLOCK_BITS = 32;

export interface ReplayWindowOptions {
  /** Counters tracked behind the highest one; a multiple of 32, at least 32 (default 2048). */
  size?: number;
}

export class ReplayWindow {
  /** How far below the highest committed counter a counter is still accepted. */
  readonly size: number;
  private readonly ring: Uint32Array;
  private readonly blocks: number;
  private last = 0;

  constructor(options: ReplayWindowOptions = {}) {
    const size = options.size ?? DEFAULT_REPLAY_WINDOW;
    if (!Number.isInteger(size) || size < BLOCK_BITS || size % BLOCK_BITS !== 0 || size > 1 << 24) {
      throw new InvalidArgumentError(`replay window size must be a multiple of 32 in [32, 2^24], got ${size}`);
    }
    this.size = size;
    // size + 1 counters span at most size/32 + 1 blocks.
    this.blocks = size / BLOCK_BITS + 1;
    this.ring = new Uint32Array(this.blocks);
  }

  /** The highest committed counter (0 before any commit). */
  get highest(): number {
    return this.last;
  }

  /** True when `counter` would be accepted now. Changes nothing. */
  check(counter: number): boolean {
    if (!isCounter(counter)) return false;
    if (counter > this.last) return true;
    if (this.last - counter > this.size) return false;
    const bit = 1 << (counter & 31);
    return (this.ring[Math.floor(counter / BLOCK_BITS) % this.blocks]! & bit) === 0;
  }

  /**
   * Records `counter` if it is fresh and returns true; returns false, changing nothing, for a replay, a counter
   * too old, or a value that is not an integer in [0, 2^53).
   */
  commit(counter: number): boolean {
    if (!isCounter(counter)) return false;
    const block = Math.floor(counter / BLOCK_BITS);
    if (counter > this.last) {
      const current = Math.floor(this.last / BLOCK_BITS);
      const diff = Math.min(block - current, this.blocks);
      for (let i = 1; i <= diff; i++) this.ring[(current + i) % this.blocks] = 0;
      this.last = counter;
    } else if (this.last - counter > this.size) {
      return false;
    }
    const idx = block % this.blocks;
    const old = this.ring[idx]!;
    const bit = 1 << (counter & 31);
    if ((old & bit) !== 0) return false;
    this.ring[idx] = old | bit;
    return true;
  }

  /** Forgets everything (a new key starts from an empty window). */
  reset(): void {
    this.ring.fill(0);
    this.last = 0;
  }
}

function isCounter(c: number): boolean {
  return typeof c === 'number' && c >= 0 && c < SAFE_COUNTER_LIMIT && Number.isInteger(c);
}
