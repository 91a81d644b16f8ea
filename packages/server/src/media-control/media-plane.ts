import type { MediaNotifications, TransportState } from "../media-channel/messages.js";
import { newIceCredentials, newSid } from "../shared/ids.js";
import type { WorkerCertificate } from "./certificate.js";
import { MediaRouter } from "./media-router.js";
import { MediaWorker } from "./media-worker.js";
import { TransportActivityRouter } from "./transport-activity.js";

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
  /**
   * Transports a worker takes before a room on it places new participants on a
   * less-loaded worker (its producers are then piped there). 0 = never spill.
   */
  spillAfterTransports: number;
  certificate: WorkerCertificate;
  onLog: (e: MediaNotifications["log"]) => void;
  onWorkerDied: (index: number, err: Error) => void;
}

/**
 * The main thread's view of the media workers: spawns them, places routers on
 * the least-loaded one, and routes transport state notifications to handles.
 */
export class MediaPlane {
  private nextPipeId = 1;
  /** Dynacast: producer id → listener of the layers a worker's subscribers want. */
  readonly producerListeners = new Map<string, (workerIndex: number, active: boolean[]) => void>();
  /** Worker-side router id → the room's handle, for data packets of rooms that span workers. */
  readonly dataListeners = new Map<string, (e: { routerId: string; reliable: boolean; packet: Uint8Array }) => void>();
  private readonly stateListeners = new Map<string, (state: TransportState, reason?: string) => void>();
  /** Audio levels and connection quality of transports, for the rooms that watch them. */
  readonly activity = new TransportActivityRouter();
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
            audioLevels: (e) => plane.current?.activity.audioLevels(e),
            connectionQuality: (e) => plane.current?.activity.connectionQuality(e),
            layersWanted: (e) => plane.current?.producerListeners.get(e.producerId)?.(i, e.active),
            dataOut: (e) => plane.current?.dataListeners.get(e.routerId)?.(e),
            died: (err) => o.onWorkerDied(i, err),
          },
        ),
      ),
    );
    // Each worker accepts pipe frames only from the other workers' pipe ports.
    await Promise.all(workers.map((w) => w.request("connectPipes", { ports: workers.filter((x) => x !== w).map((x) => x.pipePort) })));
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

  /**
   * @internal Where a room whose home is `home` puts its next transport: home,
   * unless home already carries `spillAfterTransports` and another worker has fewer.
   */
  placeTransport(home: MediaWorker): MediaWorker {
    const limit = this.options.spillAfterTransports;
    if (!home.closed && (limit === 0 || home.load < limit)) return home;
    const alive = this.workers.filter((w) => !w.closed);
    if (alive.length === 0) throw new Error("no media worker is running");
    const least = alive.reduce((a, b) => (b.load < a.load ? b : a));
    return !home.closed && home.load <= least.load ? home : least;
  }

  /** @internal */
  newPipeId(): number {
    return this.nextPipeId++;
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
