import type { MainToWorker, MediaNotifications, MediaRequests, WorkerInit, WorkerToMain } from "../media-channel/messages.js";
import { type DtlsCertificate, fingerprintOf } from "./dtls/dtls-session.js";
import { isStun, parseStun, STUN_BINDING_REQUEST } from "./ice/stun.js";
import { PipeEndpoint, pipeHeader } from "./net/pipe-endpoint.js";
import { TcpEndpoint } from "./net/tcp-endpoint.js";
import type { Tuple } from "./net/tuple.js";
import { UdpEndpoint } from "./net/udp-endpoint.js";
import { newDataChannelStats } from "./sctp/data-limits.js";
import { DataRelay } from "./sctp/data-relay.js";
import { ActivityReporter } from "./sfu/activity-reporter.js";
import { AudioLevel } from "./sfu/audio-level.js";
import { Consumer } from "./sfu/consumer.js";
import { OverloadGuard } from "./sfu/overload-guard.js";
import { PipeConsumer } from "./sfu/pipe-consumer.js";
import { Producer } from "./sfu/producer.js";
import { Router } from "./sfu/router.js";
import { type ThreadLoad, ThreadLoadSampler } from "./sfu/thread-load.js";
import { WebRtcTransport } from "./sfu/webrtc-transport.js";
import { newWorkerCounters } from "./sfu/worker-counters.js";
import { loadNativeBinding } from "./srtp/native-binding.js";

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
  /** Producers of this worker's transports, and pipe producers (transport null) fed by another worker. */
  private readonly producers = new Map<string, { producer: Producer; transport: WebRtcTransport | null; router: Router }>();
  private readonly pipeProducers = new Map<number, Producer>();
  private readonly pipeConsumers = new Map<number, PipeConsumer>();
  private pipe: PipeEndpoint | null = null;
  /** Producers of the rooms' dominant speakers (their video is allocated bandwidth first, after screen shares). */
  private readonly speakerProducers = new Set<string>();
  /** Dynacast: the last layer set reported per simulcast producer ("101" = layers 0 and 2). */
  private readonly layersWanted = new Map<string, string>();
  private readonly consumers = new Map<string, Consumer>();
  private readonly counters = newWorkerCounters();
  private readonly dataStats = newDataChannelStats();
  /** Data packets go from a participant's transport to the others of its router, in this thread. */
  private readonly dataRelay = new DataRelay(this.dataStats);
  private udp: UdpEndpoint | null = null;
  private tcp: TcpEndpoint | null = null;
  private timer: NodeJS.Timeout | null = null;
  private guardTimer: NodeJS.Timeout | null = null;
  private feedbackTimer: NodeJS.Timeout | null = null;
  private readonly guard = new OverloadGuard();
  private readonly load = new ThreadLoadSampler();
  private lastLoad: ThreadLoad = { utilisation: 0, cpu: null };
  /** Audio levels are reported every ~500 ms (active speaker), quality with the 1 s tick. */
  private levelTimer: NodeJS.Timeout | null = null;
  private readonly activity = new ActivityReporter((event, data) => this.notify(event, data));
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
    core.pipe = await PipeEndpoint.bind((pipeId, layer, body) => core.handlePipeFrame(pipeId, layer, body));
    core.timer = setInterval(() => core.tick(), 1000);
    core.guardTimer = setInterval(() => core.sampleLoad(), 250);
    core.feedbackTimer = setInterval(() => {
      for (const t of core.transports.values()) t.sendTransportFeedback();
    }, 50);
    core.levelTimer = setInterval(() => core.activity.reportAudioLevels(core.transports.values()), 500);
    core.notify("ready", { udpPort: core.udp?.port ?? 0, tcpPort: core.tcp?.port ?? 0, pipePort: core.pipe.port });
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

  // ---------- pipes between workers ----------

  private handlePipeFrame(pipeId: number, layer: number, body: Buffer): void {
    const b0 = body[0]!;
    if (b0 >= 128 && b0 <= 191) {
      // Downstream media: the packet is ours to keep (cached by reference), like a decrypted one.
      if (body.length >= 12) this.pipeProducers.get(pipeId)?.layer(layer)?.receiveRtp(body, performance.now());
      return;
    }
    if (b0 === PipeEndpoint.KEYFRAME_REQUEST) this.pipeConsumers.get(pipeId)?.producer.requestKeyFrame(performance.now(), layer);
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
        for (const [id, e] of this.producers) if (e.router === r && e.transport === null) this.closePipeProducer(id, e.producer);
      }
      return {};
    },
    setRouterSpansWorkers: ({ routerId }) => {
      const r = this.routers.get(routerId);
      if (!r) throw new RequestError("NOT_FOUND", `router ${routerId} not found`);
      r.toOtherWorkers = (packet, reliable) => this.notify("dataOut", { routerId, reliable, packet: new Uint8Array(packet) });
      return {};
    },
    deliverData: ({ routerId, reliable, packet }) => {
      const r = this.routers.get(routerId);
      if (!r) throw new RequestError("NOT_FOUND", `router ${routerId} not found`);
      const buf = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
      return { delivered: this.dataRelay.deliverFromWorker(buf, reliable, r.transports.values()) };
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
        dataStats: this.dataStats,
        onDataPacket: (from, packet, reliable) =>
          this.dataRelay.relay(from, packet, reliable, router.transports.values(), router.toOtherWorkers),
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
      if (r.ssrc !== 0 && t.producerBySsrc(r.ssrc)) throw new RequestError("EXISTS", `ssrc ${r.ssrc} already produced`);
      const p = t.produce(r.producerId, r.kind, r.mid, r.ssrc, r.rtxSsrc, r.codec, r.extensions, r.layers);
      if (r.kind === "audio" && r.extensions.audioLevel !== 0) p.audioLevel = new AudioLevel(r.extensions.audioLevel);
      this.producers.set(r.producerId, { producer: p, transport: t, router: this.transportRouter.get(t.id)! });
      return {};
    },
    closeProducer: ({ producerId }) => {
      const entry = this.producers.get(producerId);
      if (entry) {
        this.producers.delete(producerId);
        for (const c of entry.producer.consumers) this.consumers.delete(c.id);
        if (entry.transport === null) this.closePipeProducer(producerId, entry.producer);
        else {
          entry.producer.close();
          entry.transport.removeProducer(entry.producer);
        }
      }
      return {};
    },
    consume: (r) => {
      const t = this.transport(r.transportId);
      const entry = this.producers.get(r.producerId);
      if (!entry) throw new RequestError("NOT_FOUND", `producer ${r.producerId} not found`);
      if (entry.router !== this.transportRouter.get(t.id)) {
        throw new RequestError("WRONG_ROUTER", "producer and consumer are in different routers");
      }
      if (this.consumers.has(r.consumerId)) throw new RequestError("EXISTS", "consumer exists");
      const c = t.consume(r.consumerId, entry.producer, r.mid, r.cname, r.ssrc, r.rtxSsrc, r.codec, r.extensions);
      if (r.priority) c.priority = r.priority;
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
    connectPipes: ({ ports }) => {
      for (const port of ports) this.pipe!.allowPeer(port);
      return {};
    },
    pipeConsume: ({ producerId, pipeId, port }) => {
      const entry = this.producers.get(producerId);
      if (!entry) throw new RequestError("NOT_FOUND", `producer ${producerId} not found`);
      if (this.pipeConsumers.has(pipeId)) throw new RequestError("EXISTS", `pipe ${pipeId} exists`);
      const c = new PipeConsumer(`pipe-${pipeId}`, pipeId, entry.producer, this.pipe!, port, (closed) =>
        this.pipeConsumers.delete(closed.pipeId),
      );
      this.pipeConsumers.set(pipeId, c);
      entry.producer.addConsumer(c);
      entry.producer.requestKeyFrame(performance.now());
      return {};
    },
    closePipeConsumer: ({ pipeId }) => {
      this.pipeConsumers.get(pipeId)?.close();
      return {};
    },
    pipeProduce: (r) => {
      const router = this.routers.get(r.routerId);
      if (!router) throw new RequestError("NOT_FOUND", `router ${r.routerId} not found`);
      if (this.producers.has(r.producerId) || this.pipeProducers.has(r.pipeId)) throw new RequestError("EXISTS", "producer exists");
      const pipe = this.pipe!;
      const keyframeRequest = Buffer.from([PipeEndpoint.KEYFRAME_REQUEST]);
      // Loopback does not lose packets below saturation, so only keyframe requests travel back.
      const sinkFor = (layer: number) => {
        const header = pipeHeader(r.pipeId, layer);
        return {
          sendRtcpToPublisher: (kind: "pli" | "nack" | "rr") => {
            if (kind === "pli") pipe.send(header, keyframeRequest, r.port);
          },
        };
      };
      const p = new Producer(r.producerId, r.kind, r.mid, r.ssrc, null, r.codec, r.extensions, sinkFor(0));
      if (r.layers) for (const [i, l] of r.layers.entries()) p.addLayer(l.rid, l.width, l.height, sinkFor(i));
      this.producers.set(r.producerId, { producer: p, transport: null, router });
      this.pipeProducers.set(r.pipeId, p);
      return {};
    },
    setProducerPriority: ({ producerId, priority }) => {
      if (priority === "speaker") this.speakerProducers.add(producerId);
      else this.speakerProducers.delete(producerId);
      return {};
    },
    setConsumerPreferences: ({ consumerId, width, height, disabled }) => {
      const c = this.consumers.get(consumerId);
      if (!c) throw new RequestError("NOT_FOUND", `consumer ${consumerId} not found`);
      c.setPreferences(width, height, disabled, performance.now());
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
    setDataParticipant: ({ transportId, identity, canPublishData }) => {
      this.transport(transportId).setDataParticipant({ identity, canPublishData });
      return {};
    },
    getWorkerStats: () => {
      let rtpForwarded = this.counters.rtpForwardedByClosed;
      for (const c of this.consumers.values()) if (!c.closed) rtpForwarded += c.packetsSent;
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
        utilisation: this.lastLoad.utilisation,
        cpu: this.lastLoad.cpu,
        cpuStarvedSamples: this.guard.starvedSamples,
        videoStreamsShed: this.guard.shedCount,
        videoStreamsShedTotal: this.guard.totalShed,
        nativeAccelerator: loadNativeBinding() !== null,
        udpKernelTimestamps: this.udp?.kernelTimestamps ?? false,
        udpBatch: this.udp ? { ...this.udp.batch.stats, native: this.udp.batch.native } : null,
        keyframeRequestsSent,
        data: { ...this.dataStats },
      };
    },
  };

  private closePipeProducer(producerId: string, p: Producer): void {
    this.producers.delete(producerId);
    for (const [pipeId, q] of this.pipeProducers) if (q === p) this.pipeProducers.delete(pipeId);
    for (const c of p.consumers) this.consumers.delete(c.id);
    p.close();
  }

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

  /** This worker's load since the last sample; the overload guard sheds or restores video. */
  private sampleLoad(): void {
    const load = this.load.sample();
    this.lastLoad = load;
    const before = this.guard.shedCount;
    const now = performance.now();
    this.guard.sample(load, this.consumers.values(), now);
    this.updateLayers(now);
    const after = this.guard.shedCount;
    if (before === 0 && after > 0) {
      this.notify("log", {
        level: "warn",
        msg: "media worker overloaded: shedding video to the slowest subscribers",
        data: {
          worker: this.init.workerIndex,
          utilisation: Number(load.utilisation.toFixed(3)),
          cpu: load.cpu === null ? null : Number(load.cpu.toFixed(3)),
          videoStreamsShed: after,
        },
      });
    } else if (before > 0 && after === 0) {
      this.notify("log", {
        level: "info",
        msg: "media worker recovered: every video stream forwarded again",
        data: { worker: this.init.workerIndex, videoStreamsShedTotal: this.guard.totalShed },
      });
    }
  }

  /** Simulcast: every consumer re-chooses its layer; dynacast tells the main thread which layers anyone needs. */
  private updateLayers(now: number): void {
    for (const t of this.transports.values()) t.bandwidth?.allocate(now, this.speakerProducers);
    for (const c of this.consumers.values()) if (c.forwarder !== null && !c.closed) c.updateLayer(now);
    for (const [producerId, e] of this.producers) {
      const p = e.producer;
      if (p.layers.length === 0) continue;
      // The lowest layer always stays on: a new subscriber starts at once, and nothing can deadlock on "nobody wants what is not live".
      const active = p.layers.map((_, i) => i === 0);
      for (const c of p.consumers) {
        if (!(c instanceof Consumer) || c.forwarder === null) continue;
        // The layer it would like, the one its bandwidth allows, and the ones it forwards or is switching to.
        const granted = Math.min(c.desiredLayer, c.bandwidthLayer);
        for (const l of [c.desiredLayer, granted, c.forwarder.currentLayer, c.forwarder.targetLayer])
          if (l >= 0 && l < active.length) active[l] = true;
      }
      const key = active.map((a) => (a ? "1" : "0")).join("");
      if (this.layersWanted.get(producerId) === key) continue;
      this.layersWanted.set(producerId, key);
      this.notify("layersWanted", { producerId, active });
    }
  }

  private tick(): void {
    const now = performance.now();
    for (const t of this.transports.values()) t.tick(now);
    this.activity.reportConnectionQuality(this.transports.values(), now);
    for (const [id, c] of this.consumers) if (c.closed) this.consumers.delete(id);
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.guardTimer) clearInterval(this.guardTimer);
    if (this.feedbackTimer) clearInterval(this.feedbackTimer);
    if (this.levelTimer) clearInterval(this.levelTimer);
    for (const r of this.routers.values()) r.close();
    this.routers.clear();
    this.udp?.close();
    this.tcp?.close();
    this.pipe?.close();
  }
}
