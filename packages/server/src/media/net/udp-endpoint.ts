import dgram from "node:dgram";
import type { Tuple, TupleOwner, UnownedPacketHandler } from "./tuple.js";

/**
 * The worker's one UDP socket, shared by all its transports. Tuples are found
 * by address then port (two Map lookups, no string built per packet).
 */
export class UdpEndpoint {
  private readonly socket: dgram.Socket;
  private readonly tuples = new Map<string, Map<number, UdpTuple>>();
  onSendError: (err: Error) => void = () => {};

  private constructor(socket: dgram.Socket, onUnowned: UnownedPacketHandler) {
    this.socket = socket;
    socket.on("message", (msg, rinfo) => {
      const t = this.tuples.get(rinfo.address)?.get(rinfo.port);
      if (t?.owner) t.owner.handlePacket(msg, t);
      else onUnowned(msg, new UdpTuple(this, rinfo.address, rinfo.port, rinfo.family === "IPv6" ? 6 : 4));
    });
  }

  static async bind(address: string, port: number, onUnowned: UnownedPacketHandler): Promise<UdpEndpoint> {
    const type = address.includes(":") ? "udp6" : "udp4";
    const socket = dgram.createSocket({ type, recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
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

  close(): void {
    this.socket.close();
  }
}

class UdpTuple implements Tuple {
  readonly protocol = "udp" as const;
  owner: TupleOwner | null = null;
  constructor(
    private readonly endpoint: UdpEndpoint,
    readonly address: string,
    readonly port: number,
    readonly family: 4 | 6,
  ) {}

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
