// A socket for the session that copies a dump's big tables, read into a few large buffers
// ("slabs") that go round, instead of a new buffer per read. Node gives every socket read an
// ArrayBuffer of its own, and V8 counts them all: a COPY delivering hundreds of MB a second made
// it start a full collection for about every 64 MB read, a dozen per scale-10 backup, whatever
// else the heap held (docs/benchmarks.md). Here reads land one after another in a slab; a slab
// goes back to the free list once every part cut from it has been recycled by the consumer (the
// backup, once it holds no reference to the part) and nothing more is read into it.
//
// Until `take`, the socket serves the pg library as usual ('data' events, each a copy of what was
// read); after it, reads are queued for `next` and parts are accounted for with `handedOut` and
// `recycle`. Only plain TCP or Unix sockets: a TLS session reads through its own buffers.
import { Socket } from 'node:net';

/** Bytes per slab: a slab holds several reads when they are short. */
const SLAB_BYTES = 256 * 1024;
/** A slab with less room than this left is not read into any more. */
const MIN_READ = 64 * 1024;
/** Reads queued for `next` before the socket is paused. */
const QUEUE_MAX = 4;

interface Slab {
  buf: Buffer;
  /** Bytes read into it so far. */
  used: number;
  /** Parts cut from it that are still out: queued reads, and parts handed out and not yet recycled. */
  out: number;
  /** True while reads may still land in it. */
  filling: boolean;
  free: boolean;
}

export class SlabReads {
  readonly socket: Socket;
  readonly #slabs = new Map<ArrayBufferLike, Slab>();
  readonly #free: Slab[] = [];
  #current: Slab;
  #taken = false;
  /** Reads not yet taken by `next`, each a view of its slab. */
  readonly #queue: Buffer[] = [];
  #waiter: (() => void) | null = null;
  #ended = false;
  #error: Error | null = null;
  #paused = false;

  constructor() {
    this.#current = this.#newSlab();
    this.socket = new Socket({
      onread: {
        buffer: () => this.#install(),
        callback: (n: number, buf: Uint8Array) => this.#onRead(n, buf),
      },
    });
    this.socket.on('error', (e) => {
      this.#error ??= e;
      this.#wake();
    });
    this.socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
    registry.set(this.socket, this);
  }

  /** Slabs made so far (tests: recycled parts keep this small). */
  get slabCount(): number {
    return this.#slabs.size;
  }

  /** From now on reads are queued for `next`; the library's listeners should be gone. */
  take(): void {
    this.#taken = true;
  }

  /**
   * The next read, in order, or null when the socket closed. Its slab counts it as out until
   * `handedOut` says how many parts of it went on.
   */
  async next(): Promise<Buffer | null> {
    for (;;) {
      const read = this.#queue.shift();
      if (read) {
        if (this.#paused && this.#queue.length < QUEUE_MAX) {
          this.#paused = false;
          this.socket.resume();
        }
        return read;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }

  /** A read from `next` was turned into `parts`; those that lie in its slab are out until recycled. */
  handedOut(read: Uint8Array, parts: readonly { buffer: ArrayBufferLike }[]): void {
    const slab = this.#slabs.get(read.buffer);
    if (!slab) return;
    let views = 0;
    for (const p of parts) if (p.buffer === read.buffer) views++;
    slab.out += views - 1;
    this.#release(slab);
  }

  /** The consumer holds no reference to `part` any more; its bytes may be read over. */
  recycle(part: Uint8Array): void {
    const slab = this.#slabs.get(part.buffer);
    if (!slab || slab.out <= 0) return;
    slab.out--;
    this.#release(slab);
  }

  #newSlab(): Slab {
    const slab: Slab = { buf: Buffer.allocUnsafeSlow(SLAB_BYTES), used: 0, out: 0, filling: true, free: false };
    this.#slabs.set(slab.buf.buffer, slab);
    return slab;
  }

  /** The buffer the next read lands in: the rest of the current slab, or a fresh one. */
  #install(): Buffer {
    let slab = this.#current;
    if (slab.buf.length - slab.used < MIN_READ) {
      slab.filling = false;
      this.#release(slab);
      slab = this.#free.pop() ?? this.#newSlab();
      slab.free = false;
      slab.used = 0;
      slab.out = 0;
      slab.filling = true;
      this.#current = slab;
    }
    return slab.buf.subarray(slab.used);
  }

  #onRead(n: number, buf: Uint8Array): boolean {
    const slab = this.#current;
    if (!this.#taken) {
      // The library may keep what it is given: a copy, and the slab's room is used again.
      this.socket.emit('data', Buffer.from(buf.subarray(0, n)));
      return true;
    }
    slab.used += n;
    slab.out++;
    this.#queue.push(Buffer.from(buf.buffer, buf.byteOffset, n));
    this.#wake();
    if (this.#queue.length >= QUEUE_MAX && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
    return true;
  }

  #release(slab: Slab): void {
    if (slab.out === 0 && !slab.filling && !slab.free) {
      slab.free = true;
      this.#free.push(slab);
    }
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }
}

const registry = new WeakMap<object, SlabReads>();

/** The slab reader behind `socket`, if it was made by one. */
export function slabReadsOf(socket: object): SlabReads | null {
  return registry.get(socket) ?? null;
}
