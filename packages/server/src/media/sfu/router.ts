import type { WebRtcTransport } from "./webrtc-transport.js";

/**
 * A room's media scope inside one worker (mediasoup's Router): the transports of
 * its participants. Producers are only consumed by transports of the same router.
 */
export class Router {
  readonly transports = new Map<string, WebRtcTransport>();
  closed = false;
  /** Set while the room has routers on other workers: data packets of its participants go there too (via the main thread). */
  toOtherWorkers: ((stamped: Buffer, reliable: boolean) => void) | null = null;

  constructor(readonly id: string) {}

  /** Closes the router and, in cascade, its transports. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of [...this.transports.values()]) t.close();
    this.transports.clear();
  }
}
