import type { ParticipantInfo, ServerMessageOf, SubscriptionRequest, TrackInfo, TrackKind } from "@relais/protocol";
import type { AdaptiveStreamOptions } from "./adaptive-stream.js";
import { RemoteParticipant, RemoteTrackPublication } from "./remote-participant.js";
import type { EmitRoomEvent } from "./room-events.js";
import type { RequestOf } from "./signal-client.js";

export interface RemoteParticipantRegistryOptions {
  /** Adds a recvonly transceiver for a subscription. */
  addReceiveTransceiver: (kind: TrackKind) => RTCRtpTransceiver;
  /** Asks for a (coalesced) renegotiation after transceivers changed. */
  requestNegotiation: () => void;
  emit: EmitRoomEvent;
  autoSubscribe: boolean;
  /** `observe()` on video publications tracks elements (RoomConnectOptions.adaptiveStream). */
  adaptiveStream: boolean;
  /** Sends a `trackSettings` request on the current socket. */
  requestTrackSettings: (message: RequestOf<"trackSettings">) => Promise<unknown>;
}

/**
 * The remote participants and this client's subscriptions to their tracks.
 * Every mutation comes from a server event (live or reconciled after a resume),
 * so each handler is idempotent: a repeated event changes nothing.
 */
export class RemoteParticipantRegistry {
  readonly participants = new Map<string, RemoteParticipant>();
  readonly #options: RemoteParticipantRegistryOptions;
  /** Active subscriptions: publication → its recvonly transceiver. */
  readonly #subscriptions = new Map<RemoteTrackPublication, RTCRtpTransceiver>();
  /** mid → publication, as sent in the last offer; `ontrack` looks tracks up here. */
  #byMid = new Map<string, RemoteTrackPublication>();

  constructor(options: RemoteParticipantRegistryOptions) {
    this.#options = options;
  }

  /** The participants present at join time: no events, but their tracks are subscribed. */
  load(infos: readonly ParticipantInfo[]): void {
    for (const info of infos) {
      const participant = new RemoteParticipant(info);
      this.participants.set(info.sid, participant);
      for (const track of info.tracks) this.#addPublication(participant, track, false);
    }
  }

  findPublication(trackSid: string): { publication: RemoteTrackPublication; participant: RemoteParticipant } | undefined {
    for (const participant of this.participants.values()) {
      const publication = participant.trackPublications.get(trackSid);
      if (publication) return { publication, participant };
    }
    return undefined;
  }

  participantJoined(info: ParticipantInfo): void {
    if (this.participants.has(info.sid)) {
      this.participantUpdated(info);
      return;
    }
    const participant = new RemoteParticipant(info);
    this.participants.set(info.sid, participant);
    this.#options.emit("participantJoined", participant);
    for (const track of info.tracks) this.#addPublication(participant, track, true);
  }

  participantUpdated(info: ParticipantInfo): void {
    const participant = this.participants.get(info.sid);
    if (participant) participant.update(info);
    else this.participantJoined(info);
  }

  participantLeft(message: ServerMessageOf<"participantLeft">): void {
    const participant = this.participants.get(message.participantSid);
    if (!participant) return;
    for (const trackSid of [...participant.trackPublications.keys()]) this.trackUnpublished(participant.sid, trackSid);
    this.participants.delete(participant.sid);
    this.#options.emit("participantLeft", participant);
  }

  trackPublished(participantSid: string, track: TrackInfo): void {
    const participant = this.participants.get(participantSid);
    if (!participant) return;
    const existing = participant.trackPublications.get(track.sid);
    if (existing) {
      existing.update(track);
      return;
    }
    this.#addPublication(participant, track, true);
  }

  trackUnpublished(participantSid: string, trackSid: string): void {
    const participant = this.participants.get(participantSid);
    const publication = participant?.trackPublications.get(trackSid);
    if (!participant || !publication) return;
    this.unsubscribe(publication);
    publication.close();
    participant.trackPublications.delete(trackSid);
    this.#options.emit("trackUnpublished", publication, participant);
  }

  trackMuted(participantSid: string, trackSid: string, muted: boolean): void {
    const participant = this.participants.get(participantSid);
    const publication = participant?.trackPublications.get(trackSid);
    if (!participant || !publication || publication.muted === muted) return;
    publication.muted = muted;
    this.#options.emit(muted ? "trackMuted" : "trackUnmuted", publication, participant);
  }

  /** Adds a recvonly transceiver for `publication` and renegotiates. */
  subscribe(publication: RemoteTrackPublication): void {
    if (this.#subscriptions.has(publication)) return;
    this.#subscriptions.set(publication, this.#options.addReceiveTransceiver(publication.kind));
    this.#options.requestNegotiation();
  }

  /** Stops the recvonly transceiver of `publication` and renegotiates. */
  unsubscribe(publication: RemoteTrackPublication): void {
    const transceiver = this.#subscriptions.get(publication);
    if (!transceiver) return;
    this.#subscriptions.delete(publication);
    this.#endSubscription(publication, transceiver);
    this.#options.requestNegotiation();
  }

  /** The subscriptions for the offer being sent; call after setLocalDescription (mids are assigned then). */
  collectSubscriptions(): SubscriptionRequest[] {
    const requests: SubscriptionRequest[] = [];
    const byMid = new Map<string, RemoteTrackPublication>();
    for (const [publication, transceiver] of this.#subscriptions) {
      const mid = transceiver.mid;
      if (mid === null || transceiver.direction === "stopped") continue;
      publication.mid = mid;
      byMid.set(mid, publication);
      requests.push({ mid, trackSid: publication.trackSid });
    }
    this.#byMid = byMid;
    return requests;
  }

  /** Applies the answer's per-subscription results; refused ones are dropped. */
  applySubscriptionResults(results: ServerMessageOf<"answer">["subscriptions"]): void {
    let dropped = false;
    for (const result of results) {
      if (result.ok) continue;
      const found = this.findPublication(result.trackSid);
      const transceiver = found && this.#subscriptions.get(found.publication);
      if (found && transceiver) {
        this.#subscriptions.delete(found.publication);
        this.#endSubscription(found.publication, transceiver);
        dropped = true;
      }
      this.#options.emit("trackSubscriptionFailed", result.trackSid, result.error ?? "INTERNAL");
    }
    if (dropped) this.#options.requestNegotiation();
  }

  /** `RTCPeerConnection.ontrack`: maps the transceiver's mid back to the publication we asked for. */
  handleTrack(event: RTCTrackEvent): void {
    const mid = event.transceiver.mid;
    const publication = mid === null ? undefined : this.#byMid.get(mid);
    if (!publication || this.#subscriptions.get(publication) !== event.transceiver) return;
    const found = this.findPublication(publication.trackSid);
    if (!found || publication.track === event.track) return;
    publication.track = event.track;
    publication.subscriptionChanged();
    this.#options.emit("trackSubscribed", event.track, publication, found.participant);
  }

  /** Ends every subscription without renegotiating (the room is closing). */
  closeAll(): void {
    for (const [publication, transceiver] of this.#subscriptions) this.#endSubscription(publication, transceiver);
    this.#subscriptions.clear();
    this.#byMid.clear();
    for (const participant of this.participants.values())
      for (const publication of participant.trackPublications.values()) publication.close();
  }

  /** After a resume: every video subscription sends its adaptive-stream settings again. */
  resendTrackSettings(): void {
    for (const publication of this.#subscriptions.keys()) publication.resendTrackSettings();
  }

  #addPublication(participant: RemoteParticipant, track: TrackInfo, announce: boolean): void {
    const publication = new RemoteTrackPublication(track, this.#adaptiveStreamOptions(track.sid));
    participant.trackPublications.set(track.sid, publication);
    if (announce) this.#options.emit("trackPublished", publication, participant);
    if (this.#options.autoSubscribe) this.subscribe(publication);
  }

  #adaptiveStreamOptions(trackSid: string): AdaptiveStreamOptions {
    return {
      observeElements: this.#options.adaptiveStream,
      send: (settings) =>
        this.#options.requestTrackSettings({
          type: "trackSettings",
          trackSid,
          width: settings.width,
          height: settings.height,
          ...(settings.disabled ? { disabled: true } : {}),
        }),
    };
  }

  #endSubscription(publication: RemoteTrackPublication, transceiver: RTCRtpTransceiver): void {
    const track = publication.track;
    publication.track = undefined;
    publication.mid = undefined;
    publication.subscriptionChanged();
    try {
      transceiver.stop();
    } catch {
      // The peer connection is already closed.
    }
    const participant = this.findPublication(publication.trackSid)?.participant;
    if (track && participant) this.#options.emit("trackUnsubscribed", track, publication, participant);
  }
}
