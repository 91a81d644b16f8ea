import type { RoomInfo, ServerMessageOf } from "@relais/protocol";
import { type ConnectionEvent, type ConnectionState, ConnectionStateMachine } from "./connection-state.js";
import { clientError, isRelaisError, RelaisError } from "./errors.js";
import { TypedEmitter } from "./events.js";
import { decodeJwtPayload } from "./jwt.js";
import type { LocalParticipant } from "./local-participant.js";
import { createMediaSession } from "./media-session.js";
import { type Participant, ParticipantActivity } from "./participant-activity.js";
import { WS_CLOSE } from "./protocol-constants.js";
import { reconcileParticipants } from "./reconcile.js";
import { resumeWithBackoff } from "./reconnect.js";
import type { RemoteParticipant } from "./remote-participant.js";
import type { RemoteParticipantRegistry } from "./remote-participant-registry.js";
import type { EmitRoomEvent, RoomDisconnectReason, RoomEvents } from "./room-events.js";
import type { RoomConnectOptions } from "./room-options.js";
import {
  type RequestOf,
  type ResponseTo,
  type ServerEvent,
  type ServerEventType,
  SignalClient,
  type SignalCloseInfo,
} from "./signal-client.js";
import { toSignalUrl } from "./signal-url.js";
import { SDK_INFO } from "./version.js";

/** Server close codes after which resuming is pointless. */
const FINAL_CLOSE_CODES: Record<number, RoomDisconnectReason> = {
  [WS_CLOSE.AUTH_FAILED]: "auth_failed",
  [WS_CLOSE.LEFT]: "removed",
  [WS_CLOSE.PROTOCOL_ERROR]: "protocol_error",
  [WS_CLOSE.RESUME_FAILED]: "resume_failed",
};

type Joined = ServerMessageOf<"joined">;

/** A connection to one Relais room: signaling socket, one RTCPeerConnection, participants. */
export class Room extends TypedEmitter<RoomEvents> {
  /** Connects and joins; resolves once joined. Rejects with a `RelaisError` (e.g. TOKEN_EXPIRED, SIGNAL_UNREACHABLE). */
  static async connect(url: string, token: string, options: RoomConnectOptions = {}): Promise<Room> {
    if (typeof RTCPeerConnection === "undefined") throw clientError("UNSUPPORTED_BROWSER");
    const room = new Room(toSignalUrl(url), token, options);
    await room.#connect();
    return room;
  }

  readonly #signalUrl: string;
  readonly #token: string;
  readonly #options: RoomConnectOptions;
  readonly #state = new ConnectionStateMachine();
  #signal: SignalClient | undefined;
  #pc: RTCPeerConnection | undefined;
  #local: LocalParticipant | undefined;
  #remote: RemoteParticipantRegistry | undefined;
  #activity: ParticipantActivity | undefined;
  #info: RoomInfo | undefined;
  #session: { participantSid: string; resumeKey: string; windowS: number } | undefined;
  #readyWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #closing: Promise<void> | undefined;
  readonly #emit: EmitRoomEvent = (event, ...args) => this.safeEmit(event, ...args);

  private constructor(signalUrl: string, token: string, options: RoomConnectOptions) {
    super();
    this.#signalUrl = signalUrl;
    this.#token = token;
    this.#options = options;
  }

  get state(): ConnectionState {
    return this.#state.state;
  }

  /** The one RTCPeerConnection to the server, for diagnostics (`getStats()`). */
  get pc(): RTCPeerConnection {
    if (!this.#pc) throw clientError("NOT_CONNECTED");
    return this.#pc;
  }

  get localParticipant(): LocalParticipant {
    if (!this.#local) throw clientError("NOT_CONNECTED");
    return this.#local;
  }

  /** Other participants by sid. */
  get remoteParticipants(): ReadonlyMap<string, RemoteParticipant> {
    return this.#remote?.participants ?? new Map();
  }

  get name(): string {
    return this.#info?.name ?? "";
  }

  /** Who speaks now, the dominant speaker first (see the `activeSpeakersChanged` event). */
  get activeSpeakers(): readonly Participant[] {
    return this.#activity?.activeSpeakers ?? [];
  }

  get sid(): string {
    return this.#info?.sid ?? "";
  }

  /** Subscribes to or unsubscribes from a remote track (for `autoSubscribe: false`). */
  setSubscribed(trackSid: string, subscribed: boolean): void {
    const found = this.#remote?.findPublication(trackSid);
    if (!found) throw new RelaisError("TRACK_NOT_FOUND", `No remote track ${trackSid}`);
    if (subscribed) this.#remote?.subscribe(found.publication);
    else this.#remote?.unsubscribe(found.publication);
  }

  /** Leaves the room: `leave`, close the socket and the peer connection. Idempotent. */
  disconnect(): Promise<void> {
    return this.#close("client_initiated", { sendLeave: true });
  }

  async #connect(): Promise<void> {
    this.#transition("connect");
    let signal: SignalClient | undefined;
    try {
      signal = await this.#openSignal();
      const claims = decodeJwtPayload(this.#token);
      const name = this.#options.name?.trim();
      const joined = await signal.request(
        {
          type: "join",
          token: this.#token,
          client: SDK_INFO,
          ...(this.#options.room ? { room: this.#options.room } : {}),
          ...(name && name !== claims?.name ? { name } : {}),
        },
        { timeoutMs: 10_000 },
      );
      this.#signal = signal;
      this.#setUp(joined);
      this.#transition("joined");
    } catch (error) {
      signal?.close();
      this.#pc?.close();
      this.#transition("fail");
      throw error;
    }
  }

  #openSignal(): Promise<SignalClient> {
    let self: SignalClient | undefined;
    const promise = SignalClient.open({
      url: this.#signalUrl,
      createWebSocket: this.#options.webSocketFactory,
      onEvent: (event) => {
        if (self !== undefined && self === this.#signal) this.#dispatch(event);
      },
      onSessionError: (error) => console.warn(`[relais] server error ${error.code}: ${error.message}`),
      onClose: (info) => {
        if (self !== undefined && self === this.#signal) void this.#onSignalLost(info);
      },
    });
    return promise.then((client) => (self = client));
  }

  #setUp(joined: Joined): void {
    this.#info = joined.room;
    this.#session = { participantSid: joined.participant.sid, resumeKey: joined.resumeKey, windowS: joined.resumeWindowS };
    const media = createMediaSession({
      joined,
      token: this.#token,
      connectOptions: this.#options,
      emit: this.#emit,
      sendOffer: (offer) => this.#request(offer),
      request: (message) => this.#request(message),
      signalReady: () => this.#signalReady(),
      isConnected: () => this.state === "connected",
      onNegotiationError: (error) => this.#onNegotiationError(error),
    });
    this.#pc = media.pc;
    this.#local = media.local;
    this.#remote = media.remote;
    this.#activity = new ParticipantActivity(
      (sid) => (sid === this.#local?.sid ? this.#local : this.#remote?.participants.get(sid)),
      this.#emit,
    );
  }

  /** One handler per server event type. */
  readonly #handlers: { [K in ServerEventType]: (message: ServerMessageOf<K>) => void } = {
    participantJoined: (m) => {
      if (m.participant.sid !== this.#local?.sid) this.#remote?.participantJoined(m.participant);
    },
    participantLeft: (m) => {
      const participant = this.#remote?.participants.get(m.participantSid);
      this.#remote?.participantLeft(m);
      if (participant) this.#activity?.forget(participant);
    },
    participantUpdated: (m) => {
      if (m.participant.sid === this.#local?.sid) this.#local.update(m.participant);
      else this.#remote?.participantUpdated(m.participant);
      const participant = m.participant.sid === this.#local?.sid ? this.#local : this.#remote?.participants.get(m.participant.sid);
      if (participant) this.safeEmit("participantUpdated", participant);
    },
    trackPublished: (m) => {
      if (m.participantSid !== this.#local?.sid) this.#remote?.trackPublished(m.participantSid, m.track);
    },
    trackUnpublished: (m) => {
      if (m.participantSid === this.#local?.sid) this.#local.serverUnpublished(m.trackSid);
      else this.#remote?.trackUnpublished(m.participantSid, m.trackSid);
    },
    trackMuted: (m) => {
      if (m.participantSid === this.#local?.sid) this.#local.serverMuted(m.trackSid, m.muted, m.byModerator ?? false);
      else this.#remote?.trackMuted(m.participantSid, m.trackSid, m.muted);
    },
    speakersChanged: (m) => this.#activity?.speakersChanged(m),
    connectionQualityChanged: (m) => this.#activity?.connectionQualityChanged(m),
    subscribedQualityUpdate: (m) => this.#local?.subscribedQualityUpdate(m),
    leave: (m) => void this.#close(m.reason, { sendLeave: false }),
  };

  #dispatch(event: ServerEvent): void {
    (this.#handlers[event.type] as (message: ServerEvent) => void)(event);
  }

  #request<K extends keyof ResponseTo>(message: RequestOf<K> & { type: K }): Promise<ResponseTo[K]> {
    if (this.state === "disconnected") return Promise.reject(clientError("DISCONNECTED"));
    // While reconnecting a request fails as if the socket had closed, so callers retry after the resume.
    if (!this.#signal || this.state !== "connected") return Promise.reject(clientError("SIGNAL_CLOSED"));
    return this.#signal.request<K>(message);
  }

  #signalReady(): Promise<void> {
    if (this.state === "connected") return Promise.resolve();
    if (this.state === "disconnected" && this.#closing) return Promise.reject(clientError("DISCONNECTED"));
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  #transition(event: ConnectionEvent): boolean {
    const next = this.#state.apply(event);
    if (next === null) return false;
    if (next === "connected" || next === "disconnected") {
      const waiters = this.#readyWaiters;
      this.#readyWaiters = [];
      for (const waiter of waiters) {
        if (next === "connected") waiter.resolve();
        else waiter.reject(clientError("DISCONNECTED"));
      }
    }
    this.safeEmit("connectionStateChanged", next);
    return true;
  }

  async #onSignalLost(info: SignalCloseInfo): Promise<void> {
    this.#signal = undefined;
    const finalReason = FINAL_CLOSE_CODES[info.code];
    if (finalReason) return this.#close(finalReason, { sendLeave: false });
    const session = this.#session;
    if (!session || !this.#transition("socketLost")) return;
    this.safeEmit("reconnecting");
    const outcome = await resumeWithBackoff({
      attempt: () => this.#resumeAttempt(session),
      deadlineMs: Date.now() + session.windowS * 1000,
      aborted: () => this.state !== "reconnecting",
    });
    if (outcome.ok) {
      const { signal, joined } = outcome.value;
      if (this.state !== "reconnecting") return signal.close();
      this.#applyResume(signal, joined);
    } else if (outcome.reason !== "aborted") {
      const code = isRelaisError(outcome.error) ? outcome.error.code : undefined;
      await this.#close(code?.startsWith("TOKEN_") ? "auth_failed" : "resume_failed", { sendLeave: false });
    }
  }

  async #resumeAttempt(session: { participantSid: string; resumeKey: string }): Promise<{ signal: SignalClient; joined: Joined }> {
    const signal = await this.#openSignal();
    try {
      const resume = { participantSid: session.participantSid, resumeKey: session.resumeKey };
      const joined = await signal.request({ type: "join", token: this.#token, resume, client: SDK_INFO }, { timeoutMs: 5_000 });
      if (!joined.resumed) {
        // The server started a fresh session: our peer connection does not match it.
        await signal.request({ type: "leave" }, { timeoutMs: 1_000 }).catch(() => {});
        throw new RelaisError("RESUME_FAILED");
      }
      return { signal, joined };
    } catch (error) {
      signal.close();
      throw error;
    }
  }

  #applyResume(signal: SignalClient, joined: Joined): void {
    const local = this.#local;
    const remote = this.#remote;
    if (!local || !remote) return;
    this.#signal = signal;
    this.#session = { participantSid: joined.participant.sid, resumeKey: joined.resumeKey, windowS: joined.resumeWindowS };
    local.update(joined.participant);
    const others = joined.participants.filter((p) => p.sid !== joined.participant.sid);
    for (const event of reconcileParticipants(remote.participants, others)) this.#dispatch(event);
    this.#transition("resumed");
    this.safeEmit("reconnected");
    void local.reconcile(joined.participant.tracks);
    // The new socket may have missed a trackSettings: the server keeps them, but send them again.
    remote.resendTrackSettings();
  }

  #onNegotiationError(error: unknown): void {
    if (isRelaisError(error, "DISCONNECTED")) return;
    console.warn("[relais] negotiation failed", error);
  }

  #close(reason: RoomDisconnectReason, options: { sendLeave: boolean }): Promise<void> {
    this.#closing ??= (async () => {
      const signal = this.#signal;
      this.#signal = undefined;
      const wasActive = this.state !== "disconnected";
      this.#transition("disconnect");
      if (signal && options.sendLeave) await signal.request({ type: "leave" }, { timeoutMs: 1_000 }).catch(() => {});
      signal?.close(1000, "left");
      this.#remote?.closeAll();
      this.#local?.stopAll();
      this.#pc?.close();
      if (wasActive) this.safeEmit("disconnected", reason);
    })();
    return this.#closing;
  }
}
