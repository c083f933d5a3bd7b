/** A component with a lifecycle: started once, stopped once, and safe to stop twice. */
export interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly isStarted: boolean;
}

/** Options every async call accepts. */
export interface CallOptions {
  signal?: AbortSignal;
}
