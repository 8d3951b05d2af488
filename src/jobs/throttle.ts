// Calls `fn` with the latest value at most once per `ms`; `flush` waits for the pending call.
export function throttle<T>(ms: number, fn: (value: T) => Promise<void>): { call: (value: T) => void; flush: () => Promise<void> } {
  let last = 0;
  let pending: Promise<void> = Promise.resolve();
  return {
    call(value: T) {
      const now = Date.now();
      if (now - last < ms) return;
      last = now;
      pending = pending.then(() => fn(value)).catch(() => undefined);
    },
    flush: () => pending,
  };
}
