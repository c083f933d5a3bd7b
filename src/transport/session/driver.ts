/**
 * A thin driver: binds a {@link DatagramPort}, {@link Timers} and a {@link SessionManager}, arming one timer at
 * the manager's `nextDeadline()`. The same driver runs on `UdpPort` + `RealTimers` and on `SimPort` +
 * `VirtualScheduler`.
 */
import { DeadlineTimer, type Clock, type Timers } from '../../core/index.js';
import type { DatagramPort, PeerAddress } from '../datagram-port.js';
import type { SessionManager } from './manager.js';

export class SessionDriver {
  private readonly timer: DeadlineTimer;
  private stopped = false;

  constructor(
    readonly port: DatagramPort,
    readonly manager: SessionManager,
    timers: Timers,
    clock: Clock,
    intercept?: (bytes: Uint8Array, from: PeerAddress) => boolean,
  ) {
    this.timer = new DeadlineTimer(manager, timers, clock);
    // `intercept` is how an upper plane takes datagrams before the session layer (the mesh's relay takes routed
    // datagrams for other nodes); it returns true for what it consumed.
    port.onDatagram(intercept === undefined
      ? (bytes, from) => {
        this.manager.receive(bytes, from);
        this.arm();
      }
      : (bytes, from) => {
        if (intercept(bytes, from)) return;
        this.manager.receive(bytes, from);
        this.arm();
      });
  }

  /** The `send` component to give the manager: `(bytes, to) => driver.output(bytes, to)`. */
  static output(port: DatagramPort): (bytes: Uint8Array, to: PeerAddress) => void {
    return (bytes, to) => {
      port.send(bytes, to);
    };
  }

  /** Re-arms the timer if the manager's deadline moved earlier; call after API calls on the manager. */
  arm(): void {
    this.timer.arm();
  }

  /** Shuts the manager down, clears the timer and detaches from the port (the port stays open: its owner closes it). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.manager.shutdown();
    this.timer.stop();
    this.port.onDatagram(null);
  }
}
