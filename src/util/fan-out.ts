// One stream of bytes written to several Writables (pipes into child processes), read once and
// held in memory only as far as the slowest sink lags: a write resolves once every live sink has
// at most `windowBytes` not yet taken by its pipe, so memory stays near `windowBytes` plus one
// chunk however far one sink falls behind (the buffers are shared, not copied per sink). A sink
// that fails (a broken pipe: its process exited) is dropped; whoever owns the process learns why.
import type { Writable } from 'node:stream';

export class FanOut {
  readonly #sinks: { out: Writable; pending: number; live: boolean }[];
  readonly #window: number;
  #waiters: (() => void)[] = [];

  constructor(sinks: readonly Writable[], windowBytes: number) {
    this.#sinks = sinks.map((out) => ({ out, pending: 0, live: true }));
    this.#window = Math.max(0, windowBytes);
    for (const s of this.#sinks) {
      s.out.on('error', () => this.#drop(s));
      s.out.on('close', () => this.#drop(s));
    }
  }

  /** How many sinks still take bytes. */
  get live(): number {
    return this.#sinks.filter((s) => s.live).length;
  }

  /**
   * Writes `chunk` to every live sink. The caller may reuse `chunk` once this resolves: it is
   * copied when a sink may still hold it by then.
   */
  async write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    const buf = this.#window > 0 ? Buffer.from(chunk) : chunk;
    for (const s of this.#sinks) {
      if (!s.live) continue;
      s.pending += buf.length;
      s.out.write(buf, (err) => {
        s.pending -= buf.length;
        if (err) this.#drop(s);
        this.#wake();
      });
    }
    // Without a window the chunk is the caller's, to reuse: wait until every pipe has it.
    const limit = this.#window > 0 ? this.#window : 0;
    while (this.#sinks.some((s) => s.live && s.pending > limit)) await new Promise<void>((r) => this.#waiters.push(r));
  }

  /** Ends every live sink. */
  end(): void {
    for (const s of this.#sinks) if (s.live) s.out.end();
  }

  #drop(s: { live: boolean }): void {
    if (!s.live) return;
    s.live = false;
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const r of w) r();
  }
}
