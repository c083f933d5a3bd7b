/**
 * One stream's receive side for the application: an async iterable of event batches over a bounded queue. A full
 * queue pauses the stream in its multiplexer (events wait there, up to the window, and no credit is granted), so
 * for reliable streams a slow consumer is backpressure on the sender, never loss. Each batch is one copy of the
 * packet's events (the multiplexer's views live only during its call) and its events are views into that copy.
 */
export interface StreamInbox extends AsyncIterable<readonly Uint8Array[]> {
  /** Ends the iteration; queued batches are discarded and the stream's delivery resumes into a fresh inbox. */
  close(): void;
}

/*
 * Two ways to end: `close()` (the consumer stops, or the stream was reset: queued batches are discarded) and
 * `end()` (the peer's FIN: the iteration ends cleanly after the batches already queued).
 */

export class BatchInbox implements StreamInbox {
  private readonly items: (readonly Uint8Array[])[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<readonly Uint8Array[]>) => void) | null = null;
  private closed = false;
  /** The peer finished the stream: no more pushes; iteration ends once the queue is empty. */
  private ended = false;
  private paused = false;

  /**
   * @param capacity batches queued before the stream is paused (it resumes at half)
   * @param pause / resume the stream's delivery in its multiplexer
   */
  constructor(
    private readonly capacity: number,
    private readonly pause: () => void,
    private readonly resume: () => void,
    private readonly onClose: () => void,
  ) {}

  get queued(): number {
    return this.items.length - this.head;
  }

  /** Copies `batch` (one allocation) and queues it or hands it to a waiting consumer. */
  push(batch: readonly Uint8Array[]): void {
    if (this.closed || this.ended) return;
    let total = 0;
    for (const e of batch) total += e.length;
    const copy = new Uint8Array(total);
    const views: Uint8Array[] = new Array(batch.length);
    let off = 0;
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      copy.set(e, off);
      views[i] = copy.subarray(off, off + e.length);
      off += e.length;
    }
    this.enqueue(views);
  }

  private enqueue(views: readonly Uint8Array[]): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w({ value: views, done: false });
      return;
    }
    this.items.push(views);
    if (!this.paused && this.queued >= this.capacity) {
      this.paused = true;
      this.pause();
    }
  }

  /** The peer's FIN: the consumer gets what is queued, then the end of the iteration. */
  end(): void {
    if (this.closed || this.ended) return;
    this.ended = true;
    if (this.queued === 0) this.close();
  }

  /**
   * `count` checked event frames (`[len:u32 LE][bytes]`): one copy of them all, one view per event into it,
   * read straight from the copy (the caller's bytes may be a Buffer, whose views cost more to cut).
   */
  pushFrames(frames: Uint8Array, count: number): void {
    if (this.closed || this.ended) return;
    const copy = new Uint8Array(frames.length);
    copy.set(frames);
    const views: Uint8Array[] = new Array(count);
    let off = 0;
    for (let i = 0; i < count; i++) {
      const len = (copy[off]! | (copy[off + 1]! << 8) | (copy[off + 2]! << 16) | (copy[off + 3]! << 24)) >>> 0;
      off += 4;
      views[i] = copy.subarray(off, off + len);
      off += len;
    }
    this.enqueue(views);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.items.length = 0;
    this.head = 0;
    const w = this.waiter;
    this.waiter = null;
    w?.({ value: undefined, done: true });
    this.onClose();
    if (this.paused) this.resume();
  }

  private take(): readonly Uint8Array[] | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as Uint8Array[];
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
      if (this.ended) this.close();
    }
    if (this.paused && this.queued <= this.capacity >>> 1) {
      this.paused = false;
      this.resume(); // may deliver held batches synchronously, back into push()
    }
    return v;
  }

  [Symbol.asyncIterator](): AsyncIterator<readonly Uint8Array[]> {
    return {
      next: (): Promise<IteratorResult<readonly Uint8Array[]>> => {
        const item = this.take();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
      return: (): Promise<IteratorResult<readonly Uint8Array[]>> => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
