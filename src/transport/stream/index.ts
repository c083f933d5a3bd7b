export * from './api.js';
export * from './options.js';
export * from './counters.js';
export * from './mux.js';
export * from './host.js';
