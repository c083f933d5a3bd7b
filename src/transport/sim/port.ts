/**
 * A simulator endpoint: the {@link DatagramPort} the simulated network hands out. It does the port-local checks
 * (closed, oversize, address family) the UDP driver does, then passes datagrams to the network.
 */
import type { CounterSet } from '../../core/index.js';
import {
  newPortCounters, type DatagramHandler, type DatagramPort, type PeerAddress, type PortCounter,
} from '../datagram-port.js';

/** What a SimPort needs from its network. */
export interface SimFabric {
  transmit(from: SimPort, bytes: Uint8Array, to: PeerAddress): void;
}

export class SimPort implements DatagramPort {
  readonly counters: CounterSet<PortCounter> = newPortCounters();
  private handler: DatagramHandler | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly fabric: SimFabric,
    readonly local: PeerAddress,
    readonly maxDatagramSize: number,
  ) {}

  get name(): string {
    return this.local.host;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  send(bytes: Uint8Array, to: PeerAddress): boolean {
    if (this.closing !== null) return this.refuse('drop_send_closed');
    if (bytes.length > this.maxDatagramSize) return this.refuse('drop_send_oversize');
    if (to.family !== 'sim') return this.refuse('drop_send_address');
    this.counters.inc('sent');
    this.counters.inc('sent_bytes', bytes.length);
    this.fabric.transmit(this, bytes, to);
    return true;
  }

  onDatagram(handler: DatagramHandler | null): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    if (this.closing === null) {
      this.handler = null;
      this.closing = Promise.resolve();
    }
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Called by the network at delivery time with a copy the receiver owns. A handler's exception propagates out of
   * the scheduler on purpose: in a simulation a bug should fail the test, not become a counter.
   * Returns false when the datagram was dropped here (counted).
   */
  deliver(bytes: Uint8Array, from: PeerAddress): boolean {
    if (bytes.length > this.maxDatagramSize) return this.refuse('drop_recv_oversize');
    const h = this.handler;
    if (h === null) return this.refuse('drop_recv_no_handler');
    this.counters.inc('received');
    this.counters.inc('received_bytes', bytes.length);
    h(bytes, from);
    return true;
  }

  private refuse(reason: PortCounter): boolean {
    this.counters.inc(reason);
    return false;
  }
}
