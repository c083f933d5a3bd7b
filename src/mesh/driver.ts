/** Drives a MeshRouter on a DeadlineTimer: real timers in a node, the virtual scheduler in the simulator. */
import { DeadlineTimer, type Clock, type Timers } from '../core/index.js';
import type { MeshRouter } from './router.js';

export class MeshDriver {
  private readonly timer: DeadlineTimer;

  constructor(readonly router: MeshRouter, timers: Timers, clock: Clock) {
    this.timer = new DeadlineTimer(router, timers, clock);
  }

  /** Re-arms if the router's deadline moved earlier; call after feeding the router events. */
  arm(): void {
    this.timer.arm();
  }

  stop(): void {
    this.timer.stop();
  }
}
