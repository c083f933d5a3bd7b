export * from './datagram-port.js';
export * from './udp-port.js';
export * from './udp-probe.js';
export * from './sim/index.js';
export * from './registry.js';
export * from './socket-address.js';
export * from './session/index.js';
export * from './stream/index.js';
