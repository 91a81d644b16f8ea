import dgram from "node:dgram";

/**
 * Loopback datagrams between the media workers of one node (mediasoup's
 * pipeToRouter over a PlainTransport). A room bigger than one worker keeps its
 * producers on their home worker and pipes each one, once, to every other
 * worker that has subscribers for it.
 *
 * Frame: pipe id (u32, chosen by the main thread) ‖ simulcast layer (u8) ‖ body, where body is a plain
 * RTP packet (first byte 0x80..0xBF) going downstream, or the one-byte
 * keyframe request `K` going back upstream. Loopback only: these frames are
 * never encrypted, so the socket binds 127.0.0.1 and drops datagrams from any
 * port that is not a worker of this node.
 */
export class PipeEndpoint {
  static readonly KEYFRAME_REQUEST = 0x4b;
  private readonly peers = new Set<number>();

  private constructor(
    private readonly socket: dgram.Socket,
    onFrame: (pipeId: number, layer: number, body: Buffer) => void,
  ) {
    socket.on("message", (msg, rinfo) => {
      if (msg.length < 6 || !this.peers.has(rinfo.port) || rinfo.address !== "127.0.0.1") return;
      onFrame(msg.readUInt32BE(0), msg[4]!, msg.subarray(5));
    });
  }

  static async bind(onFrame: (pipeId: number, layer: number, body: Buffer) => void): Promise<PipeEndpoint> {
    const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    socket.on("error", () => {}); // send errors on loopback (ENOBUFS) are loss, as on any link
    return new PipeEndpoint(socket, onFrame);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Accepts frames from this worker port (another worker's pipe endpoint). */
  allowPeer(port: number): void {
    this.peers.add(port);
  }

  /** `header` is the immutable 5-byte pipe id ‖ layer of the stream; `packet` is never modified after receipt, so both are sent without copying. */
  send(header: Buffer, packet: Buffer, port: number): void {
    this.socket.send([header, packet], port, "127.0.0.1");
  }

  close(): void {
    this.socket.close();
  }
}

/** The 5-byte frame header of a pipe id and layer, allocated once per pipe and layer. */
export function pipeHeader(pipeId: number, layer: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt32BE(pipeId >>> 0, 0);
  b[4] = layer;
  return b;
}
