/** `host:port` parsing for configuration and APIs: IPv4 `1.2.3.4:9000` and IPv6 `[::1]:9000` literals. */
import { isIPv4, isIPv6 } from 'node:net';
import { addressKey, peerAddress, type PeerAddress } from './datagram-port.js';

export interface SocketAddress {
  /** The IP literal, without brackets. */
  host: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

/**
 * Parses `host:port`. Returns a problem description instead of throwing so callers can attach the config key and
 * line. Host names are not resolved (a name would need DNS at load time): IP literals only. `allowPortZero`
 * permits port 0 (an ephemeral bind).
 */
export function parseSocketAddress(text: string, allowPortZero = false): SocketAddress | string {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (m === null) return `expected "host:port" (IPv6 as "[::1]:port"), got ${JSON.stringify(text)}`;
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  const family = m[1] !== undefined ? (isIPv6(host) ? 'IPv6' : undefined) : isIPv4(host) ? 'IPv4' : undefined;
  if (family === undefined) {
    return m[1] !== undefined || isIPv6(host)
      ? `${JSON.stringify(host)} is not an IPv6 address`
      : `${JSON.stringify(host)} is not an IP address (host names are not resolved; use an IP literal)`;
  }
  if (port > 65535 || (port === 0 && !allowPortZero)) return `port ${port} is out of range (${allowPortZero ? 0 : 1}..65535)`;
  return { host, port, family };
}

export function formatSocketAddress(a: SocketAddress): string {
  return a.family === 'IPv6' ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** The datagram-port address of a parsed socket address. */
export function toPeerAddress(a: SocketAddress): PeerAddress {
  return peerAddress(a.family === 'IPv6' ? 'ipv6' : 'ipv4', a.host, a.port);
}

/** `host:port` (IPv6 bracketed) of a datagram-port address; simulated addresses print their map key. */
export function formatPeerAddress(a: PeerAddress): string {
  if (a.family === 'sim') return addressKey(a);
  return a.family === 'ipv6' ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
