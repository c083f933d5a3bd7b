/**
 * Chain verification and fork resolution over causal events of one origin.
 *
 * A fork is two chains of one origin that agree up to a point and then differ. Resolution is deterministic and
 * the same from both sides (ai-2070/net `contested/reconcile.rs`): the longer branch wins; on equal length the
 * branch whose first divergent event has the lower xxh3_64(payload), then the lexicographically lower payload,
 * then the lower parent_hash, then the lower sequence. The loser becomes a {@link ForkRecord}.
 */
import { xxh3_64 } from '../../crypto/index.js';
import { parentHashOf, type CausalEvent } from './causal-link.js';

export type ChainFault = 'origin' | 'sequence' | 'parent';

export type ChainCheck = { ok: true } | { ok: false; index: number; fault: ChainFault };

/**
 * Checks that each event extends the one before: same origin, sequence + 1, parent_hash = xxh3(prev link ‖ prev
 * payload). With `prev`, the first event must extend it; with `origin`/`startSeq`, the first event must carry
 * them. An empty list is valid.
 */
export function verifyChain(events: readonly CausalEvent[], options: { prev?: CausalEvent; origin?: bigint; startSeq?: bigint } = {}): ChainCheck {
  let prev = options.prev;
  for (let i = 0; i < events.length; i++) {
    const { link } = events[i]!;
    if (i === 0) {
      if (options.origin !== undefined && link.originHash !== options.origin) return { ok: false, index: 0, fault: 'origin' };
      if (options.startSeq !== undefined && link.sequence !== options.startSeq) return { ok: false, index: 0, fault: 'sequence' };
    }
    if (prev) {
      if (link.originHash !== prev.link.originHash) return { ok: false, index: i, fault: 'origin' };
      if (link.sequence !== prev.link.sequence + 1n) return { ok: false, index: i, fault: 'sequence' };
      if (link.parentHash !== parentHashOf(prev.link, prev.payload)) return { ok: false, index: i, fault: 'parent' };
    }
    prev = events[i];
  }
  return { ok: true };
}

/** The losing branch of a resolved fork: enough to advertise `fork-of:` and to re-apply or discard its events. */
export interface ForkRecord {
  originHash: bigint;
  /** Sequence of the first event where the branches differ. */
  forkSeq: bigint;
  /** Parent hash of the losing branch's first divergent event. */
  losingParentHash: bigint;
  losingEvents: CausalEvent[];
}

export type ForkOutcome =
  | { kind: 'converged' }
  | { kind: 'catchup'; behind: 'ours' | 'theirs'; missing: CausalEvent[] }
  | { kind: 'fork'; winner: 'ours' | 'theirs'; record: ForkRecord }
  | { kind: 'invalid'; side: 'ours' | 'theirs'; check: ChainCheck };

function sameEvent(a: CausalEvent, b: CausalEvent): boolean {
  return a.link.sequence === b.link.sequence && a.link.parentHash === b.link.parentHash && Buffer.compare(a.payload, b.payload) === 0;
}

/** -1 when branch `a` (diverging at `a0`) beats `b` (at `b0`) on equal length, 1 when it loses, 0 when identical. */
function tieBreak(a0: CausalEvent, b0: CausalEvent): number {
  const ha = xxh3_64(a0.payload);
  const hb = xxh3_64(b0.payload);
  if (ha !== hb) return ha < hb ? -1 : 1;
  const c = Buffer.compare(a0.payload, b0.payload);
  if (c !== 0) return c;
  if (a0.link.parentHash !== b0.link.parentHash) return a0.link.parentHash < b0.link.parentHash ? -1 : 1;
  if (a0.link.sequence !== b0.link.sequence) return a0.link.sequence < b0.link.sequence ? -1 : 1;
  return 0;
}

/**
 * Compares two chains of `origin` that both start right after a common point (`startSeq` is the sequence of
 * their first events). Each side is verified first: an invalid chain never wins anything.
 */
export function resolveFork(origin: bigint, startSeq: bigint, ours: readonly CausalEvent[], theirs: readonly CausalEvent[]): ForkOutcome {
  for (const [side, events] of [['ours', ours], ['theirs', theirs]] as const) {
    const check = verifyChain(events, { origin, startSeq });
    if (!check.ok) return { kind: 'invalid', side, check };
  }
  const n = Math.min(ours.length, theirs.length);
  let i = 0;
  while (i < n && sameEvent(ours[i]!, theirs[i]!)) i++;
  if (i === n) {
    if (ours.length === theirs.length) return { kind: 'converged' };
    return ours.length > theirs.length
      ? { kind: 'catchup', behind: 'theirs', missing: ours.slice(n) }
      : { kind: 'catchup', behind: 'ours', missing: theirs.slice(n) };
  }
  const ourLen = ours.length - i;
  const theirLen = theirs.length - i;
  const winner = ourLen !== theirLen ? (ourLen > theirLen ? 'ours' : 'theirs') : tieBreak(ours[i]!, theirs[i]!) <= 0 ? 'ours' : 'theirs';
  const losing = winner === 'ours' ? theirs : ours;
  return {
    kind: 'fork',
    winner,
    record: { originHash: origin, forkSeq: losing[i]!.link.sequence, losingParentHash: losing[i]!.link.parentHash, losingEvents: losing.slice(i) },
  };
}
