/**
 * A small REST client for the `room`, `participant` and `webhook` commands,
 * over plain fetch (the node does not use @relais/server-sdk, which is for
 * integrators). Errors keep the server's stable code.
 */
import { activeApiKey } from "../auth/api-key-bootstrap.js";
import { loadConfig, publicBaseUrl, type RelaisConfig } from "../config/config.js";
import { CliError, type ParsedArgs, UsageError } from "./args.js";
import { withNodeStore } from "./node-store.js";

/** An error answer of the REST API: `CODE: message`, exit code 1. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const API_FLAGS = ["url", "api-key", "api-secret", "config"] as const;

export const API_USAGE_NOTE = `  The room, participant and webhook commands call a running node's REST API:
  --url (or RELAIS_URL, else the configuration's public URL), authenticated with
  --api-key/--api-secret (or RELAIS_API_KEY/RELAIS_API_SECRET, else the oldest
  active key in the node's store). --json prints the API's JSON.`;

const REQUEST_TIMEOUT_MS = 30_000;

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly authorization: string,
  ) {}

  async call<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}/v1${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: this.authorization,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError(`cannot reach Relais at ${this.baseUrl} (${why}); is the node running? Point to it with --url or RELAIS_URL.`);
    }
    const text = await res.text();
    if (!res.ok) {
      let parsed: { code?: unknown; message?: unknown } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // Not our API (a proxy's error page): fall back to the HTTP status.
      }
      const code = typeof parsed.code === "string" ? parsed.code : `HTTP_${res.status}`;
      const message = typeof parsed.message === "string" ? parsed.message : res.statusText || text.slice(0, 200);
      throw new ApiError(res.status, code, message);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }
}

/** The API client for a command: URL and credentials from the flags, the environment, or the node's configuration and store. */
export async function connectApi(a: ParsedArgs, usage: string): Promise<ApiClient> {
  let config: RelaisConfig | undefined;
  const configured = () => (config ??= loadConfig({ file: a.get("config") }));
  const url = (a.get("url") ?? process.env["RELAIS_URL"] ?? publicBaseUrl(configured())).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be an http(s) URL, not "${url}"`, usage);
  let apiKey = a.get("api-key") ?? process.env["RELAIS_API_KEY"];
  let apiSecret = a.get("api-secret") ?? process.env["RELAIS_API_SECRET"];
  if ((apiKey === undefined) !== (apiSecret === undefined)) throw new UsageError("give both --api-key and --api-secret", usage);
  if (apiKey === undefined || apiSecret === undefined) {
    const key = await withNodeStore(a.get("config"), { create: false }, (store) => activeApiKey(store.apiKeys)).catch((err: unknown) => {
      if (err instanceof CliError) {
        throw new CliError(
          `no API credentials: pass --api-key and --api-secret, or set RELAIS_API_KEY and RELAIS_API_SECRET (${err.message})`,
          2,
        );
      }
      throw err;
    });
    if (!key) throw new CliError("every API key in the store is revoked: create one with `relais keys create --name NAME`", 2);
    ({ apiKey, apiSecret } = key);
  }
  return new ApiClient(url, `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString("base64")}`);
}

/** A path with each interpolated value URL-encoded: apiPath`/rooms/${name}/participants`. */
export function apiPath(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]!) : ""), "");
}
