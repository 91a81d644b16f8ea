/**
 * Composition root: the only place that builds concrete adapters. Loads nothing
 * by itself — the CLI (or a test) passes a validated RelaisConfig.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { registerHealth } from "./api/health.js";
import { registerApi } from "./api/register-api.js";
import { registerWebApp } from "./api/web-app.js";
import { createAccessToken, verifyAccessToken } from "./auth/access-token.js";
import { type ApiKey, KeyStore } from "./auth/key-store.js";
import { mediaWorkerCount, publicBaseUrl, type RelaisConfig } from "./config/config.js";
import { createDtlsCertificate } from "./media-control/certificate.js";
import { MediaPlane } from "./media-control/media-plane.js";
import { RoomManager } from "./rooms/room-manager.js";
import type { SignalingCounters } from "./signaling/session.js";
import { registerSignaling } from "./signaling/ws-route.js";
import { openStore } from "./store/index.js";
import { recordSessionHistory } from "./store/session-history.js";
import { WebhookDispatcher } from "./webhooks/dispatcher.js";
import { forwardRoomEventsToWebhooks } from "./webhooks/room-webhooks.js";

const RELAIS_VERSION = "0.1.0";
const SRTP_PROFILE_IDS = { AES_CM_128_HMAC_SHA1_80: 1, AEAD_AES_128_GCM: 7 } as const;

export interface RelaisNode {
  config: RelaisConfig;
  /** Base URL of the HTTP/WebSocket listener, e.g. http://127.0.0.1:7880 */
  url: string;
  keys: KeyStore;
  /** The API key generated at this start, or null when keys already existed. */
  createdKey: ApiKey | null;
  rooms: RoomManager;
  media: MediaPlane;
  http: FastifyInstance;
  signaling: SignalingCounters;
  log: Logger;
  /** A join link for `room` with a shared-link token (no identity: each joiner gets one). */
  joinLink(room: string, ttlS?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startRelais(config: RelaisConfig): Promise<RelaisNode> {
  const log = pino({ level: config.log.level, base: { service: "relais" }, redact: ["token", "apiSecret", "*.token", "*.apiSecret"] });
  const { store: keys, created } = KeyStore.open(config.dataDir);
  const certificate = await createDtlsCertificate();
  // The media plane starts first and reports worker deaths to the rooms built after it.
  const roomsRef: { current: RoomManager | null } = { current: null };
  const media = await MediaPlane.start({
    workers: mediaWorkerCount(config),
    bindAddress: config.media.bindAddress,
    announcedAddresses: config.media.announcedAddresses,
    udpPort: config.media.udpPort,
    tcpPort: config.media.tcpPort,
    enableUdp: config.media.enableUdp,
    enableTcp: config.media.enableTcp,
    srtpProfiles: config.media.srtpProfiles.map((p) => SRTP_PROFILE_IDS[p]),
    consentTimeoutS: config.media.consentTimeoutS,
    certificate,
    onLog: (e) => log[e.level](e.data ?? {}, e.msg),
    onWorkerDied: (i, err) => {
      log.error({ worker: i, err: err.message }, "media worker died");
      void roomsRef.current?.mediaWorkerDied(i);
    },
  });
  const store = await openStore({
    sqlitePath: path.join(config.dataDir, "relais.db"),
    databaseUrl: config.database.url || undefined,
    keyFile: path.join(config.dataDir, "secrets.key"),
  });
  // Sessions left open by a crash end now; the durable webhook queue resumes where it stopped.
  await store.sessions.closeOpen({ at: Date.now(), reason: "server_shutdown" });
  const webhooks = new WebhookDispatcher({ store, log: log.child({ component: "webhooks" }) });
  await webhooks.start();
  const rooms = new RoomManager({
    autoCreate: config.rooms.autoCreate,
    maxParticipants: config.rooms.maxParticipants,
    emptyTimeoutS: config.rooms.emptyTimeoutS,
    resumeWindowS: config.rooms.resumeWindowS,
    policy: { videoCodecs: config.media.videoCodecs, transportCc: false },
    media,
    iceServers: config.iceServers,
    log: (level, msg, data) => log[level](data ?? {}, msg),
  });
  roomsRef.current = rooms;
  forwardRoomEventsToWebhooks(rooms.events, (e) => webhooks.emit(e));
  recordSessionHistory(rooms.events, store.sessions, (err) => log.warn({ err: String(err) }, "session history write failed"));
  const https =
    config.http.tlsCertFile && config.http.tlsKeyFile
      ? { cert: readFileSync(config.http.tlsCertFile), key: readFileSync(config.http.tlsKeyFile) }
      : null;
  const fastifyOptions = { logger: false, bodyLimit: 256 * 1024 };
  const http = (https ? Fastify({ ...fastifyOptions, https }) : Fastify(fastifyOptions)) as FastifyInstance;
  const signaling: SignalingCounters = { sessions: 0, malformedMessages: 0, authFailures: 0 };
  let ready = false;
  registerHealth(http, () => ready);
  await registerSignaling(http, {
    rooms,
    verifyToken: (t) => verifyAccessToken(t, keys.secretFor),
    counters: signaling,
    log: (level, msg, data) => log[level](data ?? {}, msg),
  });
  await registerApi(http, {
    rooms,
    webhooks: store.webhooks,
    credentials: keys,
    rateLimitPerMinute: config.api.rateLimitPerMinute,
    version: RELAIS_VERSION,
    log: (msg, data) => log.error(data, msg),
  });
  registerWebApp(http, fileURLToPath(new URL("../../web/public/", import.meta.url)));
  await http.listen({ host: config.http.bindAddress, port: config.http.port });
  const address = http.server.address();
  const port = typeof address === "object" && address ? address.port : config.http.port;
  const url = publicBaseUrl(config, port);
  ready = true;
  let closing: Promise<void> | null = null;
  return {
    config,
    url,
    keys,
    createdKey: created,
    rooms,
    media,
    http,
    signaling,
    log,
    joinLink: async (room, ttlS = 4 * 3600) => {
      const token = await createAccessToken({ apiKey: keys.primary.apiKey, apiSecret: keys.primary.apiSecret, room, ttlS });
      return `${url}/r/${encodeURIComponent(room)}?token=${token}`;
    },
    close: () => {
      closing ??= (async () => {
        ready = false;
        await rooms.closeAll();
        await http.close();
        await media.close();
        await webhooks.close();
        await store.close();
      })();
      return closing;
    },
  };
}
