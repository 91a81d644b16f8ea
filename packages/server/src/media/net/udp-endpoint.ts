import dgram from "node:dgram";
import { loadNativeBinding } from "../srtp/native-binding.js";
import { BatchSender, type SendDestination } from "./batch-sender.js";
import type { Tuple, TupleOwner, UnownedPacketHandler } from "./tuple.js";

/**
 * The worker's one UDP socket, shared by all its transports. Tuples are found
 * by address then port (two Map lookups, no string built per packet).
 */
export class UdpEndpoint {
  private readonly socket: dgram.Socket;
  /**
   * Media goes out through one sendmmsg per received datagram's fan-out when the
   * native addon is loaded; without it each packet is its own dgram send.
   */
  readonly batch: BatchSender;
  private readonly tuples = new Map<string, Map<number, UdpTuple>>();
  /** Arrival times come from the kernel (SIOCGSTAMPNS) rather than from when the worker read a datagram. */
  readonly kernelTimestamps: boolean;
  onSendError: (err: Error) => void = () => {};

  private constructor(socket: dgram.Socket, onUnowned: UnownedPacketHandler) {
    this.socket = socket;
    this.batch = new BatchSender({ socket });
    // Kernel receive times (rx-timestamp.c): transport-cc feedback must not bunch datagrams that
    // queued while the worker was busy. Without the addon, the time the worker read them.
    const fd = this.batch.fd;
    const rxAgeUs = fd >= 0 ? (loadNativeBinding()?.rxAgeUs ?? null) : null;
    rxAgeUs?.(fd); // the first call enables timestamping on the socket
    this.kernelTimestamps = rxAgeUs !== null;
    socket.on("message", (msg, rinfo) => {
      const t = this.tuples.get(rinfo.address)?.get(rinfo.port);
      if (t?.owner) {
        const age = rxAgeUs === null ? -1 : rxAgeUs(fd);
        t.owner.handlePacket(msg, t, age < 0 ? undefined : performance.now() - age / 1000);
      } else onUnowned(msg, new UdpTuple(this, rinfo.address, rinfo.port, rinfo.family === "IPv6" ? 6 : 4));
    });
  }

  static async bind(address: string, port: number, onUnowned: UnownedPacketHandler): Promise<UdpEndpoint> {
    const type = address.includes(":") ? "udp6" : "udp4";
    const socket = dgram.createSocket({
      type,
      recvBufferSize: 4 * 1024 * 1024,
      sendBufferSize: 4 * 1024 * 1024,
      lookup: literalLookup,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, address, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    const ep = new UdpEndpoint(socket, onUnowned);
    socket.on("error", (err) => ep.onSendError(err));
    return ep;
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** @internal */
  register(t: UdpTuple): void {
    let byPort = this.tuples.get(t.address);
    if (!byPort) {
      byPort = new Map();
      this.tuples.set(t.address, byPort);
    }
    byPort.set(t.port, t);
  }

  /** @internal */
  unregister(t: UdpTuple): void {
    const byPort = this.tuples.get(t.address);
    if (byPort?.get(t.port) !== t) return;
    byPort.delete(t.port);
    if (byPort.size === 0) this.tuples.delete(t.address);
  }

  /** @internal */
  sendTo(buf: Buffer, port: number, address: string): void {
    this.socket.send(buf, port, address);
  }

  /** @internal fallback (no addon): `buf` is a fresh buffer per packet, sent at once (the lookup is synchronous). */
  sendRange(buf: Buffer, length: number, port: number, address: string): void {
    this.socket.send(buf, 0, length, port, address);
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Every address this socket sends to is an IP literal taken from a received
 * datagram, so "resolving" it is the identity. dgram's default lookup defers
 * each send to the next tick (plus an isIP test); this one answers synchronously,
 * so `send` reaches the kernel (uv_udp_try_send) before it returns.
 */
function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, family === 6 || family === "IPv6" ? 6 : 4);
}

class UdpTuple implements Tuple {
  readonly protocol = "udp" as const;
  owner: TupleOwner | null = null;
  reservedOffset = 0;
  /** sockaddr encoded once, for the batch sender (set on adoption: unowned tuples only answer STUN). */
  private destination: SendDestination | null = null;
  private fresh: Buffer | null = null;
  constructor(
    private readonly endpoint: UdpEndpoint,
    readonly address: string,
    readonly port: number,
    readonly family: 4 | 6,
  ) {}

  reserve(maxLength: number): Buffer {
    const batch = this.endpoint.batch;
    if (batch.native) {
      this.reservedOffset = batch.reserve(maxLength);
      return batch.arena;
    }
    // Without sendmmsg, dgram needs a buffer of its own per packet (it may still hold it after send returns).
    this.reservedOffset = 0;
    this.fresh = Buffer.allocUnsafe(maxLength);
    return this.fresh;
  }

  commit(length: number): void {
    const batch = this.endpoint.batch;
    if (batch.native) {
      this.destination ??= batch.destination(this.address, this.port);
      batch.commit(length, this.destination);
      return;
    }
    const fresh = this.fresh;
    this.fresh = null;
    if (fresh !== null) this.endpoint.sendRange(fresh, length, this.port, this.address);
  }

  adopt(owner: TupleOwner): void {
    this.owner = owner;
    this.endpoint.register(this);
  }

  send(buf: Buffer): void {
    this.endpoint.sendTo(buf, this.port, this.address);
  }

  release(): void {
    this.owner = null;
    this.endpoint.unregister(this);
  }
}
