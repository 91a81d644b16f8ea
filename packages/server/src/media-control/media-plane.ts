import type { MediaNotifications, TransportState } from "../media-channel/messages.js";
import { newIceCredentials, newSid } from "../shared/ids.js";
import type { WorkerCertificate } from "./certificate.js";
import { MediaRouter } from "./media-router.js";
import { MediaWorker } from "./media-worker.js";

export interface MediaPlaneOptions {
  workers: number;
  bindAddress: string;
  announcedAddresses: string[];
  udpPort: number;
  tcpPort: number;
  enableUdp: boolean;
  enableTcp: boolean;
  srtpProfiles: number[];
  consentTimeoutS: number;
  certificate: WorkerCertificate;
  onLog: (e: MediaNotifications["log"]) => void;
  onWorkerDied: (index: number, err: Error) => void;
}

/**
 * The main thread's view of the media workers: spawns them, places routers on
 * the least-loaded one, and routes transport state notifications to handles.
 */
export class MediaPlane {
  private readonly stateListeners = new Map<string, (state: TransportState, reason?: string) => void>();
  private constructor(
    readonly workers: MediaWorker[],
    readonly options: MediaPlaneOptions,
  ) {}

  static async start(o: MediaPlaneOptions): Promise<MediaPlane> {
    const plane: { current: MediaPlane | null } = { current: null };
    const workers = await Promise.all(
      Array.from({ length: o.workers }, (_, i) =>
        MediaWorker.spawn(
          {
            workerIndex: i,
            bindAddress: o.bindAddress,
            udpPort: o.udpPort === 0 ? 0 : o.udpPort + 2 * i,
            tcpPort: o.tcpPort === 0 ? 0 : o.tcpPort + 2 * i,
            enableUdp: o.enableUdp,
            enableTcp: o.enableTcp,
            srtpProfiles: o.srtpProfiles,
            consentTimeoutS: o.consentTimeoutS,
          },
          o.certificate,
          {
            transportState: (e) => plane.current?.stateListeners.get(e.transportId)?.(e.state, e.reason),
            log: o.onLog,
            died: (err) => o.onWorkerDied(i, err),
          },
        ),
      ),
    );
    plane.current = new MediaPlane(workers, o);
    return plane.current;
  }

  /** A router for a room, on the worker with the fewest transports. */
  async createRouter(): Promise<MediaRouter> {
    const alive = this.workers.filter((w) => !w.closed);
    if (alive.length === 0) throw new Error("no media worker is running");
    const worker = alive.reduce((a, b) => (b.load < a.load ? b : a));
    const id = newSid("RT");
    await worker.request("createRouter", { routerId: id });
    return new MediaRouter(id, worker, this);
  }

  /** @internal used by MediaRouter */
  newTransportIds(): { id: string; ufrag: string; pwd: string } {
    const { ufrag, pwd } = newIceCredentials();
    return { id: newSid("TR"), ufrag, pwd };
  }

  /** @internal */
  watchTransport(id: string, listener: (state: TransportState, reason?: string) => void): void {
    this.stateListeners.set(id, listener);
  }

  /** @internal */
  unwatchTransport(id: string): void {
    this.stateListeners.delete(id);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
