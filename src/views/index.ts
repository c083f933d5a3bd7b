export * from './limits.js';
export * from './errors.js';
export * from './cortex/index.js';
export * from './netdb/index.js';
