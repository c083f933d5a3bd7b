/**
 * One promise for an API call that waits on the network: settles through `register`'s callbacks, or rejects with
 * `TimeoutError` after `timeoutMs` or `AbortedError` on the signal; `register`'s cleanup runs exactly once.
 */
import { AbortedError, TimeoutError, type CallOptions } from '../core/index.js';

export function withDeadline<T>(
  options: CallOptions & { timeoutMs?: number },
  what: string,
  register: (resolve: (v: T) => void, reject: (e: Error) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) {
      reject(new AbortedError(`${what}: aborted`, { cause: signal.reason }));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    let cleanup = (): void => {};
    const onAbort = (): void => finish(() => reject(new AbortedError(`${what}: aborted`, { cause: signal?.reason })));
    const finish = (settle: () => void): void => {
      cleanup();
      cleanup = () => {};
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    cleanup = register((v) => finish(() => resolve(v)), (e) => finish(() => reject(e)));
    if (timeoutMs !== undefined) timer = setTimeout(() => finish(() => reject(new TimeoutError(`${what}: no answer within ${timeoutMs} ms`))), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
