import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";

/** The one typed configuration of a Relais node. Built once by loadConfig and passed down; never mutated. */
export interface RelaisConfig {
  /** Where keys and state live (created on first start). */
  dataDir: string;
  http: {
    bindAddress: string;
    port: number;
    /** Base URL printed in join links; defaults to http(s)://<announced or bind address>:<port>. */
    publicUrl: string;
    /** PEM files for HTTPS/WSS (browsers only allow cameras on localhost or HTTPS). */
    tlsCertFile: string;
    tlsKeyFile: string;
  };
  media: {
    /** Media worker threads; 0 = one per core. */
    workers: number;
    bindAddress: string;
    /** Addresses put in ICE candidates. Relais never discovers a public address on its own (no STUN). */
    announcedAddresses: string[];
    /** UDP port of worker 0; worker i uses udpPort + 2i. 0 = ephemeral. */
    udpPort: number;
    /** ICE-TCP port of worker 0; worker i uses tcpPort + 2i. 0 = ephemeral. */
    tcpPort: number;
    enableUdp: boolean;
    enableTcp: boolean;
    /** DTLS-SRTP profiles in preference order. */
    srtpProfiles: ("AEAD_AES_128_GCM" | "AES_CM_128_HMAC_SHA1_80")[];
    videoCodecs: ("VP8" | "VP9" | "H264" | "AV1")[];
    consentTimeoutS: number;
    /** Transports a worker carries before a room on it places new participants on a less-loaded worker (producers piped there); 0 = never. */
    spillAfterTransports: number;
  };
  rooms: {
    /** A valid join token creates its room on demand. */
    autoCreate: boolean;
    /** Seconds an empty room lives on before it is closed. */
    emptyTimeoutS: number;
    maxParticipants: number;
    /** Seconds a participant whose signaling socket dropped is kept for a resume. */
    resumeWindowS: number;
    /** `join` messages per minute per client IP (resumes included); beyond it RATE_LIMITED. */
    joinRateLimitPerMinute: number;
  };
  database: {
    /** PostgreSQL URL (postgres://…) for durable state; empty = embedded SQLite file in the data dir. */
    url: string;
  };
  api: {
    /** Mutating REST calls (POST/PATCH/DELETE) per minute, per API key and per client IP; 429 with Retry-After beyond. */
    rateLimitPerMinute: number;
  };
  /** ICE servers handed to clients (e.g. your own TURN). Empty by default: no public STUN, ever. */
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  log: { level: "trace" | "debug" | "info" | "warn" | "error" | "silent" };
}

export const DEFAULT_CONFIG: RelaisConfig = {
  dataDir: "./.relais",
  http: { bindAddress: "127.0.0.1", port: 7880, publicUrl: "", tlsCertFile: "", tlsKeyFile: "" },
  media: {
    workers: 0,
    bindAddress: "127.0.0.1",
    announcedAddresses: ["127.0.0.1"],
    udpPort: 7882,
    tcpPort: 7883,
    enableUdp: true,
    enableTcp: true,
    srtpProfiles: ["AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"],
    videoCodecs: ["VP8", "H264", "VP9", "AV1"],
    consentTimeoutS: 30,
    spillAfterTransports: 50,
  },
  rooms: { autoCreate: true, emptyTimeoutS: 300, maxParticipants: 100, resumeWindowS: 20, joinRateLimitPerMinute: 120 },
  database: { url: "" },
  api: { rateLimitPerMinute: 600 },
  iceServers: [],
  log: { level: "info" },
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep-merges `over` into `base`, refusing keys the defaults do not have and values of the wrong type. */
function merge(base: Json, over: Json, where: string): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const at = where ? `${where}.${k}` : k;
    if (!Object.hasOwn(base, k)) throw new ConfigError(`unknown configuration key "${at}"`);
    const b = base[k];
    if (isObject(b)) {
      if (!isObject(v)) throw new ConfigError(`"${at}" must be an object`);
      out[k] = merge(b, v, at);
    } else if (Array.isArray(b)) {
      if (!Array.isArray(v)) throw new ConfigError(`"${at}" must be a list`);
      out[k] = v;
    } else {
      if (typeof v !== typeof b) throw new ConfigError(`"${at}" must be a ${typeof b}`);
      out[k] = v;
    }
  }
  return out;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/** RELAIS_HTTP_PORT=8080, RELAIS_MEDIA_ANNOUNCED_ADDRESSES=192.0.2.10,2001:db8::1, RELAIS_DATA_DIR=/var/lib/relais … */
function fromEnv(base: Json, env: NodeJS.ProcessEnv, prefix: string[]): Json {
  const out: Json = {};
  for (const [k, b] of Object.entries(base)) {
    const keyPath = [...prefix, k];
    if (isObject(b)) {
      const sub = fromEnv(b, env, keyPath);
      if (Object.keys(sub).length > 0) out[k] = sub;
      continue;
    }
    const name = `RELAIS_${keyPath.map(snake).join("_")}`;
    const raw = env[name];
    if (raw === undefined) continue;
    if (typeof b === "number") {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) throw new ConfigError(`${name} must be a number`);
      out[k] = n;
    } else if (typeof b === "boolean") {
      if (!/^(true|false|1|0)$/i.test(raw)) throw new ConfigError(`${name} must be true or false`);
      out[k] = /^(true|1)$/i.test(raw);
    } else if (Array.isArray(b)) {
      if (k === "iceServers") throw new ConfigError(`${name}: set ICE servers in the configuration file`);
      out[k] = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    } else {
      out[k] = raw;
    }
  }
  return out;
}

function validate(c: RelaisConfig): void {
  const port = (n: number, what: string, allowZero: boolean) => {
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) throw new ConfigError(`${what} must be a port number`);
  };
  port(c.http.port, "http.port", true);
  port(c.media.udpPort, "media.udpPort", true);
  port(c.media.tcpPort, "media.tcpPort", true);
  if (!Number.isInteger(c.media.workers) || c.media.workers < 0 || c.media.workers > 64)
    throw new ConfigError("media.workers must be 0..64");
  if (!c.media.enableUdp && !c.media.enableTcp) throw new ConfigError("enable at least one of media.enableUdp, media.enableTcp");
  if (c.media.announcedAddresses.length === 0) throw new ConfigError("media.announcedAddresses must list at least one address");
  for (const p of c.media.srtpProfiles) {
    if (p !== "AEAD_AES_128_GCM" && p !== "AES_CM_128_HMAC_SHA1_80") throw new ConfigError(`media.srtpProfiles: unknown profile ${p}`);
  }
  if (c.media.srtpProfiles.length === 0) throw new ConfigError("media.srtpProfiles must not be empty");
  for (const v of c.media.videoCodecs) {
    if (!["VP8", "VP9", "H264", "AV1"].includes(v)) throw new ConfigError(`media.videoCodecs: unknown codec ${v}`);
  }
  if (c.media.consentTimeoutS < 5) throw new ConfigError("media.consentTimeoutS must be at least 5");
  if (!Number.isInteger(c.media.spillAfterTransports) || c.media.spillAfterTransports < 0)
    throw new ConfigError("media.spillAfterTransports must be an integer ≥ 0");
  if (c.rooms.maxParticipants < 1) throw new ConfigError("rooms.maxParticipants must be at least 1");
  if (c.rooms.resumeWindowS < 0 || c.rooms.emptyTimeoutS < 0) throw new ConfigError("rooms timeouts must not be negative");
  if (Boolean(c.http.tlsCertFile) !== Boolean(c.http.tlsKeyFile))
    throw new ConfigError("set both http.tlsCertFile and http.tlsKeyFile, or neither");
  if (!Number.isInteger(c.rooms.joinRateLimitPerMinute) || c.rooms.joinRateLimitPerMinute < 1)
    throw new ConfigError("rooms.joinRateLimitPerMinute must be a positive integer");
  if (!Number.isInteger(c.api.rateLimitPerMinute) || c.api.rateLimitPerMinute < 1)
    throw new ConfigError("api.rateLimitPerMinute must be a positive integer");
  const levels = ["trace", "debug", "info", "warn", "error", "silent"];
  if (!levels.includes(c.log.level)) throw new ConfigError(`log.level must be one of ${levels.join(", ")}`);
}

export interface LoadConfigOptions {
  /** YAML (or JSON) file; defaults to $RELAIS_CONFIG when set. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Programmatic overrides (tests, embedding), applied last. */
  overrides?: DeepPartial<RelaisConfig>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Defaults ← config file ← RELAIS_* environment ← overrides; validated once. */
export function loadConfig(o: LoadConfigOptions = {}): RelaisConfig {
  const env = o.env ?? process.env;
  let c = DEFAULT_CONFIG as unknown as Json;
  const file = o.file ?? env["RELAIS_CONFIG"];
  if (file) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, "utf8"));
    } catch (err) {
      throw new ConfigError(`cannot read configuration file ${file}: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (!isObject(parsed)) throw new ConfigError(`${file}: the configuration must be a mapping`);
      c = merge(c, parsed, "");
    }
  }
  c = merge(c, fromEnv(DEFAULT_CONFIG as unknown as Json, env, []), "");
  if (o.overrides) c = merge(c, o.overrides as Json, "");
  const config = c as unknown as RelaisConfig;
  validate(config);
  return { ...config, dataDir: path.resolve(config.dataDir) };
}

export function mediaWorkerCount(c: RelaisConfig): number {
  return c.media.workers > 0 ? c.media.workers : availableParallelism();
}

/**
 * The base URL printed in join links: `http.publicUrl` when set, else the scheme
 * (https with a TLS certificate) and the bind address — or the first announced
 * address when binding to all interfaces — with `port` (the one actually bound).
 */
export function publicBaseUrl(c: RelaisConfig, port: number = c.http.port): string {
  if (c.http.publicUrl) return c.http.publicUrl.replace(/\/$/, "");
  const wildcard = c.http.bindAddress === "0.0.0.0" || c.http.bindAddress === "::";
  const host = wildcard ? c.media.announcedAddresses[0]! : c.http.bindAddress;
  const scheme = c.http.tlsCertFile ? "https" : "http";
  return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
