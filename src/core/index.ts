export * from './errors.js';
export * from './clock.js';
export * from './random.js';
export * from './bytes.js';
export * from './bounded-queue.js';
export * from './metrics.js';
export * from './startable.js';
export * from './scheduler.js';
