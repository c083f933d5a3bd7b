export * from './link.js';
export * from './port.js';
export * from './trace.js';
export * from './network.js';
