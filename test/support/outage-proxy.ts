// An HTTP proxy in front of an object store peer (support/object-stores.ts), where the tests see
// what reaches the store and can take it away: it records every PUT the store answered with 2xx,
// and `goDownAfter(pattern, n)` makes the store vanish (every open connection cut, every new one
// refused) once n more PUTs matching the pattern have been stored, `goDownOnPut(pattern)` as soon
// as such a PUT arrives: the storage going away midway, as the network shows it. Requests pass unchanged (the Host header too, which SigV4 signs).
import { createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';

export class OutageProxy {
  /** Paths (without query) of the PUTs the store answered with 2xx, in order. */
  readonly puts: string[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #target: URL;
  #down = false;
  #trigger: { pattern: RegExp; left: number } | null = null;
  #cutOnPut: RegExp | null = null;
  port = 0;

  private constructor(target: string) {
    this.#target = new URL(target);
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').replace(/\?.*$/, '');
      if (req.method === 'PUT' && this.#cutOnPut?.test(path)) this.#goDown();
      if (this.#down) return void req.socket.destroy();
      const upstream = request(
        { host: this.#target.hostname, port: this.#target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => {
            const ok = (answer.statusCode ?? 0) >= 200 && (answer.statusCode ?? 0) < 300;
            if (req.method === 'PUT' && ok) this.#stored(path);
          });
        },
      );
      upstream.on('error', () => req.socket.destroy());
      req.pipe(upstream);
    });
    this.#server.on('connection', (socket: Socket) => {
      if (this.#down) return void socket.destroy();
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** A proxy on a free port forwarding to `target` (`http://host:port`). */
  static async start(target: string): Promise<OutageProxy> {
    const proxy = new OutageProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.#server.address() as { port: number }).port;
    return proxy;
  }

  /** `endpoint` (the peer's) with the proxy's host and port instead. */
  through(endpoint: string): string {
    const u = new URL(endpoint);
    u.host = `127.0.0.1:${this.port}`;
    return u.href.replace(/\/$/, '');
  }

  /** The store goes away once `n` more PUTs whose path matches `pattern` have been stored. */
  goDownAfter(pattern: RegExp, n: number): void {
    this.#trigger = { pattern, left: n };
  }

  /** The store goes away as soon as a PUT whose path matches `pattern` arrives, before it is passed on. */
  goDownOnPut(pattern: RegExp): void {
    this.#cutOnPut = pattern;
  }

  get down(): boolean {
    return this.#down;
  }

  /** The store is back. */
  up(): void {
    this.#down = false;
    this.#trigger = null;
    this.#cutOnPut = null;
  }

  #stored(path: string): void {
    this.puts.push(path);
    if (!this.#trigger || !this.#trigger.pattern.test(path)) return;
    if (--this.#trigger.left > 0) return;
    this.#goDown();
  }

  #goDown(): void {
    this.#down = true;
    for (const s of this.#sockets) s.destroy();
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
