/**
 * What a stream's halves share with their multiplexer: options, counters, the one reusable outgoing packet and
 * the payload-buffer pool. Kept as an interface so the halves never import the façade.
 */
import type { CounterSet } from '../../core/index.js';
import type { StreamPacket } from './api.js';
import type { StreamCounter } from './counters.js';
import type { ResolvedStreamMuxOptions } from './options.js';

export interface StreamEnv {
  readonly options: ResolvedStreamMuxOptions;
  readonly counters: CounterSet<StreamCounter>;
  /** The packet `emit` sends; fill it, then call `emit`. */
  readonly out: StreamPacket;
  /** Sends `out`; returns the `send` component's status (0 = handed to the socket). */
  emit(): number;
  /** A payload buffer of `maxPayloadBytes` (reused: buffers come back through `releaseBuffer`). */
  takeBuffer(): Uint8Array;
  releaseBuffer(buf: Uint8Array): void;
}

/** A bounded free list of payload buffers, so steady-state sending allocates nothing. */
export class BufferPool {
  private readonly free: Uint8Array[] = [];

  constructor(private readonly size: number, private readonly keep: number) {}

  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(this.size);
  }

  release(buf: Uint8Array): void {
    if (this.free.length < this.keep && buf.length === this.size) this.free.push(buf);
  }
}
