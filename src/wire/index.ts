/**
 * The wire plane: byte layouts and codecs of the Net protocol (reference v0.27.2). Encoders write into caller
 * buffers, decoders fill reusable objects or hand out views, and hot-path functions return a numeric
 * {@link WireStatus}. See docs/WIRE.md for every layout.
 */
export * from './status.js';
export * from './layout.js';
export * from './constants.js';
export * from './packet-header-fields.js';
export * from './packet-header.js';
export * from './aad.js';
export * from './routing-header.js';
export * from './event-frames.js';
export * from './nack.js';
export * from './keepalive.js';
export * from './handshake-packet.js';
export * from './heartbeat-packet.js';
export * from './token.js';
export * from './classify.js';
export * from './stream-window.js';
export * from './stream-nack.js';
export * from './stream-reset.js';
export * from './stream-ack-ranges.js';
export * from './stream-fragment.js';
export * from './pingwave.js';
export * from './route-withdrawal.js';
