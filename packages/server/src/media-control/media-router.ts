import type { ProducerStreamSpec } from "../media-channel/messages.js";
import type { IceCandidate } from "../sdp/answer.js";
import type { MediaPlane } from "./media-plane.js";
import { MediaTransport } from "./media-transport.js";
import type { MediaWorker } from "./media-worker.js";

/** What the router remembers of a producer to pipe it to another worker. */
export interface ProducerRecord extends ProducerStreamSpec {
  worker: MediaWorker;
  transport: MediaTransport;
  /** Worker → pipe id, for every other worker the producer is piped to. */
  pipes: Map<MediaWorker, number>;
  /** Dynacast: which simulcast layers the subscribers on each worker want; the union is reported. */
  wanted: Map<number, boolean[]>;
  /** The union last reported (null before the first report). */
  lastWanted: boolean[] | null;
  onLayersWanted?: (active: boolean[]) => void;
}

/**
 * Handle of a room's media scope (one worker-side Router per worker the room
 * uses). A room starts on one worker; when that worker is loaded, new
 * participants are placed on another one, and each producer is piped once to
 * every other worker that has a subscriber for it (mediasoup's pipeToRouter).
 * Closing it closes its transports (docs/lifecycle.md).
 */
export class MediaRouter {
  readonly transports = new Set<MediaTransport>();
  /** Worker → id of this room's Router there; the first entry is the home worker. */
  private readonly routerIds = new Map<MediaWorker, string>();
  private readonly producers = new Map<string, ProducerRecord>();
  /** Pipes being set up, so concurrent consumes of one producer share one pipe. */
  private readonly pending = new Map<string, Promise<void>>();
  closed = false;

  constructor(
    readonly id: string,
    readonly worker: MediaWorker,
    private readonly plane: MediaPlane,
  ) {
    this.routerIds.set(worker, id);
  }

  /** Indexes of the workers this room uses. */
  get workerIndexes(): number[] {
    return [...this.routerIds.keys()].map((w) => w.index);
  }

  async createTransport(onState: MediaTransport["onState"]): Promise<MediaTransport> {
    if (this.closed) throw new Error("router closed");
    const worker = this.plane.placeTransport(this.worker);
    // Counted at placement, so concurrent joins see each other and spread.
    worker.load++;
    const { id, ufrag, pwd } = this.plane.newTransportIds();
    let res: { fingerprint: { algorithm: string; value: string } };
    try {
      const routerId = await this.routerOn(worker);
      res = await worker.request("createWebRtcTransport", { routerId, transportId: id, iceUfrag: ufrag, icePwd: pwd });
    } catch (err) {
      worker.load--;
      throw err;
    }
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
          port: worker.udpPort,
        });
      if (o.enableTcp)
        candidates.push({
          foundation: `tcp${i}`,
          protocol: "tcp",
          priority: (126 << 24) | ((32767 - i) << 8) | 255,
          ip,
          port: worker.tcpPort,
        });
    });
    const t = new MediaTransport(id, ufrag, pwd, res.fingerprint, candidates, worker, this, onState, () => {
      this.transports.delete(t);
      this.plane.unwatchTransport(id);
      worker.load--;
      for (const [producerId, p] of this.producers) if (p.transport === t) void this.forgetProducer(producerId);
    });
    this.transports.add(t);
    this.plane.watchTransport(id, (state, reason) => t.stateChanged(state, reason));
    return t;
  }

  /** This room's Router on `worker`, created on first use. */
  private async routerOn(worker: MediaWorker): Promise<string> {
    const existing = this.routerIds.get(worker);
    if (existing !== undefined) return existing;
    const routerId = `${this.id}.${worker.index}`;
    this.routerIds.set(worker, routerId);
    try {
      await worker.request("createRouter", { routerId });
    } catch (err) {
      this.routerIds.delete(worker);
      throw err;
    }
    await this.spanWorkers();
    return routerId;
  }

  /**
   * Data channels of a room on several workers: each worker relays its participants' packets
   * locally and hands a copy (sender stamped) to the main thread, which delivers it to the
   * room's routers on the other workers, in order (one message channel per worker).
   */
  private async spanWorkers(): Promise<void> {
    const onDataOut = (e: { routerId: string; reliable: boolean; packet: Uint8Array }) => {
      for (const [w, rid] of this.routerIds) {
        if (rid === e.routerId) continue;
        w.request("deliverData", { routerId: rid, reliable: e.reliable, packet: e.packet }).catch(() => {});
      }
    };
    await Promise.all(
      [...this.routerIds].map(([w, routerId]) => {
        this.plane.dataListeners.set(routerId, onDataOut);
        return w.request("setRouterSpansWorkers", { routerId }).catch(() => {});
      }),
    );
  }

  /** @internal a producer now exists on `transport`'s worker. */
  registerProducer(producerId: string, record: Omit<ProducerRecord, "pipes" | "wanted" | "lastWanted">): void {
    const p: ProducerRecord = { ...record, pipes: new Map(), wanted: new Map(), lastWanted: null };
    this.producers.set(producerId, p);
    if (!p.layers || !p.onLayersWanted) return;
    this.plane.producerListeners.set(producerId, (workerIndex, active) => {
      p.wanted.set(workerIndex, active);
      const union = p.layers!.map((_, i) => [...p.wanted.values()].some((a) => a[i] === true));
      const last = p.lastWanted;
      if (last !== null && union.every((wanted, i) => wanted === last[i])) return;
      p.lastWanted = union;
      p.onLayersWanted!(union);
    });
  }

  /** @internal the producer closed: its pipes and their copies on other workers go too. */
  async forgetProducer(producerId: string): Promise<void> {
    const p = this.producers.get(producerId);
    if (!p) return;
    this.producers.delete(producerId);
    this.plane.producerListeners.delete(producerId);
    await Promise.all(
      [...p.pipes].map(([worker, pipeId]) =>
        Promise.all([
          p.worker.request("closePipeConsumer", { pipeId }).catch(() => {}),
          worker.request("closeProducer", { producerId }).catch(() => {}),
        ]),
      ),
    );
  }

  /** @internal makes `producerId` consumable on `worker`: a pipe from its home worker, once. */
  async ensureProducerOn(producerId: string, worker: MediaWorker): Promise<void> {
    const p = this.producers.get(producerId);
    if (!p || p.worker === worker || p.pipes.has(worker)) return;
    const key = `${producerId}@${worker.index}`;
    let setup = this.pending.get(key);
    if (!setup) {
      setup = this.pipe(producerId, p, worker).finally(() => this.pending.delete(key));
      this.pending.set(key, setup);
    }
    await setup;
  }

  private async pipe(producerId: string, p: ProducerRecord, worker: MediaWorker): Promise<void> {
    const routerId = await this.routerOn(worker);
    const pipeId = this.plane.newPipeId();
    await worker.request("pipeProduce", {
      routerId,
      producerId,
      pipeId,
      port: p.worker.pipePort,
      ...streamSpec(p),
    });
    try {
      await p.worker.request("pipeConsume", { producerId, pipeId, port: worker.pipePort });
    } catch (err) {
      await worker.request("closeProducer", { producerId }).catch(() => {});
      throw err;
    }
    if (this.producers.get(producerId) !== p) {
      // The producer closed while the pipe was being built.
      await Promise.all([
        p.worker.request("closePipeConsumer", { pipeId }).catch(() => {}),
        worker.request("closeProducer", { producerId }).catch(() => {}),
      ]);
      return;
    }
    p.pipes.set(worker, pipeId);
  }

  /** Dynacast: the simulcast layers of a producer anyone needs, as last reported (null: none yet). */
  layersWanted(producerId: string): boolean[] | null {
    return this.producers.get(producerId)?.lastWanted ?? null;
  }

  /** @internal the worker hosting a producer's original, for requests addressed to it (pause). */
  producerWorker(producerId: string): MediaWorker | undefined {
    return this.producers.get(producerId)?.worker;
  }

  /** Bandwidth allocation priority of a producer's video on every worker of the room (the dominant speaker's camera). */
  async setProducerPriority(producerId: string, priority: "speaker" | "normal"): Promise<void> {
    await Promise.all([...this.routerIds.keys()].map((w) => w.request("setProducerPriority", { producerId, priority }).catch(() => {})));
  }

  /** Closes the router and, in cascade, its transports. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of [...this.transports]) t.markClosed();
    this.producers.clear();
    for (const routerId of this.routerIds.values()) this.plane.dataListeners.delete(routerId);
    await Promise.all([...this.routerIds].map(([w, routerId]) => w.request("closeRouter", { routerId }).catch(() => {})));
  }
}

function streamSpec(p: ProducerStreamSpec): ProducerStreamSpec {
  return { kind: p.kind, mid: p.mid, ssrc: p.ssrc, codec: p.codec, extensions: p.extensions, layers: p.layers };
}
