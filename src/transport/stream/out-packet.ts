/** A packet a stream built: its payload lives in a pooled buffer until it is acknowledged (or sent, if unreliable). */
export class OutPacket {
  seq = 0;
  len = 0;
  eventCount = 0;
  fragmentId = 0;
  fragmentOffset = 0;
  fragFlags = 0;
  /** The stream's last packet (header flag FIN): no events, sent by a graceful close. */
  fin = false;
  /** Time of the latest transmission. */
  sentAtMs = 0;
  /** When the retransmission timer of the latest transmission fires. */
  deadlineMs = Infinity;
  retries = 0;
  /** Karn's rule: no RTT sample from a packet sent more than once. */
  retransmitted = false;
  /** The latest resend was a timeout's (its ack may prove the timeout spurious). */
  timeoutResend = false;

  constructor(public buf: Uint8Array) {}
}

/** A FIFO over an array with a moving head (amortised O(1) shift, compacted when half is dead). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }
  push(v: T): void {
    this.items.push(v);
  }
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head++]!;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
  /** Empties the queue, handing each item to `fn`. */
  drain(fn: (v: T) => void): void {
    for (let i = this.head; i < this.items.length; i++) fn(this.items[i]!);
    this.items = [];
    this.head = 0;
  }
}
