/**
 * Composition root: the only place that builds concrete adapters. Loads nothing
 * by itself — the CLI (or a test) passes a validated RelaisConfig.
 */

import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { registerHealth } from "./api/health.js";
import { registerApi } from "./api/register-api.js";
import { registerWebApp } from "./api/web-app.js";
import { createAccessToken, verifyAccessToken } from "./auth/access-token.js";
import { type ApiKey, type ApiKeyPair, activeApiKey, bootstrapApiKeys, type KeyImport } from "./auth/api-key-bootstrap.js";
import { mediaWorkerCount, publicBaseUrl, type RelaisConfig } from "./config/config.js";
import { loadNativeBinding } from "./media/srtp/native-binding.js";
import { createDtlsCertificate } from "./media-control/certificate.js";
import { MediaPlane } from "./media-control/media-plane.js";
import { RoomManager } from "./rooms/room-manager.js";
import { RateLimiter } from "./shared/rate-limit.js";
import type { SignalingCounters } from "./signaling/session.js";
import { registerSignaling } from "./signaling/ws-route.js";
import { openStore, type Store } from "./store/index.js";
import { recordSessionHistory } from "./store/session-history.js";
import { WebhookDispatcher } from "./webhooks/dispatcher.js";
import { forwardRoomEventsToWebhooks } from "./webhooks/room-webhooks.js";

const RELAIS_VERSION = "0.1.0";
const SRTP_PROFILE_IDS = { AES_CM_128_HMAC_SHA1_80: 1, AEAD_AES_128_GCM: 7 } as const;

/** The node's API keys; they live in the store (`relais keys …` manages them). */
export interface NodeKeys {
  /** The oldest active key when the node started (it signs the join link printed at start). */
  primary: ApiKeyPair;
  /** The secret of an active key, read from the store on every call: a revocation is effective at once. */
  secretFor(apiKey: string): Promise<string | null>;
  /** Where the keys are kept, for messages: the SQLite file, or "PostgreSQL" (never the URL, which may hold a password). */
  location: string;
}

export interface RelaisNode {
  config: RelaisConfig;
  /** Base URL of the HTTP/WebSocket listener, e.g. http://127.0.0.1:7880 */
  url: string;
  keys: NodeKeys;
  /** The development API key generated at this start (the store held no key), or null. */
  createdKey: ApiKey | null;
  /** Keys imported at this start from the keys.json of an earlier release, or null. */
  importedKeys: KeyImport | null;
  rooms: RoomManager;
  media: MediaPlane;
  http: FastifyInstance;
  signaling: SignalingCounters;
  log: Logger;
  /** A join link for `room` with a shared-link token (no identity: each joiner gets one). */
  joinLink(room: string, ttlS?: number): Promise<string>;
  close(): Promise<void>;
}

/** Where the store keeps API keys, for messages. */
export function storeLocation(config: RelaisConfig): string {
  return config.database.url ? "PostgreSQL (database.url)" : path.join(config.dataDir, "relais.db");
}

/**
 * Opens (and migrates) the node's store as configured: `<dataDir>/relais.db`, or
 * PostgreSQL at `database.url`, secrets sealed with `<dataDir>/secrets.key`. The
 * CLI's `keys` commands open it the same way.
 */
export async function openNodeStore(config: RelaisConfig): Promise<Store> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return openStore({
    sqlitePath: path.join(config.dataDir, "relais.db"),
    databaseUrl: config.database.url || undefined,
    keyFile: path.join(config.dataDir, "secrets.key"),
  });
}

export async function startRelais(config: RelaisConfig): Promise<RelaisNode> {
  const log = pino({ level: config.log.level, base: { service: "relais" }, redact: ["token", "apiSecret", "*.token", "*.apiSecret"] });
  const store = await openNodeStore(config);
  let bootstrap: Awaited<ReturnType<typeof bootstrapApiKeys>>;
  let primary: ApiKeyPair | null;
  try {
    bootstrap = await bootstrapApiKeys(store.apiKeys, { dataDir: config.dataDir });
    primary = await activeApiKey(store.apiKeys);
  } catch (err) {
    await store.close();
    throw err;
  }
  if (!primary) {
    await store.close();
    throw new Error("every API key in the store is revoked: create one with `relais keys create --name NAME`, then start again");
  }
  if (bootstrap.imported) {
    const { from, count, movedTo } = bootstrap.imported;
    log.info({ from, count, movedTo }, "imported API keys from keys.json into the store");
    if (!movedTo) log.warn({ from }, "could not move the imported keys.json aside; it is no longer read, delete it");
  }
  const keys: NodeKeys = {
    primary,
    secretFor: (apiKey) => store.apiKeys.secretFor(apiKey),
    location: storeLocation(config),
  };
  const certificate = await createDtlsCertificate();
  // The media plane starts first and reports worker deaths to the rooms built after it.
  const roomsRef: { current: RoomManager | null } = { current: null };
  // Loaded once here so a missing accelerator is reported once, not by every media worker.
  const native = loadNativeBinding();
  log.info({ nativeAccelerator: native !== null }, native ? "native SRTP/sendmmsg accelerator loaded" : "pure-TypeScript SRTP path");
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
    spillAfterTransports: config.media.spillAfterTransports,
    certificate,
    onLog: (e) => log[e.level](e.data ?? {}, e.msg),
    onWorkerDied: (i, err) => {
      log.error({ worker: i, err: err.message }, "media worker died");
      void roomsRef.current?.mediaWorkerDied(i);
    },
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
    // Publishers get transport-wide congestion control feedback (their send-side estimator ramps up simulcast layers).
    policy: { videoCodecs: config.media.videoCodecs, transportCc: true },
    media,
    iceServers: config.iceServers,
    log: (level, msg, data) => log[level](data ?? {}, msg),
    configs: store.rooms,
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
    joinLimiter: new RateLimiter(config.rooms.joinRateLimitPerMinute),
    counters: signaling,
    log: (level, msg, data) => log[level](data ?? {}, msg),
  });
  await registerApi(http, {
    rooms,
    webhooks: store.webhooks,
    roomConfigs: store.rooms,
    credentials: store.apiKeys,
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
    createdKey: bootstrap.created,
    importedKeys: bootstrap.imported,
    rooms,
    media,
    http,
    signaling,
    log,
    joinLink: async (room, ttlS = 4 * 3600) => {
      // The current oldest active key: the start-time one may have been revoked since.
      const key = await activeApiKey(store.apiKeys);
      if (!key) throw new Error("no active API key: create one with `relais keys create --name NAME`");
      const token = await createAccessToken({ ...key, room, ttlS });
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
