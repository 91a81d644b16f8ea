import type { MainToWorker, MediaNotifications, MediaRequests, WorkerInit, WorkerToMain } from "../media-channel/messages.js";
import { type DtlsCertificate, fingerprintOf } from "./dtls/dtls-session.js";
import { isStun, parseStun, STUN_BINDING_REQUEST } from "./ice/stun.js";
import { TcpEndpoint } from "./net/tcp-endpoint.js";
import type { Tuple } from "./net/tuple.js";
import { UdpEndpoint } from "./net/udp-endpoint.js";
import type { Consumer } from "./sfu/consumer.js";
import type { Producer } from "./sfu/producer.js";
import { Router } from "./sfu/router.js";
import { WebRtcTransport } from "./sfu/webrtc-transport.js";
import { newWorkerCounters } from "./sfu/worker-counters.js";

class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Handlers = { [K in keyof MediaRequests]: (req: MediaRequests[K]["req"]) => MediaRequests[K]["res"] };

/**
 * Everything one media worker thread runs: its shared UDP socket and ICE-TCP
 * listener, the routers/transports/producers/consumers on it, and the request
 * handlers of the main thread's typed channel.
 */
export class WorkerCore {
  private readonly routers = new Map<string, Router>();
  private readonly transports = new Map<string, WebRtcTransport>();
  private readonly transportRouter = new Map<string, Router>();
  private readonly byUfrag = new Map<string, WebRtcTransport>();
  private readonly producers = new Map<string, { producer: Producer; transport: WebRtcTransport }>();
  private readonly consumers = new Map<string, Consumer>();
  private readonly counters = newWorkerCounters();
  private udp: UdpEndpoint | null = null;
  private tcp: TcpEndpoint | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Keyframe requests of transports already closed, so the counter never goes down. */
  private closedKeyframeRequests = 0;

  private constructor(
    private readonly init: WorkerInit,
    private readonly certificate: DtlsCertificate,
    private readonly post: (m: WorkerToMain) => void,
  ) {}

  static async start(init: WorkerInit, certificate: DtlsCertificate, post: (m: WorkerToMain) => void): Promise<WorkerCore> {
    const core = new WorkerCore(init, certificate, post);
    const onUnowned = (buf: Buffer, tuple: Tuple) => core.handleUnowned(buf, tuple);
    if (init.enableUdp) core.udp = await UdpEndpoint.bind(init.bindAddress, init.udpPort, onUnowned);
    if (init.enableTcp) {
      core.tcp = await TcpEndpoint.listen(init.bindAddress, init.tcpPort, onUnowned, () => core.counters.droppedGarbage++);
    }
    core.timer = setInterval(() => core.tick(), 1000);
    core.notify("ready", { udpPort: core.udp?.port ?? 0, tcpPort: core.tcp?.port ?? 0 });
    return core;
  }

  private notify<K extends keyof MediaNotifications>(event: K, data: MediaNotifications[K]): void {
    this.post({ kind: "notification", event, data } as WorkerToMain);
  }

  handleMessage(msg: MainToWorker): void {
    if (msg.kind === "shutdown") {
      this.shutdown();
      return;
    }
    const handler = (this.handlers as Record<string, (d: unknown) => unknown>)[msg.method];
    try {
      if (!handler) throw new RequestError("UNKNOWN_METHOD", `unknown method ${msg.method}`);
      this.post({ kind: "response", id: msg.id, ok: true, data: handler(msg.data) });
    } catch (err) {
      const code = err instanceof RequestError ? err.code : "INTERNAL";
      this.post({ kind: "response", id: msg.id, ok: false, error: { code, message: (err as Error).message } });
    }
  }

  // ---------- packets from remotes no transport owns yet ----------

  private handleUnowned(buf: Buffer, tuple: Tuple): void {
    if (!isStun(buf, buf.length)) {
      this.counters.droppedUnknownTuple++;
      return;
    }
    this.handleStun(buf, tuple, null);
  }

  private handleStun(buf: Buffer, tuple: Tuple, owner: WebRtcTransport | null): void {
    const msg = parseStun(buf, buf.length);
    if (!msg) {
      this.counters.droppedGarbage++;
      return;
    }
    if (msg.type !== STUN_BINDING_REQUEST) return; // indications (keepalives) and responses need no answer
    this.counters.stunRequests++;
    const ufrag = (msg.username ?? "").split(":")[0] ?? "";
    const transport = this.byUfrag.get(ufrag);
    if (!transport || (owner !== null && owner !== transport)) {
      this.counters.stunRejected++;
      return;
    }
    transport.handleStun(buf, msg, tuple, performance.now());
  }

  // ---------- requests ----------

  private readonly handlers: Handlers = {
    createRouter: ({ routerId }) => {
      if (this.routers.has(routerId)) throw new RequestError("EXISTS", `router ${routerId} exists`);
      this.routers.set(routerId, new Router(routerId));
      return {};
    },
    closeRouter: ({ routerId }) => {
      const r = this.routers.get(routerId);
      if (r) {
        this.routers.delete(routerId);
        r.close();
      }
      return {};
    },
    createWebRtcTransport: ({ routerId, transportId, iceUfrag, icePwd }) => {
      const router = this.routers.get(routerId);
      if (!router) throw new RequestError("NOT_FOUND", `router ${routerId} not found`);
      if (this.transports.has(transportId) || this.byUfrag.has(iceUfrag)) throw new RequestError("EXISTS", "transport exists");
      const t = new WebRtcTransport({
        id: transportId,
        iceUfrag,
        icePwd,
        certificate: this.certificate,
        srtpProfiles: this.init.srtpProfiles,
        consentTimeoutMs: this.init.consentTimeoutS * 1000,
        counters: this.counters,
        onStateChange: (tr, state, reason) => this.notify("transportState", { transportId: tr.id, state, ...(reason ? { reason } : {}) }),
        onClose: (tr) => this.forgetTransport(tr),
        onStunFromOwnedTuple: (buf, tuple, tr) => this.handleStun(buf, tuple, tr),
      });
      this.transports.set(transportId, t);
      this.transportRouter.set(transportId, router);
      this.byUfrag.set(iceUfrag, t);
      router.transports.set(transportId, t);
      return { fingerprint: { algorithm: "sha-256", value: fingerprintOf(this.certificate.der) } };
    },
    setRemoteParameters: ({ transportId, remoteIceUfrag, fingerprints }) => {
      this.transport(transportId).setRemoteParameters(remoteIceUfrag, fingerprints);
      return {};
    },
    restartIce: ({ transportId, iceUfrag, icePwd, remoteIceUfrag }) => {
      const t = this.transport(transportId);
      if (this.byUfrag.has(iceUfrag)) throw new RequestError("EXISTS", "ICE ufrag in use");
      this.byUfrag.delete(t.iceUfrag);
      t.restartIce(iceUfrag, icePwd, remoteIceUfrag);
      this.byUfrag.set(iceUfrag, t);
      return {};
    },
    closeTransport: ({ transportId }) => {
      this.transports.get(transportId)?.close();
      return {};
    },
    produce: (r) => {
      const t = this.transport(r.transportId);
      if (this.producers.has(r.producerId)) throw new RequestError("EXISTS", "producer exists");
      if (t.producerBySsrc(r.ssrc)) throw new RequestError("EXISTS", `ssrc ${r.ssrc} already produced`);
      const p = t.produce(r.producerId, r.kind, r.mid, r.ssrc, r.rtxSsrc, r.codec, r.extensions);
      this.producers.set(r.producerId, { producer: p, transport: t });
      return {};
    },
    closeProducer: ({ producerId }) => {
      const entry = this.producers.get(producerId);
      if (entry) {
        this.producers.delete(producerId);
        for (const c of entry.producer.consumers) this.consumers.delete(c.id);
        entry.producer.close();
        entry.transport.removeProducer(entry.producer);
      }
      return {};
    },
    consume: (r) => {
      const t = this.transport(r.transportId);
      const entry = this.producers.get(r.producerId);
      if (!entry) throw new RequestError("NOT_FOUND", `producer ${r.producerId} not found`);
      if (this.transportRouter.get(entry.transport.id) !== this.transportRouter.get(t.id)) {
        throw new RequestError("WRONG_ROUTER", "producer and consumer are in different routers");
      }
      if (this.consumers.has(r.consumerId)) throw new RequestError("EXISTS", "consumer exists");
      const c = t.consume(r.consumerId, entry.producer, r.mid, r.cname, r.ssrc, r.rtxSsrc, r.codec, r.extensions);
      this.consumers.set(r.consumerId, c);
      return {};
    },
    closeConsumer: ({ consumerId }) => {
      const c = this.consumers.get(consumerId);
      if (c) {
        this.consumers.delete(consumerId);
        c.close();
      }
      return {};
    },
    pauseProducer: ({ producerId, paused }) => {
      const entry = this.producers.get(producerId);
      if (!entry) throw new RequestError("NOT_FOUND", `producer ${producerId} not found`);
      entry.producer.paused = paused;
      if (!paused) entry.producer.requestKeyFrame(performance.now());
      return {};
    },
    requestKeyFrame: ({ producerId }) => {
      this.producers.get(producerId)?.producer.requestKeyFrame(performance.now());
      return {};
    },
    getTransportStats: ({ transportId }) => this.transport(transportId).stats(),
    getWorkerStats: () => {
      let rtpForwarded = 0;
      for (const c of this.consumers.values()) rtpForwarded += c.packetsSent;
      let keyframeRequestsSent = this.closedKeyframeRequests;
      for (const t of this.transports.values()) keyframeRequestsSent += t.rtcp.keyframeRequestsSent;
      return {
        routers: this.routers.size,
        transports: this.transports.size,
        producers: this.producers.size,
        consumers: this.consumers.size,
        droppedGarbage: this.counters.droppedGarbage,
        droppedUnknownTuple: this.counters.droppedUnknownTuple + this.counters.droppedUnknownSsrc,
        droppedSrtp: this.counters.droppedSrtp,
        stunRequests: this.counters.stunRequests,
        stunRejected: this.counters.stunRejected,
        rtpForwarded,
        keyframeRequestsSent,
      };
    },
  };

  private transport(id: string): WebRtcTransport {
    const t = this.transports.get(id);
    if (!t) throw new RequestError("NOT_FOUND", `transport ${id} not found`);
    return t;
  }

  private forgetTransport(t: WebRtcTransport): void {
    this.closedKeyframeRequests += t.rtcp.keyframeRequestsSent;
    this.transports.delete(t.id);
    if (this.byUfrag.get(t.iceUfrag) === t) this.byUfrag.delete(t.iceUfrag);
    this.transportRouter.get(t.id)?.transports.delete(t.id);
    this.transportRouter.delete(t.id);
    for (const [id, e] of this.producers) if (e.transport === t) this.producers.delete(id);
    for (const [id, c] of this.consumers) if (c.closed) this.consumers.delete(id);
  }

  private tick(): void {
    const now = performance.now();
    for (const t of this.transports.values()) t.tick(now);
    for (const [id, c] of this.consumers) if (c.closed) this.consumers.delete(id);
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    for (const r of this.routers.values()) r.close();
    this.routers.clear();
    this.udp?.close();
    this.tcp?.close();
  }
}
