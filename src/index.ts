/**
 * net-mesh: a latency-first, end-to-end encrypted mesh for Node.js.
 * The package entry re-exports the public planes; subpath exports (`net-mesh/wire`, `net-mesh/crypto`, ...)
 * give the same modules one plane at a time.
 */
export * from './core/index.js';
export * from './wire/index.js';
export * from './crypto/index.js';
export * from './transport/index.js';
export * from './trust/index.js';
export * from './bus/index.js';
export * from './log/index.js';
export * from './views/index.js';
export * from './node/index.js';
