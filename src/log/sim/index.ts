export * from './sim-file-io.js';
