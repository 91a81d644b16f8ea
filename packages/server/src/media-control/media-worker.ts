import { Worker } from "node:worker_threads";
import type { MainToWorker, MediaMethod, MediaNotifications, MediaRequests, WorkerInit, WorkerToMain } from "../media-channel/messages.js";
import type { WorkerCertificate } from "./certificate.js";

export class MediaRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "MediaRequestError";
  }
}

export interface MediaWorkerEvents {
  transportState: (e: MediaNotifications["transportState"]) => void;
  log: (e: MediaNotifications["log"]) => void;
  audioLevels?: (e: MediaNotifications["audioLevels"]) => void;
  connectionQuality?: (e: MediaNotifications["connectionQuality"]) => void;
  layersWanted?: (e: MediaNotifications["layersWanted"]) => void;
  dataOut?: (e: MediaNotifications["dataOut"]) => void;
  died: (err: Error) => void;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Main-thread handle of one media worker thread: typed requests, notifications, lifecycle. */
export class MediaWorker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  udpPort = 0;
  tcpPort = 0;
  /** Loopback port of this worker's pipe endpoint (producers piped between workers). */
  pipePort = 0;
  /** Transports placed on this worker; the pool uses it to spread load. */
  load = 0;
  closed = false;

  private constructor(
    readonly index: number,
    private readonly worker: Worker,
    private readonly events: MediaWorkerEvents,
  ) {}

  static spawn(init: WorkerInit, certificate: WorkerCertificate, events: MediaWorkerEvents): Promise<MediaWorker> {
    const worker = new Worker(new URL("../media/worker-entry.js", import.meta.url), { workerData: { init, certificate } });
    const mw = new MediaWorker(init.workerIndex, worker, events);
    return new Promise((resolve, reject) => {
      const onEarlyExit = (code: number) => reject(new Error(`media worker ${init.workerIndex} exited during start (code ${code})`));
      worker.once("error", reject);
      worker.once("exit", onEarlyExit);
      worker.on("message", (m: WorkerToMain) => {
        if (m.kind === "notification" && m.event === "ready") {
          mw.udpPort = m.data.udpPort;
          mw.tcpPort = m.data.tcpPort;
          mw.pipePort = m.data.pipePort;
          worker.off("error", reject);
          worker.off("exit", onEarlyExit);
          worker.on("error", (err) => mw.died(err));
          worker.on("exit", (code) => mw.died(new Error(`media worker ${init.workerIndex} exited with code ${code}`)));
          resolve(mw);
          return;
        }
        mw.receive(m);
      });
    });
  }

  request<M extends MediaMethod>(method: M, data: MediaRequests[M]["req"]): Promise<MediaRequests[M]["res"]> {
    if (this.closed) return Promise.reject(new MediaRequestError("WORKER_CLOSED", "media worker is closed"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new MediaRequestError("TIMEOUT", `media request ${method} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.worker.postMessage({ kind: "request", id, method, data } satisfies MainToWorker);
    });
  }

  private receive(m: WorkerToMain): void {
    if (m.kind === "response") {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.data);
      else p.reject(new MediaRequestError(m.error.code, m.error.message));
      return;
    }
    if (m.event === "transportState") this.events.transportState(m.data);
    else if (m.event === "log") this.events.log(m.data);
    else if (m.event === "audioLevels") this.events.audioLevels?.(m.data);
    else if (m.event === "connectionQuality") this.events.connectionQuality?.(m.data);
    else if (m.event === "layersWanted") this.events.layersWanted?.(m.data);
    else if (m.event === "dataOut") this.events.dataOut?.(m.data);
  }

  private died(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new MediaRequestError("WORKER_DIED", err.message));
    }
    this.pending.clear();
    this.events.died(err);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage({ kind: "shutdown" } satisfies MainToWorker);
    const exited = new Promise<void>((r) => this.worker.once("exit", () => r()));
    const timeout = new Promise<void>((r) => setTimeout(r, 2000).unref());
    await Promise.race([exited, timeout]);
    await this.worker.terminate();
  }
}
