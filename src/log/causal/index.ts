export * from './causal-link.js';
export * from './event-meta.js';
export * from './chain.js';
export * from './signed-event.js';
