/**
 * Ordered appends from concurrent producers. Each producer takes a ticket first (`reserve`), does its async
 * work, then `commit`s (or `abandon`s) the ticket; records reach the log in ticket order whatever the order of
 * the commits, so replaying the same reservations gives the same log. Out-of-order commits wait in a bounded
 * window.
 */
import { BackpressureError, InvalidArgumentError } from '../core/index.js';
import type { RedexFile } from './redex-file.js';

export class OrderedAppender {
  private nextTicket = 0;
  private nextToAppend = 0;
  private readonly parked = new Map<number, Uint8Array | null>();

  /** @param window most tickets outstanding at once (default 1024). */
  constructor(private readonly file: RedexFile, private readonly window = 1024) {
    if (!Number.isSafeInteger(window) || window < 1) throw new InvalidArgumentError(`window must be >= 1, got ${window}`);
  }

  /** Takes the next ticket; throws BackpressureError when `window` tickets are outstanding. */
  reserve(): number {
    if (this.nextTicket - this.nextToAppend >= this.window) throw new BackpressureError('ordered appender window is full');
    return this.nextTicket++;
  }

  /** Supplies the payload of `ticket`; appends it and every parked successor that is now in order. */
  commit(ticket: number, payload: Uint8Array): void {
    this.park(ticket, payload);
  }

  /** Gives up `ticket` so later tickets are not held back by it. */
  abandon(ticket: number): void {
    this.park(ticket, null);
  }

  /** Tickets reserved and not yet appended or abandoned. */
  get outstanding(): number {
    return this.nextTicket - this.nextToAppend;
  }

  private park(ticket: number, payload: Uint8Array | null): void {
    if (!Number.isSafeInteger(ticket) || ticket < this.nextToAppend || ticket >= this.nextTicket || this.parked.has(ticket)) {
      throw new InvalidArgumentError(`ticket ${ticket} is not outstanding`);
    }
    this.parked.set(ticket, payload);
    while (this.parked.has(this.nextToAppend)) {
      const p = this.parked.get(this.nextToAppend)!;
      this.parked.delete(this.nextToAppend);
      this.nextToAppend++;
      if (p) this.file.append(p);
    }
  }
}
