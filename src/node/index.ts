export * from './config.js';
export * from './mesh-node.js';
export * from './receive-queue.js';
export { PING_SUBPROTOCOL } from './ping.js';
export { GRACEFUL_CLOSE_TIMEOUT_MS } from './node-streams.js';
export type { MeshStream, NodeStreamsOptions } from './node-streams.js';
export type { StreamInbox } from './stream-inbox.js';
