// A budget of bytes (or of anything counted) handed out first come, first served: what bounds a
// restore's memory (bytes read and not yet opened, windows opened and not yet written) and its
// reads in flight. A request larger than the whole budget is granted as the whole budget, once
// nothing else is held, so it cannot wait forever.

export class ByteBudget {
  readonly limit: number;
  #held = 0;
  #peak = 0;
  readonly #waiting: { n: number; grant: () => void; refuse: (e: Error) => void }[] = [];
  #closed: Error | null = null;

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  /** What a request of `n` actually holds (and must give back). */
  size(n: number): number {
    return Math.min(Math.max(0, n), this.limit);
  }

  /** Resolves once `size(n)` is held; requests are granted in the order they were made. */
  acquire(n: number): Promise<void> {
    const want = this.size(n);
    if (this.#closed) return Promise.reject(this.#closed);
    if (this.#waiting.length === 0 && this.#held + want <= this.limit) {
      this.#take(want);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#waiting.push({ n: want, grant: resolve, refuse: reject }));
  }

  /** Refuses every waiting and later request with `reason` (the work they were for has stopped). */
  close(reason: Error): void {
    this.#closed ??= reason;
    for (const w of this.#waiting.splice(0)) w.refuse(this.#closed);
  }

  /** Gives back what a request of `n` held. */
  release(n: number): void {
    this.#held -= this.size(n);
    while (this.#waiting.length > 0 && this.#held + this.#waiting[0]!.n <= this.limit) {
      const next = this.#waiting.shift()!;
      this.#take(next.n);
      next.grant();
    }
  }

  /** The most held at once so far. */
  get peak(): number {
    return this.#peak;
  }

  #take(n: number): void {
    this.#held += n;
    this.#peak = Math.max(this.#peak, this.#held);
  }
}
