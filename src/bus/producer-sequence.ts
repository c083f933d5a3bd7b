/**
 * The producer's dedup identity: a random producer id and a sequence that never repeats, even across restarts.
 * Dedup ids are `<producerId>-<seq>`. If a restarted producer reused a sequence, the broker's dedup (JetStream's
 * `Nats-Msg-Id` window) and consumer-side dedup would discard its *new* events as repeats of old ones; so the
 * sequence is leased in blocks, and the end of the current lease is written (and fsynced) before any number in
 * it is used. A restart continues at the old lease's end, skipping what the crash left unused.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError, NetError, ErrorCode, SAFE_COUNTER_LIMIT, type Random } from '../core/index.js';

/** Sequences leased per state-file write. */
export const PRODUCER_LEASE_BLOCK = 1_048_576;
const STATE_MAX_BYTES = 4096;

export class ProducerSequence {
  private next: number;
  private leaseEnd: number;

  private constructor(
    readonly producerId: string,
    start: number,
    private readonly path: string | undefined,
    private readonly block: number,
  ) {
    this.next = start;
    this.leaseEnd = path === undefined ? SAFE_COUNTER_LIMIT : start;
  }

  /** A sequence kept in memory only: a fresh random producer id, so it cannot collide with an earlier run. */
  static ephemeral(random: Random): ProducerSequence {
    return new ProducerSequence(randomId(random), 0, undefined, PRODUCER_LEASE_BLOCK);
  }

  /** Opens (or creates) the state file at `path`; the producer id and the sequence survive restarts. */
  static open(path: string, random: Random, block = PRODUCER_LEASE_BLOCK): ProducerSequence {
    if (!Number.isInteger(block) || block < 1) throw new InvalidArgumentError(`lease block must be >= 1, got ${block}`);
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new NetError(ErrorCode.KeyFile, `cannot read producer state ${path}`, { cause: e });
    }
    if (text === undefined) return new ProducerSequence(randomId(random), 0, path, block);
    if (text.length > STATE_MAX_BYTES) throw new NetError(ErrorCode.KeyFile, `producer state ${path} is too large`);
    const m = /^net-mesh-producer v1 ([0-9a-f]{16}) ([0-9]{1,16})\n$/.exec(text);
    if (!m || !(Number(m[2]) < SAFE_COUNTER_LIMIT)) throw new NetError(ErrorCode.KeyFile, `producer state ${path} is malformed`);
    return new ProducerSequence(m[1]!, Number(m[2]), path, block);
  }

  /** Reserves `n` consecutive sequences and returns the first. Writes the state file when a lease runs out. */
  take(n: number): number {
    const first = this.next;
    if (first + n > this.leaseEnd) this.extend(first + n);
    this.next = first + n;
    return first;
  }

  /** The next sequence `take` would return. */
  peek(): number {
    return this.next;
  }

  private extend(needed: number): void {
    const end = needed + this.block;
    if (end >= SAFE_COUNTER_LIMIT) throw new NetError(ErrorCode.CounterExhausted, 'producer sequence exhausted');
    if (this.path !== undefined) writeDurably(this.path, `net-mesh-producer v1 ${this.producerId} ${end}\n`);
    this.leaseEnd = end;
  }
}

function randomId(random: Random): string {
  const b = new Uint8Array(8);
  random.fill(b);
  return Buffer.from(b).toString('hex');
}

/** Write to a temp file, fsync, rename over, fsync the directory: after a crash the old or the new state. */
function writeDurably(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
