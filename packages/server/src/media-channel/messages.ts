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
}

export interface MediaRequests {
  createRouter: { req: { routerId: string }; res: Record<string, never> };
  closeRouter: { req: { routerId: string }; res: Record<string, never> };
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
    req: {
      transportId: string;
      producerId: string;
      kind: "audio" | "video";
      mid: string;
      ssrc: number;
      rtxSsrc: number | null;
      codec: CodecParameters;
      extensions: ExtensionIdMap;
    };
    res: Record<string, never>;
  };
  closeProducer: { req: { producerId: string }; res: Record<string, never> };
  consume: {
    req: {
      transportId: string;
      consumerId: string;
      producerId: string;
      mid: string;
      /** RTCP CNAME of the stream (the publisher's participant sid), as in the subscriber's SDP. */
      cname: string;
      ssrc: number;
      rtxSsrc: number | null;
      codec: CodecParameters;
      extensions: ExtensionIdMap;
    };
    res: Record<string, never>;
  };
  closeConsumer: { req: { consumerId: string }; res: Record<string, never> };
  pauseProducer: { req: { producerId: string; paused: boolean }; res: Record<string, never> };
  requestKeyFrame: { req: { producerId: string }; res: Record<string, never> };
  getTransportStats: { req: { transportId: string }; res: TransportStats };
  getWorkerStats: { req: Record<string, never>; res: WorkerStats };
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
  /** PLIs sent to publishers (new subscribers, subscribers' own PLI/FIR, throttled). */
  keyframeRequestsSent: number;
}

export type TransportState = "new" | "connecting" | "connected" | "disconnected" | "failed" | "closed";

export interface MediaNotifications {
  ready: { udpPort: number; tcpPort: number };
  transportState: { transportId: string; state: TransportState; reason?: string };
  log: { level: "debug" | "info" | "warn" | "error"; msg: string; data?: Record<string, unknown> };
}

export type MainToWorker = { kind: "request"; id: number; method: MediaMethod; data: unknown } | { kind: "shutdown" };

export type WorkerToMain =
  | { kind: "response"; id: number; ok: true; data: unknown }
  | { kind: "response"; id: number; ok: false; error: { code: string; message: string } }
  | { [K in keyof MediaNotifications]: { kind: "notification"; event: K; data: MediaNotifications[K] } }[keyof MediaNotifications];
