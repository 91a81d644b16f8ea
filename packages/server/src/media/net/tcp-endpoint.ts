import net from "node:net";
import type { Tuple, TupleOwner, UnownedPacketHandler } from "./tuple.js";

/** Largest frame RFC 4571 allows (16-bit length); anything near it is not media. */
const MAX_FRAME = 65535;
/** A connection that sends no valid STUN within this time is closed (ICE-TCP passive side). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * ICE-TCP passive listener (RFC 6544). Each connection is one tuple; packets are
 * framed with a 16-bit big-endian length prefix (RFC 4571).
 */
export class TcpEndpoint {
  private readonly connections = new Set<TcpTuple>();
  private constructor(
    private readonly server: net.Server,
    readonly onGarbage: () => void,
  ) {}

  static async listen(address: string, port: number, onUnowned: UnownedPacketHandler, onGarbage: () => void): Promise<TcpEndpoint> {
    const server = net.createServer();
    const ep = new TcpEndpoint(server, onGarbage);
    server.on("connection", (socket) => ep.accept(socket, onUnowned));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, address, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return ep;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  private accept(socket: net.Socket, onUnowned: UnownedPacketHandler): void {
    socket.setNoDelay(true);
    const tuple = new TcpTuple(socket, socket.remoteAddress ?? "", socket.remotePort ?? 0, socket.remoteFamily === "IPv6" ? 6 : 4);
    this.connections.add(tuple);
    const timer = setTimeout(() => {
      if (!tuple.owner) tuple.release();
    }, HANDSHAKE_TIMEOUT_MS);
    let pending: Buffer | null = null;
    socket.on("data", (chunk: Buffer) => {
      let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = null;
      let off = 0;
      while (buf.length - off >= 2) {
        const len = buf.readUInt16BE(off);
        if (len === 0 || len > MAX_FRAME) {
          this.onGarbage();
          tuple.release();
          return;
        }
        if (buf.length - off - 2 < len) break;
        const frame = buf.subarray(off + 2, off + 2 + len);
        off += 2 + len;
        if (tuple.owner) tuple.owner.handlePacket(frame, tuple);
        else onUnowned(frame, tuple);
        if (tuple.closed) return;
      }
      if (off < buf.length) pending = Buffer.from(buf.subarray(off));
      buf = Buffer.alloc(0);
    });
    socket.on("error", () => tuple.release());
    socket.on("close", () => {
      clearTimeout(timer);
      this.connections.delete(tuple);
      tuple.release();
    });
  }

  close(): void {
    for (const t of this.connections) t.release();
    this.server.close();
  }
}

class TcpTuple implements Tuple {
  readonly protocol = "tcp" as const;
  owner: TupleOwner | null = null;
  closed = false;
  constructor(
    private readonly socket: net.Socket,
    readonly address: string,
    readonly port: number,
    readonly family: 4 | 6,
  ) {}

  adopt(owner: TupleOwner): void {
    this.owner = owner;
  }

  reservedOffset = 2;
  private frame: Buffer | null = null;

  /** A fresh frame (the socket keeps a reference until written) with room for the RFC 4571 length prefix. */
  reserve(maxLength: number): Buffer {
    this.frame = Buffer.allocUnsafe(maxLength + 2);
    return this.frame;
  }

  commit(length: number): void {
    const frame = this.frame;
    this.frame = null;
    if (frame === null || this.closed || this.socket.writableLength > 4 * 1024 * 1024) return;
    frame.writeUInt16BE(length, 0);
    this.socket.write(length + 2 === frame.length ? frame : frame.subarray(0, length + 2));
  }

  send(buf: Buffer): void {
    if (this.closed) return;
    // Drop rather than queue without bound when the peer reads slower than we send.
    if (this.socket.writableLength > 4 * 1024 * 1024) return;
    const frame = Buffer.allocUnsafe(buf.length + 2);
    frame.writeUInt16BE(buf.length, 0);
    buf.copy(frame, 2);
    this.socket.write(frame);
  }

  release(): void {
    if (this.closed) return;
    this.closed = true;
    const owner = this.owner;
    this.owner = null;
    this.socket.destroy();
    owner?.handleTupleClosed(this);
  }
}
