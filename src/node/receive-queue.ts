/**
 * A bounded async-iterable queue: the raw per-peer receive API. When the consumer falls behind, new messages
 * are dropped and counted (datagram semantics; reliable streams with backpressure come with the stream plane).
 */
import { BoundedQueue } from '../core/index.js';

export interface MessageQueue<T> extends AsyncIterable<T> {
  /** Ends the iteration; queued messages are discarded. */
  close(): void;
}

export class ReceiveQueue<T> implements MessageQueue<T> {
  private readonly queue: BoundedQueue<T>;
  private waiter: ((r: IteratorResult<T>) => void) | null = null;
  private closed = false;
  /** Messages refused because the queue was full. */
  dropped = 0;

  constructor(capacity: number, private readonly onClose: () => void = () => {}) {
    this.queue = new BoundedQueue<T>(capacity);
  }

  /** Hands `item` to a waiting consumer or queues it; returns false (and counts) when full or closed. */
  push(item: T): boolean {
    if (this.closed) return false;
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w({ value: item, done: false });
      return true;
    }
    if (this.queue.push(item)) return true;
    this.dropped++;
    return false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear();
    const w = this.waiter;
    this.waiter = null;
    w?.({ value: undefined, done: true });
    this.onClose();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: (): Promise<IteratorResult<T>> => {
        const item = this.queue.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
      return: (): Promise<IteratorResult<T>> => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
