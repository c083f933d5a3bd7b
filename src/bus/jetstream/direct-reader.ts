/**
 * Reads a page of one shard's stream with direct get (`$JS.API.DIRECT.GET.<stream>`, streams are created with
 * `allow_direct`), which any server answers without a consumer.
 *
 * - Servers >= 2.11 answer one request with a whole batch (`{ seq, batch }`): one round trip per page.
 * - Older servers (Debian ships 2.9.10) answer one sequence per request, so the fallback sends the page's
 *   requests pipelined through the reply mux (one round trip for the page, not one per event; the reference's
 *   serial `direct_get` cost >= 100 ms for a 100-event poll at 1 ms RTT) after one STREAM.INFO for the range.
 *   Sequences deleted from the middle of a stream answer 404 and are skipped; a page that found only gaps moves
 *   on, at most {@link COLD_STREAM_ROUNDS} times per poll (the reference's cold-stream bail of 64).
 */
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import type { ShardPage, StoredEvent } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { classifyJetStreamError, jetStreamError, kindOfApiError } from './jetstream-errors.js';
import type { ReplyMux } from './reply-mux.js';

/** Rounds of all-gap pages one fallback poll walks before returning what it has. */
export const COLD_STREAM_ROUNDS = 64;
const MSG_ID = 'Nats-Msg-Id';

export interface ReadContext {
  nc: NatsConnection;
  jsm: JetStreamManager;
  mux: ReplyMux;
  apiPrefix: string;
  timeoutMs: number;
}

function toEvent(seq: number, shardId: number, data: Uint8Array, dedupId: string | undefined): StoredEvent {
  return { id: String(seq), shardId, data, dedupId: dedupId ?? '' };
}

/** Parses a cursor position (`<seq>`); anything else is refused (a Redis id here means a mixed-up cursor). */
export function parseSeq(afterId: string | undefined): number {
  if (afterId === undefined) return 0;
  if (!/^[0-9]{1,16}$/.test(afterId)) throw new AdapterError(`jetstream: position ${JSON.stringify(afterId.slice(0, 24))} is not a stream sequence`, false);
  return Number(afterId);
}

/** Batch direct get (server >= 2.11). */
export async function readBatch(ctx: ReadContext, stream: string, shardId: number, after: number, limit: number): Promise<ShardPage> {
  let iter;
  try {
    iter = await ctx.jsm.direct.getBatch(stream, { seq: after + 1, batch: limit + 1 });
  } catch (e) {
    throw classifyJetStreamError(e, `direct get batch ${stream}`);
  }
  const events: StoredEvent[] = [];
  let hasMore = false;
  try {
    for await (const m of iter as AsyncIterable<StoredMsg>) {
      if (events.length === limit) {
        hasMore = true;
        break;
      }
      events.push(toEvent(m.seq, shardId, m.data, m.header.last(MSG_ID) || undefined));
    }
  } catch (e) {
    // 404 "no results" ends an empty stream; anything else is an error
    if (!/no results|not found|404/i.test(e instanceof Error ? e.message : String(e))) throw classifyJetStreamError(e, `direct get batch ${stream}`);
  }
  return { events, nextId: events.length > 0 ? events[events.length - 1]!.id : after === 0 ? undefined : String(after), hasMore, skipped: 0 };
}

/** Pipelined single-sequence direct gets (servers before 2.11). */
export async function readPipelined(
  ctx: ReadContext, stream: string, shardId: number, after: number, limit: number, signal: AbortSignal,
): Promise<ShardPage> {
  let first: number;
  let last: number;
  try {
    const info = await ctx.jsm.streams.info(stream);
    first = info.state.first_seq;
    last = info.state.last_seq;
  } catch (e) {
    if (/stream not found/i.test(e instanceof Error ? e.message : '')) return { events: [], nextId: after === 0 ? undefined : String(after), hasMore: false, skipped: 0 };
    throw classifyJetStreamError(e, `stream info ${stream}`);
  }
  const events: StoredEvent[] = [];
  let from = Math.max(after + 1, first);
  for (let round = 0; round < COLD_STREAM_ROUNDS && events.length < limit && from <= last; round++) {
    const to = Math.min(last, from + (limit - events.length) - 1);
    const got = await getRange(ctx, stream, from, to, signal);
    for (let s = from; s <= to; s++) {
      const m = got.get(s);
      if (m) events.push(toEvent(s, shardId, m.data, m.headers?.last(MSG_ID) || undefined));
    }
    from = to + 1;
  }
  const lastRead = from - 1;
  // The position moves past gaps too, so a stream with deleted ranges does not look drained before its end.
  const nextId = lastRead > after ? String(lastRead) : after === 0 ? undefined : String(after);
  return { events, nextId, hasMore: from <= last, skipped: 0 };
}

/** Sends one direct get per sequence in [from, to] and waits for every answer (found or 404). */
function getRange(ctx: ReadContext, stream: string, from: number, to: number, signal: AbortSignal): Promise<Map<number, Msg>> {
  const want = to - from + 1;
  const got = new Map<number, Msg>();
  return new Promise((resolve, reject) => {
    let answered = 0;
    const timer = setTimeout(() => finish(jetStreamError('timed_out', `direct get ${stream}`, `no answer within ${ctx.timeoutMs} ms`)), ctx.timeoutMs);
    const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new AdapterError('jetstream read aborted', true));
    const { token, reply } = ctx.mux.open((msg) => {
      const h = msg.headers;
      const code = h?.code ?? 0;
      if (code !== 0 && code !== 404) {
        finish(jetStreamError(kindOfApiError(code, 0), `direct get ${stream}`, `status ${code} ${h?.description ?? ''}`.trim()));
        return;
      }
      if (code === 0) {
        const seq = Number(h?.last('Nats-Sequence'));
        if (Number.isInteger(seq) && seq >= from && seq <= to) got.set(seq, msg);
      }
      if (++answered === want) finish();
    });
    function finish(err?: Error): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      ctx.mux.release(token);
      if (err) reject(err);
      else resolve(got);
    }
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const subject = `${ctx.apiPrefix}.DIRECT.GET.${stream}`;
    try {
      for (let s = from; s <= to; s++) ctx.nc.publish(subject, `{"seq":${s}}`, { reply });
    } catch (e) {
      finish(classifyJetStreamError(e, `direct get ${stream}`));
    }
  });
}
