/**
 * RedEX bounds and record sizes. Every size the log accepts or allocates is capped here; docs/LIMITS.md lists
 * them and a test checks that the table and these constants agree.
 */

/** Largest heap payload one record may carry (the reference's `MAX_REDEX_HEAP_PAYLOAD`). */
export const REDEX_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
/** Bytes of one index record: `seq:u64 ‖ offset:u32 ‖ len:u32 ‖ flags_and_checksum:u32`. */
export const REDEX_ENTRY_BYTES = 20;
/** Bytes of an inline payload, carried in the index record's offset and length fields. */
export const REDEX_INLINE_PAYLOAD_BYTES = 8;
/** Bytes of one `ts` record: `unix_ns:u64 ‖ record_check:u32 ‖ reserved:u32`. */
export const REDEX_TS_RECORD_BYTES = 16;
/**
 * Largest `dat` segment. Index offsets are u32 relative to their segment, so a segment rolls over before an
 * offset or an end offset could pass 2^32 - 1.
 */
export const REDEX_MAX_SEGMENT_BYTES = 0xffff_ffff;
/** Default bound on bytes appended but not yet handed to the OS; past it `append` refuses with backpressure. */
export const REDEX_DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Default distance (records) a tail reader may fall behind the head before it gets `LaggedError`. */
export const REDEX_DEFAULT_TAIL_BUFFER = 65_536;
/** Largest retained record count a log accepts as a retention bound, and the largest count held in memory. */
export const REDEX_MAX_RECORDS = 2 ** 32;
/** Sequence numbers stay below 2^53 so they are exact JS numbers; the log refuses appends past it. */
export const REDEX_MAX_SEQ = 2 ** 53 - 1;
