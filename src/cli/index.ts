export * from './exit-codes.js';
export * from './errors.js';
export * from './config.js';
export * from './psk-file.js';
export * from './paths.js';
export { buildProgram, run } from './program.js';
