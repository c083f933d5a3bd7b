/**
 * EventBus configuration: plain objects with documented defaults (the reference's `EventBusConfig` /
 * `BatchConfig` values where it states them). Unknown keys and values are refused with a typed error, because a
 * typo such as `backpressure: 'drop-oldest'` must not silently fall back to a default.
 */
import { InvalidArgumentError } from '../core/index.js';

/** Largest batch the bus will hand an adapter (the reference's `BatchConfig::validate` bound). */
export const BUS_MAX_BATCH_SIZE = 1_000_000;
/** Default batch size (the reference's default). */
export const BUS_DEFAULT_BATCH_SIZE = 10_000;
/** Largest event payload in bytes a bus accepts (the default `maxPayloadBytes`; callers may lower it). */
export const BUS_MAX_PAYLOAD_BYTES = 1_048_576;
/** Shard ids are u16 (as in the reference), so at most this many shards ever exist. */
export const BUS_MAX_SHARD_ID = 65_535;

/**
 * What an emit does when its shard's ring is full: refuse the new event, evict the oldest buffered one, throw
 * {@link BackpressureError} to the producer, or keep a random `rate` fraction of events (the reference's
 * `DropNewest`, `DropOldest`, `FailProduce`, `Sample { rate }`; sampling applies to every event, full or not).
 */
export type BackpressureMode = 'drop_newest' | 'drop_oldest' | 'fail_producer' | { mode: 'sample'; rate: number };

export interface BatchOptions {
  /** Largest batch, events (default 10,000, at most 1,000,000). */
  maxSize?: number;
  /** Smallest batch the adaptive sizer aims for under low load (default 1). */
  minSize?: number;
  /** Longest an event waits in a ring before its batch is dispatched, ms (default 5). */
  maxDelayMs?: number;
}

export interface ScalingOptions {
  /** Grow shards automatically when rings fill (default true). */
  auto?: boolean;
  /** Most shards at once (default 2 x CPUs as in the reference, at most 65,535). */
  maxShards?: number;
  /** Fewest shards auto-scaling keeps (default 1). */
  minShards?: number;
  /** Ring fill fraction that triggers a scale-up (default 0.75). */
  highWatermark?: number;
  /** Least time between two automatic scale steps, ms (default 30,000, as in the reference). */
  cooldownMs?: number;
}

export interface EventBusOptions {
  /** Shards at start (default 4, the reference's `num_shards`). */
  shards?: number;
  /** Ring capacity per shard in bytes, 4-byte length prefix per event included (default 4 MiB). */
  ringBytes?: number;
  /** Largest payload accepted, bytes (default and cap {@link BUS_MAX_PAYLOAD_BYTES}). */
  maxPayloadBytes?: number;
  backpressure?: BackpressureMode;
  batch?: BatchOptions;
  scaling?: ScalingOptions;
  /** Deadline of one adapter call (one batch attempt, one poll), ms (default 5,000). */
  adapterTimeoutMs?: number;
  /** Attempts per batch on transient adapter errors before the batch is dropped and counted (default 8). */
  maxDispatchAttempts?: number;
  /** First retry backoff, ms; doubles per attempt with jitter, capped at 2,000 ms (default 50). */
  retryBackoffMs?: number;
  /** Dedup ids remembered by consumers (`poll`), FIFO (default 1,048,576; at most 2^24 as in the reference). */
  dedupCapacity?: number;
}

export interface ResolvedBusOptions {
  shards: number;
  ringBytes: number;
  maxPayloadBytes: number;
  backpressure: 'drop_newest' | 'drop_oldest' | 'fail_producer' | 'sample';
  sampleRate: number;
  batch: Required<BatchOptions>;
  scaling: Required<ScalingOptions>;
  adapterTimeoutMs: number;
  maxDispatchAttempts: number;
  retryBackoffMs: number;
  dedupCapacity: number;
}

/** The defaults, for documentation and tests. `maxShards` is computed from the CPU count at resolve time. */
export const BUS_DEFAULTS = {
  shards: 4,
  ringBytes: 4 * 1024 * 1024,
  maxPayloadBytes: BUS_MAX_PAYLOAD_BYTES,
  backpressure: 'drop_newest',
  batchMaxSize: BUS_DEFAULT_BATCH_SIZE,
  batchMinSize: 1,
  batchMaxDelayMs: 5,
  scalingCooldownMs: 30_000,
  scalingHighWatermark: 0.75,
  adapterTimeoutMs: 5_000,
  maxDispatchAttempts: 8,
  retryBackoffMs: 50,
  dedupCapacity: 1_048_576,
  dedupMaxCapacity: 1 << 24,
} as const;

const TOP_KEYS = new Set(['shards', 'ringBytes', 'maxPayloadBytes', 'backpressure', 'batch', 'scaling', 'adapterTimeoutMs',
  'maxDispatchAttempts', 'retryBackoffMs', 'dedupCapacity']);
const BATCH_KEYS = new Set(['maxSize', 'minSize', 'maxDelayMs']);
const SCALING_KEYS = new Set(['auto', 'maxShards', 'minShards', 'highWatermark', 'cooldownMs']);

/** Validates `options` and fills in defaults; `cpus` sets the default `maxShards` (2 x CPUs). */
export function resolveBusOptions(options: EventBusOptions = {}, cpus = 1): ResolvedBusOptions {
  refuseUnknown('bus options', options, TOP_KEYS);
  const batch = options.batch ?? {};
  const scaling = options.scaling ?? {};
  refuseUnknown('batch options', batch, BATCH_KEYS);
  refuseUnknown('scaling options', scaling, SCALING_KEYS);

  const maxShards = int('scaling.maxShards', scaling.maxShards ?? Math.min(BUS_MAX_SHARD_ID, Math.max(2, cpus * 2)), 1, BUS_MAX_SHARD_ID);
  const shards = int('shards', options.shards ?? Math.min(BUS_DEFAULTS.shards, maxShards), 1, maxShards);
  const maxPayloadBytes = int('maxPayloadBytes', options.maxPayloadBytes ?? BUS_DEFAULTS.maxPayloadBytes, 1, BUS_MAX_PAYLOAD_BYTES);
  const ringBytes = int('ringBytes', options.ringBytes ?? BUS_DEFAULTS.ringBytes, 64, 2 ** 31);
  if (ringBytes < recordBytesFor(maxPayloadBytes) * 2 && options.maxPayloadBytes !== undefined) {
    throw new InvalidArgumentError(`ringBytes ${ringBytes} must hold at least two records of maxPayloadBytes ${maxPayloadBytes}`);
  }
  const maxSize = int('batch.maxSize', batch.maxSize ?? BUS_DEFAULTS.batchMaxSize, 1, BUS_MAX_BATCH_SIZE);
  const minSize = int('batch.minSize', batch.minSize ?? Math.min(BUS_DEFAULTS.batchMinSize, maxSize), 1, maxSize);
  const maxDelayMs = num('batch.maxDelayMs', batch.maxDelayMs ?? BUS_DEFAULTS.batchMaxDelayMs, 0, 60_000);
  const minShards = int('scaling.minShards', scaling.minShards ?? 1, 1, maxShards);
  const highWatermark = num('scaling.highWatermark', scaling.highWatermark ?? BUS_DEFAULTS.scalingHighWatermark, 0.01, 1);
  const cooldownMs = num('scaling.cooldownMs', scaling.cooldownMs ?? BUS_DEFAULTS.scalingCooldownMs, 0, 86_400_000);
  const auto = scaling.auto ?? true;
  if (typeof auto !== 'boolean') throw new InvalidArgumentError(`scaling.auto must be a boolean, got ${String(auto)}`);

  const bp = options.backpressure ?? BUS_DEFAULTS.backpressure;
  let backpressure: ResolvedBusOptions['backpressure'];
  let sampleRate = 1;
  if (bp === 'drop_newest' || bp === 'drop_oldest' || bp === 'fail_producer') backpressure = bp;
  else if (typeof bp === 'object' && bp !== null && bp.mode === 'sample') {
    refuseUnknown('backpressure', bp, new Set(['mode', 'rate']));
    sampleRate = num('backpressure.rate', bp.rate, 0, 1);
    if (sampleRate === 0) throw new InvalidArgumentError('backpressure.rate must be > 0 (0 would drop everything)');
    backpressure = 'sample';
  } else {
    throw new InvalidArgumentError(`unknown backpressure mode ${JSON.stringify(bp)}: use drop_newest, drop_oldest, fail_producer or { mode: 'sample', rate }`);
  }

  return {
    shards,
    ringBytes,
    maxPayloadBytes: Math.min(maxPayloadBytes, ringBytes / 2 - 4),
    backpressure,
    sampleRate,
    batch: { maxSize, minSize, maxDelayMs },
    scaling: { auto, maxShards, minShards, highWatermark, cooldownMs },
    adapterTimeoutMs: num('adapterTimeoutMs', options.adapterTimeoutMs ?? BUS_DEFAULTS.adapterTimeoutMs, 1, 600_000),
    maxDispatchAttempts: int('maxDispatchAttempts', options.maxDispatchAttempts ?? BUS_DEFAULTS.maxDispatchAttempts, 1, 1_000),
    retryBackoffMs: num('retryBackoffMs', options.retryBackoffMs ?? BUS_DEFAULTS.retryBackoffMs, 0, 60_000),
    dedupCapacity: int('dedupCapacity', options.dedupCapacity ?? BUS_DEFAULTS.dedupCapacity, 1, BUS_DEFAULTS.dedupMaxCapacity),
  };
}

/** Bytes one event of `len` payload bytes takes in a ring: a u32 length and the payload padded to 4 bytes. */
export function recordBytesFor(len: number): number {
  return 4 + ((len + 3) & ~3);
}

export function refuseUnknown(what: string, obj: object, allowed: ReadonlySet<string>): void {
  if (typeof obj !== 'object' || obj === null) throw new InvalidArgumentError(`${what} must be an object`);
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k)) throw new InvalidArgumentError(`unknown ${what} key "${k}" (known: ${[...allowed].join(', ')})`);
  }
}

export function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

export function num(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${name} must be a number in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}
