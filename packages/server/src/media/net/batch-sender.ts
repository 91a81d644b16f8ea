import type dgram from "node:dgram";
import { isIP } from "node:net";
import { loadNativeBinding, type NativeBinding } from "../srtp/native-binding.js";

/** Packed sockaddr slot size of the addon (room for a sockaddr_in6). */
const SLOT_BYTES = 32;
const SLOT_WORDS = SLOT_BYTES / 4;

/** A remote (address, port) encoded once, e.g. per tuple, so a flush parses no address. */
export class SendDestination {
  /** @internal sockaddr bytes, or null on the fallback path. */
  readonly sockaddr: Int32Array | null;

  /** @internal Address handed to socket.send on the fallback path (IPv4 written v4-mapped on an IPv6 socket). */
  readonly sendAddress: string;

  /** @internal Use BatchSender.destination(). */
  constructor(
    readonly address: string,
    readonly port: number,
    sockaddr: Int32Array | null,
    sendAddress: string,
  ) {
    this.sockaddr = sockaddr;
    this.sendAddress = sendAddress;
  }
}

export interface BatchSenderOptions {
  /** A bound dgram socket; the batch sender writes on its file descriptor. */
  socket: dgram.Socket;
  /** Packets per flush (default 256); reserve() flushes early when reached. */
  maxPackets?: number;
  /** Arena bytes (default maxPackets × 1500). */
  arenaSize?: number;
  /** true: require sendmmsg through the addon; false: socket.send per packet; default: addon when loaded (Linux). */
  native?: boolean;
  /** Flush in a microtask after the first queued packet (default true), i.e. once per received datagram's fan-out. */
  autoFlush?: boolean;
}

type UdpHandle = { fd?: number } | null;
type DgramState = { handle: UdpHandle };

/**
 * Accumulates outgoing datagrams in one reusable arena and sends them with one
 * sendmmsg(2) per flush, non-blocking: when the socket buffer is full the rest
 * are dropped and counted (a slow path never stalls the worker). Without the
 * addon each packet is copied out and handed to socket.send.
 *
 * Zero-copy use: `at = reserve(max)`, write the packet into `arena` at `at`
 * (e.g. SrtpSession.protectRtpInPlace), then `commit(length, destination)`.
 */
export class BatchSender {
  readonly arena: Buffer;
  readonly native: boolean;
  /** dropped: not sent because the socket buffer was full or the socket closed; errors: refused per datagram (lastErrno). */
  readonly stats = { sent: 0, dropped: 0, errors: 0, flushes: 0, lastErrno: 0 };

  private readonly socket: dgram.Socket;
  private readonly binding: NativeBinding | null;
  private readonly state: DgramState | null;
  private readonly handle: UdpHandle;
  /** The socket's file descriptor when the native path is on (checked against its port), else -1. */
  readonly fd: number;
  private readonly v4mapped: boolean;
  private readonly maxPackets: number;
  private readonly offsets: Int32Array;
  private readonly lengths: Int32Array;
  private readonly addrs: Buffer;
  private readonly addrWords: Int32Array;
  /** Per packet, fallback path only. */
  private readonly destinations: (SendDestination | null)[];
  private readonly nativeStats = new Int32Array(2);
  private readonly autoFlush: boolean;
  private readonly flushTask = (): void => {
    this.flushQueued = false;
    this.flush();
  };
  private flushQueued = false;
  private count = 0;
  private used = 0;
  private reserved = -1;

  constructor(o: BatchSenderOptions) {
    this.socket = o.socket;
    this.maxPackets = o.maxPackets ?? 256;
    this.arena = Buffer.alloc(o.arenaSize ?? this.maxPackets * 1500);
    this.offsets = new Int32Array(this.maxPackets);
    this.lengths = new Int32Array(this.maxPackets);
    this.addrs = Buffer.alloc(this.maxPackets * SLOT_BYTES);
    this.addrWords = new Int32Array(this.addrs.buffer, this.addrs.byteOffset, this.maxPackets * SLOT_WORDS);
    this.destinations = new Array<SendDestination | null>(this.maxPackets).fill(null);
    this.autoFlush = o.autoFlush ?? true;
    this.v4mapped = o.socket.address().family === "IPv6";
    const binding = o.native === false ? null : loadNativeBinding();
    this.state = dgramState(o.socket);
    this.handle = this.state?.handle ?? null;
    this.fd = binding === null ? -1 : socketFd(binding, this.handle, o.socket.address().port);
    if (o.native === true && this.fd < 0)
      throw new Error("BatchSender: native sendmmsg unavailable (addon missing or socket fd not found)");
    this.native = this.fd >= 0;
    this.binding = this.native ? binding : null;
  }

  /** Encodes a numeric IPv4/IPv6 address once; keep it with the tuple. */
  destination(address: string, port: number): SendDestination {
    if (isIP(address) === 0 && isIP(address.split("%")[0]) !== 6) throw new RangeError(`not a numeric IP address: ${address}`);
    if (this.binding?.encodeSockaddr === undefined) {
      return new SendDestination(address, port, null, this.v4mapped && isIP(address) === 4 ? `::ffff:${address}` : address);
    }
    const words = new Int32Array(SLOT_WORDS);
    const bytes = Buffer.from(words.buffer);
    if (this.binding.encodeSockaddr(address, port, this.v4mapped, bytes, 0) < 0) throw new RangeError(`cannot encode ${address}:${port}`);
    return new SendDestination(address, port, words, address);
  }

  /** Offset in `arena` for the next packet of up to `maxLength` bytes; flushes first if the batch is full. */
  reserve(maxLength: number): number {
    if (maxLength > this.arena.length) throw new RangeError(`packet of ${maxLength} bytes exceeds the ${this.arena.length}-byte arena`);
    if (this.count === this.maxPackets || this.used + maxLength > this.arena.length) this.flush();
    this.reserved = maxLength;
    return this.used;
  }

  /** Queues the `length` bytes written at the last reserve() offset for `destination`. */
  commit(length: number, destination: SendDestination): void {
    if (length < 0 || length > this.reserved) throw new RangeError(`commit of ${length} bytes without a reservation that large`);
    const i = this.count;
    this.offsets[i] = this.used;
    this.lengths[i] = length;
    if (this.native) {
      const words = destination.sockaddr;
      if (words === null) throw new TypeError("destination was not encoded by a native BatchSender");
      const base = i * SLOT_WORDS;
      for (let w = 0; w < SLOT_WORDS; w++) this.addrWords[base + w] = words[w];
    } else {
      this.destinations[i] = destination;
    }
    this.count = i + 1;
    this.used += length;
    this.reserved = -1;
    if (this.autoFlush && !this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushTask);
    }
  }

  /** Copies `buf[offset, offset + length)` into the arena and queues it. */
  queue(buf: Buffer, destination: SendDestination, offset = 0, length = buf.length - offset): void {
    const at = this.reserve(length);
    buf.copy(this.arena, at, offset, offset + length);
    this.commit(length, destination);
  }

  /** Sends everything queued; returns how many datagrams left. */
  flush(): number {
    const count = this.count;
    if (count === 0) return 0;
    this.count = 0;
    this.used = 0;
    this.stats.flushes++;
    let sent = 0;
    if (this.state !== null && this.state.handle !== this.handle) {
      // Socket closed: its fd number may already belong to something else.
      this.stats.dropped += count;
    } else if (this.binding?.sendBatch !== undefined) {
      const errorsBefore = this.nativeStats[0];
      const consumed = this.binding.sendBatch(this.fd, this.arena, this.offsets, this.lengths, this.addrs, count, this.nativeStats);
      const errors = this.nativeStats[0] - errorsBefore;
      sent = consumed - errors;
      this.stats.errors += errors;
      this.stats.lastErrno = this.nativeStats[1];
      this.stats.dropped += count - consumed; // socket buffer full (EAGAIN/ENOBUFS)
    } else {
      sent = this.sendEach(count);
    }
    this.stats.sent += sent;
    return sent;
  }

  /** Fallback: dgram.send reads its buffer later (after an address lookup tick), so the arena bytes are copied. */
  private sendEach(count: number): number {
    for (let i = 0; i < count; i++) {
      const d = this.destinations[i] as SendDestination;
      const copy = Buffer.allocUnsafe(this.lengths[i]);
      this.arena.copy(copy, 0, this.offsets[i], this.offsets[i] + this.lengths[i]);
      this.socket.send(copy, d.port, d.sendAddress);
      this.destinations[i] = null;
    }
    return count;
  }
}

/** The socket's internal state object; Node keeps the UDP handle there (`_handle` is the deprecated alias, DEP0112). */
function dgramState(socket: dgram.Socket): DgramState | null {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === "state symbol");
  const state = key === undefined ? undefined : (socket as unknown as Record<symbol, DgramState | undefined>)[key];
  return state !== undefined && typeof state === "object" && "handle" in state ? state : null;
}

/** The handle's fd, but only if the kernel confirms it is a datagram socket bound to the socket's own port. */
function socketFd(binding: NativeBinding, handle: UdpHandle, port: number): number {
  const fd = handle?.fd;
  if (typeof fd !== "number" || fd < 0 || binding.sendBatch === undefined || binding.socketPort === undefined) return -1;
  return binding.socketPort(fd) === port ? fd : -1;
}
