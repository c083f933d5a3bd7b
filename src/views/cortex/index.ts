export * from './fold.js';
export * from './event-codec.js';
export * from './snapshot.js';
export * from './changes.js';
export * from './waiters.js';
export * from './adapter.js';
