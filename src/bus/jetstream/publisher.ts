/**
 * Pipelined publish of one batch: every event goes out at once with its `Nats-Msg-Id` (the bus's dedup id,
 * `<producerId>-<seq>`, persisted across producer restarts by `ProducerSequence`) and the batch's reply subject;
 * the batch is acknowledged when every event has a PubAck (a duplicate PubAck counts: the server already stored
 * that id within its duplicate window). The first error reply fails the batch; the bus retries it whole with the
 * same ids, so events stored by the failed attempt are recognised as duplicates by the server.
 */
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { EventBatch } from '../batch.js';
import { recordBytesFor } from '../options.js';
import { AdapterError } from '../errors.js';
import { classifyJetStreamError, jetStreamError, kindOfApiError } from './jetstream-errors.js';
import type { ReplyMux } from './reply-mux.js';

/** Bytes the `Nats-Msg-Id` header block takes besides the id itself (`NATS/1.0\r\nNats-Msg-Id: \r\n\r\n`). */
const HEADER_OVERHEAD = 27;
const CH_S = 0x73;
const CH_E = 0x65;

export interface PublishCounters {
  /** PubAcks the server marked duplicate (an id it had stored within its window). */
  duplicates: number;
}

export function publishBatch(
  nc: NatsConnection, mux: ReplyMux, subject: string, batch: EventBatch, maxPayload: number, timeoutMs: number,
  signal: AbortSignal, counters: PublishCounters,
): Promise<void> {
  // Refuse the whole batch before sending any of it when one event cannot fit the server's max_payload.
  const words = batch.words;
  for (let i = 0, pos = 0; i < batch.count; i++) {
    const len = words[pos >>> 2]!;
    const total = len + HEADER_OVERHEAD + batch.producerId.length + 17;
    if (total > maxPayload) {
      return Promise.reject(jetStreamError('max_payload_exceeded', `publish ${subject}`, `event ${i} of ${len} bytes exceeds the server's max_payload ${maxPayload} with its headers`));
    }
    pos += recordBytesFor(len);
  }
  // One copy per attempt: the client's outbound buffer keeps references until written, and the bus reuses the
  // batch buffer once this call settles (a timeout settles it while bytes may still be queued).
  const bytes = batch.bytes.slice(0, batch.byteLength);
  const count = batch.count;
  return new Promise<void>((resolve, reject) => {
    let acked = 0;
    let done = false;
    const timer = setTimeout(() => finish(jetStreamError('timed_out', `publish ${subject}`, `${count - acked} of ${count} PubAcks missing after ${timeoutMs} ms`)), timeoutMs);
    const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new AdapterError('jetstream publish aborted', true));
    const { token, reply } = mux.open((msg) => {
      if (done) return;
      const d = msg.data;
      if (d.length > 2 && d[2] === CH_S) {
        // `{"stream":..,"seq":N}` or `..,"duplicate":true}`: no JSON parse on the success path
        if (d[d.length - 2] === CH_E) counters.duplicates++;
        if (++acked === count) finish();
        return;
      }
      finish(ackError(msg.data, msg.headers?.code ?? 0, msg.headers?.description ?? '', subject));
    });
    function finish(err?: Error): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      mux.release(token);
      if (err) reject(err);
      else resolve();
    }
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (count === 0) return finish();
    try {
      let pos = 0;
      for (let i = 0; i < count; i++) {
        const len = words[pos >>> 2]!; // still the same bytes: nothing can reuse the batch before this loop ends
        const h = headers();
        h.set('Nats-Msg-Id', batch.dedupId(i));
        nc.publish(subject, bytes.subarray(pos + 4, pos + 4 + len), { reply, headers: h });
        pos += recordBytesFor(len);
      }
    } catch (e) {
      finish(classifyJetStreamError(e, `publish ${subject}`));
    }
  });
}

function ackError(data: Uint8Array, statusCode: number, description: string, subject: string): AdapterError {
  if (data.length === 0) {
    // a status message: 503 no responders (no stream bound yet, or JetStream still recovering after a restart)
    return jetStreamError(kindOfApiError(statusCode, 0), `publish ${subject}`, `status ${statusCode} ${description}`.trim());
  }
  try {
    const body = JSON.parse(new TextDecoder().decode(data)) as { error?: { code?: number; err_code?: number; description?: string } };
    const e = body.error ?? {};
    return jetStreamError(kindOfApiError(e.code ?? 0, e.err_code ?? 0), `publish ${subject}`, `${e.err_code ?? ''} ${e.description ?? 'malformed PubAck'}`.trim());
  } catch {
    return jetStreamError('other', `publish ${subject}`, 'undecodable PubAck');
  }
}
