export * from './options.js';
export * from './counters.js';
export * from './identity-proof.js';
export * from './rate-limit.js';
export * from './session.js';
export * from './api.js';
export * from './manager.js';
export * from './driver.js';
