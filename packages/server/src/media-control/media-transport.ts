import type {
  CodecParameters,
  DataParticipant,
  ExtensionIdMap,
  ProducerStreamSpec,
  TransportState,
  TransportStats,
} from "../media-channel/messages.js";
import type { IceCandidate } from "../sdp/answer.js";
import { newIceCredentials } from "../shared/ids.js";
import type { MediaRouter } from "./media-router.js";
import type { MediaWorker } from "./media-worker.js";

/** Handle of one participant's WebRtcTransport in a worker. */
export class MediaTransport {
  closed = false;
  state: TransportState = "new";

  constructor(
    readonly id: string,
    public iceUfrag: string,
    public icePwd: string,
    readonly fingerprint: { algorithm: string; value: string },
    readonly candidates: IceCandidate[],
    private readonly worker: MediaWorker,
    private readonly router: MediaRouter,
    readonly onState: (state: TransportState, reason?: string) => void,
    private readonly onClosed: () => void,
  ) {}

  /** @internal from the worker's notifications */
  stateChanged(state: TransportState, reason?: string): void {
    if (this.closed) return;
    this.state = state;
    if (state === "closed" || state === "failed") this.markClosed();
    this.onState(state, reason);
  }

  /** ICE restart: our credentials change (they are in the next answer), the client's ufrag too. */
  async restartIce(remoteIceUfrag: string): Promise<void> {
    const { ufrag, pwd } = newIceCredentials();
    await this.worker.request("restartIce", { transportId: this.id, iceUfrag: ufrag, icePwd: pwd, remoteIceUfrag });
    this.iceUfrag = ufrag;
    this.icePwd = pwd;
  }

  setRemoteParameters(remoteIceUfrag: string, fingerprints: { algorithm: string; value: string }[]): Promise<unknown> {
    return this.worker.request("setRemoteParameters", { transportId: this.id, remoteIceUfrag, fingerprints });
  }

  async produce(
    p: ProducerStreamSpec & {
      producerId: string;
      rtxSsrc: number | null;
      /** Dynacast: which simulcast layers anyone watches (lowest first), whenever that changes. */
      onLayersWanted?: (active: boolean[]) => void;
    },
  ): Promise<unknown> {
    const { onLayersWanted, ...request } = p;
    await this.worker.request("produce", { transportId: this.id, ...request });
    const { producerId, rtxSsrc: _rtx, ...record } = request;
    if (onLayersWanted) Object.assign(record, { onLayersWanted });
    this.router.registerProducer(producerId, { ...record, worker: this.worker, transport: this });
    return {};
  }

  async closeProducer(producerId: string): Promise<unknown> {
    await this.router.forgetProducer(producerId);
    return this.worker.request("closeProducer", { producerId }).catch(() => {});
  }

  async consume(p: {
    consumerId: string;
    producerId: string;
    mid: string;
    cname: string;
    priority?: "screen" | "speaker" | "normal";
    ssrc: number;
    rtxSsrc: number | null;
    codec: CodecParameters;
    extensions: ExtensionIdMap;
  }): Promise<unknown> {
    // A producer of another worker reaches this one through a pipe (set up once per producer and worker).
    await this.router.ensureProducerOn(p.producerId, this.worker);
    return this.worker.request("consume", { transportId: this.id, ...p });
  }

  /** Adaptive stream: the size the subscriber renders a consumer at; the worker picks the simulcast layer. */
  setConsumerPreferences(consumerId: string, width: number, height: number, disabled: boolean): Promise<unknown> {
    return this.worker.request("setConsumerPreferences", { consumerId, width, height, disabled });
  }

  closeConsumer(consumerId: string): Promise<unknown> {
    return this.worker.request("closeConsumer", { consumerId }).catch(() => {});
  }

  /** Stops (or resumes) forwarding a producer to its consumers; resuming asks the publisher for a keyframe. */
  pauseProducer(producerId: string, paused: boolean): Promise<unknown> {
    return this.worker.request("pauseProducer", { producerId, paused });
  }

  requestKeyFrame(producerId: string): Promise<unknown> {
    return this.worker.request("requestKeyFrame", { producerId }).catch(() => {});
  }

  /** Who owns this transport, for its data channels: the worker stamps this identity on relayed data. */
  setDataParticipant(p: DataParticipant): Promise<unknown> {
    return this.worker.request("setDataParticipant", { transportId: this.id, ...p }).catch(() => {});
  }

  stats(): Promise<TransportStats> {
    return this.worker.request("getTransportStats", { transportId: this.id });
  }

  /** @internal the router closed: the worker closes the transport itself. */
  markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.state = "closed";
    this.onClosed();
  }

  /** Closes the transport (and, in the worker, its producers and consumers). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.markClosed();
    await this.worker.request("closeTransport", { transportId: this.id }).catch(() => {});
  }
}
