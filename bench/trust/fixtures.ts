// Re-exports for the trust benchmarks (one import site keeps the bench file short).
export * from '../../src/trust/index.js';
export { issuerKey as issueKeyFor } from '../../src/trust/index.js';
