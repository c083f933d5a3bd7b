/**
 * Timers as an injected component, and a deterministic virtual scheduler for the simulator.
 *
 * Sans-I/O machines never call `setTimeout` themselves: their driver hands them a {@link Timers}. In production
 * that is {@link RealTimers} (node timers); in tests and the simulator it is a {@link VirtualScheduler}, where time
 * moves only when the test says so and events at equal times run in the order they were scheduled, so a seed
 * reproduces a run exactly.
 */
import { InvalidArgumentError, TimeoutError } from './errors.js';
import { VirtualClock } from './clock.js';

/** An opaque timer handle; only the {@link Timers} that issued it can clear it. */
export type TimerHandle = { readonly __timerHandle: unique symbol };

export interface Timers {
  /** Runs `fn` once after `ms` milliseconds (negative or NaN counts as 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; clearing a fired, cleared or foreign handle is a no-op. */
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** Node timers. With `unref` (default true) a pending timer never keeps the process alive on its own. */
export class RealTimers implements Timers {
  private readonly unref: boolean;

  constructor(options: { unref?: boolean } = {}) {
    this.unref = options.unref ?? true;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, ms > 0 ? ms : 0);
    if (this.unref) t.unref();
    return t as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) clearTimeout(handle as unknown as NodeJS.Timeout);
  }
}

/** One scheduled event. `fn === null` once it ran or was cancelled (lazy deletion from the heap). */
class ScheduledEvent {
  constructor(
    readonly at: number,
    readonly seq: number,
    public fn: (() => void) | null,
    readonly owner: VirtualScheduler,
  ) {}
}

/**
 * A binary min-heap of events ordered by (time, insertion sequence) over a {@link VirtualClock}. Cancel is O(1)
 * (the event is marked dead and skipped when it reaches the top); the heap is compacted when dead entries
 * outnumber live ones, so a machine that re-arms a timer on every packet does not grow it without bound.
 */
export class VirtualScheduler implements Timers {
  readonly clock: VirtualClock;
  private heap: ScheduledEvent[] = [];
  private seq = 0;
  private live = 0;

  constructor(clock: VirtualClock = new VirtualClock()) {
    this.clock = clock;
  }

  /** Current virtual time in ms. */
  nowMs(): number {
    return this.clock.nowMs();
  }

  /** Number of pending (not yet run, not cancelled) events. */
  get pending(): number {
    return this.live;
  }

  /** Time of the earliest pending event, or undefined when idle. */
  nextAt(): number | undefined {
    this.dropDeadTop();
    return this.heap[0]?.at;
  }

  /** Runs `fn` at absolute time `atMs` (a time in the past runs at the next step, at the current time). */
  scheduleAt(atMs: number, fn: () => void): TimerHandle {
    if (Number.isNaN(atMs)) throw new InvalidArgumentError('event time is NaN');
    const ev = new ScheduledEvent(Math.max(atMs, this.clock.nowMs()), this.seq++, fn, this);
    this.push(ev);
    this.live++;
    return ev as unknown as TimerHandle;
  }

  /** Runs `fn` after `delayMs` (>= 0) from now. */
  schedule(delayMs: number, fn: () => void): TimerHandle {
    return this.scheduleAt(this.clock.nowMs() + (delayMs > 0 ? delayMs : 0), fn);
  }

  /** Cancels a pending event; returns true if it was pending. */
  cancel(handle: TimerHandle | undefined): boolean {
    const ev = handle as unknown as ScheduledEvent | undefined;
    if (!(ev instanceof ScheduledEvent) || ev.owner !== this || ev.fn === null) return false;
    ev.fn = null;
    this.live--;
    if (this.heap.length > 64 && this.live * 2 < this.heap.length) this.compact();
    return true;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule(ms, fn);
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    this.cancel(handle);
  }

  /** Runs the earliest pending event, moving the clock to its time. Returns false when idle. */
  step(): boolean {
    this.dropDeadTop();
    const ev = this.pop();
    if (ev === undefined) return false;
    const fn = ev.fn!;
    ev.fn = null;
    this.live--;
    if (ev.at > this.clock.nowMs()) this.clock.set(ev.at);
    fn();
    return true;
  }

  /** Runs every event due at or before `ms`, then sets the clock to `ms`. Returns the number of events run. */
  runUntil(ms: number): number {
    if (!(ms >= this.clock.nowMs())) throw new InvalidArgumentError(`cannot run back to ${ms} ms`);
    let n = 0;
    for (;;) {
      const at = this.nextAt();
      if (at === undefined || at > ms) break;
      this.step();
      n++;
    }
    this.clock.set(ms);
    return n;
  }

  /** Runs for `ms` of virtual time from now. */
  runFor(ms: number): number {
    return this.runUntil(this.clock.nowMs() + ms);
  }

  /**
   * Runs until no event is pending. Throws a TimeoutError after `maxEvents` events, which in a simulation means
   * something re-arms itself forever (a heartbeat, a retry loop): use `runFor` for those.
   */
  runUntilIdle(maxEvents = 1_000_000): number {
    let n = 0;
    while (this.step()) {
      if (++n >= maxEvents && this.live > 0) throw new TimeoutError(`scheduler still busy after ${n} events`);
    }
    return n;
  }

  private dropDeadTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.fn === null) this.pop();
  }

  private compact(): void {
    this.heap = this.heap.filter((e) => e.fn !== null);
    // Floyd's heapify: sift down every internal node from the bottom up.
    for (let i = (this.heap.length >>> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private push(ev: ScheduledEvent): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >>> 1;
      if (!before(ev, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = ev;
  }

  private pop(): ScheduledEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top !== undefined && h.length > 0) {
      h[0] = last!;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const ev = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, ev)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = ev;
  }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
