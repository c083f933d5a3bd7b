/**
 * Consumer groups on JetStream: one durable pull consumer per (group, shard stream), explicit acks, `ack_wait`
 * = the adapter's `groupAckWaitMs`. A read is one `CONSUMER.MSG.NEXT` request with `no_wait` (the server sends
 * what it has, then a status), collected through the reply mux; events a consumer took and never acknowledged
 * come back from the server after `ack_wait` with a higher delivery count. Acks are double acks (the server
 * confirms each), pipelined, so `ack` resolving means the server recorded them.
 */
import { createInbox, type NatsConnection } from '@nats-io/transport-node';
import type { JetStreamManager, ConsumerConfig } from '@nats-io/jetstream';
import { GROUP_NAME_RE, GROUP_READ_MAX, type ConsumerGroups, type GroupEvent } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { classifyJetStreamError, jetStreamError } from './jetstream-errors.js';
import type { ReplyMux } from './reply-mux.js';

export interface GroupHooks {
  stream(shardId: number): string;
  ensure(shardId: number): Promise<void>;
  check(): void;
}

const ACK_RE = /^\$JS\.ACK\.(?:[^.]+\.[^.]+\.)?([^.]+)\.([^.]+)\.([0-9]+)\.([0-9]+)\.[0-9]+\.[0-9]+\.[0-9]+(?:\.[^.]+)?$/;

export class JetStreamGroups implements ConsumerGroups {
  private readonly consumers = new Map<string, Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly mux: ReplyMux,
    private readonly hooks: GroupHooks,
    private readonly timeoutMs: number,
    private readonly ackWaitMs: number,
  ) {}

  async read(shardId: number, group: string, _consumer: string, limit: number, signal: AbortSignal): Promise<GroupEvent[]> {
    this.hooks.check();
    checkGroup(group);
    if (!Number.isInteger(limit) || limit < 1 || limit > GROUP_READ_MAX) throw new AdapterError(`group read limit must be in [1, ${GROUP_READ_MAX}], got ${limit}`, false);
    const stream = this.hooks.stream(shardId);
    await this.hooks.ensure(shardId);
    await this.ensureConsumer(stream, group);
    return new Promise<GroupEvent[]>((resolve, reject) => {
      const out: GroupEvent[] = [];
      let done = false;
      const timer = setTimeout(() => (out.length > 0 ? finish() : finish(jetStreamError('timed_out', `group read ${stream}/${group}`, `no answer within ${this.timeoutMs} ms`))), this.timeoutMs);
      const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new AdapterError('group read aborted', true));
      // Pulled messages keep their own subject (not the reply's), so the mux cannot route them: one inbox
      // subscription per read instead (per read, not per event).
      const reply = createInbox();
      const sub = this.nc.subscribe(reply, {
        callback: (err, msg) => {
          if (err) return finish(classifyJetStreamError(err, `group read ${stream}/${group}`));
          const code = msg.headers?.code ?? 0;
          if (code !== 0 || msg.reply === undefined || msg.reply === '') {
            // 404 no messages, 408 request expired, 409 limits: the pull is over
            if (code === 404 || code === 408 || out.length > 0) return finish();
            return finish(jetStreamError(code === 503 ? 'unavailable' : 'other', `group read ${stream}/${group}`, `status ${code} ${msg.headers?.description ?? ''}`.trim()));
          }
          const m = ACK_RE.exec(msg.reply);
          if (!m) return;
          out.push({
            id: m[4]!, shardId, data: msg.data, dedupId: msg.headers?.last('Nats-Msg-Id') ?? '', ackId: msg.reply, deliveries: Number(m[3]),
          });
          if (out.length === limit) finish();
        },
      });
      function finish(err?: Error): void {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        sub.unsubscribe();
        if (err) reject(err);
        else resolve(out.sort((a, b) => Number(a.id) - Number(b.id)));
      }
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        this.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${group}`, JSON.stringify({ batch: limit, no_wait: true }), { reply });
      } catch (e) {
        finish(classifyJetStreamError(e, `group read ${stream}/${group}`));
      }
    });
  }

  async ack(shardId: number, group: string, ackIds: readonly string[], signal: AbortSignal): Promise<number> {
    this.hooks.check();
    checkGroup(group);
    const stream = this.hooks.stream(shardId);
    // The ack id becomes a subject we publish to: only acks of this stream and group are sent.
    for (const id of ackIds) {
      const m = typeof id === 'string' ? ACK_RE.exec(id) : null;
      if (!m || m[1] !== stream || m[2] !== group) throw new AdapterError(`not an ack id of ${stream}/${group}: ${JSON.stringify(String(id).slice(0, 80))}`, false);
    }
    if (ackIds.length === 0) return 0;
    return new Promise<number>((resolve, reject) => {
      let confirmed = 0;
      const timer = setTimeout(() => finish(jetStreamError('timed_out', `ack ${stream}/${group}`, `${ackIds.length - confirmed} acks unconfirmed after ${this.timeoutMs} ms`)), this.timeoutMs);
      const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new AdapterError('ack aborted', true));
      const { token, reply } = this.mux.open(() => {
        if (++confirmed === ackIds.length) finish();
      });
      const mux = this.mux;
      function finish(err?: Error): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        mux.release(token);
        if (err) reject(err);
        else resolve(confirmed);
      }
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        for (const id of ackIds) this.nc.publish(id, '+ACK', { reply });
      } catch (e) {
        finish(classifyJetStreamError(e, `ack ${stream}/${group}`));
      }
    });
  }

  close(): void {
    this.consumers.clear();
  }

  private ensureConsumer(stream: string, group: string): Promise<void> {
    const key = `${stream}/${group}`;
    let p = this.consumers.get(key);
    if (p === undefined) {
      const cfg: Partial<ConsumerConfig> = {
        durable_name: group, ack_policy: 'explicit' as ConsumerConfig['ack_policy'], deliver_policy: 'all' as ConsumerConfig['deliver_policy'],
        ack_wait: this.ackWaitMs * 1_000_000, max_ack_pending: 100_000, max_deliver: -1,
      };
      p = this.jsm.consumers.add(stream, cfg).then(
        () => undefined,
        (e: unknown) => {
          throw classifyJetStreamError(e, `create consumer ${key}`);
        },
      );
      this.consumers.set(key, p);
      p.catch(() => this.consumers.delete(key));
    }
    return p;
  }
}

function checkGroup(group: string): void {
  if (typeof group !== 'string' || !GROUP_NAME_RE.test(group)) throw new AdapterError(`group name must match ${GROUP_NAME_RE.source}`, false);
}
