// Runs an async task on a timer and on demand, never two runs at once: a run asked for while
// another is under way starts when it ends. The timer does not keep the process alive.
export class SerialRunner<A, T> {
  readonly #name: string;
  readonly #fn: (arg: A) => Promise<T>;
  readonly #log: (line: string) => void;
  #chain: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(name: string, fn: (arg: A) => Promise<T>, log: (line: string) => void) {
    this.#name = name;
    this.#fn = fn;
    this.#log = log;
  }

  /** Runs with `arg()` every `intervalMs` until stopped. */
  start(intervalMs: number, arg: () => A): void {
    this.#timer = setInterval(() => void this.run(arg()).catch((e: unknown) => this.#log(`${this.#name} failed: ${(e as Error).message}`)), intervalMs);
    this.#timer.unref();
  }

  run(arg: A): Promise<T> {
    const next = this.#chain.then(() => this.#fn(arg), () => this.#fn(arg));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#chain.catch(() => undefined);
  }
}
