/**
 * The mesh plane: neighbours, the routing table, the relay, pingwave discovery, the proximity graph, the failure
 * detector, circuit breakers and route withdrawal. Sans-I/O machines plus thin drivers; `node/` composes them
 * with the session layer.
 */
export * from './neighbor.js';
export * from './u64-map.js';
export * from './routing-table.js';
export * from './proximity-graph.js';
export * from './failure-detector.js';
export * from './circuit-breaker.js';
export * from './counters.js';
export * from './relay.js';
export * from './router.js';
export * from './driver.js';
