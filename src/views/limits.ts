/**
 * Bounds of the views plane. Every length a snapshot, a bundle or an event payload carries is checked against
 * these and against the bytes actually present before anything is allocated; docs/LIMITS.md lists them.
 */

/** The CortEX snapshot format version written and accepted (the reference's `SNAPSHOT_VERSION`). */
export const CORTEX_SNAPSHOT_VERSION = 2;
/** Longest model name a snapshot carries (bytes). */
export const CORTEX_MAX_MODEL_NAME_BYTES = 64;
/** Change events a `changes()` stream buffers before its reader is told it lagged. */
export const CORTEX_DEFAULT_CHANGE_BUFFER = 4096;
/** Skipped seqs remembered for write tokens; older skips make a token wait fail conservatively. */
export const CORTEX_MAX_REMEMBERED_SKIPS = 4096;
/** Waiters (waitForSeq, waitForToken) one adapter holds at once (the reference's RYW queue, 1024). */
export const CORTEX_MAX_WAITERS = 1024;
/** The NetDB bundle format version written and accepted. */
export const NETDB_BUNDLE_VERSION = 1;
/** Longest task title (UTF-8 bytes). */
export const NETDB_MAX_TITLE_BYTES = 4096;
/** Longest memory content (UTF-8 bytes). */
export const NETDB_MAX_CONTENT_BYTES = 65_536;
/** Longest tag or memory source (UTF-8 bytes). */
export const NETDB_MAX_TAG_BYTES = 255;
/** Tags on one row. */
export const NETDB_MAX_TAGS = 64;
/** Rows `findMany` returns when no `take` is given. */
export const NETDB_DEFAULT_TAKE = 1000;
