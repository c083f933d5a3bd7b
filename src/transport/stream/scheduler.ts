/**
 * Which stream's packets go out next: the streams with queued packets, served weighted round robin (a stream of
 * weight w sends up to w packets per round) within a per-flush packet budget, so one busy stream cannot starve
 * the others.
 */
import type { Stream } from './stream.js';

export class SendScheduler {
  private active: Stream[] = [];
  private rr = 0;

  /** Puts `s` in the rotation (once). */
  enqueue(s: Stream): void {
    if (s.queued) return;
    s.queued = true;
    this.active.push(s);
  }

  /**
   * Seals every queued stream's open packet, then sends up to `budget` packets. `live(s)` says whether `s` is
   * still in its table; streams with nothing left queued (or gone) leave the rotation.
   */
  flush(now: number, budget: number, live: (s: Stream) => boolean): void {
    const a = this.active;
    for (const s of a) s.send.closeOpen();
    while (budget > 0 && a.length > 0) {
      let sent = 0;
      for (let k = 0; k < a.length && budget > 0; k++) {
        const s = a[this.rr++ % a.length]!;
        for (let quota = s.weight; quota > 0 && budget > 0 && s.send.canTransmit(); quota--, budget--, sent++) {
          s.send.transmitNext(now);
        }
      }
      if (sent === 0) break;
    }
    let keep = 0;
    for (const s of a) {
      if (s.send.ready.size > 0 && live(s)) a[keep++] = s;
      else s.queued = false;
    }
    a.length = keep;
    if (this.rr > 1e9) this.rr = 0;
  }

  /** True when some queued packet may go out now. */
  hasSendable(): boolean {
    for (const s of this.active) if (s.send.canTransmit()) return true;
    return false;
  }

  clear(): void {
    for (const s of this.active) s.queued = false;
    this.active.length = 0;
  }
}
