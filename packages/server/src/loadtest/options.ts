import { type ParsedArgs, parseArgs, UsageError } from "../cli/args.js";
import { parseDuration } from "../shared/duration.js";
import { RESOLUTIONS, type Resolution } from "./clip.js";
import { simulcastPlanOrNull } from "./simulcast-plan.js";

export type FloorMode = "plain" | "srtp";
/**
 * What size subscribers report for simulcast tracks (trackSettings): none (`top`), one
 * layer each in turn (`mixed`), the next layer every 2 s (`rotate`), or a grid tile (`auto`).
 */
export type SubscriberSizes = "auto" | "top" | "mixed" | "rotate";

/** Everything one load-test run needs, validated. */
export interface LoadTestOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  room: string;
  publishers: number;
  subscribers: number;
  /** Publishers also subscribe to every other publisher (a meeting). */
  meeting: boolean;
  resolution: Resolution;
  audio: boolean;
  video: boolean;
  durationS: number;
  /** Seconds between "everyone is receiving" and the start of the measured window. */
  warmupS: number;
  /** Peers joining at the same time. */
  joinConcurrency: number;
  json: boolean;
  /** Linux: sample this process's CPU time and RSS (from /proc) over the measured window, e.g. the Relais node. */
  serverPid: number | null;
  /** Subscribers drop this fraction of received RTP packets before SRTP, to exercise NACK/RTX (0..0.5). */
  dropRate: number;
  /** Instead of a Relais node, measure the floor: a bare Node UDP relay (`plain`) or one that also does SRTP per packet (`srtp`). */
  floor: FloorMode | null;
  /** Publishers send their video as simulcast layers (simulcast-plan.ts) and obey dynacast. */
  simulcast: boolean;
  subscriberSizes: SubscriberSizes;
}

export const LOAD_TEST_USAGE = `Usage:
  relais load-test --url http://127.0.0.1:7880 --api-key KEY --api-secret SECRET
                   [--room load-test] [--publishers 1] [--subscribers 10] [--meeting]
                   [--resolution 720p|360p|180p] [--duration 30s] [--warmup 2s]
                   [--video-only | --audio-only] [--join-concurrency 8]
                   [--drop-rate 0.02] [--server-pid PID] [--json]
                   [--simulcast [--subscriber-sizes top|mixed|rotate|auto]]
      Publishers send a pre-encoded VP8 + Opus clip (encoded once with ffmpeg, then
      cached) over ICE + DTLS + SRTP at real pacing; subscribers receive every track of
      those publishers and check SRTP, sequence continuity, loss (NACKing gaps),
      keyframes and the added forwarding latency. --meeting: publishers also subscribe
      to each other. --drop-rate: subscribers drop that fraction of what they receive, so
      NACK/RTX recovery is exercised (loss then reports what was not recovered).
      --server-pid: also report that process's CPU per received packet
      and RSS (Linux /proc). --json: one JSON object on stdout; progress goes to stderr.
      --simulcast: publishers send video as simulcast layers (720p: 320x180, 640x360,
      1280x720; 360p: 320x180, 640x360; not with 180p), each its own clip and SSRC, with
      rid header extensions, and pause the layers the node says nobody watches (dynacast).
      Subscribers tell the layer they get from the VP8 keyframe size.
      --subscriber-sizes: top (default) reports no size, so everyone gets the top layer;
      mixed: subscriber i reports the size of layer i mod layers; rotate: the same, moved
      to the next layer every 2 s (layer switches under load); auto: each reports the
      tile of a 1280x720 grid of the videos it receives.
  relais load-test --floor plain|srtp [--publishers 1] [--subscribers 10] [...]
      The floor for comparison: the same traffic through a bare Node UDP relay (plain),
      or one that unprotects and re-protects SRTP per packet (srtp), in a child process.`;

/** Bad load-test arguments: `relais load-test: message` and the usage, exit code 2. */
export class LoadTestUsageError extends UsageError {}

const VALUE_FLAGS = [
  "url",
  "api-key",
  "api-secret",
  "room",
  "publishers",
  "subscribers",
  "resolution",
  "duration",
  "warmup",
  "join-concurrency",
  "server-pid",
  "floor",
  "drop-rate",
  "subscriber-sizes",
] as const;
const SWITCHES = ["video-only", "audio-only", "json", "meeting", "simulcast"] as const;

/** The shared `relais` argument rules (`--name value`, `--name=value`, a value may start with "-"). */
function parseFlags(args: string[]): ParsedArgs {
  try {
    return parseArgs(args, { values: VALUE_FLAGS, switches: SWITCHES });
  } catch (err) {
    if (err instanceof UsageError) throw new LoadTestUsageError(err.message, LOAD_TEST_USAGE);
    throw err;
  }
}

function count(flags: ParsedArgs, name: string, fallback: number, max: number): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new LoadTestUsageError(`--${name} must be a whole number from 0 to ${max}`);
  return n;
}

function seconds(flags: ParsedArgs, name: string, fallback: number): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const s = parseDuration(text);
  if (s === null) throw new LoadTestUsageError(`--${name}: cannot read "${text}" (examples: 20s, 2m)`);
  return s;
}

const SUBSCRIBER_SIZES = new Set<string>(["auto", "top", "mixed", "rotate"]);

function simulcastOptions(
  flags: ParsedArgs,
  resolution: Resolution,
  floor: FloorMode | null,
): Pick<LoadTestOptions, "simulcast" | "subscriberSizes"> {
  const simulcast = flags.has("simulcast");
  const sizes = flags.get("subscriber-sizes");
  if (sizes !== undefined && !SUBSCRIBER_SIZES.has(sizes))
    throw new LoadTestUsageError("--subscriber-sizes must be top, mixed, rotate or auto");
  if (sizes !== undefined && !simulcast) throw new LoadTestUsageError("--subscriber-sizes needs --simulcast");
  if (!simulcast) return { simulcast, subscriberSizes: "top" };
  if (simulcastPlanOrNull(resolution) === null)
    throw new LoadTestUsageError(`--simulcast needs --resolution 720p (3 layers) or 360p (2 layers), not ${resolution}`);
  if (flags.has("audio-only")) throw new LoadTestUsageError("--simulcast needs video: drop --audio-only");
  if (floor !== null) throw new LoadTestUsageError("--floor does not simulcast: the floor relay forwards every packet to every sink");
  return { simulcast, subscriberSizes: (sizes ?? "top") as SubscriberSizes };
}

export function parseLoadTestArgs(args: string[], env: NodeJS.ProcessEnv = process.env): LoadTestOptions {
  const flags = parseFlags(args);
  if (flags.has("video-only") && flags.has("audio-only")) throw new LoadTestUsageError("give --video-only or --audio-only, not both");
  const floorText = flags.get("floor");
  if (floorText !== undefined && floorText !== "plain" && floorText !== "srtp")
    throw new LoadTestUsageError("--floor must be plain or srtp");
  const floor = (floorText ?? null) as FloorMode | null;
  const resolution = (flags.get("resolution") ?? "720p") as Resolution;
  if (!Object.hasOwn(RESOLUTIONS, resolution))
    throw new LoadTestUsageError(`--resolution must be one of ${Object.keys(RESOLUTIONS).join(", ")}`);
  const url = flags.get("url") ?? "";
  const apiKey = flags.get("api-key") ?? env["RELAIS_API_KEY"] ?? "";
  const apiSecret = flags.get("api-secret") ?? env["RELAIS_API_SECRET"] ?? "";
  if (floor === null) {
    if (!/^(http|ws)s?:\/\//.test(url)) throw new LoadTestUsageError("--url is required (the node's base URL, e.g. http://127.0.0.1:7880)");
    if (!apiKey || !apiSecret)
      throw new LoadTestUsageError("--api-key and --api-secret are required (or RELAIS_API_KEY / RELAIS_API_SECRET)");
  }
  const publishers = count(flags, "publishers", 1, 100);
  const subscribers = count(flags, "subscribers", 10, 5000);
  const meeting = flags.has("meeting");
  if (publishers === 0) throw new LoadTestUsageError("--publishers must be at least 1");
  if (subscribers === 0 && !(meeting && publishers > 1))
    throw new LoadTestUsageError("nothing would receive: give --subscribers or --meeting");
  if (floor !== null && meeting) throw new LoadTestUsageError("--floor models a meeting with --publishers N --subscribers N-1");
  const durationS = seconds(flags, "duration", 30);
  if (durationS < 1) throw new LoadTestUsageError("--duration must be at least 1s");
  const pid = flags.get("server-pid");
  const serverPid = pid === undefined ? null : Number(pid);
  if (serverPid !== null && (!Number.isInteger(serverPid) || serverPid <= 0))
    throw new LoadTestUsageError("--server-pid must be a process id");
  const dropText = flags.get("drop-rate") ?? "0";
  const dropRate = Number(dropText);
  if (!(dropRate >= 0 && dropRate <= 0.5)) throw new LoadTestUsageError("--drop-rate must be a fraction from 0 to 0.5");
  return {
    url,
    apiKey,
    apiSecret,
    room: flags.get("room") ?? "load-test",
    publishers,
    subscribers,
    meeting,
    resolution,
    audio: !flags.has("video-only"),
    video: !flags.has("audio-only"),
    durationS,
    warmupS: seconds(flags, "warmup", 2),
    joinConcurrency: Math.max(1, count(flags, "join-concurrency", 8, 256)),
    json: flags.has("json"),
    serverPid,
    floor,
    dropRate,
    ...simulcastOptions(flags, resolution, floor),
  };
}
