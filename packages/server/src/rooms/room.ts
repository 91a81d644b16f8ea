import type { ClientMessageOf, ParticipantPermissions } from "@relais/protocol";
import { type DisconnectReason, PROTOCOL_VERSION, type RoomInfo, type ServerMessage } from "@relais/protocol";
import type { MediaPlane } from "../media-control/media-plane.js";
import type { MediaRouter } from "../media-control/media-router.js";
import type { CodecPolicy } from "../sdp/codecs.js";
import { newSid } from "../shared/ids.js";
import { RelaisError } from "../shared/relais-error.js";
import type { TypedEmitter } from "../shared/typed-emitter.js";
import {
  layersWantedUpdate,
  type NegotiationContext,
  type NegotiationResult,
  negotiateOffer,
  releaseSubscription,
  unpublish,
} from "./negotiate-offer.js";
import type { Participant } from "./participant.js";
import { RoomActivity } from "./room-activity.js";
import type { RoomEventMap } from "./room-events.js";
import { type SignalSink, type Subscription, type TrackPublication, trackInfo } from "./types.js";

export interface RoomOptions {
  name: string;
  maxParticipants: number;
  emptyTimeoutS: number;
  resumeWindowS: number;
  policy: CodecPolicy;
  media: MediaPlane;
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  onEmptyTimeout: (room: Room) => void;
  events: TypedEmitter<RoomEventMap>;
  metadata?: string;
  log: (level: "info" | "warn", msg: string, data?: Record<string, unknown>) => void;
}

/**
 * A room (LiveKit's noun; a Router in the media plane): its participants, their
 * publications and subscriptions, and the announcements between them.
 */
export class Room {
  readonly sid = newSid("RM");
  readonly createdAt = Date.now();
  readonly participants = new Map<string, Participant>();
  private router: Promise<MediaRouter> | null = null;
  /** The resolved router, to tell which media worker carries this room. */
  private routerHandle: MediaRouter | null = null;
  private emptyTimer: NodeJS.Timeout | null = null;
  closed = false;
  metadata: string;
  private readonly ctx: NegotiationContext;
  /** Active speakers and connection qualities (speakersChanged, connectionQualityChanged). */
  private readonly activity = new RoomActivity({
    broadcast: (msg) => this.broadcast(msg),
    onDominantSpeaker: (sid) => this.prioritiseSpeaker(sid),
  });
  /** Camera producer of the dominant speaker, whose video subscribers' bandwidth allocation favours. */
  private speakerProducer: string | null = null;

  constructor(private readonly o: RoomOptions) {
    this.metadata = o.metadata ?? "";
    this.ctx = {
      policy: o.policy,
      findPublication: (trackSid) => {
        for (const owner of this.participants.values()) {
          const publication = owner.publications.get(trackSid);
          if (publication) return { publication, owner };
        }
        return undefined;
      },
      published: (p, pub) => {
        this.broadcast({ type: "trackPublished", participantSid: p.sid, track: trackInfo(pub) }, p);
        this.o.events.safeEmit("trackPublished", this.info(), p.info(), trackInfo(pub));
      },
      unpublished: (p, pub) => this.trackGone(p, pub),
    };
    // A room nobody joins (e.g. created through the API) closes after the empty timeout too.
    this.scheduleEmptyTimeout();
  }

  get name(): string {
    return this.o.name;
  }

  info(): RoomInfo {
    return { sid: this.sid, name: this.o.name, createdAt: this.createdAt };
  }

  private getRouter(): Promise<MediaRouter> {
    if (!this.router) {
      this.router = this.o.media.createRouter();
      this.router.then(
        (r) => {
          this.routerHandle = r;
        },
        () => {
          this.router = null;
        },
      );
    }
    return this.router;
  }

  /** Indexes of the media workers this room's media runs on (a large room spans several). */
  get mediaWorkerIndexes(): number[] {
    return this.routerHandle?.workerIndexes ?? [];
  }

  byIdentity(identity: string): Participant | undefined {
    for (const p of this.participants.values()) if (p.identity === identity && p.state !== "left") return p;
    return undefined;
  }

  /** Adds a participant with a fresh media transport and sends it `joined`. */
  async join(p: Participant, sink: SignalSink, requestId: number): Promise<void> {
    if (this.closed) throw new RelaisError("ROOM_NOT_FOUND");
    const previous = this.byIdentity(p.identity);
    if (previous) await this.remove(previous, "duplicate_identity");
    if (this.participants.size >= this.o.maxParticipants) throw new RelaisError("ROOM_FULL");
    this.cancelEmptyTimer();
    this.participants.set(p.sid, p);
    try {
      const router = await this.getRouter();
      p.transport = await router.createTransport((state, reason) => {
        if (state === "failed" || (state === "closed" && p.state !== "left")) {
          this.o.log("info", "participant transport ended", { room: this.name, participant: p.sid, state, reason });
          void this.remove(p, "transport_failure");
        }
      });
    } catch (err) {
      this.participants.delete(p.sid);
      if (this.participants.size === 0) this.scheduleEmptyTimeout();
      this.o.log("warn", "cannot create a media transport", { room: this.name, error: (err as Error).message });
      throw new RelaisError("MEDIA_UNAVAILABLE");
    }
    this.o.media.activity.watch(p.transport.id, this.activity.listenerFor(p));
    // Data channels: the worker stamps this identity on what the participant sends (docs/data-channels.md).
    await p.transport.setDataParticipant({ identity: p.identity, canPublishData: p.grants.publishData });
    p.sink = sink;
    p.state = "active";
    this.sendJoined(p, requestId, false);
    this.broadcast({ type: "participantJoined", participant: p.info() }, p);
    this.o.events.safeEmit("participantJoined", this.info(), p.info());
  }

  private sendJoined(p: Participant, requestId: number, resumed: boolean): void {
    p.send({
      type: "joined",
      requestId,
      protocol: PROTOCOL_VERSION,
      room: this.info(),
      participant: p.info(),
      participants: [...this.participants.values()].filter((o) => o !== p && o.state !== "left").map((o) => o.info()),
      resumeKey: p.resumeKey,
      resumed,
      iceServers: this.o.iceServers,
      resumeWindowS: this.o.resumeWindowS,
    });
    for (const msg of this.activity.currentState(this.participants.values())) p.send(msg);
    if (resumed) this.resendLayerActivity(p);
  }

  /** Dynacast state may have changed while the socket was down: the publisher gets the current one again. */
  private resendLayerActivity(p: Participant): void {
    const router = this.routerHandle;
    if (!router) return;
    for (const pub of p.publications.values()) {
      const active = pub.layers ? router.layersWanted(pub.producerId) : null;
      if (pub.layers && active) p.send(layersWantedUpdate(pub.sid, pub.layers, active));
    }
  }

  /** Reattaches a participant whose signaling dropped (its media kept flowing). */
  resume(participantSid: string, resumeKey: string, identity: string | null, sink: SignalSink, requestId: number): Participant {
    const p = this.participants.get(participantSid);
    if (!p || p.state === "left" || p.resumeKey !== resumeKey || (identity !== null && p.identity !== identity)) {
      throw new RelaisError("RESUME_FAILED");
    }
    if (p.resumeTimer) clearTimeout(p.resumeTimer);
    p.resumeTimer = null;
    p.sink?.close("replaced");
    p.sink = sink;
    p.state = "active";
    this.sendJoined(p, requestId, true);
    return p;
  }

  /** The participant's signaling socket closed without `leave`: keep it for the resume window. */
  signalLost(p: Participant, sink: SignalSink): void {
    if (p.sink !== sink || p.state === "left") return;
    p.sink = null;
    p.state = "disconnected";
    p.resumeTimer = setTimeout(() => void this.remove(p, "signal_timeout"), this.o.resumeWindowS * 1000);
  }

  offer(p: Participant, offer: ClientMessageOf<"offer">): Promise<NegotiationResult> {
    const run = p.negotiation.then(() => {
      if (p.state === "left" || !p.transport) throw new RelaisError("NOT_JOINED");
      return negotiateOffer(this.ctx, p, p.transport, offer);
    });
    p.negotiation = run.catch(() => {});
    return run;
  }

  async unpublishTrack(p: Participant, trackSid: string): Promise<void> {
    const pub = p.publications.get(trackSid);
    if (!pub) throw new RelaisError("TRACK_NOT_FOUND");
    await unpublish(this.ctx, p, p.transport, pub);
  }

  /** The publisher mutes or unmutes its own track; a moderator's mute holds unless it is an admin. */
  async setMuted(p: Participant, trackSid: string, muted: boolean): Promise<void> {
    const pub = p.publications.get(trackSid);
    if (!pub) throw new RelaisError("TRACK_NOT_FOUND");
    if (pub.muted === muted) return;
    if (!muted && pub.mutedByModerator) {
      if (!p.grants.admin) throw new RelaisError("PERMISSION_DENIED", "A moderator muted this track.");
      // An admin lifts the moderator's mute: forwarding resumes.
      await p.transport?.pauseProducer(pub.producerId, false);
      pub.mutedByModerator = false;
    }
    pub.muted = muted;
    this.broadcast({ type: "trackMuted", participantSid: p.sid, trackSid, muted }, p);
  }

  private prioritiseSpeaker(participantSid: string | null): void {
    const p = participantSid === null ? undefined : this.participants.get(participantSid);
    let camera: string | null = null;
    for (const pub of p?.publications.values() ?? []) if (pub.source === "camera") camera = pub.producerId;
    if (camera === this.speakerProducer) return;
    const router = this.routerHandle;
    if (router) {
      if (this.speakerProducer) void router.setProducerPriority(this.speakerProducer, "normal");
      if (camera) void router.setProducerPriority(camera, "speaker");
    }
    this.speakerProducer = camera;
  }

  /** Adaptive stream: how large `p` renders a track it subscribes to; the media plane picks the simulcast layer. */
  async setTrackSettings(p: Participant, trackSid: string, width: number, height: number, disabled: boolean): Promise<void> {
    let sub: Subscription | undefined;
    for (const s of p.subscriptions.values()) if (s.trackSid === trackSid) sub = s;
    if (!sub || !p.transport) throw new RelaisError("TRACK_NOT_FOUND", "Not subscribed to this track.");
    await p.transport.setConsumerPreferences(sub.consumerId, width, height, disabled);
  }

  /** A track left the room: subscribers lose it (their consumers closed with the producer). */
  private trackGone(p: Participant, pub: TrackPublication): void {
    for (const other of this.participants.values()) {
      if (other === p) continue;
      for (const sub of [...other.subscriptions.values()]) {
        if (sub.trackSid === pub.sid && other.transport) void releaseSubscription(other, other.transport, sub);
      }
    }
    this.broadcast({ type: "trackUnpublished", participantSid: p.sid, trackSid: pub.sid }, p);
    this.activity.forget(p, pub.producerId);
    this.o.events.safeEmit("trackUnpublished", this.info(), p.info(), trackInfo(pub));
  }

  /** Removes a participant: its tracks, its transport, and tells everyone. Idempotent. */
  async remove(p: Participant, reason: DisconnectReason): Promise<void> {
    if (p.state === "left") return;
    p.state = "left";
    p.leaveReason = reason;
    if (p.resumeTimer) clearTimeout(p.resumeTimer);
    p.resumeTimer = null;
    if (reason !== "client_initiated") p.send({ type: "leave", reason });
    p.sink?.close(reason);
    p.sink = null;
    for (const pub of [...p.publications.values()]) await unpublish(this.ctx, p, null, pub);
    p.subscriptions.clear();
    const transport = p.transport;
    p.transport = null;
    if (transport) this.o.media.activity.unwatch(transport.id);
    this.activity.forget(p);
    await transport?.close();
    this.participants.delete(p.sid);
    this.broadcast({ type: "participantLeft", participantSid: p.sid, identity: p.identity }, p);
    this.o.events.safeEmit("participantLeft", this.info(), p.info(), reason);
    this.o.log("info", "participant left", { room: this.name, participant: p.sid, reason });
    if (this.participants.size === 0) this.scheduleEmptyTimeout();
  }

  get maxParticipants(): number {
    return this.o.maxParticipants;
  }

  get emptyTimeoutS(): number {
    return this.o.emptyTimeoutS;
  }

  /** Live changes to a participant (REST API, admins): everyone, the participant included, is told. */
  async updateParticipant(
    p: Participant,
    change: { name?: string; metadata?: string; permissions?: Partial<ParticipantPermissions> },
  ): Promise<void> {
    if (change.name !== undefined) p.name = change.name;
    if (change.metadata !== undefined) p.metadata = change.metadata;
    const perms = change.permissions;
    if (perms) {
      if (perms.canPublish !== undefined) p.grants.publish = perms.canPublish;
      if (perms.canSubscribe !== undefined) p.grants.subscribe = perms.canSubscribe;
      if (perms.canPublishData !== undefined) p.grants.publishData = perms.canPublishData;
      if (perms.canPublishData !== undefined)
        void p.transport?.setDataParticipant({ identity: p.identity, canPublishData: p.grants.publishData });
      if (perms.admin !== undefined) p.grants.admin = perms.admin;
      // A revoked permission takes effect at once: tracks are unpublished, subscriptions released.
      // The publisher is told too: its client stops sending what the server no longer takes.
      if (!p.grants.publish)
        for (const pub of [...p.publications.values()]) {
          await unpublish(this.ctx, p, p.transport, pub);
          p.send({ type: "trackUnpublished", participantSid: p.sid, trackSid: pub.sid });
        }
      if (!p.grants.subscribe && p.transport)
        for (const sub of [...p.subscriptions.values()]) await releaseSubscription(p, p.transport, sub);
    }
    const info = p.info();
    for (const o of this.participants.values()) if (o.state === "active") o.send({ type: "participantUpdated", participant: info });
  }

  /** A moderator mutes (or unmutes) a participant's track: forwarding pauses and the publisher's client is told. */
  async moderateMute(p: Participant, trackSid: string, muted: boolean): Promise<void> {
    const pub = p.publications.get(trackSid);
    if (!pub) throw new RelaisError("TRACK_NOT_FOUND");
    await p.transport?.pauseProducer(pub.producerId, muted);
    pub.muted = muted;
    pub.mutedByModerator = muted;
    this.broadcast({ type: "trackMuted", participantSid: p.sid, trackSid, muted, byModerator: true });
  }

  broadcast(msg: ServerMessage, except?: Participant): void {
    for (const p of this.participants.values()) if (p !== except && p.state === "active") p.send(msg);
  }

  private scheduleEmptyTimeout(): void {
    this.cancelEmptyTimer();
    this.emptyTimer = setTimeout(() => this.o.onEmptyTimeout(this), this.o.emptyTimeoutS * 1000);
    this.emptyTimer.unref();
  }

  private cancelEmptyTimer(): void {
    if (this.emptyTimer) clearTimeout(this.emptyTimer);
    this.emptyTimer = null;
  }

  /** Closes the room: everyone is removed, then the router (and its transports) close. Idempotent. */
  async close(reason: DisconnectReason = "room_deleted"): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelEmptyTimer();
    for (const p of [...this.participants.values()]) await this.remove(p, reason);
    this.activity.close();
    const router = this.router;
    this.router = null;
    if (router) await (await router.catch(() => null))?.close();
  }
}
