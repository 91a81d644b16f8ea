/**
 * The contract across the worker_threads boundary. The main thread sends
 * requests; the worker answers each with a response carrying the same id, and
 * pushes notifications on its own. Everything here is structured-clone safe.
 */

export interface WorkerInit {
  workerIndex: number;
  /** Address the worker binds its UDP socket and TCP listener to. */
  bindAddress: string;
  /** 0 = ephemeral. */
  udpPort: number;
  tcpPort: number;
  enableUdp: boolean;
  enableTcp: boolean;
  /** DTLS-SRTP protection profiles offered, in preference order (RFC 5764 ids: 1 = AES_CM_128_HMAC_SHA1_80, 7 = AEAD_AES_128_GCM). */
  srtpProfiles: number[];
  /** Seconds without a STUN consent check before a transport is considered failed (RFC 7675 says 30). */
  consentTimeoutS: number;
}

export interface CodecParameters {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  rtxPayloadType: number | null;
}

/** Header extension ids on one m-section; 0 = not negotiated. */
export interface ExtensionIdMap {
  mid: number;
  audioLevel: number;
  absSendTime: number;
  transportCc: number;
  /** RFC 8852 rtp-stream-id / repaired-rtp-stream-id (simulcast publishers); 0 or absent = not negotiated. */
  rid?: number;
  repairedRid?: number;
}

/** One simulcast stream of a producer (width/height 0 = unknown). */
export interface SimulcastLayerSpec {
  rid: string;
  width: number;
  height: number;
}

/** What describes a producer's stream: the worker's produce and pipeProduce, and the main thread's record of it. */
export interface ProducerStreamSpec {
  kind: "audio" | "video";
  mid: string;
  ssrc: number;
  codec: CodecParameters;
  extensions: ExtensionIdMap;
  /** Simulcast: the streams, lowest quality first; their SSRCs are learned from the rid extension. Null = one stream. */
  layers: SimulcastLayerSpec[] | null;
}

export interface MediaRequests {
  createRouter: { req: { routerId: string }; res: Record<string, never> };
  closeRouter: { req: { routerId: string }; res: Record<string, never> };
  /** The room of this router now has routers on other workers too: its data packets go to them (`dataOut`). */
  setRouterSpansWorkers: { req: { routerId: string }; res: Record<string, never> };
  /** A data packet (sender stamped) from a participant of the room on another worker, for this worker's participants. */
  deliverData: { req: { routerId: string; reliable: boolean; packet: Uint8Array }; res: { delivered: number } };
  createWebRtcTransport: {
    req: { routerId: string; transportId: string; iceUfrag: string; icePwd: string };
    res: { fingerprint: { algorithm: string; value: string } };
  };
  /** Remote ICE credentials and DTLS fingerprints, from the client's offer. */
  setRemoteParameters: {
    req: { transportId: string; remoteIceUfrag: string; fingerprints: { algorithm: string; value: string }[] };
    res: Record<string, never>;
  };
  /** New local ICE credentials and the client's new ufrag; tuples must authenticate again. */
  restartIce: { req: { transportId: string; iceUfrag: string; icePwd: string; remoteIceUfrag: string }; res: Record<string, never> };
  closeTransport: { req: { transportId: string }; res: Record<string, never> };
  produce: {
    req: ProducerStreamSpec & { transportId: string; producerId: string; rtxSsrc: number | null };
    res: Record<string, never>;
  };
  /** The room's dominant speaker: subscribers' bandwidth allocation serves this producer's video before others (after screen shares). */
  setProducerPriority: { req: { producerId: string; priority: "speaker" | "normal" }; res: Record<string, never> };
  /** Adaptive stream: the size the subscriber renders this consumer at (0×0 or disabled = not visible). */
  setConsumerPreferences: { req: { consumerId: string; width: number; height: number; disabled: boolean }; res: Record<string, never> };
  closeProducer: { req: { producerId: string }; res: Record<string, never> };
  consume: {
    req: {
      transportId: string;
      consumerId: string;
      producerId: string;
      mid: string;
      /** RTCP CNAME of the stream (the publisher's participant sid), as in the subscriber's SDP. */
      cname: string;
      /** Bandwidth allocation priority (screen shares first); default normal. */
      priority?: "screen" | "speaker" | "normal";
      ssrc: number;
      rtxSsrc: number | null;
      codec: CodecParameters;
      extensions: ExtensionIdMap;
    };
    res: Record<string, never>;
  };
  closeConsumer: { req: { consumerId: string }; res: Record<string, never> };
  /** The other workers' pipe ports: the only sources this worker accepts pipe frames from. */
  connectPipes: { req: { ports: number[] }; res: Record<string, never> };
  /** On the producer's home worker: send its packets, framed with `pipeId`, to another worker's pipe port. */
  pipeConsume: { req: { producerId: string; pipeId: number; port: number }; res: Record<string, never> };
  closePipeConsumer: { req: { pipeId: number }; res: Record<string, never> };
  /** On another worker: a producer fed by pipe `pipeId`; keyframe requests go back to `port` (the home worker). */
  pipeProduce: {
    req: ProducerStreamSpec & { routerId: string; producerId: string; pipeId: number; port: number };
    res: Record<string, never>;
  };
  pauseProducer: { req: { producerId: string; paused: boolean }; res: Record<string, never> };
  requestKeyFrame: { req: { producerId: string }; res: Record<string, never> };
  getTransportStats: { req: { transportId: string }; res: TransportStats };
  getWorkerStats: { req: Record<string, never>; res: WorkerStats };
  /** Who owns a transport, for data channels: the worker stamps this identity on relayed data packets. */
  setDataParticipant: { req: { transportId: string } & DataParticipant; res: Record<string, never> };
}

/** Largest data-channel message a client may send: the SFU's a=max-message-size (RFC 8841 §6). */
export const DATA_MAX_MESSAGE_SIZE = 65536;

/** The data-channel side of a participant, as the worker needs it (docs/data-channels.md). */
export interface DataParticipant {
  identity: string;
  /** The publishData grant: without it the worker drops what the participant sends. */
  canPublishData: boolean;
}

/** Data-channel counters of one worker (docs/data-channels.md). */
export interface DataChannelStats {
  /** SCTP associations established. */
  associations: number;
  /** User messages received from clients, and their bytes. */
  messagesReceived: number;
  bytesReceived: number;
  /** Copies delivered to recipients. */
  messagesRelayed: number;
  bytesRelayed: number;
  /** Malformed SCTP packets, DCEP messages or data packets. */
  droppedMalformed: number;
  /** Larger than the maximum message size. */
  droppedTooLarge: number;
  /** Over the sender's rate limit. */
  droppedRateLimited: number;
  /** Sender without the publishData grant (or not yet identified). */
  droppedUnauthorized: number;
  /** Recipient's send queue full, or its channel not open. */
  droppedRecipient: number;
  /** Packets handed to the room's other workers (a room that spans workers), and received from them. */
  forwardedToWorkers: number;
  receivedFromWorkers: number;
}

export type MediaMethod = keyof MediaRequests;

export interface TransportStats {
  state: TransportState;
  selectedTuple: { protocol: "udp" | "tcp"; address: string; port: number } | null;
  srtpProfile: number | null;
  packetsReceived: number;
  packetsSent: number;
  bytesReceived: number;
  bytesSent: number;
  srtpAuthFailures: number;
}

export interface WorkerStats {
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
  /** Datagrams or TCP frames that matched no protocol or no transport, or failed to parse. */
  droppedGarbage: number;
  droppedUnknownTuple: number;
  droppedSrtp: number;
  stunRequests: number;
  stunRejected: number;
  rtpForwarded: number;
  /** Event-loop utilisation of the worker over the last 250 ms (0..1). */
  utilisation: number;
  /** The worker thread's on-CPU share over the same 250 ms (null where the kernel does not say). */
  cpu: number | null;
  /** 250 ms samples in which the worker was busy but starved of CPU by other processes (no shedding then), since start. */
  cpuStarvedSamples: number;
  /** Video streams to subscribers the overload guard is not forwarding right now, and in all since start. */
  videoStreamsShed: number;
  videoStreamsShedTotal: number;
  /** SRTP and sends through the native addon (false: the pure-TypeScript path). */
  nativeAccelerator: boolean;
  /** Transport-cc arrival times are the kernel's receive times (SIOCGSTAMPNS through the addon), not when the worker read the datagram. */
  udpKernelTimestamps: boolean;
  /** The UDP socket's send batches: sendmmsg when native; dropped = socket buffer full. */
  udpBatch: { sent: number; dropped: number; errors: number; flushes: number; lastErrno: number; native: boolean } | null;
  /** PLIs sent to publishers (new subscribers, subscribers' own PLI/FIR, throttled). */
  keyframeRequestsSent: number;
  data: DataChannelStats;
}

export type TransportState = "new" | "connecting" | "connected" | "disconnected" | "failed" | "closed";

/** A participant's link quality as the worker scores it (media/sfu/connection-quality.ts). */
export type ConnectionQualityLevel = "excellent" | "good" | "poor" | "lost" | "unknown";

export interface MediaNotifications {
  ready: { udpPort: number; tcpPort: number; pipePort: number };
  transportState: { transportId: string; state: TransportState; reason?: string };
  /** Dynacast: which simulcast layers of a producer this worker's consumers (and pipes) need, lowest first. */
  layersWanted: { producerId: string; active: boolean[] };
  /** A data packet (sender stamped) of a room that spans workers, for the participants on its other workers. */
  dataOut: { routerId: string; reliable: boolean; packet: Uint8Array };
  /**
   * Every ~500 ms while any audio producer of the worker speaks (and once more when all fell
   * silent): smoothed RFC 6464 levels, linear 0 (silence) .. 1 (full scale), per producer.
   */
  audioLevels: { levels: { transportId: string; producerId: string; level: number }[] };
  /** Transports whose connection quality label changed (checked once a second). */
  connectionQuality: { transports: { transportId: string; quality: ConnectionQualityLevel; mos: number }[] };
  log: { level: "debug" | "info" | "warn" | "error"; msg: string; data?: Record<string, unknown> };
}

export type MainToWorker = { kind: "request"; id: number; method: MediaMethod; data: unknown } | { kind: "shutdown" };

export type WorkerToMain =
  | { kind: "response"; id: number; ok: true; data: unknown }
  | { kind: "response"; id: number; ok: false; error: { code: string; message: string } }
  | { [K in keyof MediaNotifications]: { kind: "notification"; event: K; data: MediaNotifications[K] } }[keyof MediaNotifications];
