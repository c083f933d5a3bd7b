/**
 * The node:dgram driver of {@link DatagramPort}. Everything that can go wrong on the hot path is counted, never
 * thrown and never left as an unhandled 'error' event: an exception from network input must not take the node
 * down (test-plan §6.5).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { CounterSet, InvalidArgumentError, NetError, ErrorCode } from '../core/index.js';
import {
  DEFAULT_MAX_DATAGRAM, newPortCounters, peerAddress,
  type DatagramHandler, type DatagramPort, type PeerAddress, type PortCounter,
} from './datagram-port.js';

export interface UdpPortOptions {
  /** IP literal to bind (default `127.0.0.1`, or `::1` with family ipv6). Use `0.0.0.0` / `::` for all. */
  host?: string;
  /** Port to bind; 0 (the default) lets the OS choose. */
  port?: number;
  /** Inferred from `host` when omitted. */
  family?: 'ipv4' | 'ipv6';
  /** IPv6 only: refuse IPv4-mapped traffic (default false). */
  ipv6Only?: boolean;
  /** SO_RCVBUF / SO_SNDBUF in bytes (OS default when omitted; the kernel may cap them). */
  recvBufferSize?: number;
  sendBufferSize?: number;
  /** Larger datagrams are refused on send and dropped on receive (default 8192). */
  maxDatagramSize?: number;
  /**
   * Connect the socket to one peer: sends skip the per-datagram address lookup (15–35 % cheaper per
   * perf-anchors §4) and the kernel filters out datagrams from anyone else. `send` to another address is refused.
   */
  connect?: { host: string; port: number };
  /** Do not keep the process alive just for this socket (default false). */
  unref?: boolean;
}

export class UdpPort implements DatagramPort {
  readonly counters: CounterSet<PortCounter> = newPortCounters();
  /** The connected peer, when opened with `connect`. */
  readonly remote: PeerAddress | undefined;
  private handler: DatagramHandler | null = null;
  private closing: Promise<void> | null = null;
  private readonly slotSent: number;
  private readonly slotSentBytes: number;
  private readonly slotReceived: number;
  private readonly slotReceivedBytes: number;
  // One-entry cache so a steady peer does not cost a PeerAddress allocation per datagram.
  private lastFrom: PeerAddress | null = null;
  private lastTo: PeerAddress | null = null;
  // One callback for every send: no closure per packet. Without a callback node:dgram drops send errors silently.
  private readonly afterSend = (err: Error | null): void => {
    if (err) this.counters.inc('send_error');
  };

  private constructor(
    private readonly socket: Socket,
    readonly local: PeerAddress,
    readonly maxDatagramSize: number,
    remote: PeerAddress | undefined,
  ) {
    this.remote = remote;
    this.slotSent = this.counters.slot('sent');
    this.slotSentBytes = this.counters.slot('sent_bytes');
    this.slotReceived = this.counters.slot('received');
    this.slotReceivedBytes = this.counters.slot('received_bytes');
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.receive(msg, rinfo));
    socket.on('error', () => this.counters.inc('socket_error'));
  }

  /** Binds a socket (and connects it, with `connect`). Throws a NetError if the bind or connect fails. */
  static async open(options: UdpPortOptions = {}): Promise<UdpPort> {
    const family = options.family ?? (options.host !== undefined && isIP(options.host) === 6 ? 'ipv6' : 'ipv4');
    const host = options.host ?? (family === 'ipv6' ? '::1' : '127.0.0.1');
    const ipv = isIP(host);
    if (ipv !== (family === 'ipv6' ? 6 : 4)) throw new InvalidArgumentError(`bind host ${host} is not an ${family} literal`);
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`bad port ${port}`);
    const max = options.maxDatagramSize ?? DEFAULT_MAX_DATAGRAM;
    if (!Number.isInteger(max) || max < 1 || max > 65507) throw new InvalidArgumentError(`bad maxDatagramSize ${max}`);
    const remote = options.connect ? checkedRemote(options.connect, family) : undefined;

    const socket = createSocket({
      type: family === 'ipv6' ? 'udp6' : 'udp4',
      ipv6Only: options.ipv6Only ?? false,
      ...(options.recvBufferSize !== undefined ? { recvBufferSize: options.recvBufferSize } : {}),
      ...(options.sendBufferSize !== undefined ? { sendBufferSize: options.sendBufferSize } : {}),
      // Every destination is an IP literal checked by reachable(), so the "lookup" answers at once: node's default
      // would defer each send to the next tick to hand back the same string.
      lookup: literalLookup,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: host, port, exclusive: true }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      if (remote) {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.connect(remote.port, remote.host, () => {
            socket.off('error', reject);
            resolve();
          });
        });
      }
    } catch (e) {
      socket.removeAllListeners();
      socket.on('error', () => {});
      await closeSocket(socket);
      throw new NetError(ErrorCode.InvalidArgument, `cannot open UDP ${host}:${port}: ${(e as Error).message}`, { cause: e });
    }
    if (options.unref) socket.unref();
    const addr = socket.address();
    return new UdpPort(socket, peerAddress(family, addr.address, addr.port), max, remote);
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  send(bytes: Uint8Array, to: PeerAddress): boolean {
    if (this.closing !== null) return this.refuse('drop_send_closed');
    if (bytes.length > this.maxDatagramSize) return this.refuse('drop_send_oversize');
    try {
      // node:dgram keeps a reference to `bytes` when the kernel defers a send with EAGAIN (libuv queues it), so it
      // gets a copy: callers reuse their buffer on return.
      const copy = Buffer.allocUnsafe(bytes.length);
      copy.set(bytes);
      if (this.remote !== undefined) {
        if (to.port !== this.remote.port || to.host !== this.remote.host) return this.refuse('drop_send_address');
        this.socket.send(copy, this.afterSend);
      } else {
        if (to !== this.lastTo && !this.reachable(to)) return this.refuse('drop_send_address');
        this.socket.send(copy, to.port, to.host, this.afterSend);
      }
    } catch {
      // Synchronous refusals (a malformed address, a socket closed under us) are the caller's data, not a crash.
      return this.refuse('drop_send_address');
    }
    this.counters.incSlot(this.slotSent);
    this.counters.incSlot(this.slotSentBytes, bytes.length);
    return true;
  }

  onDatagram(handler: DatagramHandler | null): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    if (this.closing === null) {
      this.handler = null;
      this.closing = closeSocket(this.socket);
    }
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Checks a destination once per address object (callers reuse the frozen addresses they received), so the
   * common case costs one comparison. A host that is not an IP literal is refused: node would resolve it through
   * DNS on every send, which has no place on the hot path.
   */
  private reachable(to: PeerAddress): boolean {
    const ok = to.family === this.local.family && to.port > 0 && to.port < 65536 && Number.isInteger(to.port)
      && isIP(to.host) === (to.family === 'ipv6' ? 6 : 4);
    if (ok) this.lastTo = to;
    return ok;
  }

  private refuse(reason: PortCounter): boolean {
    this.counters.inc(reason);
    return false;
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    if (msg.length > this.maxDatagramSize) {
      this.counters.inc('drop_recv_oversize');
      return;
    }
    const h = this.handler;
    if (h === null) {
      this.counters.inc('drop_recv_no_handler');
      return;
    }
    let from = this.lastFrom;
    if (from === null || from.port !== rinfo.port || from.host !== rinfo.address) {
      from = peerAddress(rinfo.family === 'IPv6' ? 'ipv6' : 'ipv4', rinfo.address, rinfo.port);
      this.lastFrom = from;
    }
    this.counters.incSlot(this.slotReceived);
    this.counters.incSlot(this.slotReceivedBytes, msg.length);
    try {
      h(msg, from);
    } catch {
      this.counters.inc('recv_handler_error');
    }
  }
}

function checkedRemote(to: { host: string; port: number }, family: 'ipv4' | 'ipv6'): PeerAddress {
  if (isIP(to.host) !== (family === 'ipv6' ? 6 : 4)) throw new InvalidArgumentError(`connect host ${to.host} is not an ${family} literal`);
  if (!Number.isInteger(to.port) || to.port < 1 || to.port > 65535) throw new InvalidArgumentError(`bad connect port ${to.port}`);
  return peerAddress(family, to.host, to.port);
}

/**
 * Closes `socket` and resolves once libuv has freed the handle. libuv frees it in the close phase of the loop,
 * after the 'close' callback; two check phases later it is really gone (getActiveResourcesInfo agrees), so a
 * caller that awaited close() can rely on leaving nothing behind.
 */
function closeSocket(socket: Socket): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => void setImmediate(() => setImmediate(resolve));
    try {
      socket.close(done);
    } catch {
      done(); // already closed (a failed bind closes it)
    }
  });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** node:dgram's `lookup` hook for destinations that are already IP literals: answers synchronously. */
function literalLookup(host: string, _options: unknown, callback: LookupCallback): void {
  callback(null, host, isIP(host));
}
