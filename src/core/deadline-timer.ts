/**
 * One timer armed at a sans-I/O machine's next deadline: the shared piece of every thin driver. `arm()` after
 * feeding the machine moves the timer earlier if the deadline moved; when it fires, the machine ticks and the
 * timer is re-armed at the new deadline. The same code runs on real timers and on the virtual scheduler.
 */
import type { Clock } from './clock.js';
import type { TimerHandle, Timers } from './scheduler.js';

export interface DeadlineMachine {
  /** Absolute time (the clock's ms) of the next timer the machine needs; Infinity for none. */
  nextDeadline(): number;
  tick(): void;
}

export class DeadlineTimer {
  private timer: TimerHandle | undefined;
  private armedAt = Infinity;
  private stopped = false;
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.armedAt = Infinity;
    this.machine.tick();
    this.arm();
  };

  constructor(private readonly machine: DeadlineMachine, private readonly timers: Timers, private readonly clock: Clock) {}

  /** Re-arms if the machine's deadline moved earlier. */
  arm(): void {
    if (this.stopped) return;
    const d = this.machine.nextDeadline();
    if (d >= this.armedAt) return;
    this.timers.clearTimeout(this.timer);
    this.armedAt = d;
    this.timer = d === Infinity ? undefined : this.timers.setTimeout(this.onTimer, d - this.clock.nowMs());
  }

  /** Clears the timer for good; later `arm()` calls do nothing. */
  stop(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
