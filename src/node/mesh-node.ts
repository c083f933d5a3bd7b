/**
 * `MeshNode`: the composition root for direct peers. It binds a UDP port, wires the sans-I/O session manager to
 * it with real time and timers, dispatches inbound packets through the subprotocol registry, and exposes the
 * reference SDK's names for what exists now: `create`, `nodeId`, `publicKey`, `connect`, `accept`, `start`,
 * `peerCount`, `shutdown`, plus a raw per-peer `send`, an async-iterable `receive`, `ping` and `metrics`.
 *
 * The port receives from `create()` on, so a node answers handshakes from expected peers before `start()`;
 * `start()` connects to the seed peers.
 */
import {
  ClosedError, CounterSet, copyBytes, CryptoError, CryptoRandom, ErrorCode, InvalidArgumentError, NotConnectedError, RealTimers,
  SystemClock, toHex, type CallOptions,
} from '../core/index.js';
import { Identity, wipe } from '../crypto/index.js';
import { HEADER_BYTES, ROUTING_HEADER_BYTES } from '../wire/index.js';
import type { RouteRow } from '../mesh/index.js';
import {
  SessionDriver, SessionManager, SessionSendStatus, SubprotocolRegistry, UdpPort, formatPeerAddress, isStreamSubprotocol,
  probeUdp, parseSocketAddress, toPeerAddress, type PeerAddress, type SessionDownReason, type SessionPeer, type StreamConfig,
  type StreamStats,
} from '../transport/index.js';
import { withDeadline } from './deadline.js';
import { NodeStreams, type MeshStream } from './node-streams.js';
import { NodeMesh } from './node-mesh.js';
import type { StreamInbox } from './stream-inbox.js';
import { MESH_NODE_DEFAULTS, decodeMeshPsk, decodeStaticKey, type MeshNodeConfig } from './config.js';
import { PING_SUBPROTOCOL, PingKind, decodePing, encodePing } from './ping.js';
import { ReceiveQueue, type MessageQueue } from './receive-queue.js';

/**
 * Raw datagrams of `send` / `receive` travel on this subprotocol (net-mesh's reserved block): subprotocol 0 is
 * stream data, as in the reference.
 */
export const RAW_SUBPROTOCOL = 0xf003;

/** A message received through `send` (raw datagrams); `payload` is the receiver's own copy. */
export interface MeshMessage {
  from: bigint;
  payload: Uint8Array;
}

export type PeerEvent =
  | { type: 'up'; nodeId: bigint; address: string | null }
  | { type: 'down'; nodeId: bigint; reason: SessionDownReason }
  | { type: 'identity-proven'; nodeId: bigint }
  | { type: 'identity-unproven'; nodeId: bigint };

const NODE_COUNTERS = ['messages_received', 'drop_receive_queue_full', 'pings_answered', 'pongs_received', 'drop_bad_ping'] as const;
type NodeCounter = (typeof NODE_COUNTERS)[number];

interface Waiter {
  resolve(peer: SessionPeer): void;
  reject(error: Error): void;
}

export class MeshNode implements AsyncDisposable {
  private readonly clock = new SystemClock();
  private readonly counters = new CounterSet<NodeCounter>(NODE_COUNTERS);
  private readonly waiters = new Map<bigint, Set<Waiter>>();
  private readonly pings = new Map<number, (ok: true) => void>();
  private readonly queues = new Set<ReceiveQueue<MeshMessage>>();
  private readonly listeners = new Set<(e: PeerEvent) => void>();
  private readonly manager: SessionManager;
  private readonly driver: SessionDriver;
  private readonly streams: NodeStreams;
  private readonly mesh: NodeMesh;
  /** Handlers for inbound packets by subprotocol id; upper planes register theirs here. */
  readonly subprotocols = new SubprotocolRegistry<SessionPeer>();
  private nextPingId = 1;
  private started = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly config: MeshNodeConfig,
    private readonly identity: Identity,
    private readonly ownsIdentity: boolean,
    private readonly psk: Uint8Array,
    private readonly port: UdpPort,
  ) {
    const expected = [...(config.expectedPeers ?? []), ...(config.seedPeers ?? [])].map((p) => ({
      nodeId: p.nodeId,
      ...(p.publicKey === undefined ? {} : { staticPublicKey: decodeStaticKey(p.publicKey)! }),
      ...(p.address === undefined ? {} : { address: parsePeerAddress(p.address) }),
    }));
    this.manager = new SessionManager(
      {
        clock: this.clock,
        random: new CryptoRandom(),
        identity,
        send: SessionDriver.output(port),
        events: {
          sessionUp: (peer) => this.onUp(peer),
          sessionDown: (peer, reason) => this.onDown(peer, reason),
          identityProven: (peer) => {
            this.mesh.identityProven(peer);
            this.emit({ type: 'identity-proven', nodeId: peer.nodeId });
          },
          identityUnproven: (peer) => this.emit({ type: 'identity-unproven', nodeId: peer.nodeId }),
          data: (peer, sub, payload, header) => {
            if (isStreamSubprotocol(sub)) this.streams.receive(peer.nodeId, header, payload);
            else this.subprotocols.dispatch(sub, payload, peer);
          },
        },
      },
      {
        ...config.session,
        psk,
        expectedPeers: expected,
        maxDatagramSize: config.maxDatagramSize ?? MESH_NODE_DEFAULTS.maxDatagramSize,
        ...(config.heartbeatIntervalMs === undefined ? {} : { heartbeatMs: config.heartbeatIntervalMs }),
        ...(config.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: config.sessionTimeoutMs }),
        ...(config.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: config.handshakeTimeoutMs }),
        ...(config.handshakeRetries === undefined ? {} : { handshakeRetries: config.handshakeRetries }),
      },
    );
    this.subprotocols.register(RAW_SUBPROTOCOL, (payload, peer) => this.deliver(peer, payload), { name: 'raw', allowReserved: true });
    this.subprotocols.register(PING_SUBPROTOCOL, (payload, peer) => this.onPing(peer, payload), { name: 'ping', allowReserved: true });
    const datagram = config.maxDatagramSize ?? MESH_NODE_DEFAULTS.maxDatagramSize;
    this.mesh = new NodeMesh(
      { clock: this.clock, timers: new RealTimers(), nodeId: identity.nodeId, sessions: this.manager, port, registry: this.subprotocols },
      { heartbeatMs: this.manager.options.heartbeatMs, maxDatagramSize: datagram, ...(config.mesh === undefined ? {} : { options: config.mesh }) },
    );
    this.driver = new SessionDriver(port, this.manager, new RealTimers(), this.clock, this.mesh.intercept);
    this.streams = new NodeStreams(
      { clock: this.clock, random: new CryptoRandom(), timers: new RealTimers(), sessions: this.manager },
      // Room for the routing header too, so one payload size fits direct and routed sessions.
      { ...config.streams, maxPayloadBytes: datagram - HEADER_BYTES - 16 - ROUTING_HEADER_BYTES },
    );
  }

  /** Binds the UDP port and builds the node. The node answers expected peers at once; `start()` dials seeds. */
  static async create(config: MeshNodeConfig): Promise<MeshNode> {
    const psk = decodeMeshPsk(config.psk);
    const bind = parseBind(config.bindAddr ?? MESH_NODE_DEFAULTS.bindAddr);
    const ownsIdentity = config.identity === undefined;
    const identity = config.identity ?? (config.identitySeed ? Identity.fromSeed(config.identitySeed) : Identity.generate());
    let port: UdpPort | undefined;
    try {
      port = await UdpPort.open({
        host: bind.host, port: bind.port, maxDatagramSize: config.maxDatagramSize ?? MESH_NODE_DEFAULTS.maxDatagramSize,
        ...(config.socketBufferBytes === undefined ? {} : { recvBufferSize: config.socketBufferBytes, sendBufferSize: config.socketBufferBytes }),
      });
      return new MeshNode(config, identity, ownsIdentity, psk, port);
    } catch (e) {
      wipe(psk);
      if (ownsIdentity) identity.dispose();
      await port?.close();
      throw e;
    }
  }

  /** This node's 64-bit id (from its ed25519 public key). */
  nodeId(): bigint {
    return this.identity.nodeId;
  }

  /** The X25519 static public key, hex: what a peer passes to `connect`. */
  publicKey(): string {
    return toHex(this.identity.staticPublicKey);
  }

  /** The ed25519 public key (the reference's entity id). */
  entityId(): Uint8Array {
    return this.identity.publicKey.slice();
  }

  /** The bound address, `host:port`. */
  localAddress(): string {
    return formatPeerAddress(this.port.local);
  }

  /**
   * Connects to the seed peers (each is retried until shutdown) and from now on answers routed-framed handshakes
   * from any PSK holder (DESIGN.md §5). Resolves without waiting for sessions.
   */
  async start(): Promise<void> {
    this.assertOpen();
    if (this.started) return;
    this.started = true;
    this.manager.acceptRouted(true);
    for (const p of this.config.seedPeers ?? []) {
      if (p.address === undefined || p.publicKey === undefined) continue;
      this.manager.connect({ address: parsePeerAddress(p.address), staticPublicKey: decodeStaticKey(p.publicKey)!, nodeId: p.nodeId });
    }
    this.driver.arm();
  }

  /**
   * Opens a session to a peer and resolves once it is up. Rejects with `NotConnectedError` when every handshake
   * attempt timed out: its `reason` is `unreachable` when nothing listens at the address (ICMP port unreachable,
   * probed once after the timeout) and `no-answer` otherwise (a wrong PSK or key looks like a down host from here:
   * an NK responder stays silent). `TimeoutError` after `timeoutMs`, `AbortedError` on the signal. With `routed: true` the handshake and the session's packets carry
   * the 18-byte routing header, and `peerAddr` is the next hop (a relay, or the peer itself; a started peer
   * answers routed handshakes without `accept`).
   */
  async connect(peerAddr: string, peerPublicKey: string | Uint8Array, peerNodeId: bigint,
    options: CallOptions & { timeoutMs?: number; routed?: boolean } = {}): Promise<void> {
    this.assertOpen();
    const address = parsePeerAddress(peerAddr);
    const staticPublicKey = decodeStaticKey(peerPublicKey)!;
    if (this.manager.peer(peerNodeId)?.connected) return;
    const wait = this.waitFor(peerNodeId, options);
    this.manager.connect({ address, staticPublicKey, nodeId: peerNodeId, routed: options.routed ?? false });
    this.driver.arm();
    try {
      await wait;
    } catch (e) {
      if (!(e instanceof NotConnectedError) || e.reason !== undefined || this.closing !== null) throw e;
      throw await explainSilence(address, peerNodeId, e);
    }
  }

  /** Allows `peerNodeId` to connect to us and resolves with its address once its session is up. */
  async accept(peerNodeId: bigint, options: CallOptions & { timeoutMs?: number } = {}): Promise<string> {
    this.assertOpen();
    const existing = this.manager.peer(peerNodeId);
    if (existing?.connected && existing.address !== null) return formatPeerAddress(existing.address);
    const wait = this.waitFor(peerNodeId, options);
    this.manager.expect(peerNodeId);
    const peer = await wait;
    return peer.address === null ? '' : formatPeerAddress(peer.address);
  }

  /** Peers with a live session. */
  peerCount(): number {
    return this.manager.sessionCount;
  }

  /** Whether `nodeId` has a live session, and whether it proved its identity. */
  peer(nodeId: bigint): { connected: boolean; identityProven: boolean; address: string | null } | undefined {
    const p = this.manager.peer(nodeId);
    return p && { connected: p.connected, identityProven: p.identityProven, address: p.address && formatPeerAddress(p.address) };
  }

  /** Sends one sealed packet to a connected peer (raw: no stream, no retransmission). */
  send(peerNodeId: bigint, payload: Uint8Array, subprotocolId = RAW_SUBPROTOCOL): void {
    this.assertOpen();
    const status = this.manager.send(peerNodeId, subprotocolId, payload);
    switch (status) {
      case SessionSendStatus.Ok: return;
      case SessionSendStatus.NotConnected: throw new NotConnectedError(`no session with ${hexId(peerNodeId)}`);
      case SessionSendStatus.TooLarge: throw new InvalidArgumentError(`payload of ${payload.length} bytes does not fit one datagram`);
      case SessionSendStatus.CounterLimit: throw new CryptoError(ErrorCode.CounterExhausted, 'session counter exhausted; rekeying');
      default: throw new ClosedError('session closed');
    }
  }

  /**
   * Raw messages (`send`, subprotocol 0xF003) from any peer, as an async iterable over a bounded queue (`receiveQueueCapacity`);
   * a consumer that falls behind loses new messages (counted as `drop_receive_queue_full`). `break` or `close()`
   * ends it.
   */
  receive(): MessageQueue<MeshMessage> {
    this.assertOpen();
    const q: ReceiveQueue<MeshMessage> = new ReceiveQueue(
      this.config.receiveQueueCapacity ?? MESH_NODE_DEFAULTS.receiveQueueCapacity,
      () => this.queues.delete(q),
    );
    this.queues.add(q);
    return q;
  }

  // ---- streams (reference SDK names; see node-streams.ts) ---------------------------------------------------

  /**
   * Opens a stream to a connected peer (idempotent: an open stream keeps its first config). Throws
   * `NotConnectedError` without a session and `BackpressureError` at the stream limit when no stream is idle.
   */
  openStream(peerNodeId: bigint, config: StreamConfig): MeshStream {
    this.assertOpen();
    return this.streams.open(peerNodeId, config);
  }

  /** Forgets a stream at once: queued and unacknowledged events are discarded, its inbox ends. */
  closeStream(peerNodeId: bigint, streamId: bigint): void {
    this.assertOpen();
    this.streams.close(peerNodeId, streamId);
  }

  /**
   * Graceful close (the reference's `close_stream_graceful`): no more sends; queued and in-flight events are
   * delivered, then a FIN, and the promise resolves when the peer has acknowledged everything up to it. The
   * peer's inbox for the stream ends cleanly after the last event. After `timeoutMs` (default 30,000) the stream
   * is closed at once and `TimeoutError` rejects; a reset on the way rejects with `NotConnectedError`.
   */
  closeStreamGraceful(peerNodeId: bigint, streamId: bigint, options: CallOptions & { timeoutMs?: number } = {}): Promise<void> {
    return this.streams.closeGraceful(peerNodeId, streamId, options);
  }

  /** Queues `events` (all or none; copied). `BackpressureError` when the stream's window is full. */
  async sendOnStream(stream: MeshStream, events: readonly Uint8Array[]): Promise<void> {
    this.streams.send(stream, events);
  }

  /** `sendOnStream`, retried on backpressure up to `maxRetries` times (5 ms doubling to 200 ms, or writability). */
  sendWithRetry(stream: MeshStream, events: readonly Uint8Array[], maxRetries = 8, options: CallOptions = {}): Promise<void> {
    return this.streams.sendWithRetry(stream, events, maxRetries, options);
  }

  /** `sendOnStream` that waits for credit until the events are admitted (or `timeoutMs`, the signal, a reset). */
  sendBlocking(stream: MeshStream, events: readonly Uint8Array[], options: CallOptions & { timeoutMs?: number } = {}): Promise<void> {
    return this.streams.sendBlocking(stream, events, options);
  }

  /** The reference's stream statistics plus the sender's state, or null for an unknown stream. */
  streamStats(peerNodeId: bigint, streamId: bigint): StreamStats | null {
    return this.streams.stats(peerNodeId, streamId);
  }

  /**
   * The stream's events as batches (one per packet; each event a view into the batch's one copy). A consumer
   * that falls behind pauses the stream: for reliable streams that is backpressure on the sender, not loss.
   */
  receiveStream(stream: MeshStream): StreamInbox {
    return this.streams.inbox(stream);
  }

  /** Round-trip time to a connected peer in milliseconds (an authenticated echo on subprotocol 0xF002). */
  async ping(peerNodeId: bigint, options: CallOptions & { timeoutMs?: number } = {}): Promise<number> {
    this.assertOpen();
    const id = this.nextPingId;
    this.nextPingId = (this.nextPingId + 1) >>> 0 || 1;
    const t0 = this.clock.nowMs();
    const pong = withDeadline<true>(options, `ping ${hexId(peerNodeId)}`, (resolve) => {
      this.pings.set(id, resolve);
      return () => this.pings.delete(id);
    });
    this.send(peerNodeId, encodePing(PingKind.Ping, id), PING_SUBPROTOCOL);
    await pong;
    return this.clock.nowMs() - t0;
  }

  /** Subscribes to session events; returns the unsubscribe function. */
  onPeerEvent(listener: (e: PeerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every counter of the node, its port, its sessions, its subprotocol registry, its streams (summed) and its mesh router, by reason. */
  metrics(): {
    node: Record<string, number>; port: Record<string, number>; sessions: Record<string, number>; subprotocols: Record<string, number>;
    streams: Record<string, number>; mesh: Record<string, number>;
  } {
    return {
      node: this.counters.snapshot(),
      port: this.port.counters.snapshot(),
      sessions: this.manager.counters.snapshot(),
      subprotocols: this.subprotocols.counters.snapshot(),
      streams: this.streams.host.counterTotals(),
      mesh: this.mesh.router.counters.snapshot(),
    };
  }

  /** The routing table: every reachable destination with its next hop, metric and kind (direct or relayed). */
  routes(): RouteRow[] {
    return this.mesh.routes();
  }

  /**
   * Connects to a peer that is not a neighbour, through the next hop the routing table holds for it (a routed
   * handshake; relays forward it without being able to read it). `NotConnectedError` with reason `no-route` when
   * the table has none: no guess is made.
   */
  async connectRouted(peerPublicKey: string | Uint8Array, peerNodeId: bigint, options: CallOptions & { timeoutMs?: number } = {}): Promise<void> {
    this.assertOpen();
    const hop = this.mesh.router.nextHop(peerNodeId);
    if (hop === null || hop.address === null) {
      throw new NotConnectedError(`no route to ${hexId(peerNodeId)}: no neighbour has announced it`, { reason: 'no-route' });
    }
    return this.connect(formatPeerAddress(hop.address), peerPublicKey, peerNodeId, { ...options, routed: true });
  }

  /** Closes every session, the port and the timers; pending calls reject with `ClosedError`. Idempotent. */
  shutdown(): Promise<void> {
    if (this.closing === null) this.closing = this.close();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  private async close(): Promise<void> {
    const closed = new ClosedError('node shut down');
    for (const set of this.waiters.values()) for (const w of set) w.reject(closed);
    this.waiters.clear();
    this.pings.clear();
    for (const q of [...this.queues]) q.close();
    this.streams.shutdown();
    this.mesh.stop();
    this.driver.stop();
    await this.port.close();
    wipe(this.psk);
    if (this.ownsIdentity) this.identity.dispose();
  }

  private assertOpen(): void {
    if (this.closing !== null) throw new ClosedError('node shut down');
  }

  private waitFor(nodeId: bigint, options: CallOptions & { timeoutMs?: number }): Promise<SessionPeer> {
    return withDeadline<SessionPeer>(options, `session with ${hexId(nodeId)}`, (resolve, reject) => {
      const w: Waiter = { resolve, reject };
      let set = this.waiters.get(nodeId);
      if (set === undefined) this.waiters.set(nodeId, (set = new Set()));
      set.add(w);
      return () => {
        set.delete(w);
        if (set.size === 0 && this.waiters.get(nodeId) === set) this.waiters.delete(nodeId);
      };
    });
  }

  private onUp(peer: SessionPeer): void {
    const set = this.waiters.get(peer.nodeId);
    if (set !== undefined) for (const w of [...set]) w.resolve(peer);
    this.emit({ type: 'up', nodeId: peer.nodeId, address: peer.address && formatPeerAddress(peer.address) });
  }

  private onDown(peer: SessionPeer, reason: SessionDownReason): void {
    this.streams.sessionDown(peer.nodeId);
    this.mesh.sessionDown(peer.nodeId);
    if (reason === 'handshake-timeout') {
      const set = this.waiters.get(peer.nodeId);
      const e = new NotConnectedError(`no answer from ${hexId(peer.nodeId)}: handshake timed out (peer down, wrong PSK or wrong key)`);
      if (set !== undefined) for (const w of [...set]) w.reject(e);
    }
    this.emit({ type: 'down', nodeId: peer.nodeId, reason });
  }

  private emit(e: PeerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure is its own; the receive path goes on.
      }
    }
  }

  private deliver(peer: SessionPeer, payload: Uint8Array): void {
    this.counters.inc('messages_received');
    if (this.queues.size === 0) return;
    for (const q of this.queues) {
      if (!q.push({ from: peer.nodeId, payload: copyBytes(payload) })) this.counters.inc('drop_receive_queue_full');
    }
  }

  private onPing(peer: SessionPeer, payload: Uint8Array): void {
    const msg = decodePing(payload);
    if (msg === null) {
      this.counters.inc('drop_bad_ping');
      return;
    }
    const [kind, id] = msg;
    if (kind === PingKind.Ping) {
      this.counters.inc('pings_answered');
      this.manager.send(peer.nodeId, PING_SUBPROTOCOL, encodePing(PingKind.Pong, id));
      return;
    }
    const resolve = this.pings.get(id);
    if (resolve === undefined) {
      this.counters.inc('drop_bad_ping');
      return;
    }
    this.counters.inc('pongs_received');
    this.pings.delete(id);
    resolve(true);
  }
}

/**
 * A promise that settles through `register`'s callbacks, or rejects on `timeoutMs` / `signal`; the cleanup
 * `register` returns runs exactly once either way.
 */
function parseBind(text: string): { host: string; port: number } {
  const a = parseSocketAddress(text, true);
  if (typeof a === 'string') throw new InvalidArgumentError(`bindAddr: ${a}`);
  return a;
}

function parsePeerAddress(text: string): PeerAddress {
  const a = parseSocketAddress(text);
  if (typeof a === 'string') throw new InvalidArgumentError(`peer address: ${a}`);
  return toPeerAddress(a);
}


function hexId(id: bigint): string {
  return id.toString(16).padStart(16, '0');
}

/** The handshake timed out: one UDP probe tells a closed port from silence, for the error message only. */
async function explainSilence(address: PeerAddress, nodeId: bigint, cause: NotConnectedError): Promise<NotConnectedError> {
  const where = formatPeerAddress(address);
  if (await probeUdp(address) === 'refused') {
    return new NotConnectedError(`nothing listens at ${where} (ICMP port unreachable): is the peer running on that port?`,
      { cause, reason: 'unreachable' });
  }
  return new NotConnectedError(`no answer from ${hexId(nodeId)} at ${where}: the host is down or filtered, or the peer ` +
    'refused the handshake (wrong PSK, wrong public key, or it does not expect our node id; NK responders stay silent)',
  { cause, reason: 'no-answer' });
}
