export * from './config.js';
export * from './mesh-node.js';
export * from './receive-queue.js';
export { PING_SUBPROTOCOL } from './ping.js';
