import type { IceCandidate } from "../sdp/answer.js";
import type { MediaPlane } from "./media-plane.js";
import { MediaTransport } from "./media-transport.js";
import type { MediaWorker } from "./media-worker.js";

/** Handle of a worker-side Router (one per room). Closing it closes its transports (docs/lifecycle.md). */
export class MediaRouter {
  readonly transports = new Set<MediaTransport>();
  closed = false;

  constructor(
    readonly id: string,
    readonly worker: MediaWorker,
    private readonly plane: MediaPlane,
  ) {}

  async createTransport(onState: MediaTransport["onState"]): Promise<MediaTransport> {
    if (this.closed) throw new Error("router closed");
    const { id, ufrag, pwd } = this.plane.newTransportIds();
    const res = await this.worker.request("createWebRtcTransport", { routerId: this.id, transportId: id, iceUfrag: ufrag, icePwd: pwd });
    const o = this.plane.options;
    const candidates: IceCandidate[] = [];
    o.announcedAddresses.forEach((ip, i) => {
      // Host candidates only: UDP preferred over ICE-TCP (RFC 8445 §5.1.2 type preference 126, local preference by order).
      if (o.enableUdp)
        candidates.push({
          foundation: `udp${i}`,
          protocol: "udp",
          priority: (126 << 24) | ((65535 - i) << 8) | 255,
          ip,
          port: this.worker.udpPort,
        });
      if (o.enableTcp)
        candidates.push({
          foundation: `tcp${i}`,
          protocol: "tcp",
          priority: (126 << 24) | ((32767 - i) << 8) | 255,
          ip,
          port: this.worker.tcpPort,
        });
    });
    const t = new MediaTransport(id, ufrag, pwd, res.fingerprint, candidates, this.worker, onState, () => {
      this.transports.delete(t);
      this.plane.unwatchTransport(id);
      this.worker.load--;
    });
    this.worker.load++;
    this.transports.add(t);
    this.plane.watchTransport(id, (state, reason) => t.stateChanged(state, reason));
    return t;
  }

  /** Closes the router and, in cascade, its transports. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of [...this.transports]) t.markClosed();
    await this.worker.request("closeRouter", { routerId: this.id }).catch(() => {});
  }
}
