/** Arms one timer at the router's next deadline; the same driver runs on real timers and the virtual scheduler. */
import type { Clock, TimerHandle, Timers } from '../core/index.js';
import type { MeshRouter } from './router.js';

export class MeshDriver {
  private timer: TimerHandle | undefined;
  private armedAt = Infinity;
  private stopped = false;
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.armedAt = Infinity;
    this.router.tick();
    this.arm();
  };

  constructor(readonly router: MeshRouter, private readonly timers: Timers, private readonly clock: Clock) {}

  /** Re-arms if the router's deadline moved earlier; call after feeding the router events. */
  arm(): void {
    if (this.stopped) return;
    const d = this.router.nextDeadline();
    if (d >= this.armedAt) return;
    this.timers.clearTimeout(this.timer);
    this.armedAt = d;
    this.timer = d === Infinity ? undefined : this.timers.setTimeout(this.onTimer, Math.max(0, d - this.clock.nowMs()));
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
