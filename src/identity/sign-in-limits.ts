// Failed sign-ins counted per client id and per source address over a sliding window: past the
// limit of either, the token endpoint refuses (429 with Retry-After) before checking anything. A
// success clears nothing: an attacker who owns one principal cannot use it to reset the count
// their address ran up guessing another's secret. Memory is bounded: the oldest keys are dropped.
import type { Clock } from '../util/clock.ts';

export interface SignInLimitSettings {
  /** Failures of one client id within the window that block it (default 10). */
  perClient: number;
  /** Failures from one address within the window that block it (default 30). */
  perAddress: number;
  windowMs: number;
  /** Keys remembered at most (default 10 000). */
  maxKeys: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimitSettings = { perClient: 10, perAddress: 30, windowMs: 5 * 60_000, maxKeys: 10_000 };

export class SignInLimits {
  readonly #failures = new Map<string, number[]>();
  readonly #settings: SignInLimitSettings;
  readonly #clock: Clock;

  constructor(clock: Clock, settings: Partial<SignInLimitSettings> = {}) {
    this.#clock = clock;
    this.#settings = { ...DEFAULT_SIGN_IN_LIMITS, ...settings };
  }

  /** Seconds to wait when this client id or address is blocked now; undefined when it may try. */
  retryAfter(clientId: string, address: string): number | undefined {
    const now = this.#clock.now().getTime();
    const waits = [this.#wait(`c:${clientId.toLowerCase()}`, this.#settings.perClient, now), this.#wait(`a:${address}`, this.#settings.perAddress, now)];
    const wait = Math.max(...waits.map((w) => w ?? 0));
    return wait > 0 ? Math.ceil(wait / 1000) : undefined;
  }

  recordFailure(clientId: string, address: string): void {
    const now = this.#clock.now().getTime();
    for (const key of [`c:${clientId.toLowerCase()}`, `a:${address}`]) {
      const times = this.#recent(key, now);
      times.push(now);
      this.#failures.delete(key); // re-inserted last: the map's order is least recently failed first
      this.#failures.set(key, times);
    }
    while (this.#failures.size > this.#settings.maxKeys) this.#failures.delete(this.#failures.keys().next().value!);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((t) => t > now - this.#settings.windowMs);
  }

  /** Milliseconds until the key drops below its limit, or undefined when it is below now. */
  #wait(key: string, limit: number, now: number): number | undefined {
    const times = this.#recent(key, now);
    if (times.length < limit) return undefined;
    return times[times.length - limit]! + this.#settings.windowMs - now;
  }
}
