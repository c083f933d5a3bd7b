/**
 * Tells "nothing listens there" from "something may be listening but stays silent" for a UDP address, for error
 * messages only (never for protocol decisions: ICMP is unauthenticated).
 *
 * An NK responder that cannot read our msg1 (wrong PSK, wrong static key, not expecting us) answers nothing, by
 * design: a pre-authentication reply would make every node a scanner's oracle. So after a handshake timed out the
 * initiator knows only that it got no answer. A connected UDP socket learns one more fact: if the kernel at the
 * other end has no socket on that port, it answers with ICMP port unreachable, which Linux reports on a connected
 * socket as ECONNREFUSED. The probe sends one byte (the peer counts it as a short datagram and drops it).
 */
import { createSocket } from 'node:dgram';
import type { PeerAddress } from './datagram-port.js';

export type ProbeResult =
  /** ICMP port unreachable came back: no process is bound to that port. */
  | 'refused'
  /** No refusal within the wait: a process may be listening (and refused our handshake), or the host or the
   *  path drops packets silently (down, firewalled). */
  | 'silent';

/** Probes `to` once; resolves within `waitMs` (default 250) plus socket setup. Never rejects. */
export function probeUdp(to: PeerAddress, waitMs = 250): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = createSocket(to.family === 'ipv6' ? 'udp6' : 'udp4');
    let done = false;
    const finish = (r: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        socket.close();
      } catch {
        // already closed by a failed connect
      }
      resolve(r);
    };
    const timer = setTimeout(() => finish('silent'), waitMs);
    socket.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNREFUSED' ? 'refused' : 'silent'));
    socket.on('message', () => {});
    try {
      socket.connect(to.port, to.host, () => {
        socket.send(new Uint8Array(1), (e) => {
          if (e != null) finish((e as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'refused' : 'silent');
        });
      });
    } catch {
      finish('silent');
    }
  });
}
