// The last line of defence for the server process: an error thrown where nothing listens for it (a
// stream's 'error' with no listener, a throw inside a stream or timer callback) while a job runs
// fails that job, not the process. Each task runs inside an async context that knows how to fail
// it; the process-wide handlers (installed by `dpvault server` only) look that context up. An
// error outside any job still ends the process, as Node would: its state is unknown.
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<(error: unknown) => void>();

/** Runs `work` so that an unhandled error inside it rejects the returned promise. */
export function runGuarded<T>(work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    current.run(fail, work).then((value) => {
      if (settled) return;
      settled = true;
      resolve(value);
    }, fail);
  });
}

/** Fails the job whose async context this is; false when the caller is in no job. */
export function failCurrentJob(error: unknown): boolean {
  const fail = current.getStore();
  if (!fail) return false;
  fail(error);
  return true;
}

/** Process-wide handlers that turn a job's unhandled error into that job's failure. */
export function installProcessGuard(log: (line: string) => void): void {
  const onError = (kind: string) => (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (failCurrentJob(error)) {
      log(`a job failed on an ${kind} nothing handled: ${message}`);
      return;
    }
    log(`fatal ${kind} outside any job: ${error instanceof Error ? (error.stack ?? message) : message}`);
    process.exit(70);
  };
  process.on('uncaughtException', onError('uncaught exception'));
  process.on('unhandledRejection', onError('unhandled rejection'));
}
