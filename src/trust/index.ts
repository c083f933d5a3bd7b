/**
 * The trust plane: who may publish, subscribe and execute what, decided by signatures. Capability
 * announcements (signed, bound to the signer's node id), the capability index with predicates, filters, scopes
 * and the `mayExecute` gate; permission tokens with delegation chains, revocation by issuer generation and a
 * bounded cache. See docs/TRUST.md.
 */
export * from './errors.js';
export * from './json.js';
export * from './tags.js';
export * from './predicate.js';
export * from './eval-context.js';
export * from './predicate-eval.js';
export * from './debug-report.js';
export * from './schema.js';
export * from './capability-set.js';
export * from './announcement.js';
export { INTAKE_COUNTERS, type IntakeCounter, type IntakeResult } from './announcement-intake.js';
export * from './capability-filter.js';
export * from './capability-index.js';
export * from './reannounce.js';
export * from './token.js';
export * from './token-chain.js';
export * from './token-cache.js';
