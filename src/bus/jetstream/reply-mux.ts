/**
 * One wildcard inbox subscription for every pipelined request of the adapter. The client's `request()` makes a
 * promise and a timer per message; a batch of 10,000 publishes would make 10,000 of each. Here a batch (or a
 * page of direct gets) takes one token, sends its requests with the reply subject `<inbox>.<token>`, and one
 * handler per token sees the replies: one promise and one deadline per batch. Replies to a token that was
 * released (the batch timed out or was aborted) are ignored.
 */
import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

export type ReplyHandler = (msg: Msg) => void;

export class ReplyMux {
  private readonly prefix: string;
  private readonly sub: Subscription;
  private readonly handlers = new Map<number, ReplyHandler>();
  private nextToken = 1;

  constructor(nc: NatsConnection) {
    this.prefix = createInbox();
    this.sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const subject = msg.subject;
        const token = Number(subject.slice(this.prefix.length + 1));
        this.handlers.get(token)?.(msg);
      },
    });
  }

  /** Registers `handler` and returns the reply subject its requests must carry. */
  open(handler: ReplyHandler): { token: number; reply: string } {
    const token = this.nextToken++;
    this.handlers.set(token, handler);
    return { token, reply: `${this.prefix}.${token}` };
  }

  release(token: number): void {
    this.handlers.delete(token);
  }

  /** Tokens still waiting for replies. */
  get pending(): number {
    return this.handlers.size;
  }

  close(): void {
    this.handlers.clear();
    this.sub.unsubscribe();
  }
}
